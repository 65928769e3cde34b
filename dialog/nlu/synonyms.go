package nlu

// actionGroups are the verbs of task requests that mean the same across
// wording and language: a word (or, in Japanese, a substring of a run)
// of a group adds the group as a feature, so "modify a lead" meets the
// training phrase "change a lead" and "リードを修正" meets "リードを変更"
// although they share no characters. The model still learns from the
// training utterances whether the group matters for an intent; this only
// lets it see that two spellings are one action. The group feature is
// counted twice, since it stands in for a whole word's n-grams.
var actionGroups = []struct {
	name  string
	stems []string // alphabetic: a word that begins with a stem of 4 or more runes, or equals a shorter one
	cjk   []string // Japanese: a substring of a run
}{
	{"create",
		[]string{"creat", "add", "adds", "added", "adding", "make", "generat", "regist", "anleg", "angeleg", "erstell", "hinzufüg", "erfass", "eintrag", "anlage"},
		[]string{"作成", "登録", "追加", "作り", "作っ", "作る", "新規"}},
	{"delete",
		[]string{"delet", "remov", "eras", "discard", "rid", "lösch", "loesch", "entfern"},
		[]string{"削除", "消し", "消す", "消去"}},
	{"update",
		[]string{"updat", "chang", "edit", "modif", "amend", "alter", "änder", "aender", "bearbeit", "aktualisier"},
		[]string{"更新", "変更", "編集", "修正"}},
	{"find",
		[]string{"find", "search", "look", "lookup", "locat", "such", "nachschlag", "finden"},
		[]string{"検索", "探し", "探す", "調べ"}},
	{"show",
		[]string{"show", "display", "view", "zeig", "anzeig", "ansehen"},
		[]string{"表示", "見せ", "見たい", "見る"}},
}

// kindGroup marks an action-group feature.
const kindGroup = 'g'

var groupHashes = func() []uint64 {
	hs := make([]uint64, len(actionGroups))
	for i, g := range actionGroups {
		hs[i] = hashRunes(kindGroup, []rune(g.name))
	}
	return hs
}()

// actionGroupsOfWord appends the group features of an alphabetic word.
func (e *extractor) actionGroupsOfWord(word []rune) {
	for gi, g := range actionGroups {
		for _, stem := range g.stems {
			if stemMatches(word, stem) {
				e.feats = append(e.feats, groupHashes[gi], groupHashes[gi])
				break
			}
		}
	}
}

func stemMatches(word []rune, stem string) bool {
	i := 0
	for _, r := range stem {
		if i >= len(word) || word[i] != r {
			return false
		}
		i++
	}
	return i == len(word) || i >= 4
}

// actionGroupsOfRun appends the group features found in a Japanese run.
func (e *extractor) actionGroupsOfRun(run []rune) {
	for gi, g := range actionGroups {
		for _, sub := range g.cjk {
			if containsRunes(run, sub) {
				e.feats = append(e.feats, groupHashes[gi], groupHashes[gi])
				break
			}
		}
	}
}

func containsRunes(run []rune, sub string) bool {
	for start := range run {
		i := start
		matched := true
		for _, r := range sub {
			if i >= len(run) || run[i] != r {
				matched = false
				break
			}
			i++
		}
		if matched {
			return true
		}
	}
	return false
}
