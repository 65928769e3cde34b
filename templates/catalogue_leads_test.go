package templates

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/botforge/dialogd/sfsim"
)

// leadTemplates are Kore.ai's seven Salesforce templates (koreai.md §(b)):
// six on Leads and one on Opportunities.
var leadTemplates = []string{
	"salesforce_create_lead",
	"salesforce_update_lead",
	"salesforce_view_lead",
	"salesforce_list_leads",
	"salesforce_search_leads",
	"salesforce_delete_lead",
	"salesforce_create_opportunity",
}

// leadTemplate parses the template from its file, not from the embedded
// catalogue, so that these tests need only this template to be well-formed.
func leadTemplate(t *testing.T, name string) *Template {
	t.Helper()
	file := name + ".yaml"
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	tpl, err := Parse(file, data)
	if err != nil {
		t.Fatal(err)
	}
	return tpl
}

// runLeadTemplate runs the template's own tests (or tests, when given)
// against sf.
func runLeadTemplate(t *testing.T, sf *salesforce, name string, tests ...Test) {
	t.Helper()
	tpl := leadTemplate(t, name)
	if len(tests) > 0 {
		c := *tpl
		c.Tests = tests
		tpl = &c
	}
	if err := tpl.RunTests(context.Background(), sf.options()); err != nil {
		t.Fatal(err)
	}
}

// leadsWhere reads the leads that match a SOQL condition.
func leadsWhere(t *testing.T, sf *salesforce, where string) []map[string]any {
	t.Helper()
	return sf.query(t, "SELECT Id, FirstName, LastName, Company, Email, Phone, MobilePhone, Title, Status, LeadSource FROM Lead WHERE "+where)
}

// wantFields checks the fields of one record.
func wantFields(t *testing.T, what string, rec map[string]any, want map[string]any) {
	t.Helper()
	for k, v := range want {
		if got := rec[k]; got != v {
			t.Errorf("%s: %s = %#v, want %#v", what, k, got, v)
		}
	}
}

// TestCreateLeadStoresEveryAnswer: the create template's own conversations
// leave exactly their leads, each with every answer; the refused first name
// and e-mail address, the duplicate and the declined lead leave nothing.
func TestCreateLeadStoresEveryAnswer(t *testing.T) {
	sf := newSalesforce(t)
	runLeadTemplate(t, sf, "salesforce_create_lead")
	tests := []struct {
		where string
		want  map[string]any
	}{
		{"Email = 'jane.roe@roe-industries.example'", map[string]any{"FirstName": "Jane", "LastName": "Roe",
			"Company": "Roe Industries", "Phone": "+14155550199", "LeadSource": "Web", "Status": "Open - Not Contacted"}},
		{"LastName = 'Mustermann'", map[string]any{"FirstName": "Erika", "Company": "Muster GmbH",
			"Email": nil, "Phone": "+49301234567", "LeadSource": "Web"}},
		{"Email = 'taro.yamada@yamada-shoji.example'", map[string]any{"FirstName": "太郎", "LastName": "山田",
			"Company": "山田商事", "Phone": nil}},
		{"Email = 'w.smith@smith-tools.example'", map[string]any{"FirstName": "Hubert", "LastName": "Smith",
			"Company": "Smith Tools", "Phone": nil}},
		{"Email = 'juergen.mueller2@mueller-bau.example'", map[string]any{"FirstName": "Jürgen", "LastName": "Müller",
			"Company": "Müller Bau GmbH", "Phone": nil}},
		{"Email = 'max.lee2@lee-holdings.example'", map[string]any{"FirstName": "Max", "LastName": "Lee",
			"Company": "Lee Holdings", "LeadSource": "Partner"}},
		{"Email = 'lena@initech.example'", map[string]any{"FirstName": "Lena", "Company": "Initech"}},
	}
	for _, tt := range tests {
		leads := leadsWhere(t, sf, tt.where)
		if len(leads) != 1 {
			t.Errorf("leads where %s: %d, want 1", tt.where, len(leads))
			continue
		}
		wantFields(t, tt.where, leads[0], tt.want)
	}
	// Besides these, the three small-talk conversations (en, de, ja) each
	// create a lead.
	if n := len(sf.query(t, "SELECT Id FROM Lead")); n != 10 {
		t.Errorf("leads in the org: %d, want 10 (the fixture's, six created and three by the small-talk tests)", n)
	}
	if n := len(sf.query(t, "SELECT Id FROM Lead WHERE Email = 'ann@acme.example'")); n != 0 {
		t.Errorf("the declined conversation created %d leads", n)
	}
}

