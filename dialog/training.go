package dialog

import (
	"maps"
	"slices"

	"github.com/botforge/dialogd/dialog/nlu"
	"github.com/botforge/dialogd/nodes"
)

// TrainingExamples returns the bot's training utterances as the intent
// classifier learns them: one example per utterance, the task's name as
// its intent, in the tasks' file order and, within a task, by language
// code then as written. A plain utterance list is already filed under the
// bot's default language when the bot loads; "" is mapped to it here too,
// for a Bot built by hand.
func (b *Bot) TrainingExamples() []nlu.Example {
	var out []nlu.Example
	for _, name := range b.order {
		t := b.Tasks[name]
		tr, ok := t.Nodes[t.Root].node.(nodes.Trainer)
		if !ok {
			continue
		}
		utts := tr.Utterances()
		for _, lang := range slices.Sorted(maps.Keys(utts)) {
			code := lang
			if code == "" && len(b.Config.Languages) > 0 {
				code = b.Config.Languages[0]
			}
			for _, u := range utts[lang] {
				out = append(out, nlu.Example{Intent: name, Lang: code, Text: u})
			}
		}
	}
	return out
}

// DetectLanguage returns the language a user's text is written in, as a
// conversation's turn detects it ("en", "de" or "ja"), or "" when the
// text does not tell (a name, "ok", a domain word alone).
func DetectLanguage(text string) string { return detectLanguage(text) }
