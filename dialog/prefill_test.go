package dialog_test

import (
	"strings"
	"testing"

	"github.com/botforge/dialogd/dialog"
	"github.com/botforge/dialogd/sessions"
)

func newPrefillChat(t *testing.T) *chat {
	t.Helper()
	bot, err := dialog.LoadDir("testdata/prefill")
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	return &chat{t: t, rt: dialog.NewRuntime(bot, sessions.NewMemory(sessions.Options{}), dialog.Options{}), sid: "s-" + t.Name()}
}

// TestPrefillFromFirstUtterance: the sentence that starts the task fills
// the entities it holds, in each language; the task says what it took,
// asks only for what is missing, and the values hold for entity nodes
// reached after a confirmation.
func TestPrefillFromFirstUtterance(t *testing.T) {
	tests := []struct {
		name  string
		turns []string
		want  []string // the texts of each turn's replies
	}{
		{"en: four values, the phone is asked",
			[]string{"create a lead for Ada Lovelace at Analytical Engines, ada@example.com", "yes", "+1 415 555 0101"},
			[]string{
				"Got it: first name Ada, last name Lovelace, company Analytical Engines, e-mail ada@example.com. | Create Ada Lovelace?",
				"Phone?",
				"Lead Ada|Lovelace|Analytical Engines|ada@example.com|+14155550101",
			}},
		{"en: another taught phrasing, without a comma before the e-mail",
			[]string{"New lead: Grace Hopper from Remington Rand grace@example.com", "yes"},
			[]string{
				"Got it: first name Grace, last name Hopper, company Remington Rand, e-mail grace@example.com. | Create Grace Hopper?",
				"Phone?",
			}},
		{"en: only the name, the rest is asked",
			[]string{"please create a lead for Ada Lovelace", "yes", "Acme"},
			[]string{
				"Got it: first name Ada, last name Lovelace. | Create Ada Lovelace?",
				"Company?",
				"E-mail?",
			}},
		{"en: the task's own words are no name",
			[]string{"create a lead for"},
			[]string{"First name?"}},
		{"de",
			[]string{"Lead für Ada Lovelace bei Analytical Engines anlegen, ada@example.com", "ja"},
			[]string{
				"Verstanden: Vorname Ada, Nachname Lovelace, Firma Analytical Engines, E-Mail ada@example.com. | Ada Lovelace anlegen?",
				"Telefon?",
			}},
		{"ja: names without a space",
			[]string{"佐藤花子さんのリードを作成", "はい"},
			[]string{
				"承知しました。名：花子、姓：佐藤。 | 佐藤花子さんを作成しますか？",
				"会社名は？",
			}},
		{"ja: company and spaced names, e-mail anywhere",
			[]string{"バベッジ商会の佐藤 花子さんのリードを作成、hanako@example.jp", "はい"},
			[]string{
				"承知しました。名：花子、姓：佐藤、会社：バベッジ商会、メール：hanako@example.jp。 | 佐藤花子さんを作成しますか？",
				"電話番号は？",
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newPrefillChat(t)
			c.say("hello")
			for i, in := range tt.turns {
				if i >= len(tt.want) {
					break
				}
				if got := texts(c.say(in)); got != tt.want[i] {
					t.Errorf("turn %d %q:\ngot  %s\nwant %s", i, in, got, tt.want[i])
				}
			}
		})
	}
}

// TestPrefillDescriptionRunsToTheEnd: a description takes the rest of the
// sentence after its taught words, commas included.
func TestPrefillDescriptionRunsToTheEnd(t *testing.T) {
	c := newPrefillChat(t)
	got := texts(c.say("open a case about the printer, it smokes"))
	want := "Got it: subject the printer, it smokes. | Case: the printer, it smokes"
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

// TestFreeTextRefusesARequest: asked for a name, "please create a lead"
// is a request for the task already running, not a name; a plain name is
// taken.
func TestFreeTextRefusesARequest(t *testing.T) {
	tests := []struct{ answer, want string }{
		{"please create a lead", "We're already doing Create a lead. | First name?"},
		{"create a new lead", "We're already doing Create a lead. | First name?"},
		{"open a case", "Okay, let's do Open a case"},
		{"Leadbetter", "Last name?"},
		{"Ada", "Last name?"},
	}
	for _, tt := range tests {
		t.Run(tt.answer, func(t *testing.T) {
			c := newPrefillChat(t)
			c.say("hello")
			if got := texts(c.say("create a lead")); got != "First name?" {
				t.Fatalf("start: got %q; want First name?", got)
			}
			if got := texts(c.say(tt.answer)); !strings.HasPrefix(got, tt.want) {
				t.Errorf("answer %q:\ngot  %s\nwant %s…", tt.answer, got, tt.want)
			}
		})
	}
}

// TestPrefillLoadErrors: an annotation that names no entity of the task is
// reported at its "[", in the one error wording.
func TestPrefillLoadErrors(t *testing.T) {
	tests := []struct{ utterance, want string }{
		{"create a lead for [Ada](frist_name)",
			`tasks/lead.yaml:8:29: nodes.start.utterances.en: annotation [Ada](frist_name) names no entity node of the task (did you mean "first_name"?)`},
		{"create a lead for [Ada(first_name)",
			`tasks/lead.yaml:8:11: nodes.start.utterances.en[1]: unbalanced "["`},
		{"create a lead for Ada](first_name)",
			`tasks/lead.yaml:8:11: nodes.start.utterances.en[1]: "]" closes no "["`},
		{"create a lead for [Ada](first_name",
			`tasks/lead.yaml:8:11: nodes.start.utterances.en[1]: unbalanced "("`},
	}
	for _, tt := range tests {
		t.Run(tt.utterance, func(t *testing.T) {
			dir := writeBot(t, map[string]string{"bot.yaml": "name: b\nlanguages: [en]\n", "tasks/lead.yaml": `name: lead
nodes:
  - id: start
    type: intent
    utterances:
      en:
        - create a lead
        - ` + tt.utterance + `
    next: first_name
  - id: first_name
    type: entity
    entity_type: person_name
    prompt: First name?
`})
			_, err := dialog.LoadDir(dir)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("load: %v\nwant an error containing %s", err, tt.want)
			}
		})
	}
}

// TestRepeatedRequestGivesValues: asking again for the running task with
// values in the sentence fills the entities still empty, and the task
// goes on from where it was.
func TestRepeatedRequestGivesValues(t *testing.T) {
	c := newPrefillChat(t)
	c.run([]step{
		{"create a lead", "First name?"},
		{"create a lead for Ada Lovelace at Analytical Engines", "We're already doing Create a lead. | Got it: first name Ada, last name Lovelace, company Analytical Engines. | Create Ada Lovelace?"},
	})
}
