package dialog

import "testing"

// BenchmarkHumanRequestCheck is what reading every input for a request
// for a person costs a turn (handoff_words.go).
func BenchmarkHumanRequestCheck(b *testing.B) {
	inputs := []string{"create a lead", "Ada Lovelace", "ada@example.com", "I want to talk to a human please", "オペレーターと話したい", "my invoice from last month is wrong and I need it fixed"}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		readWords(humanRequests, inputs[i%len(inputs)])
	}
}

// TestHumanRequestWords: the phrase tables' requests for a person are
// read as one, in their language; longer sentences around them are not.
func TestHumanRequestWords(t *testing.T) {
	tests := []struct {
		text, wantLang string
		want           bool
	}{
		{"Talk to a HUMAN!!", "en", true},
		{"hello, I'd like to speak to an agent please", "en", true},
		{"Kann ich bitte mit einem Mitarbeiter sprechen?", "de", true},
		{"担当者に繋いでください", "ja", true},
		{"human resources", "", false},
		{"I want to talk to a human about my order 123", "", false},
		{"are you human?", "", false},
	}
	for _, tt := range tests {
		got, ok := readWords(humanRequests, tt.text)
		request := ok && (got.kind == kindHumanRequest || got.kind == kindHumanWord)
		if request != tt.want || (tt.want && got.lang != tt.wantLang) {
			t.Errorf("readWords(%q) = %+v, %v; want a request: %v, language %q", tt.text, got, ok, tt.want, tt.wantLang)
		}
	}
}
