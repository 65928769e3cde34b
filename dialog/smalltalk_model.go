package dialog

import (
	"sync"

	"github.com/botforge/dialogd/dialog/nlu"
	"github.com/botforge/dialogd/nodes"
)

// The small-talk model is an nlu classifier trained once, on first use,
// on the small-talk word lists of every phrase table, one intent per
// kind. It reads what the lists do not hold word for word ("thank you
// kindly", "bist du ein echter Bot", "本当にありがとうございます"), but it
// also likes company names ("Thanks Industries") and questions about
// something else ("who is the owner of the account"), which score as high
// as real paraphrases. So it is asked only for a message with no task
// waiting for an answer (where the alternative is "I didn't understand"),
// and only when all but one of its words are in the lists: that check,
// which costs about a microsecond, turns most messages away before the
// model is asked.

// smallTalkModelScore is the least score a kind needs from the model, and
// smallTalkModelMargin the least lead over the next kind.
const (
	smallTalkModelScore  = 0.55
	smallTalkModelMargin = 0.2
)

// smallTalkModel is trained on first use.
var smallTalkModel = sync.OnceValue(trainSmallTalkModel)

func trainSmallTalkModel() *nlu.Model {
	var examples []nlu.Example
	for _, lang := range nodes.PhraseLanguages() {
		for kind := smallTalkGreeting; int(kind) < len(smallTalkKeys); kind++ {
			for _, w := range nodes.PhraseWords(lang, kind.key()) {
				examples = append(examples, nlu.Example{Intent: kind.key(), Lang: lang, Text: w})
			}
		}
	}
	m, err := nlu.Train(examples, nlu.Options{Threshold: smallTalkModelScore, TieMargin: smallTalkModelMargin})
	if err != nil {
		panic("dialog: small-talk model: " + err.Error()) // the built-in lists are never empty
	}
	return m
}

// classifySmallTalk asks the model what kind of small talk text is. The
// language is left to the runtime's detection.
func classifySmallTalk(text string) (smallTalk, bool) {
	res := smallTalkModel().Classify(text, "")
	if res.Verdict != nlu.Confident {
		return smallTalk{}, false
	}
	for kind := smallTalkGreeting; int(kind) < len(smallTalkKeys); kind++ {
		if kind.key() == res.Matches[0].Intent {
			return smallTalk{kind: kind}, true
		}
	}
	return smallTalk{}, false
}
