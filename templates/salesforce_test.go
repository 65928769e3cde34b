package templates

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/botforge/dialogd/auth"
	"github.com/botforge/dialogd/dialog/convtest"
	"github.com/botforge/dialogd/internal/salesforcetest"
	"github.com/botforge/dialogd/sfsim"
)

// salesforce is the Salesforce emulator the salesforce_* templates are
// tested against, with a pre_authorized password-flow profile named
// "salesforce" for the demo org's user (internal/salesforcetest).
type salesforce struct {
	sim     *sfsim.Server
	url     string
	auth    *auth.Manager
	records *convtest.Salesforce // the data API as the demo user
}

func newSalesforce(t *testing.T, opts ...sfsim.Option) *salesforce {
	t.Helper()
	org := salesforcetest.Start(t, "template_check", opts...)
	return &salesforce{sim: org.Sim, url: org.URL, auth: org.Auth, records: org.Records(t)}
}

func (sf *salesforce) options() TestOptions { return TestOptions{Auth: sf.auth} }

// create makes a record through the data API and returns its id.
func (sf *salesforce) create(t *testing.T, object string, fields map[string]any) string {
	t.Helper()
	id, err := sf.records.Create(context.Background(), object, fields)
	if err != nil {
		t.Fatalf("create %s: %v", object, err)
	}
	return id
}

// query runs SOQL through the data API.
func (sf *salesforce) query(t *testing.T, soql string) []map[string]any {
	t.Helper()
	rows, err := sf.records.Query(context.Background(), soql)
	if err != nil {
		t.Fatalf("%s: %v", soql, err)
	}
	return rows
}

// withTests returns a copy of the template that runs only tests.
func withTests(t *testing.T, name string, tests ...Test) *Template {
	t.Helper()
	tpl, err := Get(name)
	if err != nil {
		t.Fatal(err)
	}
	c := *tpl
	c.Tests = tests
	return &c
}

// leadConversation creates a lead for email and expects want at the end.
func leadConversation(email, want string) Test {
	return Test{Name: "lead " + email, Turns: []Turn{
		{Say: "create a lead", Expect: "first name"},
		{Say: "Pat", Expect: "last name"},
		{Say: "Quinn", Expect: "company"},
		{Say: "Quinn & Co", Expect: "e-mail"},
		{Say: email, Expect: "phone"},
		{Say: "skip", Expect: "Create a lead for Pat Quinn"},
		{Say: "yes", Expect: want},
	}}
}

func TestSalesforceCreateLeadWritesTheLead(t *testing.T) {
	sf := newSalesforce(t)
	tpl, err := Get("salesforce_create_lead")
	if err != nil {
		t.Fatal(err)
	}
	if err := tpl.RunTests(context.Background(), sf.options()); err != nil {
		t.Fatal(err)
	}
	leads := sf.query(t, "SELECT FirstName, LastName, Company, Email, Phone, LeadSource FROM Lead WHERE Email = 'jane.roe@roe-industries.example'")
	if len(leads) != 1 {
		t.Fatalf("sfsim has %d leads for jane.roe@roe-industries.example, want 1", len(leads))
	}
	want := map[string]any{"FirstName": "Jane", "LastName": "Roe", "Company": "Roe Industries",
		"Email": "jane.roe@roe-industries.example", "Phone": "+14155550199", "LeadSource": "Web"}
	for k, v := range want {
		if got := leads[0][k]; got != v {
			t.Errorf("Lead.%s = %#v, want %#v", k, got, v)
		}
	}
	// The declined and the duplicate conversation created nothing more.
	if n := len(sf.query(t, "SELECT Id FROM Lead WHERE Email = 'ann@acme.example'")); n != 0 {
		t.Errorf("declined conversation created %d leads", n)
	}
	if n := len(sf.query(t, "SELECT Id FROM Lead WHERE Email = 'lena@initech.example'")); n != 1 {
		t.Errorf("sfsim has %d leads for lena@initech.example, want the fixture's 1", n)
	}
	// Every create went to the Lead resource of the node's API version,
	// and each 201 is one lead more than the fixture's: nothing created
	// twice.
	created := 0
	for _, r := range sf.sim.Requests() {
		if r.Method != http.MethodPost || !strings.HasPrefix(r.Path, "/services/data/") {
			continue
		}
		if r.Path != "/services/data/v62.0/sobjects/Lead" {
			t.Errorf("data API POST to %s; want only /services/data/v62.0/sobjects/Lead", r.Path)
		}
		if r.Status == http.StatusCreated {
			created++
		}
	}
	if all := len(sf.query(t, "SELECT Id FROM Lead")); created == 0 || all != created+1 {
		t.Errorf("%d creates answered 201, %d leads in the org; want one lead per create beside the fixture's", created, all)
	}
}

