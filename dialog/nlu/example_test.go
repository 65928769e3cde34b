package nlu_test

import (
	"fmt"

	"github.com/botforge/dialogd/dialog/nlu"
)

func Example() {
	model, err := nlu.Train([]nlu.Example{
		{Intent: "create_lead", Lang: "en", Text: "create a lead"},
		{Intent: "create_lead", Lang: "en", Text: "add a new lead"},
		{Intent: "create_lead", Lang: "de", Text: "neuen Lead anlegen"},
		{Intent: "create_lead", Lang: "ja", Text: "リードを作成"},
		{Intent: "delete_lead", Lang: "en", Text: "delete a lead"},
		{Intent: "delete_lead", Lang: "de", Text: "Lead löschen"},
		{Intent: "delete_lead", Lang: "ja", Text: "リードを削除"},
	}, nlu.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, s := range []struct{ text, lang string }{
		{"I'd like to add a new lead please", "en"},
		{"creat a lead", "en"},
		{"Lead bitte löschen", "de"},
		{"リードを作成したい", "ja"},
		{"what's the weather tomorrow", "en"},
	} {
		r := model.Classify(s.text, s.lang)
		fmt.Printf("%-36q %-9s %s %.2f\n", s.text, r.Verdict, r.Matches[0].Intent, r.Matches[0].Score)
	}
	// Output:
	// "I'd like to add a new lead please"  confident create_lead 0.86
	// "creat a lead"                       confident create_lead 0.81
	// "Lead bitte löschen"                 confident delete_lead 0.88
	// "リードを作成したい"                          confident create_lead 1.00
	// "what's the weather tomorrow"        unknown   create_lead 0.18
}
