package sfsim

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
)

const fuzzAPI = "/services/data/v62.0"

// fuzzServer is an sfsim with the demo fixture, no daily API limit to run
// into, a token for the demo user and one Lead the fuzzed requests may
// change.
type fuzzServer struct {
	s     *Server
	token string
	lead  string // id of the Lead fuzzed PATCHes target
}

func newFuzzServer(f *testing.F) *fuzzServer {
	f.Helper()
	fx, err := DemoFixture()
	if err != nil {
		f.Fatal(err)
	}
	fx.Org.DailyAPILimit = 1 << 30
	s, err := New(WithFixture(fx))
	if err != nil {
		f.Fatal(err)
	}
	g, err := s.IssueToken(demoUser)
	if err != nil {
		f.Fatal(err)
	}
	fs := &fuzzServer{s: s, token: g.AccessToken}
	rec := fs.do(f, http.MethodPost, fuzzAPI+"/sobjects/Lead", []byte(`{"LastName":"Fuzz","Company":"Target Inc","Email":"target@fuzz.example"}`), false)
	var created struct{ ID string }
	if rec.Code != http.StatusCreated || json.Unmarshal(rec.Body.Bytes(), &created) != nil || created.ID == "" {
		f.Fatalf("create the target lead: %d %s", rec.Code, rec.Body)
	}
	fs.lead = created.ID
	return fs
}

// do serves one request with the demo user's token; gz sends body gzipped.
func (fs *fuzzServer) do(tb testing.TB, method, path string, body []byte, gz bool) *httptest.ResponseRecorder {
	tb.Helper()
	if gz {
		var b bytes.Buffer
		w := gzip.NewWriter(&b)
		_, _ = w.Write(body)
		_ = w.Close()
		body = b.Bytes()
	}
	req := httptest.NewRequest(method, path, bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+fs.token)
	req.Header.Set("Content-Type", "application/json")
	if gz {
		req.Header.Set("Content-Encoding", "gzip")
	}
	rec := httptest.NewRecorder()
	fs.s.ServeHTTP(rec, req)
	return rec
}

// liveRecords counts the records that are not deleted, over every object.
func (fs *fuzzServer) liveRecords() int {
	fs.s.mu.RLock()
	defer fs.s.mu.RUnlock()
	n := 0
	for _, t := range fs.s.db.tables {
		n += t.live
	}
	return n
}

