package templates

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/botforge/dialogd/sfsim"
)

// accountTemplates are the Contact and Account actions of the catalogue
// and Convert a Lead (seed 004, Zendesk Action Builder's actions).
var accountTemplates = []string{
	"salesforce_create_contact",
	"salesforce_create_account",
	"salesforce_find_contact",
	"salesforce_find_account",
	"salesforce_delete_contact",
	"salesforce_delete_account",
	"salesforce_update_contact",
	"salesforce_update_account",
	"salesforce_convert_lead",
}

// acctLoad parses a template from its file, so that these tests do not
// depend on every other file of the catalogue parsing.
func acctLoad(t *testing.T, name string) *Template {
	t.Helper()
	data, err := os.ReadFile(name + ".yaml")
	if err != nil {
		t.Fatal(err)
	}
	tpl, err := Parse(name+".yaml", data)
	if err != nil {
		t.Fatal(err)
	}
	return tpl
}

// acctWithTests is the template with only these tests.
func acctWithTests(t *testing.T, name string, tests ...Test) *Template {
	t.Helper()
	c := *acctLoad(t, name)
	c.Tests = tests
	return &c
}

// acctRun runs the template's tests against sf and fails t on any failure.
func acctRun(t *testing.T, sf *salesforce, tpl *Template) {
	t.Helper()
	if err := tpl.RunTests(context.Background(), sf.options()); err != nil {
		t.Fatal(err)
	}
}

// acctOne returns the single record the query finds.
func acctOne(t *testing.T, sf *salesforce, soql string) map[string]any {
	t.Helper()
	recs := sf.query(t, soql)
	if len(recs) != 1 {
		t.Fatalf("%s: %d records, want 1", soql, len(recs))
	}
	return recs[0]
}

// acctFields checks a record's values.
func acctFields(t *testing.T, what string, rec map[string]any, want map[string]any) {
	t.Helper()
	for k, v := range want {
		if got := rec[k]; got != v {
			t.Errorf("%s: %s = %#v, want %#v", what, k, got, v)
		}
	}
}

// acctSay is a turn that types text.
func acctSay(text, expect string) Turn { return Turn{Say: text, Expect: expect} }

// acctClick is a turn that presses a button.
func acctClick(title, expect string) Turn { return Turn{Click: title, Expect: expect} }

// TestAccountTemplatesPassTheirTests runs each template's own tests
// against sfsim, each template with a fresh org.
func TestAccountTemplatesPassTheirTests(t *testing.T) {
	for _, name := range accountTemplates {
		t.Run(name, func(t *testing.T) {
			acctRun(t, newSalesforce(t), acctLoad(t, name))
		})
	}
}

// TestAccountTemplatesFollowTheConventions: the parameters every catalogue
// template has, auth on every salesforce node, and a View link.
func TestAccountTemplatesFollowTheConventions(t *testing.T) {
	for _, name := range accountTemplates {
		t.Run(name, func(t *testing.T) {
			tpl := acctLoad(t, name)
			verb, object, _ := strings.Cut(strings.TrimPrefix(name, "salesforce_"), "_")
			defaults := map[string]string{}
			for _, p := range tpl.Parameters {
				if p.Default != nil {
					defaults[p.Name] = *p.Default
				}
			}
			_, region := defaults["region"] // a phone lookup's region of numbers without a country code
			if defaults["task_name"] != verb+"_"+object || defaults["auth_profile"] != "salesforce" || len(tpl.Parameters) != 2+btoi(region) {
				t.Errorf("parameters %v: want task_name=%s_%s and auth_profile=salesforce only (and region, empty)", defaults, verb, object)
			}
			out, err := tpl.Render(map[string]string{"auth_profile": "crm"})
			if err != nil {
				t.Fatal(err)
			}
			task := taskValues(t, out)
			n := 0
			for _, nd := range task["nodes"].([]any) {
				m := nd.(map[string]any)
				if m["type"] == "salesforce" {
					n++
					if m["auth"] != "crm" {
						t.Errorf("node %s: auth = %v, want the auth_profile parameter", m["id"], m["auth"])
					}
				}
			}
			if n == 0 {
				t.Error("no salesforce node")
			}
			if !bytes.Contains(out, []byte("View ")) {
				t.Error("no View link")
			}
			start := task["nodes"].([]any)[0].(map[string]any)
			utts, _ := start["utterances"].(map[string]any)
			for lang, least := range map[string]int{"en": 5, "de": 4, "ja": 4} {
				if l, _ := utts[lang].([]any); len(l) < least {
					t.Errorf("%d %s utterances, want at least %d", len(l), lang, least)
				}
			}
			acctTrilingual(t, "task", task)
		})
	}
}

