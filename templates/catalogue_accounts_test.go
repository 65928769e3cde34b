package templates

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
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

// loadOwn parses a template from its file, so that these tests do not
// depend on every other file of the catalogue parsing.
func loadOwn(t *testing.T, name string) *Template {
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

// ownWithTests is the template with only these tests.
func ownWithTests(t *testing.T, name string, tests ...Test) *Template {
	t.Helper()
	c := *loadOwn(t, name)
	c.Tests = tests
	return &c
}

// run runs the template's tests against sf and fails t on any failure.
func (sf *salesforce) run(t *testing.T, tpl *Template) {
	t.Helper()
	if err := tpl.RunTests(context.Background(), sf.options()); err != nil {
		t.Fatal(err)
	}
}

// one returns the single record the query finds.
func (sf *salesforce) one(t *testing.T, soql string) map[string]any {
	t.Helper()
	recs := sf.query(t, soql)
	if len(recs) != 1 {
		t.Fatalf("%s: %d records, want 1", soql, len(recs))
	}
	return recs[0]
}

// fields checks a record's values.
func fields(t *testing.T, what string, rec map[string]any, want map[string]any) {
	t.Helper()
	for k, v := range want {
		if got := rec[k]; got != v {
			t.Errorf("%s: %s = %#v, want %#v", what, k, got, v)
		}
	}
}

// say is a turn that types text.
func say(text, expect string) Turn { return Turn{Say: text, Expect: expect} }

// click is a turn that presses a button.
func click(title, expect string) Turn { return Turn{Click: title, Expect: expect} }

// TestAccountTemplatesPassTheirTests runs each template's own tests
// against sfsim, each template with a fresh org.
func TestAccountTemplatesPassTheirTests(t *testing.T) {
	for _, name := range accountTemplates {
		t.Run(name, func(t *testing.T) {
			newSalesforce(t).run(t, loadOwn(t, name))
		})
	}
}

func TestAccountTemplatesGolden(t *testing.T) {
	for _, name := range accountTemplates {
		t.Run(name, func(t *testing.T) {
			got, err := loadOwn(t, name).Render(nil)
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join("testdata", name+".golden.yaml")
			if *update {
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("rendered %s differs from %s (run go test -update if intended)\ngot:\n%s", name, path, got)
			}
		})
	}
}

// TestAccountTemplatesFollowTheConventions: the parameters every catalogue
// template has, auth on every salesforce node, and a View link.
func TestAccountTemplatesFollowTheConventions(t *testing.T) {
	for _, name := range accountTemplates {
		t.Run(name, func(t *testing.T) {
			tpl := loadOwn(t, name)
			verb, object, _ := strings.Cut(strings.TrimPrefix(name, "salesforce_"), "_")
			defaults := map[string]string{}
			for _, p := range tpl.Parameters {
				if p.Default != nil {
					defaults[p.Name] = *p.Default
				}
			}
			if defaults["task_name"] != verb+"_"+object || defaults["auth_profile"] != "salesforce" || len(tpl.Parameters) != 2 {
				t.Errorf("parameters %v: want task_name=%s_%s and auth_profile=salesforce only", defaults, verb, object)
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
		})
	}
}

func TestCreateContactWritesEveryAnswer(t *testing.T) {
	sf := newSalesforce(t)
	sf.run(t, loadOwn(t, "salesforce_create_contact"))
	acme := sf.one(t, "SELECT Id FROM Account WHERE Name = 'Acme Corporation'")
	ada := sf.one(t, "SELECT FirstName, LastName, Email, Phone, AccountId FROM Contact WHERE Email = 'ada.okafor@acme.example'")
	fields(t, "Ada", ada, map[string]any{"FirstName": "Ada", "LastName": "Okafor", "Phone": "+14155550142", "AccountId": acme["Id"]})
	jonas := sf.one(t, "SELECT FirstName, LastName, Phone, AccountId FROM Contact WHERE Email = 'jonas.schneider@beispiel.example'")
	fields(t, "Jonas", jonas, map[string]any{"FirstName": "Jonas", "LastName": "Schneider", "Phone": nil, "AccountId": nil})
	hanako := sf.one(t, "SELECT FirstName, Phone, Account.Name FROM Contact WHERE LastName = '山田'")
	fields(t, "Hanako", hanako, map[string]any{"FirstName": "花子", "Phone": "+81312345678"})
	// The first name Salesforce refused was asked again; the lead was
	// created once, with the other answers.
	fields(t, "Bart", sf.one(t, "SELECT FirstName, LastName FROM Contact WHERE Email = 'bart.long@example.org'"),
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
	sf.api(t, http.MethodPost, "/sobjects/Account", map[string]any{"Name": "Acme Labs", "Website": "https://labs.acme.example"}, &labs)
	sf.run(t, ownWithTests(t, "salesforce_create_contact", Test{Name: "two accounts", Turns: []Turn{
		say("create a contact", "last name"),
		say("Ito", "first name"),
		click("Skip", "e-mail"),
		click("Skip", "phone"),
		click("Skip", "account"),
		say("acme", `Several accounts match "acme". Which one?`),
		click("Acme Labs", "/Shall I create this contact in Salesforce\\?\\nIto — Acme Labs\\nAccount: Acme Labs$/"),
		say("yes", "Done"),
	}}))
	fields(t, "Ito", sf.one(t, "SELECT AccountId FROM Contact WHERE LastName = 'Ito'"), map[string]any{"AccountId": labs.ID})
}

func TestCreateAccountWritesEveryAnswer(t *testing.T) {
	sf := newSalesforce(t)
	sf.run(t, loadOwn(t, "salesforce_create_account"))
	fields(t, "Stark", sf.one(t, "SELECT Phone, Website, Industry FROM Account WHERE Name = 'Stark Industrial'"),
		map[string]any{"Phone": "+12125550188", "Website": "stark-industrial.example", "Industry": "Manufacturing"})
	fields(t, "Müller", sf.one(t, "SELECT Phone, Website, Industry FROM Account WHERE Name = 'Müller Maschinenbau GmbH'"),
		map[string]any{"Phone": nil, "Website": nil, "Industry": nil})
	fields(t, "Sakura", sf.one(t, "SELECT Phone, Industry FROM Account WHERE Name = '株式会社サクラ商事'"),
		map[string]any{"Phone": "+81612345678", "Industry": "Retail"})
	fields(t, "Longsite", sf.one(t, "SELECT Website FROM Account WHERE Name = 'Longsite Ltd'"),
		map[string]any{"Website": "longsite.example"})
	for _, name := range []string{"Acme Corporation", "Maybe Later Inc"} {
		want := map[string]int{"Acme Corporation": 1}[name]
		if n := len(sf.query(t, "SELECT Id FROM Account WHERE Name = '"+name+"'")); n != want {
			t.Errorf("accounts %q: %d, want %d", name, n, want)
		}
	}
}

// TestLookupsByTypedID: an id typed (18 or 15 characters) is told from a
// name and shows its record; an id of another object finds nothing.
func TestLookupsByTypedID(t *testing.T) {
	sf := newSalesforce(t)
	jane := sf.one(t, "SELECT Id FROM Contact WHERE Email = 'jane.doe@acme.example'")["Id"].(string)
	acme := sf.one(t, "SELECT Id FROM Account WHERE Name = 'Acme Corporation'")["Id"].(string)
	lookup := func(start, id, want string) Test {
		return Test{Name: id, Turns: []Turn{say(start, "How shall I look up"), say(id, want)}}
	}
	sf.run(t, ownWithTests(t, "salesforce_find_contact",
		lookup("find a contact", jane, "/^Jane Doe\\nAccount: Acme Corporation\\n/"),
		lookup("find a contact", jane[:15], "/^Jane Doe\\n/"),
		lookup("find a contact", "003"+strings.Repeat("0", 12), "Sorry, I found no contact"),
	))
	sf.run(t, ownWithTests(t, "salesforce_find_account",
		lookup("find an account", acme, "/^Acme Corporation — Manufacturing\\n/"),
		Test{Name: "contact id by the id button", Turns: []Turn{
			say("find an account", "How shall I look up"), click("By id", "starts with 001"), say(jane, "Sorry, I found no account"),
		}},
	))
}

// TestLookupsRefuseInjection: values that would change a query built by
// string concatenation (quotes, backslashes, LIKE wildcards) find nothing
// extra in every lookup of these templates, and every query is well formed.
func TestLookupsRefuseInjection(t *testing.T) {
	sf := newSalesforce(t)
	evil := []string{`%`, `_`, `%%`, `\`, `'`, `\'`, `' OR Name != '`, `\' OR Name != \'`, `x%' OR Name LIKE '%`, `a_b`, `"`}
	evilMail := []string{`x' OR Email != '@evil.example`, `x\' OR Email != \'@evil.example`, `%@%.%`, `_@_._`}
	var tests []Test
	for _, v := range evil {
		tests = append(tests, Test{Name: "name " + v, Turns: []Turn{say("find a contact", "How shall I look up"), click("By name", "name"), say(v, "Sorry, I found no contact")}})
	}
	for _, v := range evilMail {
		tests = append(tests, Test{Name: "e-mail " + v, Turns: []Turn{say("find a contact", "How shall I look up"), say(v, "Sorry, I found no contact")}})
	}
	sf.run(t, ownWithTests(t, "salesforce_find_contact", tests...))
	tests = nil
	for _, v := range evil {
		tests = append(tests, Test{Name: "name " + v, Turns: []Turn{say("find an account", "How shall I look up"), click("By name", "name"), say(v, "Sorry, I found no account")}})
	}
	for _, v := range evilMail {
		tests = append(tests, Test{Name: "e-mail " + v, Turns: []Turn{say("find an account", "How shall I look up"), say(v, "Sorry, I found no account")}})
	}
	sf.run(t, ownWithTests(t, "salesforce_find_account", tests...))
	sf.run(t, ownWithTests(t, "salesforce_convert_lead", Test{Name: "lead name", Turns: []Turn{
		say("convert a lead", "Which lead"), click("By name", "name"), say(`%' OR Name != '`, "Sorry, I found no lead"),
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

// TestPhoneLookupsMatchEveryFormat: a contact stored with a formatted
// number and one stored in E.164 are both found from any way of typing
// the number.
func TestPhoneLookupsMatchEveryFormat(t *testing.T) {
	sf := newSalesforce(t)
	sf.api(t, http.MethodPost, "/sobjects/Contact", map[string]any{"LastName": "Mobile", "FirstName": "Mo", "MobilePhone": "+14155550177"}, nil)
	var tests []Test
	for _, typed := range []string{"+1 415 555 0101", "(415) 555-0101", "415.555.0101", "+14155550101", "4155550101"} {
		tests = append(tests, Test{Name: "jane " + typed, Turns: []Turn{say("find a contact", "How shall I look up"), say(typed, "/^Jane Doe\\n/")}})
	}
	for _, typed := range []string{"+1 415 555 0177", "(415) 555-0177"} {
		tests = append(tests, Test{Name: "mobile " + typed, Turns: []Turn{say("find a contact", "How shall I look up"), click("By phone", "phone number"), say(typed, "/^Mo Mobile\\nMobile: \\+14155550177\\n/")}})
	}
	tests = append(tests, Test{Name: "another number", Turns: []Turn{say("find a contact", "How shall I look up"), say("+1 415 555 0199", "Sorry, I found no contact")}})
	sf.run(t, ownWithTests(t, "salesforce_find_contact", tests...))
}

func TestDeleteTemplatesDelete(t *testing.T) {
	sf := newSalesforce(t)
	sf.run(t, loadOwn(t, "salesforce_delete_contact"))
	for _, email := range []string{"john.smith@globex.example", "jane.doe@acme.example"} {
		if n := len(sf.query(t, "SELECT Id FROM Contact WHERE Email = '"+email+"'")); n != 0 {
			t.Errorf("contact %s: %d left, want deleted", email, n)
		}
	}
	sf = newSalesforce(t)
	sf.run(t, loadOwn(t, "salesforce_delete_account"))
	if n := len(sf.query(t, "SELECT Id FROM Account WHERE Name = 'Globex'")); n != 0 {
		t.Errorf("Globex: %d left, want deleted", n)
	}
	if n := len(sf.query(t, "SELECT Id FROM Account WHERE Name = 'Acme Corporation'")); n != 1 {
		t.Errorf("Acme Corporation: %d, want kept", n)
	}
}

func TestUpdateTemplatesChangeOnlyTheChosenFields(t *testing.T) {
	sf := newSalesforce(t)
	globex := sf.one(t, "SELECT Id FROM Account WHERE Name = 'Globex'")["Id"]
	sf.run(t, loadOwn(t, "salesforce_update_contact"))
	fields(t, "John", sf.one(t, "SELECT Email, Title, Phone, MobilePhone FROM Contact WHERE LastName = 'Smith'"),
		map[string]any{"Email": "john@globex.example", "Title": "Head of Purchasing", "Phone": nil, "MobilePhone": nil})
	fields(t, "Jane", sf.one(t, "SELECT Email, Title, Phone, MobilePhone, AccountId FROM Contact WHERE LastName = 'Doe'"),
		map[string]any{"Email": "jane.doe@acme.example", "Title": "SVP Partnerships", "Phone": "03-5555-0101",
			"MobilePhone": "0151 23456789", "AccountId": globex})

	sf = newSalesforce(t)
	sf.run(t, loadOwn(t, "salesforce_update_account"))
	fields(t, "Globex", sf.one(t, "SELECT Name, Phone, Industry, Website FROM Account WHERE Id = '"+globex.(string)+"'"),
		map[string]any{"Name": "グローベックス株式会社", "Phone": "+1 650 555 0123", "Industry": "Consulting", "Website": nil})
	fields(t, "Acme", sf.one(t, "SELECT Name, Phone, Industry, Website FROM Account WHERE Phone = '+1 415 555 0100'"),
		map[string]any{"Name": "Acme Corporation", "Industry": "Manufacturing", "Website": "acme.example"})
}

// TestConvertLead: the template's own tests convert the demo lead once;
// two more leads are converted in German into an existing account and in
// Japanese into a new one.
func TestConvertLead(t *testing.T) {
	sf := newSalesforce(t)
	sf.run(t, loadOwn(t, "salesforce_convert_lead"))
	lena := sf.one(t, "SELECT IsConverted, ConvertedAccountId, ConvertedContactId, ConvertedOpportunityId FROM Lead WHERE Email = 'lena@initech.example'")
	fields(t, "Lena", lena, map[string]any{"IsConverted": true})
	fields(t, "Lena's account", sf.one(t, "SELECT Name FROM Account WHERE Id = '"+lena["ConvertedAccountId"].(string)+"'"), map[string]any{"Name": "Initech"})
	fields(t, "Lena's contact", sf.one(t, "SELECT Email FROM Contact WHERE Id = '"+lena["ConvertedContactId"].(string)+"'"), map[string]any{"Email": "lena@initech.example"})
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
		sf.api(t, http.MethodPost, "/sobjects/Lead", l, nil)
	}
	sf.run(t, ownWithTests(t, "salesforce_convert_lead", Test{Name: "into an existing account (de)", Turns: []Turn{
		say("Lead konvertieren", "Welchen Lead soll ich konvertieren?"),
		say("klaus@weber.example", "Soll Klaus Weber einem bestehenden Account zugeordnet werden?"),
		say("Acme", "/^Soll ich diesen Lead in einen Account, einen Kontakt und eine Opportunity umwandeln\\?\\nKlaus Weber — Weber AG\\nE-Mail: klaus@weber\\.example\\nStatus: Open - Not Contacted\\nBestehender Account: Acme Corporation\\nLead ansehen: http/"),
		say("ja", "/^Erledigt, Klaus Weber ist konvertiert\\. In Salesforce gibt es jetzt:\\nAcme Corporation — Account\\n[\\s\\S]*Account ansehen: http\\S+/Account/001[A-Za-z0-9]{15}/view\\nKlaus Weber — Kontakt\\n[\\s\\S]*Kontakt ansehen: http\\S+/Contact/003[A-Za-z0-9]{15}/view\\n.+ — Opportunity\\n[\\s\\S]*Opportunity ansehen: http\\S+/Opportunity/006[A-Za-z0-9]{15}/view$/"),
	}}, Test{Name: "into a new account (ja)", Turns: []Turn{
		say("リードを取引開始", "どのリードを取引開始しますか？"),
		say("sato@sato.example", "既存の取引先に追加しますか？"),
		click("スキップ", "このリードを取引先・取引先責任者・商談に変換しますか？"),
		say("はい", "/^健 佐藤 を取引開始しました。Salesforce に次のレコードがあります:\\n佐藤商事 — 取引先\\n取引先を表示: http\\S+/Account/001[A-Za-z0-9]{15}/view\\n健 佐藤 — 取引先責任者\\n[\\s\\S]*商談を表示: http\\S+/Opportunity/006[A-Za-z0-9]{15}/view$/"),
	}}))
	acme := sf.one(t, "SELECT Id FROM Account WHERE Name = 'Acme Corporation'")["Id"]
	fields(t, "Klaus", sf.one(t, "SELECT IsConverted, ConvertedAccountId FROM Lead WHERE Email = 'klaus@weber.example'"),
		map[string]any{"IsConverted": true, "ConvertedAccountId": acme})
	sato := sf.one(t, "SELECT IsConverted, ConvertedAccountId FROM Lead WHERE Email = 'sato@sato.example'")
	fields(t, "Sato", sato, map[string]any{"IsConverted": true})
	fields(t, "Sato's account", sf.one(t, "SELECT Name FROM Account WHERE Id = '"+sato["ConvertedAccountId"].(string)+"'"), map[string]any{"Name": "佐藤商事"})
}
