package templates

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/botforge/dialogd/sfsim"
)

// The Case and Campaign templates of the catalogue (seed 004's create,
// update, delete and look up for those two objects).
var caseCampaignTemplates = []string{
	"salesforce_create_case", "salesforce_find_case", "salesforce_update_case", "salesforce_delete_case",
	"salesforce_create_campaign", "salesforce_find_campaign", "salesforce_update_campaign", "salesforce_delete_campaign",
}

// casesConversations reads test conversations written as in a template's
// tests: section.
func casesConversations(t *testing.T, src string) []Test {
	t.Helper()
	var tests []Test
	if err := yaml.Unmarshal([]byte(src), &tests); err != nil {
		t.Fatalf("conversations: %v", err)
	}
	return tests
}

// casesRun runs tests as the named template's tests against sf.
func casesRun(t *testing.T, sf *salesforce, name, src string) {
	t.Helper()
	if err := withTests(t, name, casesConversations(t, src)...).RunTests(context.Background(), sf.options()); err != nil {
		t.Fatal(err)
	}
}

// casesOne returns the only record soql finds.
func casesOne(t *testing.T, sf *salesforce, soql string) map[string]any {
	t.Helper()
	recs := sf.query(t, soql)
	if len(recs) != 1 {
		t.Fatalf("%s: %d records, want 1", soql, len(recs))
	}
	return recs[0]
}

// casesWantFields checks a record's fields.
func casesWantFields(t *testing.T, what string, rec map[string]any, want map[string]any) {
	t.Helper()
	for k, v := range want {
		if got := rec[k]; got != v {
			t.Errorf("%s: %s = %#v, want %#v", what, k, got, v)
		}
	}
}

// TestCaseCampaignTemplatesAreTrilingual: every template's tests include
// a conversation in each language, and every intent has its phrasings.
func TestCaseCampaignTemplatesAreTrilingual(t *testing.T) {
	for _, name := range caseCampaignTemplates {
		tpl, err := Get(name)
		if err != nil {
			t.Fatal(err)
		}
		for _, lang := range []string{"(en)", "(de)", "(ja)"} {
			found := false
			for _, tc := range tpl.Tests {
				found = found || strings.HasSuffix(tc.Name, lang)
			}
			if !found {
				t.Errorf("%s: no test conversation %s", name, lang)
			}
		}
		var task struct {
			Nodes []struct {
				Type       string              `yaml:"type"`
				Utterances map[string][]string `yaml:"utterances"`
			} `yaml:"nodes"`
		}
		if err := tpl.Task.Decode(&task); err != nil {
			t.Fatal(err)
		}
		for lang, n := range map[string]int{"en": 5, "de": 4, "ja": 4} {
			if got := len(task.Nodes[0].Utterances[lang]); got < n {
				t.Errorf("%s: %d %s utterances, want at least %d", name, got, lang, n)
			}
		}
	}
}

// TestCreateCaseWritesEveryAnswer: the cases the template's own
// conversations open hold every answer, linked to the Contact (and its
// Account) the e-mail names; the declined one made nothing.
func TestCreateCaseWritesEveryAnswer(t *testing.T) {
	sf := newSalesforce(t)
	tpl, err := Get("salesforce_create_case")
	if err != nil {
		t.Fatal(err)
	}
	if err := tpl.RunTests(context.Background(), sf.options()); err != nil {
		t.Fatal(err)
	}
	jane := casesOne(t, sf, "SELECT Id, AccountId FROM Contact WHERE Email = 'jane.doe@acme.example'")
	john := casesOne(t, sf, "SELECT Id, AccountId FROM Contact WHERE Email = 'john.smith@globex.example'")
	casesWantFields(t, "verified customer's case", casesOne(t, sf, "SELECT ContactId, AccountId, SuppliedEmail, Description, Origin, Status, Priority FROM Case WHERE Subject = 'Widget makes a noise'"),
		map[string]any{"ContactId": jane["Id"], "AccountId": jane["AccountId"], "SuppliedEmail": "jane.doe@acme.example",
			"Description": "Since Monday the widget rattles when it starts.", "Origin": "Web", "Status": "New", "Priority": "Medium"})
	casesWantFields(t, "anonymous case", casesOne(t, sf, "SELECT ContactId, SuppliedEmail, Description FROM Case WHERE Subject = 'Anmeldung klappt nicht'"),
		map[string]any{"ContactId": nil, "SuppliedEmail": nil, "Description": "Die Mail zum Zurücksetzen des Passworts kommt nie an."})
	casesWantFields(t, "case of a contact's e-mail", casesOne(t, sf, "SELECT ContactId, AccountId, SuppliedEmail FROM Case WHERE Subject = '請求書が二重に届いた'"),
		map[string]any{"ContactId": john["Id"], "AccountId": john["AccountId"], "SuppliedEmail": "john.smith@globex.example"})
	casesOne(t, sf, "SELECT Id FROM Case WHERE Subject = 'Rattling widget'")
	if n := len(sf.query(t, "SELECT Id FROM Case WHERE Subject = 'Question'")); n != 0 {
		t.Errorf("the declined conversation opened %d cases", n)
	}
	// The subject Salesforce refused was sent once, and not again.
	posts := 0
	for _, r := range sf.sim.Requests() {
		if r.Method == http.MethodPost && strings.HasSuffix(r.Path, "/sobjects/Case") {
			posts++
		}
	}
	if posts != 5 {
		t.Errorf("%d POSTs of a Case, want 5 (four cases and the refused subject)", posts)
	}
}

