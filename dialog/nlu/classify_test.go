package nlu_test

import (
	"testing"

	"github.com/botforge/dialogd/dialog/nlu"
)

func trainCatalogue(t testing.TB) *nlu.Model {
	t.Helper()
	m, err := nlu.Train(catalogueExamples, nlu.Options{})
	if err != nil {
		t.Fatalf("Train: %v", err)
	}
	return m
}

// TestExactTrainingPhrasesAreConfident: every training utterance, as
// written, must come back as its own intent, Confident.
func TestExactTrainingPhrasesAreConfident(t *testing.T) {
	m := trainCatalogue(t)
	for _, ex := range catalogueExamples {
		got := m.Classify(ex.Text, ex.Lang)
		if got.Verdict != nlu.Confident || got.Matches[0].Intent != ex.Intent {
			t.Errorf("Classify(%q) = %v %v; want confident %s", ex.Text, got.Verdict, got.Matches, ex.Intent)
		}
	}
}

// unseenUtterances are sentences no training utterance spells this way:
// paraphrases, typos, polite and terse forms, other widths and cases;
// "none" is out of scope and must be Unknown.
var unseenUtterances = []struct{ lang, text, want string }{
	// English: polite, terse, word order, typos.
	{"en", "I'd like to add a new lead please", "create_lead"},
	{"en", "please create a lead", "create_lead"},
	{"en", "add lead", "create_lead"},
	{"en", "creat a lead", "create_lead"},
	{"en", "create new leads", "create_lead"},
	{"en", "a lead, create it", "create_lead"},
	{"en", "CREATE A LEAD!!", "create_lead"},
	{"en", "ｃｒｅａｔｅ ａ ｌｅａｄ", "create_lead"},
	{"en", "could you delete that lead for me", "delete_lead"},
	{"en", "remove lead", "delete_lead"},
	{"en", "delet the lead", "delete_lead"},
	{"en", "i need to update a lead", "update_lead"},
	{"en", "change the lead status", "update_lead"},
	{"en", "open a new support case please", "create_case"},
	{"en", "i have a problem to report", "create_case"},
	{"en", "look up the account", "find_account"},
	{"en", "search accounts", "find_account"},
	{"en", "add new contact", "create_contact"},
	{"en", "please create a contact", "create_contact"},
	// German: polite, inflection, compounds, umlauts folded by case.
	{"de", "neuen Lead anlegen bitte", "create_lead"},
	{"de", "bitte einen neuen Lead erstellen", "create_lead"},
	{"de", "ich möchte einen Lead anlegen", "create_lead"},
	{"de", "LEAD ANLEGEN", "create_lead"},
	{"de", "den Lead löschen bitte", "delete_lead"},
	{"de", "Lead entfernen bitte", "delete_lead"},
	{"de", "Leadstatus ändern", "update_lead"},
	{"de", "einen neuen Kundenvorgang anlegen", "create_case"},
	{"de", "ich will ein Problem melden", "create_case"},
	{"de", "Firma suchen bitte", "find_account"},
	{"de", "einen neuen Kontakt anlegen", "create_contact"},
	// Japanese: no spaces, polite endings, half-width katakana.
	{"ja", "リードを登録したい", "create_lead"},
	{"ja", "新規リードを作成してください", "create_lead"},
	{"ja", "ﾘｰﾄﾞを作成", "create_lead"},
	{"ja", "リードを削除して", "delete_lead"},
	{"ja", "リードのステータスを変更したい", "update_lead"},
	{"ja", "ケースを作成したい", "create_case"},
	{"ja", "取引先を検索したい", "find_account"},
	{"ja", "連絡先を作成したい", "create_contact"},
	// Synonyms of the action without a character in common.
	{"en", "modify a lead", "update_lead"},
	{"en", "erase the lead", "delete_lead"},
	{"de", "Kontakt hinzufügen bitte", "create_contact"},
	{"ja", "リードを修正したい", "update_lead"},
	{"ja", "取引先を探したい", "find_account"},
	// Out of scope.
	{"en", "what's the weather like tomorrow", "none"},
	{"en", "tell me a joke", "none"},
	{"en", "how tall is mount everest", "none"},
	{"en", "book me a flight to paris", "none"},
	{"de", "wie wird das Wetter morgen", "none"},
	{"de", "erzähl mir einen Witz", "none"},
	{"ja", "明日の天気は", "none"},
	{"ja", "おすすめのレストランを教えて", "none"},
}

func TestClassifyUnseenUtterances(t *testing.T) {
	m := trainCatalogue(t)
	right := 0
	for _, tt := range unseenUtterances {
		got := m.Classify(tt.text, tt.lang)
		gotIntent := "none"
		if got.Verdict == nlu.Confident {
			gotIntent = got.Matches[0].Intent
		}
		if gotIntent == tt.want {
			right++
			continue
		}
		t.Errorf("Classify(%q, %s) = %v %v; want %s", tt.text, tt.lang, got.Verdict, got.Matches, tt.want)
	}
	t.Logf("accuracy %d/%d = %.1f%%", right, len(unseenUtterances), 100*float64(right)/float64(len(unseenUtterances)))
}