// checkAPIErrors wants a REST error answer: a JSON list of errorCode and
// message, each non-empty.
func checkAPIErrors(t *testing.T, rec *httptest.ResponseRecorder) {
	t.Helper()
	var errs []struct {
		ErrorCode string `json:"errorCode"`
		Message   string `json:"message"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &errs); err != nil || len(errs) == 0 {
		t.Fatalf("status %d with body %s: want a JSON list of errors (%v)", rec.Code, rec.Body, err)
	}
	for _, e := range errs {
		if e.ErrorCode == "" || e.Message == "" {
			t.Fatalf("error without code or message: %s", rec.Body)
		}
	}
}

// FuzzRecordWrite: any JSON (or gzipped) body to create a Lead or update
// one gets a 2xx or a 4xx with Salesforce's error list, never a 5xx or a
// panic; a refused write changes nothing; a created record reads back.
func FuzzRecordWrite(f *testing.F) {
	fs := newFuzzServer(f)
	for _, b := range []string{
		`{"LastName":"Doe","Company":"Acme","Email":"doe@acme.example","NumberOfEmployees":12}`,
		`{"LastName":"Doe","Company":"Acme","AnnualRevenue":"1e309","IsUnreadByOwner":"yes"}`,
		`{"LastName":"Doe","Company":"Acme","Status":"Not A Status","OwnerId":"005000000000000AAA"}`,
		`{"LastName":"Doe","Company":"Acme","attributes":{"type":"Account"},"Id":"00Q000000000001"}`,
		`{"LastName":null,"Company":["Acme"],"Website":{"x":1}}`,
		`{"Nope__c":1}`,
		`{"LastName":"Doe","Company":"Acme","ConvertedDate":"2026-02-30","CreatedDate":"2026-01-01T00:00:00.000+0000"}`,
		`{"LastName":"` + strings.Repeat("x", 300) + `","Company":"Acme"}`,
		`[]`, `{`, ``, `null`, "\xff\xfe",
	} {
		f.Add(b, false, false)
		f.Add(b, true, true)
	}
	f.Fuzz(func(t *testing.T, body string, gz, patch bool) {
		checkRecordWrite(t, fs, []byte(body), gz, patch)
	})
}

// FuzzRecordFields: FuzzRecordWrite's properties for a valid Lead with
// two more fields, each named and valued by the fuzzer (a value that is
// not JSON is sent as a string), which reaches the field conversions far
// more often than a fuzzed whole body.
func FuzzRecordFields(f *testing.F) {
	fs := newFuzzServer(f)
	f.Add("NumberOfEmployees", "12", "AnnualRevenue", "1e309", false)
	f.Add("Email", `"not an email"`, "Phone", `"+1 (555) 0100"`, false)
	f.Add("Status", `"Not A Status"`, "IsUnreadByOwner", `"yes"`, true)
	f.Add("OwnerId", `"005000000000000AAA"`, "ConvertedAccountId", `"001000000000000"`, true)
	f.Add("CreatedDate", `"2026-02-30T25:00:00.000+0000"`, "LastName", `null`, false)
	f.Add("Id", `"00Q000000000001"`, "attributes", `{"type":"Account"}`, true)
	f.Add("Website", `{"x":[1,2]}`, "nope__c", `1`, false)
	f.Add("Company", `"`+strings.Repeat("x", 256)+`"`, "Description", `""`, false)
	f.Fuzz(func(t *testing.T, f1, v1, f2, v2 string, patch bool) {
		fields := map[string]any{"LastName": "Doe", "Company": "Acme"}
		for _, kv := range [][2]string{{f1, v1}, {f2, v2}} {
			var v any
			if json.Unmarshal([]byte(kv[1]), &v) != nil {
				v = kv[1]
			}
			fields[kv[0]] = v
		}
		body, err := json.Marshal(fields)
		if err != nil {
			return
		}
		checkRecordWrite(t, fs, body, false, patch)
	})
}

// checkRecordWrite creates a Lead with body (or, with patch, updates the
// target lead): a 5xx or a refusal that changed something fails t.
func checkRecordWrite(t *testing.T, fs *fuzzServer, body []byte, gz, patch bool) {
	t.Helper()
	before := fs.liveRecords()
	target := fs.s.getRecord("Lead", fs.lead)
	method, path := http.MethodPost, fuzzAPI+"/sobjects/Lead"
	if patch {
		method, path = http.MethodPatch, fuzzAPI+"/sobjects/Lead/"+fs.lead
	}
	rec := fs.do(t, method, path, body, gz)
	switch {
	case rec.Code >= 500 || rec.Code < 200:
		t.Fatalf("%s with %q: status %d: %s", method, body, rec.Code, rec.Body)
	case rec.Code >= 400:
		checkAPIErrors(t, rec)
		if after := fs.liveRecords(); after != before {
			t.Fatalf("a refused %s changed the number of records from %d to %d", method, before, after)
		}
		if got := fs.s.getRecord("Lead", fs.lead); !reflect.DeepEqual(got, target) {
			t.Fatalf("a refused %s changed the target lead:\n before %v\n after  %v", method, target, got)
		}
	case patch:
		if rec.Code != http.StatusNoContent {
			t.Fatalf("PATCH answered %d; want 204", rec.Code)
		}
	default:
		checkCreated(t, fs, rec)
	}
}

// checkCreated wants {id, success: true} of a record that reads back, and
// deletes it so the store stays small.
func checkCreated(t *testing.T, fs *fuzzServer, rec *httptest.ResponseRecorder) {
	t.Helper()
	var res struct {
		ID      string `json:"id"`
		Success bool   `json:"success"`
	}
	if rec.Code != http.StatusCreated || json.Unmarshal(rec.Body.Bytes(), &res) != nil || !res.Success || res.ID == "" {
		t.Fatalf("create answered %d %s; want 201 with an id", rec.Code, rec.Body)
	}
	if got := fs.do(t, http.MethodGet, fuzzAPI+"/sobjects/Lead/"+res.ID, nil, false); got.Code != http.StatusOK {
		t.Fatalf("created lead %s reads back with %d", res.ID, got.Code)
	}
	if got := fs.do(t, http.MethodDelete, fuzzAPI+"/sobjects/Lead/"+res.ID, nil, false); got.Code != http.StatusNoContent {
		t.Fatalf("delete of created lead %s: %d %s", res.ID, got.Code, got.Body)
	}
}

// FuzzCompositeBody: any body for /composite or /composite/sobjects gets
// an answer in Salesforce's shapes, never a 5xx or a panic; an allOrNone
// request that reports any failure leaves the records as they were.
func FuzzCompositeBody(f *testing.F) {
	fs := newFuzzServer(f)
	lead := fs.lead
	for _, b := range []string{
		`{"allOrNone":true,"compositeRequest":[{"method":"POST","url":"` + fuzzAPI + `/sobjects/Lead","referenceId":"a","body":{"LastName":"A","Company":"C"}},` +
			`{"method":"PATCH","url":"` + fuzzAPI + `/sobjects/Lead/` + lead + `","referenceId":"b","body":{"Company":"@{a.id}"}},` +
			`{"method":"POST","url":"` + fuzzAPI + `/sobjects/Lead","referenceId":"c","body":{"Nope__c":1}}]}`,
		`{"compositeRequest":[{"method":"GET","url":"` + fuzzAPI + `/sobjects/Lead/` + lead + `","referenceId":"r"},` +
			`{"method":"PATCH","url":"` + fuzzAPI + `/sobjects/Lead/@{r.Id}","referenceId":"s","body":{"FirstName":"@{r.attributes.type}"}}]}`,
		`{"allOrNone":true,"compositeRequest":[{"method":"DELETE","url":"` + fuzzAPI + `/sobjects/Lead/` + lead + `","referenceId":"d"},{"method":"GET","url":"/x","referenceId":"e"}]}`,
		`{"compositeRequest":[{"method":"GET","url":"` + fuzzAPI + `/query?q=SELECT+Id+FROM+Lead","referenceId":"q"},{"method":"GET","url":"@{q.records[0].attributes.url}","referenceId":"q2"}]}`,
		`{"compositeRequest":[{"method":"POST","url":"` + fuzzAPI + `/composite","referenceId":"n","body":{}}]}`,
		`{"compositeRequest":[{"referenceId":"x"},{"referenceId":"x"}]}`,
		`{"allOrNone":true,"records":[{"attributes":{"type":"Lead"},"LastName":"A","Company":"C"},{"attributes":{"type":"Lead"}}]}`,
		`{"allOrNone":false,"records":[{"attributes":{"type":"Lead"},"Id":"` + lead + `","Company":"New"},{"attributes":{"type":"Nope"}}]}`,
		`{"compositeRequest":[]}`, `{"records":null}`, `[]`, `{`,
	} {
		f.Add(b, false)
		f.Add(b, true)
	}
	f.Fuzz(func(t *testing.T, body string, collections bool) {
		before := fs.liveRecords()
		target := fs.s.getRecord("Lead", lead)
		path, method := fuzzAPI+"/composite", http.MethodPost
		if collections {
			path = fuzzAPI + "/composite/sobjects"
			if strings.Contains(body, `"Id"`) {
				method = http.MethodPatch
			}
		}
		rec := fs.do(t, method, path, []byte(body), false)
		if rec.Code >= 500 || rec.Code < 200 {
			t.Fatalf("%s %s with %q: status %d: %s", method, path, body, rec.Code, rec.Body)
		}
		if rec.Code >= 400 {
			checkAPIErrors(t, rec)
		}
		var req struct {
			AllOrNone bool `json:"allOrNone"`
		}
		_ = json.Unmarshal([]byte(body), &req)
		if !(rec.Code >= 400 || req.AllOrNone && compositeFailed(t, rec.Body.Bytes(), collections)) {
			return
		}
		if after := fs.liveRecords(); after != before {
			t.Fatalf("a failed allOrNone request changed the number of records from %d to %d: %s", before, after, rec.Body)
		}
		if got := fs.s.getRecord("Lead", lead); !reflect.DeepEqual(got, target) {
			t.Fatalf("a failed allOrNone request changed the target lead:\n before %v\n after  %v\n answer %s", target, got, rec.Body)
		}
	})
}

// compositeFailed reports whether a 2xx composite or collections answer
// reports a failed part; it fails the test on an answer of another shape.
func compositeFailed(t *testing.T, body []byte, collections bool) bool {
	t.Helper()
	if collections {
		var res []struct {
			Success *bool `json:"success"`
		}
		if err := json.Unmarshal(body, &res); err != nil {
			t.Fatalf("collections answer %s: %v", body, err)
		}
		for _, r := range res {
			if r.Success == nil || !*r.Success {
				return true
			}
		}
		return false
	}
	var res struct {
		CompositeResponse []struct {
			HTTPStatusCode int    `json:"httpStatusCode"`
			ReferenceID    string `json:"referenceId"`
		} `json:"compositeResponse"`
	}
	if err := json.Unmarshal(body, &res); err != nil || len(res.CompositeResponse) == 0 {
		t.Fatalf("composite answer %s: %v", body, err)
	}
	for _, r := range res.CompositeResponse {
		if r.HTTPStatusCode >= 400 {
			return true
		}
	}
	return false
}

// FuzzCompositeParts: FuzzCompositeBody's properties for composite
// requests built from fuzzed parts (method, url and body of two
// subrequests, the second able to refer to the first), which reach the
// subrequest handling far more often than a fuzzed whole body.
func FuzzCompositeParts(f *testing.F) {
	fs := newFuzzServer(f)
	lead := fs.lead
	f.Add(true, "POST", "/sobjects/Lead", `{"LastName":"A","Company":"C"}`, "PATCH", "/sobjects/Lead/"+lead, `{"Company":"@{a.id}"}`)
	f.Add(true, "PATCH", "/sobjects/Lead/"+lead, `{"Company":"Changed"}`, "POST", "/sobjects/Lead", `{"Nope__c":1}`)
	f.Add(false, "GET", "/sobjects/Lead/"+lead, ``, "PATCH", "/sobjects/Lead/@{a.Id}", `{"FirstName":"@{a.attributes.type}"}`)
	f.Add(true, "DELETE", "/sobjects/Lead/"+lead, ``, "GET", "/query?q=SELECT+Id+FROM+Lead+WHERE+Id='@{a.id}'", ``)
	f.Add(false, "GET", "/query?q=SELECT+Id,Name+FROM+Lead+LIMIT+1", ``, "GET", "@{a.records[0].attributes.url}", ``)
	f.Add(true, "PATCH", "/sobjects/Lead/Email/target@fuzz.example", `{"Company":"Upserted"}`, "PUT", "/sobjects/Lead", `[]`)
	f.Add(true, "POST", "/composite/sobjects", `{"records":[{"attributes":{"type":"Lead"},"LastName":"A","Company":"C"}]}`, "GET", "/limits", ``)
	f.Fuzz(func(t *testing.T, allOrNone bool, m1, u1, b1, m2, u2, b2 string) {
		sub := func(ref, method, u, body string) map[string]any {
			s := map[string]any{"method": method, "url": fuzzAPI + u, "referenceId": ref}
			var v any
			if body != "" && json.Unmarshal([]byte(body), &v) == nil {
				s["body"] = v
			}
			return s
		}
		req, err := json.Marshal(map[string]any{"allOrNone": allOrNone,
			"compositeRequest": []any{sub("a", m1, u1, b1), sub("b", m2, u2, b2)}})
		if err != nil {
			return
		}
		before := fs.liveRecords()
		target := fs.s.getRecord("Lead", lead)
		rec := fs.do(t, http.MethodPost, fuzzAPI+"/composite", req, false)
		if rec.Code >= 500 || rec.Code < 200 {
			t.Fatalf("composite %s: status %d: %s", req, rec.Code, rec.Body)
		}
		if rec.Code >= 400 {
			checkAPIErrors(t, rec)
		}
		if !(rec.Code >= 400 || allOrNone && compositeFailed(t, rec.Body.Bytes(), false)) {
			return
		}
		if after := fs.liveRecords(); after != before {
			t.Fatalf("a failed allOrNone composite %s changed the number of records from %d to %d: %s", req, before, after, rec.Body)
		}
		if got := fs.s.getRecord("Lead", lead); !reflect.DeepEqual(got, target) {
			t.Fatalf("a failed allOrNone composite %s changed the target lead:\n before %v\n after  %v\n answer %s", req, target, got, rec.Body)
		}
	})
}