// TestUpdateCaseChangesOnlyThePickedFields: after the template's own
// conversations the demo case holds the last values each one set, and its
// other fields are as they were.
func TestUpdateCaseChangesOnlyThePickedFields(t *testing.T) {
	sf := newSalesforce(t)
	before := casesOne(t, sf, "SELECT Id, Description, ContactId, AccountId FROM Case WHERE CaseNumber = '00001001'")
	tpl, err := Get("salesforce_update_case")
	if err != nil {
		t.Fatal(err)
	}
	if err := tpl.RunTests(context.Background(), sf.options()); err != nil {
		t.Fatal(err)
	}
	casesWantFields(t, "case 00001001", casesOne(t, sf, "SELECT Status, Priority, Origin, Subject, Description, ContactId, AccountId FROM Case WHERE CaseNumber = '00001001'"),
		map[string]any{"Status": "Working", "Priority": "High", "Origin": "Phone", "Subject": "Rattling widget",
			"Description": before["Description"], "ContactId": before["ContactId"], "AccountId": before["AccountId"]})
	var patches []string
	for _, r := range sf.sim.Requests() {
		if r.Method == http.MethodPatch {
			patches = append(patches, fmt.Sprintf("%s %d", r.Path, r.Status))
		}
	}
	// en, de, ja, the refused subject and its second try; the declined
	// conversation and the one that picked nothing sent none.
	if len(patches) != 5 {
		t.Errorf("PATCHes %q, want 5", patches)
	}
}