// TestCreateLeadTryAgainCreatesOnce: Salesforce unavailable at the create
// keeps the answers and offers Try again, which creates the lead once.
func TestCreateLeadTryAgainCreatesOnce(t *testing.T) {
	sf := newSalesforce(t)
	if err := sf.sim.FailNext(1, sfsim.FaultUnavailable, "/sobjects/Lead"); err != nil {
		t.Fatal(err)
	}
	runLeadTemplate(t, sf, "salesforce_create_lead", Test{Name: "try again (en)", Turns: []Turn{
		{Say: "create a lead", Expect: "first name"},
		{Say: "Pat", Expect: "last name"},
		{Say: "Quinn", Expect: "company"},
		{Say: "Quinn & Co", Expect: "e-mail"},
		{Say: "pat@quinn.example", Expect: "phone"},
		{Click: "Skip", Expect: "Create a lead for Pat Quinn at Quinn & Co?"},
		{Click: "Yes", Expect: "Salesforce is not answering right now, so the lead is not created yet. I have kept your answers. Shall I try again?"},
		{Click: "Try again", Expect: "/^Done\\. I created the lead Pat Quinn in Salesforce\\.\\nPat Quinn — Quinn & Co\\nLead ID: 00Q[A-Za-z0-9]{15}\\n/"},
	}})
	leads := leadsWhere(t, sf, "Email = 'pat@quinn.example'")
	if len(leads) != 1 {
		t.Fatalf("leads for pat@quinn.example: %d, want 1", len(leads))
	}
	wantFields(t, "pat@quinn.example", leads[0], map[string]any{"FirstName": "Pat", "LastName": "Quinn", "Company": "Quinn & Co"})
}

// TestUpdateLeadChangesOnlyTheChosenFields: after the update template's
// conversations, Lena Lead has the last status, title and mobile phone the
// users confirmed; her other fields are as they were, and the declined
// change ("Intern") was not made.
func TestUpdateLeadChangesOnlyTheChosenFields(t *testing.T) {
	sf := newSalesforce(t)
	runLeadTemplate(t, sf, "salesforce_update_lead")
	leads := leadsWhere(t, sf, "Email = 'lena@initech.example'")
	if len(leads) != 1 {
		t.Fatalf("leads for lena@initech.example: %d, want 1", len(leads))
	}
	wantFields(t, "Lena Lead", leads[0], map[string]any{"FirstName": "Lena", "LastName": "Lead", "Company": "Initech",
		"LeadSource": "Web", "Status": "Open - Not Contacted", "Title": "VP Procurement", "MobilePhone": "+491712345678",
		"Phone": nil})
	// Every PATCH carried only the fields chosen in its conversation, and
	// the statuses came from the org's describe.
	var patches, describes int
	for _, r := range sf.sim.Requests() {
		switch {
		case r.Method == http.MethodPatch && strings.Contains(r.Path, "/sobjects/Lead/00Q"):
			patches++
		case strings.HasSuffix(r.Path, "/sobjects/Lead/describe"):
			describes++
		}
	}
	if patches != 5 {
		t.Errorf("lead updates sent: %d, want 5 (en, de, ja, and the refused title's two; not the declined one)", patches)
	}
	if describes != 1 {
		t.Errorf("Lead describe calls: %d, want 1 (then cached)", describes)
	}
	// The converted status is not offered.
	c := *leadTemplate(t, "salesforce_update_lead")
	c.Tests = []Test{{Name: "converted (en)", Turns: []Turn{
		{Say: "update a lead", Expect: "Which lead?"},
		{Say: "Lena Lead", Expect: "What would you like to change?"},
		{Click: "Status", Expect: "Which status should the lead have?"},
		{Click: "Closed - Converted", Expect: "Anything else"},
	}}}
	err := c.RunTests(context.Background(), sf.options())
	if err == nil || !strings.Contains(err.Error(), `no such button`) || !strings.Contains(err.Error(), `"Closed - Not Converted"`) {
		t.Errorf("clicking Closed - Converted: %v; want no such button among the other statuses", err)
	}
}

