package sfsim

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	salesforce "github.com/k-capehart/go-salesforce/v3"
)

// These tests drive sfsim with an independent client,
// github.com/k-capehart/go-salesforce/v3, logged in with an access token
// issued through the Go API.

type headerRT struct {
	base http.RoundTripper
	hdr  map[string]string
}

func (h headerRT) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	for k, v := range h.hdr {
		r.Header.Set(k, v)
	}
	return h.base.RoundTrip(r)
}

func gosfClient(t *testing.T, e *testEnv, opts ...salesforce.Option) *salesforce.Salesforce {
	t.Helper()
	sf, err := salesforce.Init(salesforce.Creds{Domain: e.ts.URL, AccessToken: e.token}, opts...)
	if err != nil {
		t.Fatalf("go-salesforce Init with access token: %v", err)
	}
	return sf
}

type contactRow struct {
	Id        string
	FirstName string
	LastName  string
	Email     string
	AccountId string
}

func TestGoSalesforceCRUD(t *testing.T) {
	e := newEnv(t)
	sf := gosfClient(t, e)
	res, err := sf.InsertOne("Contact", map[string]any{"FirstName": "Ada", "LastName": "Lovelace", "Email": "ada@engine.example"})
	if err != nil || !res.Success || !strings.HasPrefix(res.Id, "003") || len(res.Id) != 18 {
		t.Fatalf("InsertOne = %+v, %v; want success with an 18-char 003 id", res, err)
	}
	var got []contactRow
	if err := sf.Query("SELECT Id, FirstName, LastName, Email FROM Contact WHERE Id = '"+res.Id+"'", &got); err != nil {
		t.Fatalf("Query: %v", err)
	}
	if len(got) != 1 || got[0].LastName != "Lovelace" || got[0].Email != "ada@engine.example" {
		t.Fatalf("Query after insert = %+v", got)
	}
	if err := sf.UpdateOne("Contact", map[string]any{"Id": res.Id, "LastName": "King"}); err != nil {
		t.Fatalf("UpdateOne: %v", err)
	}
	got = nil
	if err := sf.Query("SELECT Id, LastName FROM Contact WHERE Id = '"+res.Id+"'", &got); err != nil || len(got) != 1 || got[0].LastName != "King" {
		t.Fatalf("Query after update = %+v, %v; want LastName King", got, err)
	}
	if err := sf.DeleteOne("Contact", map[string]any{"Id": res.Id}); err != nil {
		t.Fatalf("DeleteOne: %v", err)
	}
	got = nil
	if err := sf.Query("SELECT Id FROM Contact WHERE Id = '"+res.Id+"'", &got); err != nil || len(got) != 0 {
		t.Fatalf("Query after delete = %+v, %v; want none", got, err)
	}
	// A validation error surfaces as the client's error with Salesforce's body.
	_, err = sf.InsertOne("Contact", map[string]any{"FirstName": "NoLast"})
	if err == nil || !strings.Contains(err.Error(), "REQUIRED_FIELD_MISSING") {
		t.Fatalf("InsertOne without LastName: err = %v; want REQUIRED_FIELD_MISSING", err)
	}
}

func TestGoSalesforceUpsert(t *testing.T) {
	e := newEnv(t)
	sf := gosfClient(t, e)
	rec := map[string]any{"External_Id__c": "EXT-1", "LastName": "Upsert", "Company": "Up Co"}
	ins, err := sf.UpsertOne("Lead", "External_Id__c", rec)
	if err != nil || !ins.Success || ins.Id == "" {
		t.Fatalf("UpsertOne insert = %+v, %v", ins, err)
	}
	rec = map[string]any{"External_Id__c": "EXT-1", "LastName": "Upserted", "Company": "Up Co"}
	upd, err := sf.UpsertOne("Lead", "External_Id__c", rec)
	if err != nil || !upd.Success || upd.Id != ins.Id {
		t.Fatalf("UpsertOne update = %+v, %v; want the same id %s", upd, err, ins.Id)
	}
	var leads []struct{ Id, LastName string }
	if err := sf.Query("SELECT Id, LastName FROM Lead WHERE External_Id__c = 'EXT-1'", &leads); err != nil {
		t.Fatal(err)
	}
	if len(leads) != 1 || leads[0].LastName != "Upserted" {
		t.Fatalf("after upserts: %+v; want one lead named Upserted", leads)
	}
	// Status codes as the client saw them, from the request log.
	var statuses []int
	for _, r := range e.s.Requests() {
		if r.Method == http.MethodPatch {
			statuses = append(statuses, r.Status)
		}
	}
	if fmt.Sprint(statuses) != "[201 200]" {
		t.Errorf("upsert statuses = %v; want [201 200] (API v63.0)", statuses)
	}
}

