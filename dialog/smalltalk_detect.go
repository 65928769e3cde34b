package dialog

import (
	"math/bits"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Small talk is told by the word lists of the phrase tables
// (words.small_talk.* in nodes/phrases): a message is small talk when it
// is made, from end to end, of listed phrases ("hi", "hi there, how are
// you?", "thanks a lot, bye!") and fillers ("ok", "so much", "dir"), and
// at least one of them is not a filler. Any other word ("hi, can you
// create a lead", "Hi Ada") makes it something else, which keeps small
// talk from taking a task request or an answer. Case, width, punctuation,
// emoji, apostrophes and repeated letters ("hellooo") do not count, and a
// long word one typing slip away from a listed word ("thnaks",
// "tschüsss") counts as that word.

// smallTalkKind is what a small-talk message is. Kinds are ordered: when
// a message holds several ("hi, are you a bot?") the greater one is
// answered.
type smallTalkKind uint8

const (
	smallTalkNone smallTalkKind = iota
	smallTalkFiller
	smallTalkGreeting
	smallTalkThanks
	smallTalkGoodbye
	smallTalkHowAreYou
	smallTalkWhoAreYou
	smallTalkAreYouABot
)

// smallTalkKeys are the phrase-table keys of each kind, words.<key> for
// what users say and texts.<key> for the answer.
var smallTalkKeys = [...]string{
	smallTalkFiller:     "small_talk.filler",
	smallTalkGreeting:   "small_talk.greeting",
	smallTalkThanks:     "small_talk.thanks",
	smallTalkGoodbye:    "small_talk.goodbye",
	smallTalkHowAreYou:  "small_talk.how_are_you",
	smallTalkWhoAreYou:  "small_talk.who_are_you",
	smallTalkAreYouABot: "small_talk.are_you_a_bot",
}

// key returns the phrase key of k.
func (k smallTalkKind) key() string { return smallTalkKeys[k] }

// Bounds of what is read as small talk: longer messages are something
// else, and reading them would cost time on every uncertain input.
const (
	maxSmallTalkBytes = 160
	maxSmallTalkUnits = 40
	// minTypoRunes is the least length of a word read despite one typing
	// slip: shorter words are too easily another word or a name ("Halle"
	// is not "hallo").
	minTypoRunes = 6
	// maxUnknownUnits is how many units outside the lists a message may
	// hold and still be read by the small-talk model ("thank you
	// kindly"); the lists alone take none.
	maxUnknownUnits = 1
)

// smallTalkPhrase is a listed phrase: its kind and the languages (bits in
// the order of smallTalkIndex.langs) whose tables list it.
type smallTalkPhrase struct {
	kind  smallTalkKind
	langs uint64
}

// smallTalkIndex holds the word lists of every phrase table in the form
// messages are read in: units (a word, or one Japanese character) joined
// by single spaces.
type smallTalkIndex struct {
	phrases  map[string]smallTalkPhrase
	maxUnits int
	vocab    map[string]bool   // the words of the phrases
	byFirst  map[rune][]string // vocab words of minTypoRunes-1 runes or more, by first rune
	langs    []string
}

// smallTalkWords is built once from the built-in phrase tables.
var smallTalkWords = buildSmallTalkIndex()

func buildSmallTalkIndex() *smallTalkIndex {
	lists := make([]wordList, 0, len(smallTalkKeys))
	for kind := smallTalkFiller; int(kind) < len(smallTalkKeys); kind++ {
		lists = append(lists, wordList{kind, kind.key()})
	}
	return buildWordIndex(lists...) // handoff_words.go
}

// add indexes one listed phrase.
func (ix *smallTalkIndex) add(u *smallTalkUnits, kind smallTalkKind, lang uint64) {
	p := ix.phrases[u.canon]
	if kind > p.kind {
		p.kind = kind
	}
	p.langs |= lang
	ix.phrases[u.canon] = p
	ix.maxUnits = max(ix.maxUnits, u.n)
	for i := range u.n {
		w := u.unit(i)
		if ix.vocab[w] || utf8.RuneCountInString(w) < minTypoRunes-1 {
			ix.vocab[w] = true
			continue
		}
		ix.vocab[w] = true
		r, _ := utf8.DecodeRuneInString(w)
		ix.byFirst[r] = append(ix.byFirst[r], w)
	}
}

// smallTalk is what detectSmallTalk found: the kind, and the language
// its phrases belong to ("" when they are listed in several).
type smallTalk struct {
	kind smallTalkKind
	lang string
}

// detectSmallTalk tells whether text is small talk, and which. Strictly,
// only a message made of listed phrases is; with loose, so is one the
// small-talk model (smalltalk_model.go) is sure of, when all but one of
// its words are in the lists ("thank you kindly", "who made you").
func detectSmallTalk(text string, loose bool) (smallTalk, bool) {
	return smallTalkWords.detect(text, loose)
}

func (ix *smallTalkIndex) detect(text string, loose bool) (smallTalk, bool) {
	var u smallTalkUnits
	if !u.read(text, ix) || u.n == 0 {
		return smallTalk{}, false
	}
	if u.unknown > 0 {
		if !loose || u.n < 2 {
			return smallTalk{}, false
		}
		return classifySmallTalk(text)
	}
	kind, langs, ok := ix.cover(&u)
	if !ok || kind <= smallTalkFiller {
		if loose && u.n >= 2 {
			return classifySmallTalk(text)
		}
		return smallTalk{}, false
	}
	out := smallTalk{kind: kind}
	if bits.OnesCount64(langs) == 1 {
		out.lang = ix.langs[bits.TrailingZeros64(langs)]
	}
	return out, true
}

// cover finds the strongest way to read all of u as listed phrases: the
// greatest kind, and the languages every non-filler phrase of it shares.
func (ix *smallTalkIndex) cover(u *smallTalkUnits) (smallTalkKind, uint64, bool) {
	var (
		reached [maxSmallTalkUnits + 1]bool
		kinds   [maxSmallTalkUnits + 1]smallTalkKind
		langs   [maxSmallTalkUnits + 1]uint64
	)
	reached[0], langs[0] = true, ^uint64(0)
	for i := 0; i < u.n; i++ {
		if !reached[i] {
			continue
		}
		for k := 1; k <= ix.maxUnits && i+k <= u.n; k++ {
			p, ok := ix.phrases[u.span(i, i+k)]
			if !ok {
				continue
			}
			kind, lang := max(kinds[i], p.kind), langs[i]
			if p.kind > smallTalkFiller {
				lang &= p.langs
			}
			j := i + k
			if !reached[j] || kind > kinds[j] || kind == kinds[j] && bits.OnesCount64(lang) < bits.OnesCount64(langs[j]) && lang != 0 {
				reached[j], kinds[j], langs[j] = true, kind, lang
			}
		}
	}
	return kinds[u.n], langs[u.n], reached[u.n]
}

// smallTalkUnits is a message cut into units: canon holds them joined by
// single spaces, and ends[i] is where unit i ends in canon; unknown
// counts the units no listed phrase holds.
type smallTalkUnits struct {
	canon   string
	ends    [maxSmallTalkUnits]int
	n       int
	unknown int
}

// unit returns unit i.
func (u *smallTalkUnits) unit(i int) string { return u.span(i, i+1) }

// span returns units i to j-1 as listed phrases are written.
func (u *smallTalkUnits) span(i, j int) string {
	start := 0
	if i > 0 {
		start = u.ends[i-1] + 1
	}
	return u.canon[start:u.ends[j-1]]
}

// apostrophes are dropped before a message is read: "what's" is "whats".
var apostrophes = strings.NewReplacer("'", "", "’", "", "`", "")

// read cuts text into units: words (lower case, runs of a repeated
// letter made one) and single Japanese characters. With ix, a long word
// the phrases do not hold is read as the listed word one typing slip
// away, when there is exactly one. It reports false when text is too long
// to be small talk or, with ix, holds more than maxUnknownUnits units no
// phrase has.
func (u *smallTalkUnits) read(text string, ix *smallTalkIndex) bool {
	if len(text) > maxSmallTalkBytes {
		return false
	}
	if strings.ContainsAny(text, "'’`") {
		text = apostrophes.Replace(text)
	}
	n := normalize(text)
	var b strings.Builder
	b.Grow(2 * len(n))
	u.n, u.unknown = 0, 0
	for field := range strings.FieldsSeq(n) {
		for len(field) > 0 {
			if u.n == maxSmallTalkUnits {
				return false
			}
			r, size := utf8.DecodeRuneInString(field)
			word := field[:size]
			if !isJapaneseRune(r) {
				end := strings.IndexFunc(field, isJapaneseRune)
				if end < 0 {
					end = len(field)
				}
				word = squeezeRepeats(field[:end])
				if ix != nil && !ix.vocab[word] {
					word = ix.correct(word)
				}
				field = field[end:]
			} else {
				field = field[size:]
			}
			if ix != nil && !ix.vocab[word] {
				if u.unknown++; u.unknown > maxUnknownUnits {
					return false // words of no phrase: not small talk
				}
			}
			if u.n > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(word)
			u.ends[u.n] = b.Len()
			u.n++
		}
	}
	u.canon = b.String()
	return true
}

// isJapaneseRune reports kana, kanji and the prolonged sound mark.
func isJapaneseRune(r rune) bool {
	return r >= 0x2e80 && (r == 'ー' || unicode.In(r, unicode.Hiragana, unicode.Katakana, unicode.Han))
}

// squeezeRepeats makes each run of one letter a single letter:
// "hellooo" and "hello" are both "helo".
func squeezeRepeats(w string) string {
	prev, repeats := rune(-1), false
	for _, r := range w {
		if r == prev {
			repeats = true
			break
		}
		prev = r
	}
	if !repeats {
		return w
	}
	var b strings.Builder
	prev = -1
	for _, r := range w {
		if r != prev {
			b.WriteRune(r)
		}
		prev = r
	}
	return b.String()
}

// correct returns the one listed word w is a typing slip away from (one
// letter added, dropped, changed, or two neighbours swapped, the first
// letter right), or w itself.
func (ix *smallTalkIndex) correct(w string) string {
	n := utf8.RuneCountInString(w)
	if n < minTypoRunes {
		return w
	}
	first, _ := utf8.DecodeRuneInString(w)
	found := ""
	for _, v := range ix.byFirst[first] {
		if vn := utf8.RuneCountInString(v); vn < n-1 || vn > n+1 || !oneSlipApart(w, v) {
			continue
		}
		if found != "" && found != v {
			return w // two candidates: not sure which
		}
		found = v
	}
	if found == "" {
		return w
	}
	return found
}

// oneSlipApart reports whether a and b differ by exactly one edit: a rune
// inserted, deleted or replaced, or two neighbouring runes swapped.
func oneSlipApart(a, b string) bool {
	ra, rb := []rune(a), []rune(b)
	if len(ra) < len(rb) {
		ra, rb = rb, ra
	}
	i := 0
	for i < len(rb) && ra[i] == rb[i] {
		i++
	}
	switch {
	case len(ra) == len(rb) && i == len(ra):
		return false // equal
	case len(ra) == len(rb)+1:
		return string(ra[i+1:]) == string(rb[i:])
	case len(ra) != len(rb):
		return false
	case string(ra[i+1:]) == string(rb[i+1:]):
		return true // replaced
	}
	return i+1 < len(ra) && ra[i] == rb[i+1] && ra[i+1] == rb[i] && string(ra[i+2:]) == string(rb[i+2:])
}