// TestDeleteLeadDeletes: the delete template's own conversations delete
// Lena Lead (after a German "Nein" kept her), and German and Japanese
// users delete leads made for them, each only after confirming.
func TestDeleteLeadDeletes(t *testing.T) {
	sf := newSalesforce(t)
	var klara, hanako, keep struct{ ID string }
	klara.ID = sf.create(t, "Lead", map[string]any{"FirstName": "Klara", "LastName": "Klein", "Company": "Klein AG", "Email": "klara@klein.example"})
	hanako.ID = sf.create(t, "Lead", map[string]any{"FirstName": "花子", "LastName": "佐藤", "Company": "佐藤工業", "Email": "hanako@sato.example"})
	keep.ID = sf.create(t, "Lead", map[string]any{"LastName": "Bleibt", "Company": "Bleibt GmbH", "Email": "bleibt@example.org"})
	runLeadTemplate(t, sf, "salesforce_delete_lead")
	runLeadTemplate(t, sf, "salesforce_delete_lead", Test{Name: "löscht per E-Mail (de)", Turns: []Turn{
		{Say: "einen Lead löschen", Expect: "Welcher Lead?"},
		{Say: "klara@klein.example", Expect: "/^Soll ich diesen Lead löschen\\?(?s:.*)\\nKlara Klein — Klein AG\\n/"},
		{Click: "Ja", Expect: "Erledigt. Ich habe den Lead Klara Klein (Klein AG) aus Salesforce gelöscht."},
	}}, Test{Name: "IDで削除 (ja)", Turns: []Turn{
		{Say: "リードを削除したい", Expect: "どのリードですか？"},
		{Say: hanako.ID, Expect: "/^このリードを削除してよろしいですか？(?s:.*)\\n佐藤 花子 — 佐藤工業|花子 佐藤 — 佐藤工業/"},
		{Click: "はい", Expect: "を削除しました。"},
	}}, Test{Name: "no keeps it (en)", Turns: []Turn{
		{Say: "delete a lead", Expect: "Which lead?"},
		{Say: "bleibt@example.org", Expect: "Delete this lead?"},
		{Say: "no", Expect: "Okay, I did not delete it."},
	}})
	for _, email := range []string{"lena@initech.example", "klara@klein.example", "hanako@sato.example"} {
		if n := len(sf.query(t, "SELECT Id FROM Lead WHERE Email = '"+email+"'")); n != 0 {
			t.Errorf("leads for %s after the delete: %d, want 0", email, n)
		}
	}
	if n := len(sf.query(t, "SELECT Id FROM Lead WHERE Id = '"+keep.ID+"'")); n != 1 {
		t.Errorf("the lead the user kept: %d, want 1", n)
	}
}