// TestCaseLookupsWithSeveralMatches: several matches are offered as a
// list (case number, subject underneath); the one picked is shown, updated
// or deleted.
func TestCaseLookupsWithSeveralMatches(t *testing.T) {
	sf := newSalesforce(t)
	kim := sf.create(t, "Contact", map[string]any{"FirstName": "Kim", "LastName": "Printer", "Email": "kim@printers.example"})
	for _, c := range []map[string]any{
		{"Subject": "Printer jams on page two", "Status": "Working"},
		{"Subject": "Printer prints blank pages", "Status": "New"},
		{"Subject": "Printer driver is missing", "Status": "Closed"},
		{"Subject": "Printer makes noise", "Status": "New"},
	} {
		c["ContactId"], c["Origin"] = kim, "Phone"
		sf.create(t, "Case", c)
	}
	number := func(subject string) string {
		return casesOne(t, sf, "SELECT CaseNumber FROM Case WHERE Subject = '"+subject+"'")["CaseNumber"].(string)
	}
	jams, blank, noise := number("Printer jams on page two"), number("Printer prints blank pages"), number("Printer makes noise")
	casesRun(t, sf, "salesforce_find_case", fmt.Sprintf(`
- name: open cases of a contact (en)
  conversation:
    - {say: look up a case, expect: "Which case?"}
    - {say: kim@printers.example, expect: "kim@printers.example has 3 open cases. Which one?"}
    - {click: "%[1]s", expect: "/^Case %[1]s — Printer jams on page two\nStatus: Working\n/"}
- name: subject word (de)
  conversation:
    - {say: Kundenvorgang suchen, expect: "Welcher Kundenvorgang?"}
    - {say: printer, expect: "Zu „printer“ passen 4 Kundenvorgänge. Welchen meinen Sie?"}
    - {click: "%[2]s", expect: "/^Kundenvorgang %[2]s — Printer prints blank pages\nStatus: New\n/"}
- name: subject word (ja)
  conversation:
    - {say: ケースを検索, expect: どのケースですか？}
    - {say: Printer, expect: "「Printer」に該当するケースが 4 件あります。"}
    - {click: "%[3]s", expect: "/^ケース %[3]s — Printer makes noise\n状況: New\n/"}
`, jams, blank, noise))
	casesRun(t, sf, "salesforce_update_case", fmt.Sprintf(`
- name: pick, then escalate (en)
  conversation:
    - {say: update a case, expect: Which case}
    - {say: kim@printers.example, expect: "3 open cases"}
    - {click: "%[1]s", expect: "/^What would you like to change\\?\nCase %[1]s — Printer jams on page two\n/"}
    - {click: Status, expect: The status is Working.}
    - {click: Escalated, expect: Anything else}
    - {click: Description, expect: new description}
    - {say: "Jams on every second page since the update.", expect: Anything else}
    - {click: "That's all", expect: "Status: Escalated\nDescription: Jams on every second page since the update."}
    - {click: "Yes", expect: "/^Done, the case is updated\\.\nCase %[1]s — Printer jams on page two\nStatus: Escalated\n/"}
`, jams))
	casesWantFields(t, "escalated case", casesOne(t, sf, "SELECT Status, Description, Origin FROM Case WHERE CaseNumber = '"+jams+"'"),
		map[string]any{"Status": "Escalated", "Description": "Jams on every second page since the update.", "Origin": "Phone"})
	casesRun(t, sf, "salesforce_delete_case", fmt.Sprintf(`
- name: deletes the one picked (de)
  conversation:
    - {say: Kundenvorgang löschen, expect: "Welchen Kundenvorgang möchten Sie löschen?"}
    - {say: Printer, expect: "passen 4 Kundenvorgänge"}
    - {click: "%[1]s", expect: "/^Soll ich den Kundenvorgang %[1]s löschen\\?/"}
    - {click: Ja, expect: "Der Kundenvorgang %[1]s („Printer prints blank pages“) ist gelöscht."}
- name: deletes the open case of an e-mail (ja)
  conversation:
    - {say: ケースを削除, expect: どのケースを削除しますか？}
    - {say: kim@printers.example, expect: "未解決のケースが 2 件あります"}
    - {click: "%[2]s", expect: "/^ケース %[2]s を削除しますか？/"}
    - {click: はい, expect: "ケース %[2]s（Printer makes noise）を削除しました。"}
`, blank, noise))
	for _, n := range []string{blank, noise} {
		if recs := sf.query(t, "SELECT Id FROM Case WHERE CaseNumber = '"+n+"'"); len(recs) != 0 {
			t.Errorf("case %s still there after its deletion", n)
		}
	}
	if recs := sf.query(t, "SELECT Id FROM Case WHERE ContactId = '"+kim+"'"); len(recs) != 2 {
		t.Errorf("%d of Kim's cases left, want 2 (the others were not deleted)", len(recs))
	}
}

