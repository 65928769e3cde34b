package nlu_test

import (
	"testing"

	"github.com/botforge/dialogd/dialog/nlu"
)

// TestBareValueIsNoRequest: a text that is only typed values (the answer
// to a phone or e-mail prompt) names no task, even when training
// utterances hold values of the same shape; with words it does.
func TestBareValueIsNoRequest(t *testing.T) {
	m, err := nlu.Train([]nlu.Example{
		{Intent: "find_case", Lang: "en", Text: "find case 00001001"},
		{Intent: "find_case", Lang: "en", Text: "look up ticket 00001002"},
		{Intent: "find_contact", Lang: "en", Text: "who has the e-mail address lena@example.org"},
		{Intent: "find_contact", Lang: "en", Text: "whose number is 0221 998877"},
	}, nlu.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		text string
		want nlu.Verdict
	}{
		{"0711 12", nlu.Unknown},
		{"00001031", nlu.Unknown},
		{"+49 (711) 123-456", nlu.Unknown},
		{"bob@example.net", nlu.Unknown},
		{"find case 00001031", nlu.Confident},
		{"who has the e-mail address bob@example.net", nlu.Confident},
	} {
		if got := m.Classify(tc.text, "en"); got.Verdict != tc.want {
			t.Errorf("Classify(%q) = %v %v, want %v", tc.text, got.Verdict, got.Matches, tc.want)
		}
	}
}