// acctTrilingual checks that every text a user reads (prompts, messages,
// card labels, button and link titles) is given in en, de and ja.
func acctTrilingual(t *testing.T, path string, v any) {
	t.Helper()
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			p := path + "." + k
			user := k == "prompt" || k == "text" || k == "label" ||
				k == "title" && (strings.Contains(path, "quick_replies") || strings.HasSuffix(path, ".link") || path == "task") ||
				k == "subtitle" && strings.Contains(path, ".card") && !strings.Contains(acctString(x), "{{")
			if user {
				m, ok := x.(map[string]any)
				if !ok || m["en"] == nil || m["de"] == nil || m["ja"] == nil {
					t.Errorf("%s: %v, want a text in en, de and ja", p, x)
				}
				continue
			}
			acctTrilingual(t, p, x)
		}
	case []any:
		for i, x := range v {
			id := ""
			if m, ok := x.(map[string]any); ok && m["id"] != nil {
				id = acctString(m["id"])
			}
			if id == "" {
				id = strconv.Itoa(i)
			}
			acctTrilingual(t, path+"."+id, x)
		}
	}
}

func acctString(v any) string { return fmt.Sprint(v) }

func TestCreateContactWritesEveryAnswer(t *testing.T) {
	sf := newSalesforce(t)
	acctRun(t, sf, acctLoad(t, "salesforce_create_contact"))
	acme := acctOne(t, sf, "SELECT Id FROM Account WHERE Name = 'Acme Corporation'")
	ada := acctOne(t, sf, "SELECT FirstName, LastName, Email, Phone, AccountId FROM Contact WHERE Email = 'ada.okafor@acme.example'")
	acctFields(t, "Ada", ada, map[string]any{"FirstName": "Ada", "LastName": "Okafor", "Phone": "+14155550142", "AccountId": acme["Id"]})
	jonas := acctOne(t, sf, "SELECT FirstName, LastName, Phone, AccountId FROM Contact WHERE Email = 'jonas.schneider@beispiel.example'")
	acctFields(t, "Jonas", jonas, map[string]any{"FirstName": "Jonas", "LastName": "Schneider", "Phone": nil, "AccountId": nil})
	hanako := acctOne(t, sf, "SELECT FirstName, Phone, Account.Name FROM Contact WHERE LastName = '山田'")
	acctFields(t, "Hanako", hanako, map[string]any{"FirstName": "花子", "Phone": "+81312345678"})
	// The first name Salesforce refused was asked again; the lead was
	// created once, with the other answers.
	acctFields(t, "Bart", acctOne(t, sf, "SELECT FirstName, LastName FROM Contact WHERE Email = 'bart.long@example.org'"),
		map[string]any{"FirstName": "Bart", "LastName": "Long"})
	if n := len(sf.query(t, "SELECT Id FROM Contact WHERE Email = 'jane.doe@acme.example'")); n != 1 {
		t.Errorf("contacts jane.doe@acme.example: %d, want the fixture's 1 (the duplicate was not created)", n)
	}
	if n := len(sf.query(t, "SELECT Id FROM Contact WHERE LastName = 'Maybe'")); n != 0 {
		t.Errorf("declined contact created %d times", n)
	}
}

