package dialog

import "testing"

// TestDetectLanguage checks short, real inputs: a language is named only
// when the words say so, and ambiguous input (answers, names, addresses,
// numbers) names none, which keeps the conversation's language.
func TestDetectLanguage(t *testing.T) {
	tests := []struct {
		text, want string
	}{
		// Commands and task requests.
		{"restart", "en"},
		{"Restart!", "en"},
		{"start over", "en"},
		{"cancel", "en"},
		{"help", "en"},
		{"create a lead", "en"},
		{"I want to create a new lead", "en"},
		{"neustart", "de"},
		{"Neu starten", "de"},
		{"abbrechen", "de"},
		{"hilfe", "de"},
		{"neuen Lead anlegen", "de"},
		{"Lead anlegen", "de"},
		{"Ich möchte einen Lead erstellen", "de"},
		{"ja bitte", "de"},
		{"nein danke", "de"},
		{"yes please", "en"},
		{"no thanks", "en"},
		{"hallo", "de"},
		{"hello", "en"},
		{"リードを作成", "ja"},
		{"最初から", "ja"},
		{"はい", "ja"},
		{"従業員は50人です", "ja"},
		{"ACME株式会社", "ja"},
		// Short ambiguous answers keep the language.
		{"ok", ""},
		{"OK", ""},
		{"yes", ""},
		{"no", ""},
		{"ja", ""},
		{"nein", ""},
		{"lead", ""},
		{"die", ""},
		{"in", ""},
		// Names, addresses, numbers, ids.
		{"Jane Doe", ""},
		{"Jürgen Müller", ""},
		{"Anna Schmidt", ""},
		{"Hans-Peter Weiß", ""},
		{"The Smiths", "en"},
		{"jane@example.com", ""},
		{"help@example.com", ""},
		{"hilfe@firma.de", ""},
		{"https://example.com/help", ""},
		{"42", ""},
		{"1.500", ""},
		{"+49 30 1234567", ""},
		{"00Q000000000000001", ""},
		{"Acme GmbH", ""},
		{"", ""},
		{"   ", ""},
		// Mixed: the stronger language wins only clearly.
		{"Ich heiße Jane, my e-mail is jane@example.com", ""},
	}
	for _, tt := range tests {
		if got := detectLanguage(tt.text); got != tt.want {
			t.Errorf("detectLanguage(%q) = %q, want %q", tt.text, got, tt.want)
		}
	}
}
