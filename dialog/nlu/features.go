package nlu

// Feature kinds. Each feature is a 64-bit FNV-1a hash of its kind and its
// runes, so no feature string is ever built.
const (
	kindWord   = 'w' // a whole word (or a whole run of Japanese)
	kindBigram = 'b' // two neighbouring words
	kindChar   = 'c' // a character n-gram inside one word
)

// Character n-gram lengths: alphabetic words are padded with a boundary
// mark so "lead" yields "^le", "lea", "ead", "ad$"; runs of Japanese are
// cut into 1-, 2- and 3-grams since words are not spaced.
const (
	alnumMinN = 3
	alnumMaxN = 4
	cjkMinN   = 1
	cjkMaxN   = 3
	boundary  = '\x02'
)

const (
	fnvOffset = 14695981039346656037
	fnvPrime  = 1099511628211
)

func hashRunes(kind rune, rs []rune) uint64 {
	h := uint64(fnvOffset)
	h = (h ^ uint64(kind)) * fnvPrime
	for _, r := range rs {
		h = (h ^ uint64(r)) * fnvPrime
	}
	return h
}

// hashPair combines two word hashes into a bigram feature.
func hashPair(a, b uint64) uint64 {
	h := uint64(fnvOffset)
	h = (h ^ kindBigram) * fnvPrime
	h = (h ^ a) * fnvPrime
	return (h ^ (b * 31)) * fnvPrime
}

// extractor collects the feature hashes of one normalised text, with
// repeats, into feats; it reuses its buffers.
type extractor struct {
	feats  []uint64
	padded []rune
	groups uint64 // bit i: the text named synonymGroups[i]
	head   int    // the record kind the sentence is about (see headObject), -1 for none
	headAt int    // where in its Japanese run the head was named
	values bool   // every word of the text was a typed value's placeholder
	nf     newField
}

// reset readies the extractor for a new text.
func (e *extractor) reset() {
	e.feats, e.groups = e.feats[:0], 0
	e.head, e.values, e.nf = -1, true, newField{at: -1}
}

// nextRun is the class of the run of rs that starts at start and where it
// ends: runes of one class, or a single rune of none.
func nextRun(rs []rune, start int) (class, end int) {
	class, end = runeClass(rs[start]), start+1
	if class == classNone {
		return class, end
	}
	for end < len(rs) && runeClass(rs[end]) == class {
		end++
	}
	return class, end
}

// extract appends the features of rs to e.feats (which it resets).
func (e *extractor) extract(rs []rune) []uint64 {
	e.reset()
	var prevWord uint64
	havePrev := false
	for start := 0; start < len(rs); {
		class, end := nextRun(rs, start)
		if class == classNone {
			start = end
			continue
		}
		var word []rune
		end, word = e.placeholder(rs, start, end, class)
		e.values = e.values && isPlaceholder(word)
		if isCompanyWord(word) {
			e.addGroup(accountGroup) // a company, but not the record asked for
		}
		if class == classCJK {
			e.groupsOfRun(word) // before the ending goes: "消して" names a deletion
			word = trimPoliteEnding(word)
		}
		wh := hashRunes(kindWord, word)
		e.feats = append(e.feats, wh)
		if class == classAlnum && isFiller(word) {
			start = end
			continue
		}
		if havePrev {
			e.feats = append(e.feats, hashPair(prevWord, wh))
			e.phrasal(prevWord, wh)
		}
		prevWord, havePrev = wh, true
		if class == classCJK {
			e.charGrams(word, cjkMinN, cjkMaxN)
		} else {
			e.fieldAfterNew(word)
			e.groupsOfWord(word)
			e.padded = append(append(append(e.padded[:0], boundary), word...), boundary)
			e.charGrams(e.padded, alnumMinN, alnumMaxN)
		}
		start = end
	}
	e.groupPairs()
	return e.feats
}

// placeholder returns the word that begins at start, ending at end
// unless it is (or, in a Japanese run, comes before) a typed value or a
// person's name, which becomes its placeholder.
func (e *extractor) placeholder(rs []rune, start, end, class int) (int, []rune) {
	switch class {
	case classAlnum:
		if vend, word, ok := typedValueEnd(rs, start); ok {
			return vend, word
		}
		if isLegalForm(rs[start:end]) {
			return end, companyWord
		}
	case classCJK:
		run := rs[start:end]
		ns, nend, ok := honorificName(run)
		if ls, lend, lok := legalFormJa(run); lok && (!ok || ls < ns) {
			ns, nend, ok = ls, lend, lok
			if ns == 0 {
				return start + nend, companyWord
			}
		}
		if ok {
			if ns > 0 {
				return start + ns, run[:ns]
			}
			return start + nend, personWord
		}
	}
	return end, rs[start:end]
}

func (e *extractor) charGrams(rs []rune, minN, maxN int) {
	for n := minN; n <= maxN; n++ {
		for i := 0; i+n <= len(rs); i++ {
			e.feats = append(e.feats, hashRunes(kindChar, rs[i:i+n]))
		}
	}
}