func TestCreateContactPicksAmongAccounts(t *testing.T) {
	sf := newSalesforce(t)
	var labs struct{ ID string }
	labs.ID = sf.create(t, "Account", map[string]any{"Name": "Acme Labs", "Website": "https://labs.acme.example"})
	acctRun(t, sf, acctWithTests(t, "salesforce_create_contact", Test{Name: "two accounts", Turns: []Turn{
		acctSay("create a contact", "last name"),
		acctSay("Ito", "first name"),
		acctClick("Skip", "e-mail"),
		acctClick("Skip", "phone"),
		acctClick("Skip", "account"),
		acctSay("acme", `Several accounts match "acme". Which one?`),
		acctClick("Acme Labs", "/Shall I create this contact in Salesforce\\?\\nIto — Acme Labs\\nAccount: Acme Labs$/"),
		acctSay("yes", "Done"),
	}}))
	acctFields(t, "Ito", acctOne(t, sf, "SELECT AccountId FROM Contact WHERE LastName = 'Ito'"), map[string]any{"AccountId": labs.ID})
}

// TestCreatesTryAgainMakeOneRecord: Salesforce answers 503 to the create;
// the user is offered to try again, keeps every answer, and gets one
// record.
func TestCreatesTryAgainMakeOneRecord(t *testing.T) {
	sf := newSalesforce(t)
	if err := sf.sim.FailNext(1, sfsim.FaultUnavailable, "/sobjects/Contact"); err != nil {
		t.Fatal(err)
	}
	acctRun(t, sf, acctWithTests(t, "salesforce_create_contact", Test{Name: "503 (de)", Turns: []Turn{
		acctSay("Kontakt anlegen", "Nachname"),
		acctSay("Wagner", "Vorname"),
		acctSay("Eva", "E-Mail-Adresse"),
		acctSay("eva.wagner@beispiel.example", "Telefonnummer"),
		acctClick("Überspringen", "Account"),
		acctClick("Überspringen", "Soll ich diesen Kontakt"),
		acctSay("ja", "Salesforce ist gerade nicht erreichbar. Soll ich es noch einmal versuchen?"),
		acctClick("Noch einmal versuchen", "/^Erledigt, der Kontakt ist in Salesforce angelegt\\.\\nEva Wagner\\n/"),
	}}))
	if n := len(sf.query(t, "SELECT Id FROM Contact WHERE Email = 'eva.wagner@beispiel.example'")); n != 1 {
		t.Errorf("contacts: %d, want 1", n)
	}
	// The industries are read (and cached) first, so that the fault
	// meets the create.
	acctRun(t, sf, acctWithTests(t, "salesforce_create_account", Test{Name: "industries", Turns: []Turn{
		acctSay("create an account", "account's name"),
		acctSay("Warm Up Ltd", "phone"),
		acctClick("Skip", "website"),
		acctClick("Skip", "industry"),
		acctSay("cancel", "anceled"),
	}}))
	if err := sf.sim.FailNext(1, sfsim.FaultUnavailable, "/sobjects/Account"); err != nil {
		t.Fatal(err)
	}
	acctRun(t, sf, acctWithTests(t, "salesforce_create_account", Test{Name: "503 (ja)", Turns: []Turn{
		acctSay("取引先を作成", "取引先名"),
		acctSay("株式会社ミドリ", "電話番号"),
		acctClick("スキップ", "Web サイト"),
		acctClick("スキップ", "業種"),
		acctClick("スキップ", "作成しますか"),
		acctSay("はい", "現在 Salesforce に接続できません。もう一度試しますか？"),
		acctClick("もう一度試す", "/^取引先を Salesforce に作成しました。\\n株式会社ミドリ\\n/"),
	}}))
	if n := len(sf.query(t, "SELECT Id FROM Account WHERE Name = '株式会社ミドリ'")); n != 1 {
		t.Errorf("accounts: %d, want 1", n)
	}
}

