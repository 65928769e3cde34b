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
// synonym groups know: "add", "anlegen", "登録"). A request names one;
// most answers do not ("Lena Lead", "Acme Leads GmbH", "夏のキャンペーン"),
// which is how a caller tells a request from a name that happens to hold
// a task's object.
func NamesAction(text string) bool {
	r := actionReaders.Get().(*actionReader)
	defer actionReaders.Put(r)
	r.ext.extract(r.norm.normalize(text))
	for gi, g := range synonymGroups {
		if !g.object && r.ext.groups&(1<<gi) != 0 {
			return true
		}
	}
	return false
}
