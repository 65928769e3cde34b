package sfsim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/botforge/dialogd/internal/golden"
)

// The -update flag is internal/golden's.

var goldenNow = time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)

// goldenCase is one request whose full response (status, key headers, body)
// is pinned in testdata/rest/<name>.golden.
type goldenCase struct {
	name   string
	setup  func(e *testEnv, c *fakeClock) // preconditions, not recorded
	method string
	path   string
	body   string
	hdr    []string
	noAuth bool
}

func must201(e *testEnv, path, body string) string {
	e.t.Helper()
	resp, b := e.call("POST", path, body)
	if resp.StatusCode != http.StatusCreated {
		e.t.Fatalf("setup POST %s: %d %s", path, resp.StatusCode, b)
	}
	return mustJSON(e.t, b).(map[string]any)["id"].(string)
}

const v = "/services/data/v62.0"

var goldenCases = []goldenCase{
	{name: "versions", method: "GET", path: "/services/data/", noAuth: true},
	{name: "resources", method: "GET", path: v + "/"},
	{name: "bad_version", method: "GET", path: "/services/data/v19.0/limits"},
	{name: "no_token", method: "GET", path: v + "/limits", noAuth: true},
	{name: "expired_token", method: "GET", path: v + "/limits",
		setup: func(e *testEnv, c *fakeClock) { c.t = c.t.Add(2*time.Hour + time.Second) }},
	{name: "limits", method: "GET", path: v + "/limits"},
	{name: "limit_exceeded", method: "GET", path: v + "/sobjects/Account/describe",
		setup: func(e *testEnv, c *fakeClock) { e.s.SetAPIUsage(15000) }},
	{name: "create", method: "POST", path: v + "/sobjects/Lead", body: `{"LastName":"Golden","Company":"Gold Inc","email":"gold@gold.example"}`},
	{name: "create_with_id", method: "POST", path: v + "/sobjects/Lead", body: `{"Id":"00QRk0000000001AAA","LastName":"X","Company":"Y"}`},
	{name: "create_required_missing", method: "POST", path: v + "/sobjects/Lead", body: `{"FirstName":"Only"}`},
	{name: "create_unknown_field", method: "POST", path: v + "/sobjects/Account", body: `{"Name":"A","Bogus__c":1}`},
	{name: "create_too_long", method: "POST", path: v + "/sobjects/Lead", body: `{"LastName":"X","Company":"Y","FirstName":"` + strings.Repeat("n", 41) + `"}`},
	{name: "create_bad_email", method: "POST", path: v + "/sobjects/Contact", body: `{"LastName":"X","Email":"not an email"}`},
	{name: "create_restricted_picklist", method: "POST", path: v + "/sobjects/Lead", body: `{"LastName":"X","Company":"Y","Status":"Dreaming"}`},
	{name: "create_read_only_field", method: "POST", path: v + "/sobjects/Lead", body: `{"LastName":"X","Company":"Y","IsConverted":true}`},
	{name: "create_bad_json", method: "POST", path: v + "/sobjects/Lead", body: `{"LastName":`},
	{name: "create_malformed_reference", method: "POST", path: v + "/sobjects/Task", body: `{"Subject":"Call","WhatId":"00QRk0000000001"}`},
	{name: "create_duplicate", method: "POST", path: v + "/sobjects/Contact", body: `{"LastName":"Doe","Email":"JANE.DOE@acme.example"}`},
	{name: "create_duplicate_allowed", method: "POST", path: v + "/sobjects/Contact", body: `{"LastName":"Doe","Email":"jane.doe@acme.example"}`,
		hdr: []string{"Sforce-Duplicate-Rule-Header", "allowSave=true"}},
	{name: "create_not_createable", method: "POST", path: v + "/sobjects/UserServicePresence", body: `{}`},
	{name: "create_unknown_object", method: "POST", path: v + "/sobjects/Widget", body: `{}`},
	{name: "read", method: "GET", path: v + "/sobjects/Account/{acme15}?fields=Name,Industry"},
	{name: "read_all_fields", method: "GET", path: v + "/sobjects/Case/{case}"},
	{name: "read_not_found", method: "GET", path: v + "/sobjects/Account/001Rk0000000zzz"},
	{name: "read_not_an_id", method: "GET", path: v + "/sobjects/Account/hello"},
	{name: "read_bad_fields", method: "GET", path: v + "/sobjects/Account/{acme15}?fields=Nope"},
	{name: "update", method: "PATCH", path: v + "/sobjects/Account/{acme}", body: `{"Industry":"Banking"}`},
	{name: "delete", method: "DELETE", path: v + "/sobjects/Account/{globex15}"},
	{name: "read_deleted", method: "GET", path: v + "/sobjects/Account/{globex15}",
		setup: func(e *testEnv, c *fakeClock) {
			e.call("DELETE", resolvePlaceholders(e, v+"/sobjects/Account/{globex15}"), nil)
		}},
	{name: "upsert_insert", method: "PATCH", path: v + "/sobjects/Account/External_Id__c/A-1", body: `{"Name":"Upserted"}`},
	{name: "upsert_update_v62", method: "PATCH", path: v + "/sobjects/Account/External_Id__c/A-1", body: `{"Name":"Again"}`,
		setup: func(e *testEnv, c *fakeClock) {
			must201(e, v+"/sobjects/Account", `{"Name":"U","External_Id__c":"A-1"}`)
		}},
	{name: "upsert_update_v45", method: "PATCH", path: "/services/data/v45.0/sobjects/Account/External_Id__c/A-1", body: `{"Name":"Again"}`,
		setup: func(e *testEnv, c *fakeClock) {
			must201(e, v+"/sobjects/Account", `{"Name":"U","External_Id__c":"A-1"}`)
		}},
	{name: "upsert_multiple", method: "PATCH", path: v + "/sobjects/Account/External_Id__c/A-2", body: `{"Name":"Again"}`,
		setup: func(e *testEnv, c *fakeClock) {
			must201(e, v+"/sobjects/Account", `{"Name":"U1","External_Id__c":"A-2"}`)
			must201(e, v+"/sobjects/Account", `{"Name":"U2","External_Id__c":"A-2"}`)
		}},
	{name: "upsert_unknown_field", method: "PATCH", path: v + "/sobjects/Account/Nope__c/A-1", body: `{"Name":"X"}`},
	{name: "query_relationships", method: "GET", path: v + "/query?q=" + qesc("SELECT Id, Name, Account.Name, (SELECT Id, Subject FROM Cases) FROM Contact WHERE Email = 'jane.doe@acme.example'")},
	{name: "query_count", method: "GET", path: v + "/query?q=" + qesc("SELECT COUNT() FROM Account")},
	{name: "query_malformed", method: "GET", path: v + "/query?q=" + qesc("SELECT Id FROM")},
	{name: "query_unknown_object", method: "GET", path: v + "/query?q=" + qesc("SELECT Id FROM Bogus")},
	{name: "query_unknown_field", method: "GET", path: v + "/query?q=" + qesc("SELECT foo FROM Account")},
	{name: "query_bad_locator", method: "GET", path: v + "/query/01gRk00000000zzAAA-2000"},
	{name: "query_all_deleted", method: "GET", path: v + "/queryAll?q=" + qesc("SELECT Id, IsDeleted FROM Account WHERE Name = 'Globex'"),
		setup: func(e *testEnv, c *fakeClock) {
			e.call("DELETE", resolvePlaceholders(e, v+"/sobjects/Account/{globex15}"), nil)
		}},
	{name: "search", method: "GET", path: v + "/search?q=" + qesc("FIND {Acme} RETURNING Account(Name), Contact(Name, Email)")},
	{name: "search_no_braces", method: "GET", path: v + "/search?q=" + qesc("FIND Acme")},
	{name: "parameterized_search", method: "GET", path: v + "/parameterizedSearch?q=Acme&sobject=Account&Account.fields=id,name&Account.limit=10"},
	{name: "composite", method: "POST", path: v + "/composite", body: `{"allOrNone":true,"compositeRequest":[
		{"method":"POST","url":"/services/data/v62.0/sobjects/Account","referenceId":"refAcct","body":{"Name":"Comp"}},
		{"method":"POST","url":"/services/data/v62.0/sobjects/Contact","referenceId":"refCon","body":{"LastName":"Doe","AccountId":"@{refAcct.id}"}},
		{"method":"GET","url":"/services/data/v62.0/sobjects/Contact/@{refCon.id}?fields=AccountId","referenceId":"refGet"}]}`},
	{name: "composite_all_or_none_failure", method: "POST", path: v + "/composite", body: `{"allOrNone":true,"compositeRequest":[
		{"method":"POST","url":"/services/data/v62.0/sobjects/Account","referenceId":"refAcct","body":{"Name":"Comp"}},
		{"method":"POST","url":"/services/data/v62.0/sobjects/Contact","referenceId":"refCon","body":{"FirstName":"NoLast"}},
		{"method":"GET","url":"/services/data/v62.0/limits","referenceId":"refLim"}]}`},
	{name: "collections_partial", method: "POST", path: v + "/composite/sobjects", body: `{"allOrNone":false,"records":[
		{"attributes":{"type":"Lead"},"LastName":"X","Company":"Y"},{"attributes":{"type":"Lead"},"LastName":"X"}]}`},
	{name: "collections_all_or_none", method: "POST", path: v + "/composite/sobjects", body: `{"allOrNone":true,"records":[
		{"attributes":{"type":"Lead"},"LastName":"X","Company":"Y"},{"attributes":{"type":"Lead"},"LastName":"X"}]}`},
	{name: "collections_retrieve", method: "GET", path: v + "/composite/sobjects/Account?ids={acme},001Rk0000000zzz&fields=Name"},
	{name: "collections_delete", method: "DELETE", path: v + "/composite/sobjects?ids={globex15},003Rk0000000zzz&allOrNone=false"},
	{name: "fault_unavailable", method: "GET", path: v + "/limits",
		setup: func(e *testEnv, c *fakeClock) { _ = e.s.FailNext(1, FaultUnavailable, "") }},
	{name: "fault_lock_row", method: "PATCH", path: v + "/sobjects/Account/{acme15}", body: `{"Name":"Locked"}`,
		setup: func(e *testEnv, c *fakeClock) { _ = e.s.FailNext(1, FaultLockRow, "/sobjects") }},
	{name: "global_describe", method: "GET", path: v + "/sobjects"},
	{name: "describe_lead", method: "GET", path: v + "/sobjects/Lead/describe"},
	{name: "method_not_allowed", method: "PUT", path: v + "/sobjects/Account"},
}