func TestCreateAccountWritesEveryAnswer(t *testing.T) {
	sf := newSalesforce(t)
	acctRun(t, sf, acctLoad(t, "salesforce_create_account"))
	acctFields(t, "Stark", acctOne(t, sf, "SELECT Phone, Website, Industry FROM Account WHERE Name = 'Stark Industrial'"),
		map[string]any{"Phone": "+12125550188", "Website": "stark-industrial.example", "Industry": "Manufacturing"})
	acctFields(t, "Müller", acctOne(t, sf, "SELECT Phone, Website, Industry FROM Account WHERE Name = 'Müller Maschinenbau GmbH'"),
		map[string]any{"Phone": nil, "Website": nil, "Industry": nil})
	acctFields(t, "Sakura", acctOne(t, sf, "SELECT Phone, Industry FROM Account WHERE Name = '株式会社サクラ商事'"),
		map[string]any{"Phone": "+81612345678", "Industry": "Retail"})
	acctFields(t, "Longsite", acctOne(t, sf, "SELECT Website FROM Account WHERE Name = 'Longsite Ltd'"),
		map[string]any{"Website": "longsite.example"})
	for _, name := range []string{"Acme Corporation", "Maybe Later Inc"} {
		want := map[string]int{"Acme Corporation": 1}[name]
		if n := len(sf.query(t, "SELECT Id FROM Account WHERE Name = '"+name+"'")); n != want {
			t.Errorf("accounts %q: %d, want %d", name, n, want)
		}
	}
}

// TestContactAccountLookupsByTypedID: an id typed (18 or 15 characters) is told from a
// name and shows its record; an id of another object finds nothing.
func TestContactAccountLookupsByTypedID(t *testing.T) {
	sf := newSalesforce(t)
	jane := acctOne(t, sf, "SELECT Id FROM Contact WHERE Email = 'jane.doe@acme.example'")["Id"].(string)
	acme := acctOne(t, sf, "SELECT Id FROM Account WHERE Name = 'Acme Corporation'")["Id"].(string)
	lookup := func(start, id, want string) Test {
		return Test{Name: id, Turns: []Turn{acctSay(start, "How shall I look up"), acctSay(id, want)}}
	}
	acctRun(t, sf, acctWithTests(t, "salesforce_find_contact",
		lookup("find a contact", jane, "/^Jane Doe\\nAccount: Acme Corporation\\n/"),
		lookup("find a contact", jane[:15], "/^Jane Doe\\n/"),
		lookup("find a contact", "003"+strings.Repeat("0", 12), "Sorry, I found no contact"),
	))
	acctRun(t, sf, acctWithTests(t, "salesforce_find_account",
		lookup("find an account", acme, "/^Acme Corporation — Manufacturing\\n/"),
		Test{Name: "contact id by the id button", Turns: []Turn{
			acctSay("find an account", "How shall I look up"), acctClick("By id", "starts with 001"), acctSay(jane, "Sorry, I found no account"),
		}},
	))
}

