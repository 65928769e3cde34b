package sfsim

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

const presencePath = "/services/apexrest/dialogd/presence"

// userID is the id of the user username.
func (e *testEnv) userID(username string) string {
	e.t.Helper()
	u := e.s.userByUsername(username)
	if u == nil {
		e.t.Fatalf("no user %s", username)
	}
	return u.ID
}

func TestApexPresenceCalls(t *testing.T) {
	e := newEnv(t)
	demo := e.userID(demoUser)
	integ := e.userID("integration@dialogd.example")
	if err := e.s.SetUserActive("integration@dialogd.example", false); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, method, path string
		body               any
		wantStatus         int
		want               string // in the body
	}{
		{"get while offline", "GET", presencePath + "?userId=" + demo, nil, 404, `"errorCode":"NOT_FOUND"`},
		{"set", "POST", presencePath, map[string]string{"userId": demo, "status": "Available"}, 200, `"status":"Available","applied":true`},
		{"status without regard to case", "POST", presencePath, map[string]string{"userId": demo, "status": "busy"}, 200, `"status":"Busy"`},
		{"get current", "GET", presencePath + "?userId=" + demo[:15], nil, 200, `"status":"Busy"}`},
		{"15-character user id", "POST", presencePath + "/", map[string]string{"userId": demo[:15], "status": "Available"}, 200, `"statusId":"0N5`},
		{"unknown status", "POST", presencePath, map[string]string{"userId": demo, "status": "Lunch"}, 400, `"errorCode":"INVALID_STATUS"`},
		{"unknown user", "POST", presencePath, map[string]string{"userId": "005000000000000AAA", "status": "Busy"}, 400, `"errorCode":"INVALID_USER"`},
		{"not a user id", "POST", presencePath, map[string]string{"userId": "bob", "status": "Busy"}, 400, `"errorCode":"INVALID_USER"`},
		{"inactive user", "POST", presencePath, map[string]string{"userId": integ, "status": "Busy"}, 400, `is inactive`},
		{"missing fields", "POST", presencePath, map[string]string{"userId": " "}, 400, `Required fields are missing: [userId, status]`},
		{"unknown parameter", "POST", presencePath, map[string]string{"userId": demo, "status": "Busy", "capacity": "2"}, 400, `Unexpected parameter encountered during deserialization: capacity`},
		{"wrong type", "POST", presencePath, `{"userId":5,"status":"Busy"}`, 400, `"errorCode":"JSON_PARSER_ERROR"`},
		{"not JSON", "POST", presencePath, `{userId`, 400, `"errorCode":"JSON_PARSER_ERROR"`},
		{"no body", "POST", presencePath, nil, 400, `"errorCode":"JSON_PARSER_ERROR"`},
		{"get without user", "GET", presencePath, nil, 400, `"errorCode":"REQUIRED_FIELD_MISSING"`},
		{"other method", "PUT", presencePath, map[string]string{"userId": demo, "status": "Busy"}, 405, `"errorCode":"METHOD_NOT_ALLOWED"`},
		{"other class", "POST", "/services/apexrest/dialogd/other", map[string]string{}, 404, `Could not find a match for URL /dialogd/other`},
		{"REST DML create refused", "POST", v + "/sobjects/UserServicePresence", map[string]string{"UserId": demo}, 405, `"errorCode":"METHOD_NOT_ALLOWED"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, b := e.call(tt.method, tt.path, tt.body)
			if resp.StatusCode != tt.wantStatus || !strings.Contains(string(b), tt.want) {
				t.Errorf("%s %s = %d %s; want %d with %s", tt.method, tt.path, resp.StatusCode, b, tt.wantStatus, tt.want)
			}
			if tt.wantStatus >= 400 && !strings.HasPrefix(string(b), "[{") {
				t.Errorf("error body %s; want Salesforce's array of errors", b)
			}
		})
	}
	_, b := e.call("GET", presencePath+"?userId="+demo, nil)
	res, err := e.s.RunQuery("SELECT Id, ServicePresenceStatusId FROM UserServicePresence WHERE IsCurrentState = true", false)
	if err != nil {
		t.Fatal(err)
	}
	var got struct{ PresenceID, StatusID, Status string }
	json.Unmarshal(b, &got)
	if res.TotalSize != 1 || res.Records[0]["Id"] != got.PresenceID || res.Records[0]["ServicePresenceStatusId"] != got.StatusID || got.Status != "Available" {
		t.Errorf("current rows %v, GET %s; want one, the GET's, Available", res.Records, b)
	}
}

// TestApexPresenceRowsAndPolling sets statuses at known times and reads
// them back with the SOQL a presence poller runs.
func TestApexPresenceRowsAndPolling(t *testing.T) {
	clock := &fakeClock{t: time.Date(2026, 12, 7, 4, 58, 0, 0, time.UTC)}
	e := newEnv(t, WithClock(clock.now))
	demo := e.userID(demoUser)
	set := func(status string, at time.Time) {
		t.Helper()
		clock.t = at
		if resp, b := e.call("POST", presencePath, map[string]string{"userId": demo, "status": status}); resp.StatusCode != 200 {
			t.Fatalf("set %s: %d %s", status, resp.StatusCode, b)
		}
	}
	set("Available", time.Date(2026, 12, 7, 4, 59, 0, 0, time.UTC))
	set("Busy", time.Date(2026, 12, 7, 5, 1, 30, 0, time.UTC))
	if _, err := e.s.SetPresence("integration@dialogd.example", "Available"); err != nil {
		t.Fatal(err)
	}
	const poll = "SELECT Id, UserId, ServicePresenceStatus.DeveloperName, StatusStartDate, IsCurrentState, SystemModstamp FROM UserServicePresence " +
		"WHERE IsCurrentState = true AND SystemModstamp > 2026-12-07T05:00:00Z ORDER BY SystemModstamp"
	_, recs := e.queryPages(poll)
	if len(recs) != 2 {
		t.Fatalf("polled %d rows, want 2 (demo Busy, integration Available): %v", len(recs), recs)
	}
	tests := []struct{ user, status, start string }{
		{demo, "Busy", "2026-12-07T05:01:30.000+0000"},
		{e.userID("integration@dialogd.example"), "Available", "2026-12-07T05:01:30.000+0000"},
	}
	for i, tt := range tests {
		sps, _ := recs[i]["ServicePresenceStatus"].(map[string]any)
		if recs[i]["UserId"] != tt.user || sps["DeveloperName"] != tt.status || recs[i]["StatusStartDate"] != tt.start {
			t.Errorf("row %d = %v; want user %s %s since %s", i, recs[i], tt.user, tt.status, tt.start)
		}
	}
	_, closed := e.queryPages("SELECT StatusEndDate, StatusDuration FROM UserServicePresence WHERE IsCurrentState = false AND UserId = '" + demo + "'")
	if len(closed) != 1 || closed[0]["StatusEndDate"] != "2026-12-07T05:01:30.000+0000" || closed[0]["StatusDuration"] != 150.0 {
		t.Errorf("closed rows %v; want one ended 05:01:30 after 150 s", closed)
	}
}

// TestApexPresenceOfflineLogsOut: an org without an Offline status logs
// the user out of Omni-Channel: no current row is left.
func TestApexPresenceOfflineLogsOut(t *testing.T) {
	fx, err := ParseFixture([]byte("users:\n  - username: " + demoUser + "\npresenceStatuses:\n  - {developerName: Available}\n"))
	if err != nil {
		t.Fatal(err)
	}
	e := newEnv(t, WithFixture(fx))
	demo := e.userID(demoUser)
	steps := []struct {
		status, want string
		current      int
	}{
		{"Available", `"status":"Available"`, 1},
		{"offline", `{"presenceId":null,"statusId":null,"status":"Offline","applied":true}`, 0},
		{"Offline", `"presenceId":null`, 0},
	}
	for _, st := range steps {
		resp, b := e.call("POST", presencePath, map[string]string{"userId": demo, "status": st.status})
		if resp.StatusCode != 200 || !strings.Contains(string(b), st.want) {
			t.Errorf("set %s = %d %s; want 200 with %s", st.status, resp.StatusCode, b, st.want)
		}
		if p, _ := e.s.CurrentPresence(demoUser); (p.ID != "") != (st.current == 1) {
			t.Errorf("after %s current presence %+v; want %d rows", st.status, p, st.current)
		}
	}
}

// TestApexPresenceAuthAndFaults: Apex REST calls are authenticated,
// counted and faulted like data calls.
func TestApexPresenceAuthAndFaults(t *testing.T) {
	e := newEnv(t)
	body := map[string]string{"userId": e.userID(demoUser), "status": "Busy"}
	tests := []struct {
		name       string
		before     func()
		token      string
		wantStatus int
		want       string
	}{
		{"fault on /apexrest", func() { e.s.FailNext(1, FaultUnavailable, "/apexrest/dialogd") }, "", 503, "SERVER_UNAVAILABLE"},
		{"fault on another path spares it", func() { e.s.FailNext(1, FaultUnavailable, "/sobjects") }, "", 200, `"status":"Busy"`},
		{"request limit", func() { e.s.ClearFaults(); e.s.FailNext(1, FaultRequestLimit, "") }, "", 403, "REQUEST_LIMIT_EXCEEDED"},
		{"outage", func() { e.s.SetDown(true) }, "", 503, "SERVER_UNAVAILABLE"},
		{"back", func() { e.s.SetDown(false) }, "", 200, `"status":"Busy"`},
		{"no token", nil, "none", 401, "INVALID_SESSION_ID"},
		{"expired token", func() { e.s.ExpireAccessTokens() }, "", 401, "INVALID_SESSION_ID"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.before != nil {
				tt.before()
			}
			tok := e.token
			if tt.token == "none" {
				e.token = ""
			}
			resp, b := e.call("POST", presencePath, body)
			e.token = tok
			if resp.StatusCode != tt.wantStatus || !strings.Contains(string(b), tt.want) {
				t.Errorf("POST = %d %s; want %d with %s", resp.StatusCode, b, tt.wantStatus, tt.want)
			}
		})
	}
}

// TestOutageAndTokenExpiryForPollers: SetDown refuses every call (token
// endpoint included) until lifted, with no data lost; ExpireTokensAfter
// expires tokens between two pages of one query, and the cursor outlives
// the token.
func TestOutageAndTokenExpiryForPollers(t *testing.T) {
	e := newEmptyEnv(t)
	seedLeads(t, e.s, 450, seedNow.AddDate(0, 0, -1), "Page")
	q := "/services/data/v62.0/query?q=" + url.QueryEscape("SELECT Id FROM Lead ORDER BY Id")
	page := func(path string) (int, string) {
		resp, b := e.call("GET", path, nil, "Sforce-Query-Options", "batchSize=200")
		var p struct {
			NextRecordsURL string `json:"nextRecordsUrl"`
		}
		json.Unmarshal(b, &p)
		return resp.StatusCode, p.NextRecordsURL
	}
	e.s.ExpireTokensAfter(2)
	st1, next := page(q)
	st2, next2 := page(next)
	st3, _ := page(next2)
	if st1 != 200 || st2 != 200 || st3 != 401 {
		t.Fatalf("pages after ExpireTokensAfter(2) = %d %d %d; want 200 200 401", st1, st2, st3)
	}
	g, err := e.s.IssueToken(demoUser)
	if err != nil {
		t.Fatal(err)
	}
	e.token = g.AccessToken
	if st, _ := page(next2); st != 200 {
		t.Errorf("last page with a new token = %d; want 200 (the cursor outlives the token)", st)
	}
	e.s.SetDown(true)
	for _, path := range []string{q, "/services/oauth2/token", "/services/Soap/u/62.0", presencePath} {
		resp, b := e.call("POST", path, nil)
		if resp.StatusCode != 503 || !strings.Contains(string(b), "SERVER_UNAVAILABLE") {
			t.Errorf("POST %s while down = %d %s; want 503 SERVER_UNAVAILABLE", path, resp.StatusCode, b)
		}
	}
	if used, _ := e.s.APIUsage(); used != 3 {
		t.Errorf("API usage %d after the outage; want 3 (the pages served: neither the 401 nor calls refused while down count)", used)
	}
	e.s.SetDown(false)
	if st, _ := page(q); st != 200 {
		t.Errorf("query after the outage = %d; want 200", st)
	}
}

// TestControlOutageAndExpiry drives the two controls over HTTP.
func TestControlOutageAndExpiry(t *testing.T) {
	e := newEnv(t)
	post := func(path, body string) {
		t.Helper()
		resp, err := http.Post(e.ts.URL+path, "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("POST %s %s = %d", path, body, resp.StatusCode)
		}
	}
	steps := []struct {
		control, body string
		want          []int // statuses of the following data calls
	}{
		{"/__sim__/outage", `{"active":true}`, []int{503, 503}},
		{"/__sim__/outage", `{"active":false}`, []int{200}},
		{"/__sim__/expire-tokens", `{"count":2}`, []int{200, 200, 401}},
	}
	for _, st := range steps {
		post(st.control, st.body)
		for i, want := range st.want {
			if resp, b := e.call("GET", v+"/limits", nil); resp.StatusCode != want {
				t.Errorf("after %s %s call %d = %d %s; want %d", st.control, st.body, i, resp.StatusCode, b, want)
			}
		}
	}
}