// TestCampaignTemplatesWithCampaigns: the demo org has no campaigns; with
// some, each language finds, updates and deletes one, by name, by part of
// a name (a list to pick from) and by id.
func TestCampaignTemplatesWithCampaigns(t *testing.T) {
	sf := newSalesforce(t)
	webinar := sf.create(t, "Campaign", map[string]any{"Name": "Spring Webinar 2027", "Status": "Planned", "Type": "Webinar",
		"StartDate": "2027-03-01", "EndDate": "2027-03-31", "Description": "Product news for partners"})
	fair := sf.create(t, "Campaign", map[string]any{"Name": "Frühjahrsmesse Köln", "Status": "In Progress", "Type": "Trade Show", "IsActive": true})
	mail := sf.create(t, "Campaign", map[string]any{"Name": "Spring Mailing", "Status": "Planned", "Type": "Email"})
	sf.create(t, "Campaign", map[string]any{"Name": "夏のメールキャンペーン", "Status": "Planned"})
	casesRun(t, sf, "salesforce_find_campaign", fmt.Sprintf(`
- name: one by name (en)
  conversation:
    - {say: look up a campaign, expect: "Which campaign?"}
    - {say: webinar, expect: "/^Spring Webinar 2027\nStatus: Planned\nType: Webinar\nActive: No\nStart date: 2027-03-01\nEnd date: 2027-03-31\nDescription: Product news for partners\nView Campaign: https?://\\S+/lightning/r/Campaign/%[1]s/view$/"}
- name: several, pick one (de)
  conversation:
    - {say: Kampagne suchen, expect: "Welche Kampagne?"}
    - {say: spring, expect: "Zu „spring“ passen 2 Kampagnen. Welche meinen Sie?"}
    - {click: Spring Mailing, expect: "/^Spring Mailing\nStatus: Planned\nTyp: Email\nAktiv: Nein\nKampagne ansehen: https?://\\S+/lightning/r/Campaign/%[2]s/view$/"}
- name: by id (ja)
  conversation:
    - {say: キャンペーンを検索, expect: どのキャンペーンですか？}
    - {say: "%[3]s", expect: "/^Frühjahrsmesse Köln\n状況: In Progress\n種別: Trade Show\n有効: はい\n/"}
- name: by a part of a Japanese name (ja)
  conversation:
    - {say: キャンペーンを探す, expect: どのキャンペーンですか？}
    - {say: メール, expect: "/^夏のメールキャンペーン\n状況: Planned\n/"}
`, webinar, mail, fair))
	casesRun(t, sf, "salesforce_update_campaign", `
- name: status and dates (en)
  conversation:
    - {say: update a campaign, expect: "Which campaign would you like to change?"}
    - {say: Spring Webinar 2027, expect: "What would you like to change?\nSpring Webinar 2027\nStatus: Planned"}
    - {click: Status, expect: "The status is Planned. What should it be?"}
    - {click: In Progress, expect: Anything else}
    - {click: Active, expect: "Should the campaign be active?"}
    - {click: "Yes", expect: Anything else}
    - {click: End date, expect: new end date}
    - {say: 2027-04-15, expect: Anything else}
    - {click: "That's all", expect: "/^Change the campaign \"Spring Webinar 2027\" like this\\?\nSpring Webinar 2027\nStatus: In Progress\nActive: Yes\nEnd date: 2027-04-15$/"}
    - {click: "Yes", expect: "/^Done, the campaign is updated\\.\nSpring Webinar 2027\nStatus: In Progress\nType: Webinar\nActive: Yes\nStart date: 2027-03-01\nEnd date: 2027-04-15\n/"}
- name: a new name (de)
  conversation:
    - {say: Kampagne ändern, expect: "Welche Kampagne möchten Sie ändern?"}
    - {say: Frühjahrsmesse, expect: "Was möchten Sie ändern?"}
    - {click: Name, expect: "Wie soll der neue Name lauten?"}
    - {say: Frühjahrsmesse Köln 2027, expect: "Möchten Sie noch etwas ändern?"}
    - {click: Aktiv, expect: "Soll die Kampagne aktiv sein?"}
    - {click: Nein, expect: "Möchten Sie noch etwas ändern?"}
    - {click: Das ist alles, expect: "Name: Frühjahrsmesse Köln 2027\nAktiv: Nein"}
    - {click: Ja, expect: "/^Erledigt, die Kampagne ist geändert\\.\nFrühjahrsmesse Köln 2027\n(.*\n)*Aktiv: Nein\n/"}
- name: type from the picklist (ja)
  conversation:
    - {say: キャンペーンを更新, expect: どのキャンペーンを変更しますか？}
    - {say: Spring Mailing, expect: どの項目を変更しますか？}
    - {click: 種別, expect: 現在の種別は「Email」です。}
    - {click: Direct Mail, expect: ほかに変更する項目はありますか？}
    - {click: 以上です, expect: "種別: Direct Mail"}
    - {click: はい, expect: "/^キャンペーンを更新しました。\nSpring Mailing\n状況: Planned\n種別: Direct Mail\n/"}
`)
	casesWantFields(t, "webinar", casesOne(t, sf, "SELECT Status, IsActive, EndDate, StartDate, Type FROM Campaign WHERE Id = '"+webinar+"'"),
		map[string]any{"Status": "In Progress", "IsActive": true, "EndDate": "2027-04-15", "StartDate": "2027-03-01", "Type": "Webinar"})
	casesWantFields(t, "fair", casesOne(t, sf, "SELECT Name, IsActive FROM Campaign WHERE Id = '"+fair+"'"),
		map[string]any{"Name": "Frühjahrsmesse Köln 2027", "IsActive": false})
	casesWantFields(t, "mailing", casesOne(t, sf, "SELECT Type FROM Campaign WHERE Id = '"+mail+"'"), map[string]any{"Type": "Direct Mail"})
	casesRun(t, sf, "salesforce_delete_campaign", fmt.Sprintf(`
- name: declined (en)
  conversation:
    - {say: delete a campaign, expect: "Which campaign would you like to delete?"}
    - {say: Spring Mailing, expect: "/^Delete the campaign \"Spring Mailing\"\\? It goes to the Recycle Bin in Salesforce\\.\nSpring Mailing\n/"}
    - {click: "No", expect: "Okay, I kept the campaign \"Spring Mailing\"."}
- name: deleted (en)
  conversation:
    - {say: delete a campaign, expect: "Which campaign would you like to delete?"}
    - {say: "%[1]s", expect: "Delete the campaign \"Spring Mailing\"?"}
    - {click: "Yes", expect: "The campaign \"Spring Mailing\" is deleted."}
- name: picked from several (de)
  conversation:
    - {say: Kampagne löschen, expect: "Welche Kampagne möchten Sie löschen?"}
    - {say: "202", expect: "Zu „202“ passen 2 Kampagnen."}
    - {click: Spring Webinar 2027, expect: "Soll ich die Kampagne „Spring Webinar 2027“ löschen?"}
    - {click: Ja, expect: "Die Kampagne „Spring Webinar 2027“ ist gelöscht."}
- name: by name (ja)
  conversation:
    - {say: キャンペーンを削除, expect: どのキャンペーンを削除しますか？}
    - {say: 夏のメールキャンペーン, expect: "キャンペーン「夏のメールキャンペーン」を削除しますか？"}
    - {click: はい, expect: "キャンペーン「夏のメールキャンペーン」を削除しました。"}
`, mail))
	left := sf.query(t, "SELECT Name FROM Campaign")
	if len(left) != 1 || left[0]["Name"] != "Frühjahrsmesse Köln 2027" {
		t.Errorf("campaigns left %v, want only Frühjahrsmesse Köln 2027", left)
	}
}

