package nlu_test

import (
	"testing"

	"github.com/botforge/dialogd/dialog/nlu"
)

// TestSynonymGroups: a bot trained in English only on "action a record"
// phrases understands other verbs and nouns of the same action and record,
// in German and Japanese, misspelt verbs and German compounds, since
// synonyms share a group feature and an action and a record their pair.
func TestSynonymGroups(t *testing.T) {
	var examples []nlu.Example
	for _, task := range [][2]string{
		{"create", "case"}, {"delete", "case"}, {"update", "case"}, {"find", "case"},
		{"create", "lead"}, {"delete", "lead"}, {"update", "lead"},
		{"create", "account"}, {"create", "contact"}, {"delete", "contact"},
	} {
		examples = append(examples,
			nlu.Example{Intent: task[0] + "_" + task[1], Lang: "en", Text: task[0] + " a " + task[1]},
			nlu.Example{Intent: task[0] + "_" + task[1], Lang: "en", Text: "please " + task[0] + " the " + task[1]})
	}
	m, err := nlu.Train(examples, nlu.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ text, want string }{
		{"Ticket löschen", "delete_case"},
		{"einen neuen Fall anlegen", "create_case"},
		{"Vorgang bearbeiten", "update_case"},
		{"Supportanfrage suchen", "find_case"},
		{"remove the ticket", "delete_case"},
		{"delte the lead", "delete_lead"},
		{"updte a lead", "update_lead"},
		{"modify a prospect", "update_lead"},
		{"Interessenten erfassen", "create_lead"},
		{"ケースを消して", "delete_case"},
		{"問い合わせを修正したい", "update_case"},
		{"取引先責任者を登録", "create_contact"},
		{"取引先を登録", "create_account"},
		{"Firma hinzufügen", "create_account"},
		{"Ansprechpartner entfernen", "delete_contact"},
		{"creaet a contcat", "create_contact"},
		{"Acount anlegen", "create_account"},
		{"die Adresse des Leads hat sich geändert", "update_lead"},
		{"mark the ticket as solved", "update_case"},
		{"Vorgang als erledigt markieren", "update_case"},
		{"set up a ticket", "create_case"},
		{"can u register a potential client", "create_lead"},
	} {
		r := m.Classify(tc.text, "")
		if len(r.Matches) == 0 || r.Matches[0].Intent != tc.want {
			t.Errorf("Classify(%q) = %v %v, want %s first", tc.text, r.Verdict, r.Matches, tc.want)
		}
	}
}