// TestContactAccountLookupsRefuseInjection: values that would change a query built by
// string concatenation (quotes, backslashes, LIKE wildcards) find nothing
// extra in every lookup of these templates, and every query is well formed.
func TestContactAccountLookupsRefuseInjection(t *testing.T) {
	sf := newSalesforce(t)
	evil := []string{`%`, `_`, `%%`, `\`, `'`, `\'`, `' OR Name != '`, `\' OR Name != \'`, `x%' OR Name LIKE '%`, `a_b`, `"`}
	evilMail := []string{`x' OR Email != '@evil.example`, `x\' OR Email != \'@evil.example`, `%@%.%`, `_@_._`}
	var tests []Test
	for _, v := range evil {
		tests = append(tests, Test{Name: "name " + v, Turns: []Turn{acctSay("find a contact", "How shall I look up"), acctClick("By name", "name"), acctSay(v, "Sorry, I found no contact")}})
	}
	for _, v := range evilMail {
		tests = append(tests, Test{Name: "e-mail " + v, Turns: []Turn{acctSay("find a contact", "How shall I look up"), acctSay(v, "Sorry, I found no contact")}})
	}
	acctRun(t, sf, acctWithTests(t, "salesforce_find_contact", tests...))
	tests = nil
	for _, v := range evil {
		tests = append(tests, Test{Name: "name " + v, Turns: []Turn{acctSay("find an account", "How shall I look up"), acctClick("By name", "name"), acctSay(v, "Sorry, I found no account")}})
	}
	for _, v := range evilMail {
		tests = append(tests, Test{Name: "e-mail " + v, Turns: []Turn{acctSay("find an account", "How shall I look up"), acctSay(v, "Sorry, I found no account")}})
	}
	acctRun(t, sf, acctWithTests(t, "salesforce_find_account", tests...))
	acctRun(t, sf, acctWithTests(t, "salesforce_convert_lead", Test{Name: "lead name", Turns: []Turn{
		acctSay("convert a lead", "Which lead"), acctClick("By name", "name"), acctSay(`%' OR Name != '`, "Sorry, I found no lead"),
	}}))
	n := 0
	for _, r := range sf.sim.Requests() {
		if strings.HasSuffix(r.Path, "/query") {
			n++
			if r.Status != http.StatusOK {
				q, _ := url.ParseQuery(r.Query)
				t.Errorf("query %q answered %d, want 200", q.Get("q"), r.Status)
			}
		}
	}
	if n < 2*(len(evil)+len(evilMail)) {
		t.Errorf("%d queries, want at least one per lookup", n)
	}
}

// TestContactPhoneLookupsMatchEveryFormat: a contact stored with a formatted
// number and one stored in E.164 are both found from any way of typing
// the number.
func TestContactPhoneLookupsMatchEveryFormat(t *testing.T) {
	sf := newSalesforce(t)
	sf.create(t, "Contact", map[string]any{"LastName": "Mobile", "FirstName": "Mo", "MobilePhone": "+14155550177"})
	var tests []Test
	for _, typed := range []string{"+1 415 555 0101", "(415) 555-0101", "415.555.0101", "+14155550101", "4155550101"} {
		tests = append(tests, Test{Name: "jane " + typed, Turns: []Turn{acctSay("find a contact", "How shall I look up"), acctSay(typed, "/^Jane Doe\\n/")}})
	}
	for _, typed := range []string{"+1 415 555 0177", "(415) 555-0177"} {
		tests = append(tests, Test{Name: "mobile " + typed, Turns: []Turn{acctSay("find a contact", "How shall I look up"), acctClick("By phone", "phone number"), acctSay(typed, "/^Mo Mobile\\nMobile: \\+14155550177\\n/")}})
	}
	tests = append(tests, Test{Name: "another number", Turns: []Turn{acctSay("find a contact", "How shall I look up"), acctSay("+1 415 555 0199", "Sorry, I found no contact")}})
	acctRun(t, sf, acctWithTests(t, "salesforce_find_contact", tests...))
}

// TestContactPhoneLookupsReadNationalNumbers: numbers stored and typed
// without a country code are read in the conversation language's region
// (ja JP, de DE), or in the template's region.
func TestContactPhoneLookupsReadNationalNumbers(t *testing.T) {
	sf := newSalesforce(t)
	sf.create(t, "Contact", map[string]any{"LastName": "Yamada", "FirstName": "Taro", "Phone": "03-1234-5678"})
	sf.create(t, "Contact", map[string]any{"LastName": "Weber", "FirstName": "Eva", "MobilePhone": "0151 / 2345 6789"})
	ja := func(typed, expect string) Test {
		return Test{Name: "ja " + typed, Turns: []Turn{acctSay("取引先責任者を検索", "検索"), acctClick("電話番号で", "電話番号"), acctSay(typed, expect)}}
	}
	de := func(typed, expect string) Test {
		return Test{Name: "de " + typed, Turns: []Turn{acctSay("Kontakt suchen", "Wie soll ich"), acctClick("Nach Telefon", "Telefonnummer"), acctSay(typed, expect)}}
	}
	acctRun(t, sf, acctWithTests(t, "salesforce_find_contact",
		ja("03 1234 5678", "/^Taro Yamada\n/"), ja("+81 3-1234-5678", "/^Taro Yamada\n/"), ja("(03) 1234-5679", "見つかりませんでした"),
		de("0151 23456789", "/^Eva Weber\n/"), de("+49 151 2345 6789", "/^Eva Weber\n/"), de("0151 23456780", "keinen Kontakt gefunden"),
		Test{Name: "en reads 03-1234-5678 as an American number", Turns: []Turn{acctSay("find a contact", "How shall I look up"), acctClick("By phone", "phone number"), acctSay("+81 3 1234 5678", "Sorry, I found no contact")}},
		Test{Name: "region JP in English", Params: map[string]string{"region": "JP"}, Turns: []Turn{acctSay("find a contact", "How shall I look up"), acctClick("By phone", "phone number"), acctSay("03 1234 5678", "/^Taro Yamada\n/")}},
	))
}

func TestContactAccountDeletesDelete(t *testing.T) {
	sf := newSalesforce(t)
	acctRun(t, sf, acctLoad(t, "salesforce_delete_contact"))
	for _, email := range []string{"john.smith@globex.example", "jane.doe@acme.example"} {
		if n := len(sf.query(t, "SELECT Id FROM Contact WHERE Email = '"+email+"'")); n != 0 {
			t.Errorf("contact %s: %d left, want deleted", email, n)
		}
	}
	sf = newSalesforce(t)
	acctRun(t, sf, acctLoad(t, "salesforce_delete_account"))
	if n := len(sf.query(t, "SELECT Id FROM Account WHERE Name = 'Globex'")); n != 0 {
		t.Errorf("Globex: %d left, want deleted", n)
	}
	if n := len(sf.query(t, "SELECT Id FROM Account WHERE Name = 'Acme Corporation'")); n != 1 {
		t.Errorf("Acme Corporation: %d, want kept", n)
	}
}

func TestContactAccountUpdatesChangeOnlyTheChosenFields(t *testing.T) {
	sf := newSalesforce(t)
	globex := acctOne(t, sf, "SELECT Id FROM Account WHERE Name = 'Globex'")["Id"]
	acctRun(t, sf, acctLoad(t, "salesforce_update_contact"))
	acctFields(t, "John", acctOne(t, sf, "SELECT Email, Title, Phone, MobilePhone FROM Contact WHERE LastName = 'Smith'"),
		map[string]any{"Email": "john@globex.example", "Title": "Head of Purchasing", "Phone": nil, "MobilePhone": nil})
	acctFields(t, "Jane", acctOne(t, sf, "SELECT Email, Title, Phone, MobilePhone, AccountId FROM Contact WHERE LastName = 'Doe'"),
		map[string]any{"Email": "jane.doe@acme.example", "Title": "SVP Partnerships", "Phone": "03-5555-0101",
			"MobilePhone": "0151 23456789", "AccountId": globex})

	sf = newSalesforce(t)
	acctRun(t, sf, acctLoad(t, "salesforce_update_account"))
	acctFields(t, "Globex", acctOne(t, sf, "SELECT Name, Phone, Industry, Website FROM Account WHERE Id = '"+globex.(string)+"'"),
		map[string]any{"Name": "グローベックス株式会社", "Phone": "+1 650 555 0123", "Industry": "Consulting", "Website": nil})
	acctFields(t, "Acme", acctOne(t, sf, "SELECT Name, Phone, Industry, Website FROM Account WHERE Phone = '+1 415 555 0100'"),
		map[string]any{"Name": "Acme Corporation", "Industry": "Manufacturing", "Website": "acme.example"})
}

// TestConvertLeadTemplateConverts: the template's own tests convert the demo lead once;
// two more leads are converted in German into an existing account and in
// Japanese into a new one.
func TestConvertLeadTemplateConverts(t *testing.T) {
	sf := newSalesforce(t)
	acctRun(t, sf, acctLoad(t, "salesforce_convert_lead"))
	lena := acctOne(t, sf, "SELECT IsConverted, ConvertedAccountId, ConvertedContactId, ConvertedOpportunityId FROM Lead WHERE Email = 'lena@initech.example'")
	acctFields(t, "Lena", lena, map[string]any{"IsConverted": true})
	acctFields(t, "Lena's account", acctOne(t, sf, "SELECT Name FROM Account WHERE Id = '"+lena["ConvertedAccountId"].(string)+"'"), map[string]any{"Name": "Initech"})
	acctFields(t, "Lena's contact", acctOne(t, sf, "SELECT Email FROM Contact WHERE Id = '"+lena["ConvertedContactId"].(string)+"'"), map[string]any{"Email": "lena@initech.example"})
	if n := len(sf.query(t, "SELECT Id FROM Opportunity WHERE Id = '"+lena["ConvertedOpportunityId"].(string)+"'")); n != 1 {
		t.Errorf("Lena's opportunity: %d, want 1", n)
	}
	if n := len(sf.query(t, "SELECT Id FROM Account WHERE Name = 'Initech'")); n != 1 {
		t.Errorf("accounts Initech: %d, want 1 (converted once)", n)
	}

	for _, l := range []map[string]any{
		{"FirstName": "Klaus", "LastName": "Weber", "Company": "Weber AG", "Email": "klaus@weber.example"},
		{"FirstName": "健", "LastName": "佐藤", "Company": "佐藤商事", "Email": "sato@sato.example"},
	} {
		sf.create(t, "Lead", l)
	}
	acctRun(t, sf, acctWithTests(t, "salesforce_convert_lead", Test{Name: "into an existing account (de)", Turns: []Turn{
		acctSay("Lead konvertieren", "Welchen Lead soll ich konvertieren?"),
		acctSay("klaus@weber.example", "Soll Klaus Weber einem bestehenden Account zugeordnet werden?"),
		acctSay("Acme", "/^Soll ich diesen Lead in einen Account, einen Kontakt und eine Opportunity umwandeln\\?\\nKlaus Weber — Weber AG\\nE-Mail: klaus@weber\\.example\\nStatus: Open - Not Contacted\\nBestehender Account: Acme Corporation\\nLead ansehen: http/"),
		acctSay("ja", "/^Erledigt, Klaus Weber ist konvertiert\\. In Salesforce gibt es jetzt:\\nAcme Corporation — Account\\n[\\s\\S]*Account ansehen: http\\S+/Account/001[A-Za-z0-9]{15}/view\\nKlaus Weber — Kontakt\\n[\\s\\S]*Kontakt ansehen: http\\S+/Contact/003[A-Za-z0-9]{15}/view\\n.+ — Opportunity\\n[\\s\\S]*Opportunity ansehen: http\\S+/Opportunity/006[A-Za-z0-9]{15}/view$/"),
	}}, Test{Name: "into a new account (ja)", Turns: []Turn{
		acctSay("リードを取引開始", "どのリードを取引開始しますか？"),
		acctSay("sato@sato.example", "既存の取引先に追加しますか？"),
		acctClick("スキップ", "このリードを取引先・取引先責任者・商談に変換しますか？"),
		acctSay("はい", "/^健 佐藤 を取引開始しました。Salesforce に次のレコードがあります:\\n佐藤商事 — 取引先\\n取引先を表示: http\\S+/Account/001[A-Za-z0-9]{15}/view\\n健 佐藤 — 取引先責任者\\n[\\s\\S]*商談を表示: http\\S+/Opportunity/006[A-Za-z0-9]{15}/view$/"),
	}}))
	acme := acctOne(t, sf, "SELECT Id FROM Account WHERE Name = 'Acme Corporation'")["Id"]
	acctFields(t, "Klaus", acctOne(t, sf, "SELECT IsConverted, ConvertedAccountId FROM Lead WHERE Email = 'klaus@weber.example'"),
		map[string]any{"IsConverted": true, "ConvertedAccountId": acme})
	sato := acctOne(t, sf, "SELECT IsConverted, ConvertedAccountId FROM Lead WHERE Email = 'sato@sato.example'")
	acctFields(t, "Sato", sato, map[string]any{"IsConverted": true})
	acctFields(t, "Sato's account", acctOne(t, sf, "SELECT Name FROM Account WHERE Id = '"+sato["ConvertedAccountId"].(string)+"'"), map[string]any{"Name": "佐藤商事"})
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}
