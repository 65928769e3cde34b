package dialog_test

import (
	"slices"
	"testing"
	"testing/fstest"

	"github.com/botforge/dialogd/dialog"
	"github.com/botforge/dialogd/dialog/nlu"
	"github.com/botforge/dialogd/nodes"
)

// TestTrainingExamples: each task's utterances become examples named by
// the task, per language; a plain list is the bot's default language;
// tasks come in file order and languages in code order.
func TestTrainingExamples(t *testing.T) {
	fsys := fstest.MapFS{
		"bot.yaml": {Data: []byte("name: trainer\nlanguages: [de, en]\n")},
		"tasks/a_order.yaml": {Data: []byte(`name: order
nodes:
  - {id: start, type: intent, utterances: {en: [order a pizza], de: [Pizza bestellen, eine Pizza bitte]}, next: done}
  - {id: done, type: message, text: ok}
`)},
		"tasks/b_cancel.yaml": {Data: []byte(`name: cancel_order
nodes:
  - {id: start, type: intent, utterances: [Bestellung stornieren], next: done}
  - {id: done, type: message, text: ok}
`)},
	}
	bot, err := dialog.LoadFS(fsys, "trainer", nodes.Default())
	if err != nil {
		t.Fatal(err)
	}
	got := bot.TrainingExamples()
	want := []nlu.Example{
		{Intent: "order", Lang: "de", Text: "Pizza bestellen"},
		{Intent: "order", Lang: "de", Text: "eine Pizza bitte"},
		{Intent: "order", Lang: "en", Text: "order a pizza"},
		{Intent: "cancel_order", Lang: "de", Text: "Bestellung stornieren"},
	}
	if !slices.Equal(got, want) {
		t.Errorf("TrainingExamples() =\n%v\nwant\n%v", got, want)
	}
}

func TestDetectLanguage(t *testing.T) {
	for _, tc := range []struct{ text, want string }{
		{"リードを作りたい", "ja"},
		{"ich möchte einen neuen Lead anlegen", "de"},
		{"please create a lead for me", "en"},
		{"Lead", ""},
	} {
		if got := dialog.DetectLanguage(tc.text); got != tc.want {
			t.Errorf("DetectLanguage(%q) = %q, want %q", tc.text, got, tc.want)
		}
	}
}