func TestGoSalesforceQueryPaging(t *testing.T) {
	e := newEnv(t)
	sf := gosfClient(t, e, salesforce.WithRoundTripper(headerRT{base: http.DefaultTransport,
		hdr: map[string]string{"Sforce-Query-Options": "batchSize=200"}}))
	recs := make([]map[string]any, 1000)
	for i := range recs {
		recs[i] = map[string]any{"LastName": fmt.Sprintf("Page%04d", i), "Company": "PageCo"}
	}
	res, err := sf.InsertCollection("Lead", recs, 200)
	if err != nil || res.HasSalesforceErrors || len(res.Results) != 1000 {
		t.Fatalf("InsertCollection: %d results, errors=%v, err=%v", len(res.Results), res.HasSalesforceErrors, err)
	}
	e.s.ResetRequests()
	var got []struct{ Id, LastName string }
	if err := sf.Query("SELECT Id, LastName FROM Lead WHERE Company = 'PageCo' ORDER BY LastName", &got); err != nil {
		t.Fatalf("Query: %v", err)
	}
	if len(got) != 1000 {
		t.Fatalf("Query returned %d records; want 1000", len(got))
	}
	seen := map[string]bool{}
	for i, r := range got {
		if want := fmt.Sprintf("Page%04d", i); r.LastName != want {
			t.Fatalf("record %d = %s; want %s", i, r.LastName, want)
		}
		if seen[r.Id] {
			t.Fatalf("duplicate id %s across pages", r.Id)
		}
		seen[r.Id] = true
	}
	calls := e.s.Requests()
	if len(calls) != 5 {
		t.Fatalf("query took %d calls; want 5 pages of 200", len(calls))
	}
	for _, c := range calls[1:] {
		if !strings.HasPrefix(c.Path, "/services/data/v63.0/query/01g") {
			t.Errorf("page call path = %s; want /services/data/v63.0/query/<locator>", c.Path)
		}
	}
}

func TestGoSalesforceCollectionsPartialFailure(t *testing.T) {
	e := newEnv(t)
	sf := gosfClient(t, e)
	recs := []map[string]any{
		{"LastName": "Good1", "Company": "C"},
		{"LastName": "Bad"},
		{"LastName": "Good2", "Company": "C", "Email": "not an email"},
		{"LastName": "Good3", "Company": "C"},
	}
	res, err := sf.InsertCollection("Lead", recs, 200)
	if err != nil {
		t.Fatalf("InsertCollection: %v", err)
	}
	if !res.HasSalesforceErrors || len(res.Results) != 4 {
		t.Fatalf("results = %+v; want 4 with errors", res)
	}
	want := []struct {
		ok   bool
		code string
	}{{true, ""}, {false, "REQUIRED_FIELD_MISSING"}, {false, "INVALID_EMAIL_ADDRESS"}, {true, ""}}
	for i, w := range want {
		r := res.Results[i]
		if r.Success != w.ok {
			t.Errorf("result %d success = %v; want %v", i, r.Success, w.ok)
		}
		if !w.ok && (len(r.Errors) != 1 || r.Errors[0].StatusCode != w.code) {
			t.Errorf("result %d errors = %+v; want statusCode %s", i, r.Errors, w.code)
		}
	}
	// allOrNone through /composite: nothing is kept.
	before := len(e.s.findRecords("Lead", func(map[string]any) bool { return true }))
	res, err = sf.InsertComposite("Lead", recs, 200, true)
	if err != nil {
		t.Fatalf("InsertComposite: %v", err)
	}
	after := len(e.s.findRecords("Lead", func(map[string]any) bool { return true }))
	if after != before {
		t.Errorf("allOrNone composite kept %d records; want 0", after-before)
	}
	if !res.HasSalesforceErrors {
		t.Errorf("allOrNone composite reported no errors")
	}
	for i, r := range res.Results {
		if r.Success {
			t.Errorf("allOrNone result %d succeeded", i)
		}
		if (i == 0 || i == 3) && (len(r.Errors) == 0 || r.Errors[0].StatusCode != "ALL_OR_NONE_OPERATION_ROLLED_BACK") {
			t.Errorf("allOrNone result %d errors = %+v; want ALL_OR_NONE_OPERATION_ROLLED_BACK", i, r.Errors)
		}
	}
}

