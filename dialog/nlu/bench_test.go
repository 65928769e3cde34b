package nlu_test

import (
	"fmt"
	"testing"

	"github.com/botforge/dialogd/dialog/nlu"
)

// syntheticBot makes the training set of a bot with tasks tasks, each
// with perLang utterances in English, German and Japanese, built from
// verb × object × frame so utterances of one task share words the way a
// designer's do and tasks share verbs and objects with each other.
func syntheticBot(tasks, perLang int) []nlu.Example {
	verbs := map[string][]string{
		"en": {"create", "delete", "update", "find", "show", "close", "assign", "convert", "list", "log"},
		"de": {"anlegen", "löschen", "ändern", "suchen", "anzeigen", "schließen", "zuweisen", "umwandeln", "auflisten", "erfassen"},
		"ja": {"作成", "削除", "更新", "検索", "表示", "終了", "割り当て", "変換", "一覧", "記録"},
	}
	objects := map[string][]string{
		"en": {"lead", "account", "contact", "case", "opportunity"},
		"de": {"Lead", "Account", "Kontakt", "Kundenvorgang", "Verkaufschance"},
		"ja": {"リード", "取引先", "連絡先", "ケース", "商談"},
	}
	frames := map[string][]string{
		"en": {"%[1]s a %[2]s", "%[1]s %[2]s", "please %[1]s the %[2]s", "I want to %[1]s a %[2]s", "can you %[1]s my %[2]s", "%[1]s a new %[2]s in salesforce", "%[2]s %[1]s", "help me %[1]s a %[2]s"},
		"de": {"%[2]s %[1]s", "einen %[2]s %[1]s", "bitte %[2]s %[1]s", "ich möchte einen %[2]s %[1]s", "%[2]s in Salesforce %[1]s", "neuen %[2]s %[1]s", "kannst du den %[2]s %[1]s", "den %[2]s bitte %[1]s"},
		"ja": {"%[2]sを%[1]s", "%[2]sを%[1]sしたい", "%[2]sの%[1]s", "新しい%[2]sを%[1]s", "%[2]sを%[1]sしてください", "Salesforceで%[2]sを%[1]s", "%[2]s%[1]s", "%[2]sを%[1]sして"},
	}
	var out []nlu.Example
	for task := range tasks {
		intent := fmt.Sprintf("task_%02d", task)
		for _, lang := range []string{"en", "de", "ja"} {
			verb := verbs[lang][task%len(verbs[lang])]
			object := objects[lang][(task/len(verbs[lang]))%len(objects[lang])]
			for i := range perLang {
				frame := frames[lang][i%len(frames[lang])]
				text := fmt.Sprintf(frame, verb, object)
				if i >= len(frames[lang]) {
					text = fmt.Sprintf("%s %d", text, i) // keep utterances distinct
				}
				out = append(out, nlu.Example{Intent: intent, Lang: lang, Text: text})
			}
		}
	}
	return out
}

// BenchmarkTrain50Tasks trains a 50-task bot with 20 utterances per task
// and language (3000 utterances); the budget is under 1 s per op.
func BenchmarkTrain50Tasks(b *testing.B) {
	examples := syntheticBot(50, 20)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := nlu.Train(examples, nlu.Options{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(examples)), "utterances")
}

// BenchmarkClassify classifies sentences of each language against the
// 50-task bot; the budget is under 100 µs and 20 allocations per op.
func BenchmarkClassify(b *testing.B) {
	m, err := nlu.Train(syntheticBot(50, 20), nlu.Options{})
	if err != nil {
		b.Fatal(err)
	}
	for _, tt := range []struct{ name, lang, text string }{
		{"en", "en", "I'd like to create a new lead in salesforce please"},
		{"de", "de", "ich möchte bitte einen neuen Kontakt anlegen"},
		{"ja", "ja", "新しい取引先を作成してください"},
		{"out-of-scope", "en", "what is the weather like in Paris tomorrow afternoon"},
	} {
		b.Run(tt.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				m.Classify(tt.text, tt.lang)
			}
		})
	}
}

func BenchmarkClassifyParallel(b *testing.B) {
	m, err := nlu.Train(syntheticBot(50, 20), nlu.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			m.Classify("please delete the account", "en")
		}
	})
}
