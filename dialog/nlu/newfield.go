package nlu

import "slices"

// "A new phone number", "eine neue Adresse": "new" before a field of a
// record is no creation but a change of that field ("the contact has a
// new e-mail address" is an update). The extractor remembers where the
// creation group of a "new" went; when the next word is a field, that
// feature becomes an update.

// newWords are the words for "new" that name a creation.
var newWords = []string{"new", "neu", "neue", "neuen", "neuer", "neues"}

// fieldWords are fields of a record.
var fieldWords = []string{"phone", "number", "mobile", "email", "mail", "address", "title", "job", "position", "name", "website",
	"telefonnummer", "nummer", "handynummer", "adresse", "anschrift", "mailadresse", "titel", "stelle", "webseite"}

var (
	createGroup = slices.IndexFunc(synonymGroups, func(g synonymGroup) bool { return g.name == "create" })
	updateGroup = slices.IndexFunc(synonymGroups, func(g synonymGroup) bool { return g.name == "update" })
)

// newField is the extractor's memory of the last "new".
type newField struct {
	at      int // index in feats of the creation group a "new" added, -1 for none
	creates int // words that named a creation so far
}

// noteCreate counts a word that named a creation; for a "new" it
// remembers where its feature went.
func (e *extractor) noteCreate(word []rune) {
	e.nf.creates++
	e.nf.at = -1
	for _, w := range newWords {
		if runesEqual(word, w) {
			e.nf.at = len(e.feats) - 2 // addGroup appended two
		}
	}
}

// fieldAfterNew turns the creation a "new" named into an update when
// word is a field; any other word but "e" (of "e-mail") ends the wait.
func (e *extractor) fieldAfterNew(word []rune) {
	if e.nf.at < 0 || runesEqual(word, "e") {
		return
	}
	at := e.nf.at
	e.nf.at = -1
	if !slices.ContainsFunc(fieldWords, func(f string) bool { return runesEqual(word, f) }) {
		return
	}
	e.feats[at], e.feats[at+1] = groupHashes[updateGroup], groupHashes[updateGroup]
	e.groups |= 1 << updateGroup
	if e.nf.creates--; e.nf.creates == 0 {
		e.groups &^= 1 << createGroup
	}
}