// TestCaseCampaignLookupsRefuseInjection: quotes, backslashes and the LIKE
// wildcards % and _ in what the user types stay inside the SOQL literal:
// with records there to find, they find none of them.
func TestCaseCampaignLookupsRefuseInjection(t *testing.T) {
	sf := newSalesforce(t)
	sf.create(t, "Campaign", map[string]any{"Name": "Spring Webinar 2027"})
	sf.create(t, "Campaign", map[string]any{"Name": "Autumn Fair"})
	attempts := []string{
		`%`, `_`, `%_%`, `Spring%`, `Spring_Webinar`, `' OR Name != '`, `\' OR Name != \'`, `x' OR Name LIKE '%`,
		`\`, `'`, `\%`, `Spring Webinar 2027' OR Id != '`,
	}
	var campaign, cases strings.Builder
	for i, v := range attempts {
		q, _ := yaml.Marshal(v)
		fmt.Fprintf(&campaign, "- name: attempt %d (en)\n  conversation:\n    - {say: find a campaign, expect: Which campaign}\n    - say: %s      expect: I could not find a campaign for\n", i, q)
		fmt.Fprintf(&cases, "- name: attempt %d (en)\n  conversation:\n    - {say: find a case, expect: Which case}\n    - say: %s      expect: I could not find a case for\n", i, q)
	}
	casesRun(t, sf, "salesforce_find_campaign", campaign.String())
	casesRun(t, sf, "salesforce_find_case", cases.String())
	// The wildcards are literal characters: a name that holds them is
	// found by them, and only that one.
	sf.create(t, "Campaign", map[string]any{"Name": "Autumn_Fair 100%"})
	casesRun(t, sf, "salesforce_find_campaign", `
- name: literal wildcards (en)
  conversation:
    - {say: find a campaign, expect: Which campaign}
    - {say: "_Fair 100%", expect: "/^Autumn_Fair 100%\n/"}
- name: a percent sign (en)
  conversation:
    - {say: find a campaign, expect: Which campaign}
    - {say: "%", expect: "/^Autumn_Fair 100%\n/"}
`)
	for _, r := range sf.sim.Requests() {
		if strings.HasSuffix(r.Path, "/query") && r.Status != http.StatusOK {
			v, _ := url.ParseQuery(r.Query)
			t.Errorf("query %q answered %d, want 200", v.Get("q"), r.Status)
		}
	}
}

