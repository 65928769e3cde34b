package dialog

import (
	"github.com/botforge/dialogd/nodes"
)

// Asking for a person, and the answers to "leave a message or wait?", are
// read like small talk (smalltalk_detect.go): a message made, from end to
// end, of phrases of the phrase tables' word lists and fillers ("hi, can
// I talk to a human please?"), with one typing slip allowed in a long
// word. Any other word makes it something else ("a human resources
// question" is not a request for a person), so no bot needs training
// utterances for it.

// Kinds of these lists, above every small-talk kind: a message holding a
// request for a person and a greeting is a request for a person.
const (
	kindHumanWord    smallTalkKind = 100 + iota // a bare "human", "agent": mid-question, maybe an answer
	kindHumanRequest                            // "talk to a human"
	kindHandoffWait
	kindHandoffLeave
)

// wordList is one phrase-table word list of an index and its kind.
type wordList struct {
	kind smallTalkKind
	key  string
}

// humanRequests reads "talk to a human" (words.human_request) and the
// bare words for a person (words.human_request.word).
var humanRequests = buildWordIndex(
	wordList{smallTalkFiller, "small_talk.filler"},
	wordList{smallTalkFiller, "human_request.filler"},
	wordList{smallTalkGreeting, "small_talk.greeting"},
	wordList{kindHumanWord, "human_request.word"},
	wordList{kindHumanRequest, "human_request"},
)

// handoffChoices reads the answers to the no-agent question
// (words.handoff.wait, words.handoff.leave_message).
var handoffChoices = buildWordIndex(
	wordList{smallTalkFiller, "small_talk.filler"},
	wordList{smallTalkFiller, "human_request.filler"},
	wordList{kindHandoffWait, "handoff.wait"},
	wordList{kindHandoffLeave, "handoff.leave_message"},
)

// buildWordIndex indexes the lists of every built-in phrase table.
func buildWordIndex(lists ...wordList) *smallTalkIndex {
	ix := &smallTalkIndex{
		phrases: map[string]smallTalkPhrase{},
		vocab:   map[string]bool{},
		byFirst: map[rune][]string{},
		langs:   nodes.PhraseLanguages(),
	}
	var units smallTalkUnits
	for li, lang := range ix.langs {
		for _, l := range lists {
			for _, w := range nodes.PhraseWords(lang, l.key) {
				if units.read(w, nil) && units.n > 0 {
					ix.add(&units, l.kind, uint64(1)<<li)
				}
			}
		}
	}
	return ix
}

// readWords reports what kind text is in ix (only listed phrases count)
// and the language its phrases belong to ("" when several list them).
func readWords(ix *smallTalkIndex, text string) (smallTalk, bool) {
	return ix.detect(text, false)
}
