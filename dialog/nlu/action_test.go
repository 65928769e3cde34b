package nlu_test

import (
	"testing"

	"github.com/botforge/dialogd/dialog/nlu"
)

func TestNamesAction(t *testing.T) {
	tests := []struct {
		text string
		want bool
	}{
		{"please create a lead", true},
		{"I want to add a new lead", true},
		{"neuen Lead anlegen", true},
		{"Fall löschen", true},
		{"リードを登録したい", true},
		{"ケースを検索", true},
		{"change the lead please", true},
		{"Lena Lead", false},
		{"Lead", false},
		{"Acme Leads GmbH", false},
		{"夏のメールキャンペーン", false},
		{"not an address", false},
		{"Ada Lovelace", false},
	}
	for _, tt := range tests {
		if got := nlu.NamesAction(tt.text); got != tt.want {
			t.Errorf("NamesAction(%q) = %v; want %v", tt.text, got, tt.want)
		}
	}
}

// FuzzNamesActionAsExtracted: what NamesAction finds, the classifier's
// own feature extraction finds too (which also reads typos).
func FuzzNamesActionAsExtracted(f *testing.F) {
	for _, s := range []string{"please create a lead", "Lena Lead", "リードを登録したい", "Fall löschen", "a new phone number", "0711 12", "ada@example.com bitte löschen"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		if nlu.NamesAction(text) && !nlu.ExtractedAction(text) {
			t.Errorf("NamesAction(%q) = true; the extraction finds no action", text)
		}
	})
}