// TestCreateCampaignDuplicateRule: in an org whose duplicate rule matches
// campaigns by name, a second campaign of a taken name is refused after
// the user chose to create it anyway: the existing one is offered as a
// link, and no second one is made.
func TestCreateCampaignDuplicateRule(t *testing.T) {
	fx, err := sfsim.DemoFixture()
	if err != nil {
		t.Fatal(err)
	}
	fx.DuplicateRules = append(fx.DuplicateRules, sfsim.DuplicateRule{Object: "Campaign", Field: "Name"})
	sf := newSalesforce(t, sfsim.WithFixture(fx))
	id := sf.create(t, "Campaign", map[string]any{"Name": "Spring Webinar 2027", "Status": "Planned"})
	tpl := withTests(t, "salesforce_create_campaign", casesConversations(t, `
- name: created anyway, refused (en)
  conversation:
    - {say: create a campaign, expect: What should the campaign be called}
    - {say: Spring Webinar 2027, expect: There is already a campaign called "Spring Webinar 2027". Create another one anyway}
    - {click: "Yes", expect: What type of campaign}
    - {click: Skip, expect: When does it start}
    - {click: Skip, expect: when does it end}
    - {click: Skip, expect: Create the campaign "Spring Webinar 2027"}
    - {click: "Yes", expect: "Salesforce already has a matching record, so I did not create another one:"}
`)...)
	rt := tpl.RunTests(context.Background(), sf.options())
	if rt != nil {
		t.Fatal(rt)
	}
	if recs := sf.query(t, "SELECT Id FROM Campaign WHERE Name = 'Spring Webinar 2027'"); len(recs) != 1 || recs[0]["Id"] != id {
		t.Errorf("campaigns named Spring Webinar 2027: %v, want only %s", recs, id)
	}
}

// TestCreateCaseTryAgain: Salesforce unavailable when the case is created:
// the answers are kept, "Try again" creates the case, once.
func TestCreateCaseTryAgain(t *testing.T) {
	sf := newSalesforce(t)
	if err := sf.sim.FailNext(1, sfsim.FaultUnavailable, "/sobjects/Case"); err != nil {
		t.Fatal(err)
	}
	casesRun(t, sf, "salesforce_create_case", `
- name: try again (de)
  identity: {subject: cust-1, email: jane.doe@acme.example, verified: true}
  conversation:
    - {say: Kundenvorgang anlegen, expect: in wenigen Worten}
    - {say: Lieferung unvollständig, expect: etwas genauer}
    - {say: Es fehlen zwei Teile., expect: "Soll ich den Kundenvorgang „Lieferung unvollständig“ anlegen"}
    - {click: Ja, expect: Salesforce ist gerade nicht erreichbar. Soll ich es noch einmal versuchen}
    - {click: Noch einmal versuchen, expect: "/^Ihr Kundenvorgang \\d{8} ist angelegt\\./"}
`)
	casesOne(t, sf, "SELECT Id FROM Case WHERE Subject = 'Lieferung unvollständig'")
}

// TestUpdateCampaignAsksAgain: a new name Salesforce refuses (longer than
// 80 characters) is asked again, the other change kept.
func TestUpdateCampaignAsksAgain(t *testing.T) {
	sf := newSalesforce(t)
	id := sf.create(t, "Campaign", map[string]any{"Name": "Autumn Fair", "Status": "Planned"})
	casesRun(t, sf, "salesforce_update_campaign", `
- name: name too long (ja)
  conversation:
    - {say: キャンペーンを更新, expect: どのキャンペーンを変更しますか}
    - {say: Autumn Fair, expect: どの項目を変更しますか}
    - {click: 状況, expect: 現在の状況は「Planned」です。}
    - {click: Completed, expect: ほかに変更する項目はありますか}
    - {click: キャンペーン名, expect: 新しいキャンペーン名を入力してください。}
    - {say: "秋の見本市 2027 ご来場のお客様向けフォローアップ キャンペーン（東京・大阪・名古屋・福岡・札幌・仙台・広島・那覇の各会場と、オンライン参加のお客様を含む全国版）", expect: ほかに変更する項目はありますか}
    - {click: 以上です, expect: "状況: Completed"}
    - {click: はい, expect: "/^Salesforce に受け付けられませんでした: .*max length=80.*\n新しいキャンペーン名を入力してください。$/"}
    - {say: 秋の見本市 フォローアップ, expect: ほかに変更する項目はありますか}
    - {click: 以上です, expect: "キャンペーン名: 秋の見本市 フォローアップ\n状況: Completed"}
    - {click: はい, expect: "/^キャンペーンを更新しました。\n秋の見本市 フォローアップ\n状況: Completed\n/"}
`)
	casesWantFields(t, "campaign", casesOne(t, sf, "SELECT Name, Status FROM Campaign WHERE Id = '"+id+"'"),
		map[string]any{"Name": "秋の見本市 フォローアップ", "Status": "Completed"})
}