// TestListLeadsNewestOpenFirst: the list holds only open leads, newest
// first, at most max_leads, and the query says so.
func TestListLeadsNewestOpenFirst(t *testing.T) {
	// Each reading of the clock is a second later: every lead has its own
	// CreatedDate.
	var tick atomic.Int64
	start := time.Now()
	sf := newSalesforce(t, sfsim.WithClock(func() time.Time {
		return start.Add(time.Duration(tick.Add(1)) * time.Second)
	}))
	for _, l := range []map[string]any{
		{"LastName": "Older", "Company": "Old Co"},
		{"LastName": "Closed", "Company": "Gone Co", "Status": "Closed - Not Converted"},
		{"LastName": "Newer", "Company": "New Co"},
	} {
		sf.create(t, "Lead", l)
	}
	sf.sim.ResetRequests()
	runLeadTemplate(t, sf, "salesforce_list_leads", Test{Name: "three open (en)", Turns: []Turn{
		{Say: "list recent leads", Expect: "The 3 most recent open leads, newest first."},
		{Click: "Newer", Expect: "/^Newer — New Co\\nStatus: Open - Not Contacted\\n/"},
	}}, Test{Name: "at most two (en)", Params: map[string]string{"max_leads": "2"}, Turns: []Turn{
		{Say: "list recent leads", Expect: "The 2 most recent open leads"},
		{Click: "Older", Expect: "/^Older — Old Co\\n/"},
	}})
	var queries []string
	for _, r := range sf.sim.Requests() {
		if strings.HasSuffix(r.Path, "/query") {
			v, _ := url.ParseQuery(r.Query)
			queries = append(queries, v.Get("q"))
		}
	}
	if len(queries) != 2 {
		t.Fatalf("queries %q, want 2", queries)
	}
	for i, q := range queries {
		for _, part := range []string{"FROM Lead WHERE", "IsConverted = false", "Status != 'Closed - Not Converted'", "ORDER BY CreatedDate DESC"} {
			if !strings.Contains(q, part) {
				t.Errorf("query %d %q lacks %q", i, q, part)
			}
		}
	}
	if !strings.HasSuffix(queries[0], "LIMIT 10") || !strings.HasSuffix(queries[1], "LIMIT 2") {
		t.Errorf("queries %q, want LIMIT 10 then LIMIT 2", queries)
	}
	// Newest first: the records the first query returned.
	res, err := sf.sim.RunQuery(queries[0], false)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, r := range res.Records {
		names = append(names, r["Name"].(string))
	}
	if want := []string{"Newer", "Older", "Lena Lead"}; !slices.Equal(names, want) {
		t.Errorf("listed %q, want %q", names, want)
	}
}

