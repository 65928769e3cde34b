package nodes

import (
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// Every language file holds exactly the texts and words of en.yaml, and
// each text takes the same placeholders, so a translation never drops a
// name or asks for one that is not given.
func TestPhraseTablesMatchEnglish(t *testing.T) {
	en := phraseTables["en"]
	if len(phraseTables) < 3 {
		t.Fatalf("phrase tables: got %v; want at least en, de, ja", PhraseLanguages())
	}
	for _, lang := range PhraseLanguages() {
		tab := phraseTables[lang]
		for k, want := range en.Texts {
			got, ok := tab.Texts[k]
			if !ok {
				t.Errorf("%s.yaml: texts.%s is missing", lang, k)
				continue
			}
			if strings.TrimSpace(got) == "" {
				t.Errorf("%s.yaml: texts.%s is empty", lang, k)
			}
			gp, wp := Placeholders(got), Placeholders(want)
			slices.Sort(gp)
			slices.Sort(wp)
			if !slices.Equal(gp, wp) {
				t.Errorf("%s.yaml: texts.%s takes arguments %v; en.yaml's takes %v", lang, k, gp, wp)
			}
		}
		for k := range tab.Texts {
			if _, ok := en.Texts[k]; !ok {
				t.Errorf("%s.yaml: texts.%s is not in en.yaml", lang, k)
			}
		}
		for k := range en.Words {
			if len(tab.Words[k]) == 0 {
				t.Errorf("%s.yaml: words.%s is missing or empty", lang, k)
			}
		}
		for k := range tab.Words {
			if _, ok := en.Words[k]; !ok {
				t.Errorf("%s.yaml: words.%s is not in en.yaml", lang, k)
			}
		}
		for _, p := range tab.Words["disconnect"] {
			if got := Placeholders(p); len(got) != 1 {
				t.Errorf("%s.yaml: words.disconnect %q: got %d %%s; want 1", lang, p, len(got))
			}
		}
	}
}

// Every failure kind has its built-in text.
func TestFailureKindsHavePhrases(t *testing.T) {
	for _, f := range Failures() {
		if _, ok := phraseTables["en"].Texts[f.PhraseKey()]; !ok {
			t.Errorf("failure %s: en.yaml has no texts.%s", f, f.PhraseKey())
		}
	}
	for _, k := range PhraseKeys() {
		if kind, ok := strings.CutPrefix(k, "failure."); ok && !slices.Contains(Failures(), Failure(kind)) {
			t.Errorf("texts.%s: %s is not a failure kind of Failures()", k, kind)
		}
	}
}

func TestFillPlaceholders(t *testing.T) {
	tests := []struct {
		in   string
		args []any
		want string
	}{
		{"Okay, let's do %s instead.", []any{"Leads"}, "Okay, let's do Leads instead."},
		{"%s then %s", []any{"a", "b"}, "a then b"},
		{"%[2]s before %[1]s", []any{"a", "b"}, "b before a"},
		{"100% sure, %s", []any{"x"}, "100% sure, x"},
		{"50%% off %s", []any{"x"}, "50% off x"},
		{"no args %s", nil, "no args "},
		{"trailing %", nil, "trailing %"},
	}
	for _, tt := range tests {
		if got := FillPlaceholders(tt.in, tt.args...); got != tt.want {
			t.Errorf("FillPlaceholders(%q, %v) = %q; want %q", tt.in, tt.args, got, tt.want)
		}
	}
}

// A bot's own text wins over the built-in phrase in the languages it
// gives; the others keep the built-in phrase.
func TestTurnPhraseOverride(t *testing.T) {
	var p Phrases
	src := "fallback: {de: \"Das kann ich noch nicht.\"}\nswitch: \"Gut, weiter mit %s.\"\nbutton.yes: Sure\n"
	var n yaml.Node
	if err := yaml.Unmarshal([]byte(src), &n); err != nil {
		t.Fatal(err)
	}
	if err := p.UnmarshalYAML(n.Content[0]); err != nil {
		t.Fatalf("decode overrides: %v", err)
	}
	tests := []struct {
		lang, key string
		args      []any
		want      string
	}{
		{"de", "fallback", nil, "Das kann ich noch nicht."},
		{"de-AT", "fallback", nil, "Das kann ich noch nicht."},
		{"en", "fallback", nil, "Sorry, I didn't understand that. Here is what I can do:"},
		{"ja", "switch", []any{"リード"}, "Gut, weiter mit リード."},
		{"en", "button.yes", nil, "Sure"},
		{"de", "button.no", nil, "Nein"},
		{"fr", "button.no", nil, "No"},
	}
	for _, tt := range tests {
		turn := &Turn{Lang: tt.lang, Env: &Env{Phrases: p}}
		if got := turn.Phrase(tt.key, tt.args...); got != tt.want {
			t.Errorf("lang %s: Phrase(%s) = %q; want %q", tt.lang, tt.key, got, tt.want)
		}
	}
	if got, want := (&Turn{Lang: "de"}).Phrase("fallback"), "Entschuldigung, das habe ich nicht verstanden. Das kann ich:"; got != want {
		t.Errorf("no overrides: Phrase(fallback) = %q; want %q", got, want)
	}
}

func TestPhraseOverrideErrors(t *testing.T) {
	tests := []struct {
		src, want string
	}{
		{"fallbak: hi", `line 1: unknown phrase "fallbak" (did you mean "fallback"?)`},
		{"nonsense: hi", `line 1: unknown phrase "nonsense" (known: agent_transfer, `},
		{"failure.loop: hi", "line 1: failure.loop: failure texts are set by kind under events.failures (e.g. events.failures.loop)"},
		{"help: help with %s", "line 1: help: this text takes no %s (write %% for a percent sign)"},
		{"switch: \"%s and %s\"", "line 1: switch: this text takes 1 %s, not 2 (write %% for a percent sign)"},
		{"- a", "want a map of phrase key to text, got list"},
	}
	for _, tt := range tests {
		var n yaml.Node
		if err := yaml.Unmarshal([]byte(tt.src), &n); err != nil {
			t.Fatal(err)
		}
		var p Phrases
		err := p.UnmarshalYAML(n.Content[0])
		if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
			t.Errorf("decode %q: error %v; want it to start with %q", tt.src, err, tt.want)
		}
	}
}

// TestPhraseOverrideValuesKeepPercent: a value interpolated into a bot's
// phrase ("{{ entities.company }}") is shown as it is, even with a %s in
// it; only the phrase's own placeholders take arguments.
func TestPhraseOverrideValuesKeepPercent(t *testing.T) {
	var p Phrases
	var n yaml.Node
	if err := yaml.Unmarshal([]byte(`switch: "{{ entities.company }}: on to %s (100%%)."`), &n); err != nil {
		t.Fatal(err)
	}
	if err := p.UnmarshalYAML(n.Content[0]); err != nil {
		t.Fatalf("decode overrides: %v", err)
	}
	mem := &Memory{}
	mem.SetEntity("company", "100%s Club")
	turn := &Turn{Lang: "en", Env: &Env{Phrases: p}, Memory: mem}
	if got, want := turn.Phrase("switch", "the lead"), "100%s Club: on to the lead (100%)."; got != want {
		t.Errorf("Phrase(switch) = %q; want %q", got, want)
	}
}