func qesc(q string) string { return strings.ReplaceAll(strings.ReplaceAll(q, " ", "+"), "'", "%27") }

func TestRESTGolden(t *testing.T) {
	for _, gc := range goldenCases {
		t.Run(gc.name, func(t *testing.T) {
			clock := &fakeClock{t: goldenNow}
			e := newEnv(t, WithClock(clock.now))
			if gc.setup != nil {
				gc.setup(e, clock)
			}
			e.s.ResetRequests()
			if gc.noAuth {
				e.token = ""
			}
			p := resolvePlaceholders(e, gc.path)
			resp, body := e.call(gc.method, p, nullIfEmpty(resolvePlaceholders(e, gc.body)), gc.hdr...)
			got := renderExchange(t, gc, resp, body)
			path := filepath.Join("testdata", "rest", gc.name+".golden")
			golden.Check(t, path, []byte(got))
		})
	}
}

// resolvePlaceholders replaces {acme}, {acme15}, {globex15} and {case} with
// ids of demo records.
func resolvePlaceholders(e *testEnv, s string) string {
	if !strings.Contains(s, "{") {
		return s
	}
	byName := func(object, field, value string) string {
		recs := e.s.findRecords(object, func(r map[string]any) bool { return r[field] == value })
		if len(recs) == 0 {
			return "00000000000000000"
		}
		return recs[0]["Id"].(string)
	}
	acme := byName("Account", "Name", "Acme Corporation")
	globex := byName("Account", "Name", "Globex")
	cs := byName("Case", "Subject", "Widget arrived broken")
	return strings.NewReplacer("{acme}", acme, "{acme15}", acme[:15], "{globex15}", globex[:15], "{case}", cs).Replace(s)
}

func nullIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// renderExchange prints the request line, status, the headers that matter
// and the indented JSON body.
func renderExchange(t *testing.T, gc goldenCase, resp *http.Response, body []byte) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s\n", gc.method, gc.path)
	for i := 0; i+1 < len(gc.hdr); i += 2 {
		fmt.Fprintf(&b, "%s: %s\n", gc.hdr[i], gc.hdr[i+1])
	}
	if gc.body != "" {
		fmt.Fprintf(&b, "\n%s\n", gc.body)
	}
	fmt.Fprintf(&b, "\nHTTP %d\n", resp.StatusCode)
	for _, h := range []string{"Content-Type", "Location", "Sforce-Limit-Info"} {
		if v := resp.Header.Get(h); v != "" {
			fmt.Fprintf(&b, "%s: %s\n", h, v)
		}
	}
	if len(body) > 0 {
		var out bytes.Buffer
		if err := json.Indent(&out, body, "", "  "); err != nil {
			t.Fatalf("body is not JSON: %q", body)
		}
		fmt.Fprintf(&b, "\n%s\n", out.String())
	}
	return b.String()
}