func TestGoSalesforceCompositeUpdateDelete(t *testing.T) {
	e := newEnv(t)
	sf := gosfClient(t, e)
	recs := []map[string]any{{"Name": "Comp A"}, {"Name": "Comp B"}}
	res, err := sf.InsertComposite("Account", recs, 1, true)
	if err != nil || res.HasSalesforceErrors || len(res.Results) != 2 {
		t.Fatalf("InsertComposite = %+v, %v", res, err)
	}
	upd := []map[string]any{{"Id": res.Results[0].Id, "Name": "Comp A2"}, {"Id": res.Results[1].Id, "Name": "Comp B2"}}
	if r, err := sf.UpdateComposite("Account", upd, 1, true); err != nil || r.HasSalesforceErrors {
		t.Fatalf("UpdateComposite = %+v, %v", r, err)
	}
	var accts []struct{ Id, Name string }
	if err := sf.Query("SELECT Id, Name FROM Account WHERE Name LIKE 'Comp %' ORDER BY Name", &accts); err != nil {
		t.Fatal(err)
	}
	if len(accts) != 2 || accts[0].Name != "Comp A2" || accts[1].Name != "Comp B2" {
		t.Fatalf("after UpdateComposite: %+v", accts)
	}
	del := []map[string]any{{"Id": res.Results[0].Id}, {"Id": res.Results[1].Id}}
	if r, err := sf.DeleteComposite("Account", del, 2, true); err != nil || r.HasSalesforceErrors {
		t.Fatalf("DeleteComposite = %+v, %v", r, err)
	}
	accts = nil
	if err := sf.Query("SELECT Id FROM Account WHERE Name LIKE 'Comp %'", &accts); err != nil || len(accts) != 0 {
		t.Fatalf("after DeleteComposite: %+v, %v", accts, err)
	}
}

func TestGoSalesforceAccessTokenExpiry(t *testing.T) {
	e := newEnv(t)
	sf := gosfClient(t, e)
	e.s.ExpireAccessTokens()
	var got []struct{ Id string }
	err := sf.Query("SELECT Id FROM Account", &got)
	// An access-token login cannot refresh: the client reports the failure.
	if err == nil || !strings.Contains(err.Error(), "unable to refresh session") {
		t.Fatalf("Query with expired access token: err = %v; want a refresh failure", err)
	}
}

func TestGoSalesforceRecoversFrom401(t *testing.T) {
	e := newEnv(t)
	fx, err := DemoFixture()
	if err != nil {
		t.Fatal(err)
	}
	c, err := fx.Credentials()
	if err != nil {
		t.Fatal(err)
	}
	sf, err := salesforce.Init(salesforce.Creds{Domain: e.ts.URL, Username: c.Username, Password: c.Password,
		SecurityToken: c.SecurityToken, ConsumerKey: c.ClientID, ConsumerSecret: c.ClientSecret})
	if err != nil {
		t.Fatalf("password login: %v", err)
	}
	e.s.ExpireAccessTokens()
	e.s.ResetRequests()
	var got []struct{ Id, Name string }
	if err := sf.Query("SELECT Id, Name FROM Account ORDER BY Name", &got); err != nil {
		t.Fatalf("Query after expiry: %v", err)
	}
	if len(got) != 2 || got[0].Name != "Acme Corporation" {
		t.Fatalf("Query after expiry = %+v; want the two demo accounts", got)
	}
	var trail []string
	for _, r := range e.s.Requests() {
		trail = append(trail, fmt.Sprintf("%s %s %d", r.Method, r.Path, r.Status))
	}
	want := []string{"GET /services/data/v63.0/query/ 401", "POST /services/oauth2/token 200", "GET /services/data/v63.0/query/ 200"}
	if fmt.Sprint(trail) != fmt.Sprint(want) {
		t.Errorf("calls = %q; want %q", trail, want)
	}
}

func TestGoSalesforceUpsertAndDeleteCollection(t *testing.T) {
	e := newEnv(t)
	sf := gosfClient(t, e)
	recs := []map[string]any{
		{"External_Id__c": "C-1", "LastName": "One"},
		{"External_Id__c": "C-2", "LastName": "Two"},
	}
	res, err := sf.UpsertCollection("Contact", "External_Id__c", recs, 200)
	if err != nil || res.HasSalesforceErrors || len(res.Results) != 2 {
		t.Fatalf("UpsertCollection insert = %+v, %v", res, err)
	}
	first := res.Results[0].Id
	recs[0]["LastName"] = "Uno"
	res, err = sf.UpsertCollection("Contact", "External_Id__c", recs[:1], 200)
	if err != nil || res.HasSalesforceErrors || res.Results[0].Id != first {
		t.Fatalf("UpsertCollection update = %+v, %v; want id %s again", res, err, first)
	}
	var got []struct{ Id, LastName string }
	if err := sf.Query("SELECT Id, LastName FROM Contact WHERE External_Id__c IN ('C-1','C-2') ORDER BY LastName", &got); err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].LastName != "Two" || got[1].LastName != "Uno" {
		t.Fatalf("after upserts: %+v", got)
	}
	del := []map[string]any{{"Id": got[0].Id}, {"Id": got[1].Id}}
	res, err = sf.DeleteCollection("Contact", del, 200)
	if err != nil || res.HasSalesforceErrors || len(res.Results) != 2 {
		t.Fatalf("DeleteCollection = %+v, %v", res, err)
	}
	// Deleting again reports per-record failures, not a transport error.
	res, err = sf.DeleteCollection("Contact", del, 200)
	if err != nil || !res.HasSalesforceErrors || res.Results[0].Errors[0].StatusCode != "ENTITY_IS_DELETED" {
		t.Fatalf("second DeleteCollection = %+v, %v; want ENTITY_IS_DELETED", res, err)
	}
}
