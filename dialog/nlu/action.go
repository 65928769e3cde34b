package nlu

import "sync"

// actionReaders lends NamesAction a normalizer and an extractor.
var actionReaders = sync.Pool{New: func() any {
	return &actionReader{norm: newNormalizer()}
}}

type actionReader struct {
	norm *normalizer
	ext  extractor
}

// NamesAction reports whether text names an action of the kind tasks do
// (create, find, show, change, delete, convert, … in any language the
// synonym groups know: "add", "anlegen", "登録"), spelt as the groups
// have it: unlike the classifier, it looks for no typos. A request names one;
// most answers do not ("Lena Lead", "Acme Leads GmbH", "夏のキャンペーン"),
// which is how a caller tells a request from a name that happens to hold
// a task's object.
func NamesAction(text string) bool {
	r := actionReaders.Get().(*actionReader)
	defer actionReaders.Put(r)
	return r.ext.namesAction(r.norm.normalize(text))
}

// namesAction reads rs's words as extract does, for their synonym groups
// only (no n-grams, no hashes), and stops at the first action.
func (e *extractor) namesAction(rs []rune) bool {
	e.reset()
	for start := 0; start < len(rs); {
		class, end := nextRun(rs, start)
		if class == classNone {
			start = end
			continue
		}
		var word []rune
		end, word = e.placeholder(rs, start, end, class)
		switch {
		case class == classCJK:
			e.groupsOfRun(word)
		case class == classAlnum && isFiller(word):
		default:
			e.stemGroupsOfWord(word) // no typos: a request's verb is rarely misspelt, and looking costs
		}
		for gi, g := range synonymGroups {
			if !g.object && e.groups&(1<<gi) != 0 {
				return true
			}
		}
		start = end
	}
	return false
}