// TestLeadLookupsRefuseInjection: values that would change a query built
// by string concatenation (quotes, backslashes, LIKE wildcards, SOSL
// operators and reserved characters) find no lead in the lookups by
// e-mail or name (view, update, delete) and nothing extra in the search.
func TestLeadLookupsRefuseInjection(t *testing.T) {
	sf := newSalesforce(t)
	var tests []Test
	for i, v := range []string{
		`x' OR Name != '`, `lena@initech.example' OR Name != '`, `\' OR Email != \'`, `lena@initech.example\`,
		`%`, `_`, `%@%`, `Lena%`, `L_na Lead`, `%' OR '%' = '`, `'`, `\`, `"`, `Lena Lead' LIMIT 1 --`,
	} {
		for _, name := range []string{"salesforce_view_lead", "salesforce_update_lead", "salesforce_delete_lead"} {
			start := map[string]string{"salesforce_view_lead": "view a lead", "salesforce_update_lead": "update a lead", "salesforce_delete_lead": "delete a lead"}[name]
			runLeadTemplate(t, sf, name, Test{Name: fmt.Sprintf("%s #%d (en)", name, i), Turns: []Turn{
				{Say: start, Expect: "Which lead?"},
				{Say: v, Expect: "I could not find a lead with the e-mail address or name"},
			}})
		}
	}
	for i, v := range []string{`Lena OR Globex`, `"Lena" AND NOT x`, `Lena*`, `{Lena}`, `Lena) OR (x`, `Lena \`, `Lena' OR '1'='1`, `*`, `%%`, `??`, `Lena?`} {
		tests = append(tests, Test{Name: fmt.Sprintf("search #%d (en)", i), Turns: []Turn{
			{Say: "search leads", Expect: "What should I search for?"},
			{Say: v, Expect: "/^(No lead matches|Salesforce cannot search for|This lead matches “.*”:\\nLena Lead — Initech\\n)/"},
		}})
	}
	runLeadTemplate(t, sf, "salesforce_search_leads", tests...)
	if n := len(sf.query(t, "SELECT Id FROM Lead")); n != 1 {
		t.Errorf("leads in the org: %d, want the fixture's 1 (no lookup deleted or changed anything)", n)
	}
}

// TestCreateOpportunityStoresEveryAnswer: the opportunity template's own
// conversations leave their opportunities with every answer; the refused
// name and the declined one leave nothing.
func TestCreateOpportunityStoresEveryAnswer(t *testing.T) {
	sf := newSalesforce(t)
	runLeadTemplate(t, sf, "salesforce_create_opportunity")
	tests := []struct {
		name string
		want map[string]any
	}{
		{"Globex - 500 Gadgets", map[string]any{"CloseDate": "2027-03-31", "StageName": "Qualification", "Amount": 25000.0}},
		{"Muster GmbH – Rahmenvertrag", map[string]any{"CloseDate": "2027-06-30", "StageName": "Prospecting", "Amount": nil}},
		{"山田商事 新規導入", map[string]any{"CloseDate": "2027-01-15", "StageName": "Needs Analysis", "Amount": 3000000.0}},
		{"Initech - Printers", map[string]any{"CloseDate": "2027-02-01", "StageName": "Prospecting", "Amount": nil}},
	}
	for _, tt := range tests {
		opps := sf.query(t, "SELECT Id, Name, CloseDate, StageName, Amount FROM Opportunity WHERE Name = '"+tt.name+"'")
		if len(opps) != 1 {
			t.Errorf("opportunities %q: %d, want 1", tt.name, len(opps))
			continue
		}
		wantFields(t, tt.name, opps[0], tt.want)
	}
	if n := len(sf.query(t, "SELECT Id FROM Opportunity")); n != 5 {
		t.Errorf("opportunities in the org: %d, want 5 (the fixture's and four created)", n)
	}
}

// TestSeveralMatchesArePicked: a name or keyword several leads share is
// offered as a list (each with its company), and the lead picked is shown.
func TestSeveralMatchesArePicked(t *testing.T) {
	sf := newSalesforce(t)
	for _, company := range []string{"Muster AG", "Beispiel KG"} {
		sf.create(t, "Lead", map[string]any{"FirstName": "Max", "LastName": "Muster", "Company": company})
	}
	pick := func(start, ref, prompt, lead string) Test {
		return Test{Name: start + " (de)", Turns: []Turn{
			{Say: start, Expect: "Welcher Lead?"},
			{Say: ref, Expect: prompt},
			{Click: "Max Muster", Expect: lead},
		}}
	}
	runLeadTemplate(t, sf, "salesforce_view_lead",
		pick("Lead anzeigen", "Max Muster", "2 Leads passen zu „Max Muster“. Welchen meinen Sie?", "/^Hier ist der Lead:\\nMax Muster — (Muster AG|Beispiel KG)\\n/"))
	runLeadTemplate(t, sf, "salesforce_delete_lead",
		pick("Lead löschen", "max muster", "2 Leads passen zu „max muster“.", "/^Soll ich diesen Lead löschen\\?(?s:.*)\\nMax Muster — (Muster AG|Beispiel KG)\\n/"))
	runLeadTemplate(t, sf, "salesforce_search_leads", Test{Name: "two (en)", Turns: []Turn{
		{Say: "search leads", Expect: "What should I search for?"},
		{Say: "Muster", Expect: "2 leads match “Muster”. Which one would you like to see?"},
		{Click: "Max Muster", Expect: "/^This lead matches “Muster”:\\nMax Muster — (Muster AG|Beispiel KG)\\n/"},
	}})
	if n := len(sf.query(t, "SELECT Id FROM Lead WHERE LastName = 'Muster'")); n != 2 {
		t.Errorf("Muster leads: %d, want 2 (the delete was not confirmed)", n)
	}
}