func TestSalesforceCreateLeadExplainsErrors(t *testing.T) {
	requiredRegion := func() sfsim.Option {
		fx, err := sfsim.DemoFixture()
		if err != nil {
			t.Fatal(err)
		}
		fx.CustomFields["Lead"] = append(fx.CustomFields["Lead"],
			sfsim.CustomField{Name: "Region__c", Label: "Region", Type: "string", Length: 40, Required: true})
		for _, r := range fx.Records["Lead"] {
			r["Region__c"] = "EMEA"
		}
		return sfsim.WithFixture(fx)
	}
	tests := []struct {
		name  string
		opts  func() []sfsim.Option
		setup func(t *testing.T, sf *salesforce)
		want  string
	}{
		{"org requires another field", func() []sfsim.Option { return []sfsim.Option{requiredRegion()} }, nil,
			"/a field it requires was empty \\(.*Region.*\\)/"},
		{"unavailable", nil, func(t *testing.T, sf *salesforce) {
			if err := sf.sim.FailNext(1, sfsim.FaultUnavailable, "/sobjects/Lead"); err != nil {
				t.Fatal(err)
			}
		}, "Salesforce is not answering right now, so the lead is not created yet. I have kept your answers. Shall I try again?"},
		{"daily limit", nil, func(t *testing.T, sf *salesforce) {
			if err := sf.sim.FailNext(1, sfsim.FaultRequestLimit, "/sobjects/Lead"); err != nil {
				t.Fatal(err)
			}
		}, "Salesforce has reached its API limit for today"},
		{"record locked", nil, func(t *testing.T, sf *salesforce) {
			if err := sf.sim.FailNext(1, sfsim.FaultLockRow, "/sobjects/Lead"); err != nil {
				t.Fatal(err)
			}
		}, "Salesforce is not answering right now, so the lead is not created yet. I have kept your answers. Shall I try again?"},
		{"credentials refused", nil, func(t *testing.T, sf *salesforce) {
			salesforcetest.BreakPassword(t)
		}, "an administrator needs to reconnect it"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var opts []sfsim.Option
			if tt.opts != nil {
				opts = tt.opts()
			}
			sf := newSalesforce(t, opts...)
			if tt.setup != nil {
				tt.setup(t, sf)
			}
			tpl := withTests(t, "salesforce_create_lead", leadConversation("pat@quinn.example", tt.want))
			if err := tpl.RunTests(context.Background(), sf.options()); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestSalesforceFindOpenCasesListsOnlyOpenOnes(t *testing.T) {
	sf := newSalesforce(t)
	var contact struct{ ID string }
	contact.ID = sf.create(t, "Contact", map[string]any{
		"FirstName": "Kim", "LastName": "Case", "Email": "kim@case.example"})
	for _, c := range []map[string]any{
		{"Subject": "Invoice is wrong", "Status": "Working"},
		{"Subject": "Old question", "Status": "Closed"},
		{"Subject": "Login fails", "Status": "New"},
	} {
		c["ContactId"], c["Origin"] = contact.ID, "Web"
		sf.create(t, "Case", c)
	}
	want := "/^Open cases for kim@case\\.example:\n#\\d{8}: Login fails \\(New\\)\n#\\d{8}: Invoice is wrong \\(Working\\)$/"
	tpl := withTests(t, "salesforce_find_open_cases", Test{
		Name:     "two open of three",
		Identity: &TestIdentity{Email: "kim@case.example", Verified: true},
		Turns:    []Turn{{Say: "check my cases", Expect: want}},
	}, Test{
		Name:   "limited",
		Params: map[string]string{"max_cases": "1"},
		Turns:  []Turn{{Say: "check my cases", Expect: "e-mail"}, {Say: "kim@case.example", Expect: "/: Login fails \\(New\\)$/"}},
	})
	if err := tpl.RunTests(context.Background(), sf.options()); err != nil {
		t.Fatal(err)
	}
}

func TestSalesforceFindOpenCasesEscapesTheAddress(t *testing.T) {
	sf := newSalesforce(t)
	// A verified identity's e-mail claim is not checked like a typed
	// entity: it must still stay inside the SOQL string literal.
	evil := `x\' OR Contact.Email != 'y`
	tpl := withTests(t, "salesforce_find_open_cases", Test{
		Name:     "injection",
		Identity: &TestIdentity{Email: evil, Verified: true},
		Turns:    []Turn{{Say: "my open cases", Expect: "There are no open cases for " + evil + "."}},
	})
	if err := tpl.RunTests(context.Background(), sf.options()); err != nil {
		t.Fatal(err)
	}
	var queries []string
	for _, r := range sf.sim.Requests() {
		if strings.HasSuffix(r.Path, "/query") {
			if r.Status != http.StatusOK {
				t.Errorf("query answered %d, want 200", r.Status)
			}
			v, err := url.ParseQuery(r.Query)
			if err != nil {
				t.Fatalf("query string %q: %v", r.Query, err)
			}
			queries = append(queries, v.Get("q"))
		}
	}
	want := `SELECT Id, CaseNumber, Subject, Status FROM Case WHERE Contact.Email = 'x\\\' OR Contact.Email != \'y' AND IsClosed = false ORDER BY CaseNumber DESC LIMIT 10`
	if len(queries) != 1 || queries[0] != want {
		t.Errorf("queries = %q, want [%q]", queries, want)
	}
}

func TestSalesforceCreateCaseLinksTheContact(t *testing.T) {
	sf := newSalesforce(t)
	tpl := withTests(t, "salesforce_create_case", Test{
		Name:     "verified",
		Identity: &TestIdentity{Email: "jane.doe@acme.example", Verified: true},
		Turns: []Turn{
			{Say: "open a case", Expect: "in a few words"},
			{Say: "Rattling widget", Expect: "more detail"},
			{Say: "It rattles.", Expect: "Open a case"},
			{Say: "yes", Expect: "/^Your case \\d{8} is open\\./"},
		},
	}, Test{
		Name: "unknown address",
		Turns: []Turn{
			{Say: "open a case", Expect: "in a few words"},
			{Say: "Billing question", Expect: "more detail"},
			{Say: "Why two invoices?", Expect: "e-mail address"},
			{Say: "new.customer@example.org", Expect: "Open a case"},
			{Say: "yes", Expect: "/^Your case \\d{8} is open\\./"},
		},
	})
	if err := tpl.RunTests(context.Background(), sf.options()); err != nil {
		t.Fatal(err)
	}
	jane := sf.query(t, "SELECT Id FROM Contact WHERE Email = 'jane.doe@acme.example'")
	if len(jane) != 1 {
		t.Fatalf("fixture has %d contacts jane.doe@acme.example, want 1", len(jane))
	}
	tests := []struct {
		subject string
		want    map[string]any
	}{
		{"Rattling widget", map[string]any{"ContactId": jane[0]["Id"], "SuppliedEmail": "jane.doe@acme.example",
			"Description": "It rattles.", "Origin": "Web", "Status": "New"}},
		{"Billing question", map[string]any{"ContactId": nil, "SuppliedEmail": "new.customer@example.org",
			"Description": "Why two invoices?"}},
	}
	for _, tt := range tests {
		cases := sf.query(t, "SELECT ContactId, SuppliedEmail, Description, Origin, Status FROM Case WHERE Subject = '"+tt.subject+"'")
		if len(cases) != 1 {
			t.Errorf("%d cases %q, want 1", len(cases), tt.subject)
			continue
		}
		for k, v := range tt.want {
			if got := cases[0][k]; got != v {
				t.Errorf("case %q: %s = %#v, want %#v", tt.subject, k, got, v)
			}
		}
	}
}

func TestSalesforceTemplatesNeedTheProfile(t *testing.T) {
	for _, name := range []string{"salesforce_create_case", "salesforce_create_lead", "salesforce_find_open_cases"} {
		t.Run(name, func(t *testing.T) {
			dir := newBot(t)
			_, err := Install(dir, name, nil)
			if err == nil || !strings.Contains(err.Error(), `auth profile "salesforce" is not declared`) {
				t.Fatalf("Install into a bot without the profile: error = %v, want the missing profile named", err)
			}
			bot := "name: installed\nauth_profiles:\n  crm:\n    kind: none\n"
			if err := os.WriteFile(filepath.Join(dir, "bot.yaml"), []byte(bot), 0o644); err != nil {
				t.Fatal(err)
			}
			path, err := Install(dir, name, map[string]string{"auth_profile": "crm"})
			if err != nil {
				t.Fatalf("Install with auth_profile=crm: %v", err)
			}
			data, _ := os.ReadFile(path)
			if !bytes.Contains(data, []byte("auth: crm")) {
				t.Errorf("installed task does not use profile crm:\n%s", data)
			}
		})
	}
}

func TestSalesforceTemplatesWithoutAuthorizerFail(t *testing.T) {
	// Without TestOptions.Auth the profile is a stub without a base URL:
	// the path URL cannot be called, and RunTests says so.
	tpl, err := Get("salesforce_find_open_cases")
	if err != nil {
		t.Fatal(err)
	}
	err = tpl.RunTests(context.Background(), TestOptions{})
	var tf *TestFailure
	if !errors.As(err, &tf) {
		t.Fatalf("RunTests error = %v, want a *TestFailure", err)
	}
}

func TestAuthProfiles(t *testing.T) {
	tests := []struct {
		name string
		task string
		want []string
	}{
		{"none", "name: t\nnodes: [{id: a, type: message, text: hi}]\n", nil},
		{"sorted and distinct", "nodes: [{id: a, auth: sf}, {id: b, auth: crm}, {id: c, auth: sf}]\n", []string{"crm", "sf"}},
		{"not a string", "nodes: [{id: a, auth: [x]}, {id: b, auth: 3}]\n", nil},
		{"not yaml", "nodes: [", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := authProfiles([]byte(tt.task)); !slices.Equal(got, tt.want) {
				t.Errorf("authProfiles = %q, want %q", got, tt.want)
			}
		})
	}
}

// FuzzAuthProfiles checks that any task text gives sorted, distinct,
// non-empty names and never panics.
func FuzzAuthProfiles(f *testing.F) {
	for _, s := range []string{"nodes: [{auth: a}]", "nodes: {auth: a}", "nodes: [{auth: {x: 1}}]", "- a", "nodes: [{auth: &a b}, {auth: *a}]"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, task string) {
		got := authProfiles([]byte(task))
		if !slices.IsSorted(got) || len(slices.Compact(slices.Clone(got))) != len(got) {
			t.Errorf("authProfiles = %q: not sorted and distinct", got)
		}
		if slices.Contains(got, "") {
			t.Errorf("authProfiles = %q holds an empty name", got)
		}
	})
}
