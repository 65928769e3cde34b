package sfsim

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestDataCallsAfterSessionTimeout(t *testing.T) {
	clock := &fakeClock{t: goldenNow}
	e := newEnv(t, WithClock(clock.now))
	tests := []struct {
		advance time.Duration
		want    int
	}{
		{0, 200},
		{2*time.Hour - time.Second, 200},
		{time.Second, 401}, // exactly the 2h session timeout of the demo org
	}
	for _, tt := range tests {
		clock.t = clock.t.Add(tt.advance)
		if resp, b := e.call("GET", "/services/data/v62.0/limits", nil); resp.StatusCode != tt.want {
			t.Fatalf("after +%v: status %d %s; want %d", tt.advance, resp.StatusCode, b, tt.want)
		}
	}
}

func TestTokenOfInactiveUserIsRefused(t *testing.T) {
	e := newEnv(t)
	if err := e.s.SetUserActive(demoUser, false); err != nil {
		t.Fatal(err)
	}
	if resp, _ := e.call("GET", "/services/data/v62.0/limits", nil); resp.StatusCode != 401 {
		t.Fatalf("inactive user: status %d; want 401", resp.StatusCode)
	}
	if err := e.s.SetUserActive("nobody@x", false); !errors.Is(err, ErrUnknownUser) {
		t.Fatalf("SetUserActive(nobody) = %v; want ErrUnknownUser", err)
	}
}

func TestRevokeRefreshTokensRevokesTheirAccessTokens(t *testing.T) {
	s, err := New()
	if err != nil {
		t.Fatal(err)
	}
	u := s.userByUsername(demoUser)
	g := s.issueGrant(u, s.org.Apps[0], []string{"api", "refresh_token"}, true)
	g2 := s.refreshGrant(g, false)
	other := s.issueGrant(s.userByUsername("integration@dialogd.example"), s.org.Apps[0], nil, true)
	s.RevokeRefreshTokens(demoUser)
	for _, tok := range []string{g.AccessToken, g2.AccessToken} {
		if _, err := s.grantForToken(tok); err == nil {
			t.Errorf("access token of a revoked family still works")
		}
	}
	if s.grantByRefresh(g.RefreshToken) != nil {
		t.Errorf("revoked refresh token still known")
	}
	if _, err := s.grantForToken(other.AccessToken); err != nil {
		t.Errorf("another user's token was revoked: %v", err)
	}
}

func TestRefreshRotation(t *testing.T) {
	s, err := New()
	if err != nil {
		t.Fatal(err)
	}
	g := s.issueGrant(s.userByUsername(demoUser), s.org.Apps[0], nil, true)
	rot := s.refreshGrant(g, true)
	if rot.RefreshToken == "" || rot.RefreshToken == g.RefreshToken {
		t.Fatalf("rotation gave refresh token %q", rot.RefreshToken)
	}
	if s.grantByRefresh(g.RefreshToken) != nil || s.grantByRefresh(rot.RefreshToken) == nil {
		t.Fatalf("after rotation the old token must die and the new one live")
	}
	if !s.revokeToken(rot.RefreshToken) {
		t.Fatal("revoke of the rotated refresh token failed")
	}
	for _, tok := range []string{g.AccessToken, rot.AccessToken} {
		if _, err := s.grantForToken(tok); err == nil {
			t.Errorf("access token survived revocation of its family's refresh token")
		}
	}
	if s.revokeToken("unknown") {
		t.Errorf("revoking an unknown token reported success")
	}
}

func TestFailNext(t *testing.T) {
	e := newEnv(t)
	if err := e.s.FailNext(2, FaultRequestLimit, "/query"); err != nil {
		t.Fatal(err)
	}
	if err := e.s.FailNext(1, "bogus", ""); !errors.Is(err, ErrUnknownFault) {
		t.Fatalf("FailNext(bogus) = %v; want ErrUnknownFault", err)
	}
	steps := []struct {
		path string
		want int
	}{
		{"/services/data/v62.0/limits", 200}, // path filter: not a query
		{"/services/data/v62.0/query?q=SELECT+Id+FROM+Lead", 403},
		{"/services/data/v62.0/query?q=SELECT+Id+FROM+Lead", 403},
		{"/services/data/v62.0/query?q=SELECT+Id+FROM+Lead", 200}, // two only
	}
	for i, st := range steps {
		if resp, b := e.call("GET", st.path, nil); resp.StatusCode != st.want {
			t.Fatalf("step %d %s: %d %s; want %d", i, st.path, resp.StatusCode, b, st.want)
		}
	}
}

func TestLatencyIsAdded(t *testing.T) {
	e := newEnv(t)
	e.s.SetLatency(30 * time.Millisecond)
	start := time.Now()
	e.call("GET", "/services/data/v62.0/limits", nil)
	if d := time.Since(start); d < 30*time.Millisecond {
		t.Fatalf("call took %v; want at least the 30ms latency", d)
	}
	e.s.ClearFaults()
}

func TestDailyLimitResetsNextDay(t *testing.T) {
	clock := &fakeClock{t: goldenNow}
	e := newEnv(t, WithClock(clock.now))
	e.s.SetAPIUsage(15000)
	if resp, _ := e.call("GET", "/services/data/v62.0/limits", nil); resp.StatusCode != 403 {
		t.Fatalf("status %d; want 403 at the limit", resp.StatusCode)
	}
	clock.t = clock.t.Add(24 * time.Hour)
	g, err := e.s.IssueToken(demoUser) // the old session timed out too
	if err != nil {
		t.Fatal(err)
	}
	e.token = g.AccessToken
	resp, _ := e.call("GET", "/services/data/v62.0/limits", nil)
	if resp.StatusCode != 200 || resp.Header.Get("Sforce-Limit-Info") != "api-usage=1/15000" {
		t.Fatalf("next day: %d %q; want 200 api-usage=1/15000", resp.StatusCode, resp.Header.Get("Sforce-Limit-Info"))
	}
}

func TestControlAPI(t *testing.T) {
	e := newEnv(t)
	post := func(path, body string) (int, string) {
		resp, err := http.Post(e.ts.URL+path, "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var buf bytes.Buffer
		buf.ReadFrom(resp.Body)
		return resp.StatusCode, buf.String()
	}
	tests := []struct {
		path, body string
		want       int
	}{
		{"/__sim__/faults", `{"kind":"unavailable","count":1}`, 200},
		{"/__sim__/faults", `{"kind":"nope"}`, 400},
		{"/__sim__/latency", `{"ms":0}`, 200},
		{"/__sim__/token", `{"username":"nobody"}`, 404},
		{"/__sim__/presence", `{"username":"demo@dialogd.example","status":"Busy"}`, 200},
		{"/__sim__/presence", `{"username":"demo@dialogd.example","status":"Nope"}`, 400},
		{"/__sim__/nope", `{}`, 404},
		{"/__sim__/faults", `{not json`, 400},
	}
	for _, tt := range tests {
		if got, body := post(tt.path, tt.body); got != tt.want {
			t.Errorf("POST %s %s = %d %s; want %d", tt.path, tt.body, got, body, tt.want)
		}
	}
	// The injected 503 hits the next data call.
	if resp, _ := e.call("GET", "/services/data/v62.0/limits", nil); resp.StatusCode != 503 {
		t.Errorf("after /__sim__/faults: status %d; want 503", resp.StatusCode)
	}
	code, body := post("/__sim__/token", `{"username":"demo@dialogd.example"}`)
	var tok struct {
		AccessToken string `json:"access_token"`
		InstanceURL string `json:"instance_url"`
	}
	if code != 200 || json.Unmarshal([]byte(body), &tok) != nil || tok.InstanceURL != e.ts.URL {
		t.Fatalf("token: %d %s", code, body)
	}
	e.token = tok.AccessToken
	post("/__sim__/expire-tokens", "")
	if resp, _ := e.call("GET", "/services/data/v62.0/limits", nil); resp.StatusCode != 401 {
		t.Errorf("after expire-tokens: %d; want 401", resp.StatusCode)
	}
	resp, err := http.Get(e.ts.URL + "/__sim__/requests")
	if err != nil {
		t.Fatal(err)
	}
	var log []LoggedRequest
	json.NewDecoder(resp.Body).Decode(&log)
	resp.Body.Close()
	if len(log) == 0 || log[len(log)-1].Status != 401 {
		t.Errorf("request log = %+v; want the 401 last", log)
	}
	for _, l := range log {
		if strings.HasPrefix(l.Path, "/__sim__") {
			t.Errorf("control calls must not be logged: %+v", l)
		}
	}
}

func TestPresenceQuery(t *testing.T) {
	e := newEnv(t)
	if _, err := e.s.SetPresence(demoUser, "Available"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.s.SetPresence(demoUser, "Busy"); err != nil {
		t.Fatal(err)
	}
	res, err := e.s.RunQuery("SELECT ServicePresenceStatus.DeveloperName, IsCurrentState FROM UserServicePresence WHERE IsCurrentState = true", false)
	if err != nil {
		t.Fatal(err)
	}
	if res.TotalSize != 1 {
		t.Fatalf("current presences = %d; want 1", res.TotalSize)
	}
	sps, _ := res.Records[0]["ServicePresenceStatus"].(map[string]any)
	if sps["DeveloperName"] != "Busy" {
		t.Errorf("current status = %v; want Busy", sps)
	}
	// Presence rows cannot be written through REST.
	if resp, _ := e.call("POST", "/services/data/v62.0/sobjects/UserServicePresence", `{}`); resp.StatusCode != 405 {
		t.Errorf("create UserServicePresence: %d; want 405", resp.StatusCode)
	}
}

func TestDuplicateRuleOnUpdate(t *testing.T) {
	e := newEnv(t)
	id := must201(e, v+"/sobjects/Contact", `{"LastName":"Other","Email":"other@x.example"}`)
	resp, b := e.call("PATCH", v+"/sobjects/Contact/"+id, `{"Email":"Jane.Doe@acme.example"}`)
	if resp.StatusCode != 400 || !strings.Contains(string(b), "DUPLICATES_DETECTED") {
		t.Fatalf("update to a duplicate email: %d %s", resp.StatusCode, b)
	}
	// Saving the record's own email again is not a duplicate.
	if resp, b := e.call("PATCH", v+"/sobjects/Contact/"+id, `{"Email":"other@x.example"}`); resp.StatusCode != 204 {
		t.Fatalf("update with own email: %d %s", resp.StatusCode, b)
	}
}

func TestGzipRequestBody(t *testing.T) {
	e := newEnv(t)
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write([]byte(`{"Name":"Zipped"}`))
	zw.Close()
	resp, b := e.call("POST", v+"/sobjects/Account", buf.String(), "Content-Encoding", "gzip")
	if resp.StatusCode != 201 {
		t.Fatalf("gzip create: %d %s", resp.StatusCode, b)
	}
}

func TestUpsertUpdateOnly(t *testing.T) {
	e := newEnv(t)
	tests := []struct {
		path string
		want int
	}{
		{"/services/data/v62.0/sobjects/Lead/External_Id__c/NEW-1?updateOnly=true", 404},
		{"/services/data/v60.0/sobjects/Lead/External_Id__c/NEW-1?updateOnly=true", 201}, // before v61 the flag is ignored
		{"/services/data/v62.0/sobjects/Lead/External_Id__c/NEW-1?updateOnly=true", 200},
	}
	for _, tt := range tests {
		if resp, b := e.call("PATCH", tt.path, `{"LastName":"U","Company":"C"}`); resp.StatusCode != tt.want {
			t.Errorf("PATCH %s: %d %s; want %d", tt.path, resp.StatusCode, b, tt.want)
		}
	}
}

func TestPersistenceRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "org.json")
	s1, err := New(WithDataFile(path))
	if err != nil {
		t.Fatal(err)
	}
	u := s1.userByUsername(demoUser)
	id, err := s1.createRecord(u, "Lead", map[string]any{"LastName": "Kept", "Company": "K", "Email": "kept@k.example"})
	if err != nil {
		t.Fatal(err)
	}
	gone, _ := s1.createRecord(u, "Account", map[string]any{"Name": "Gone"})
	s1.mu.Lock()
	o := s1.db.schema.object("Account")
	r, _ := s1.findLocked(o, gone)
	s1.deleteLocked(o, r, writeOpts{})
	s1.mu.Unlock()
	g := s1.issueGrant(u, s1.org.Apps[0], []string{"api", "refresh_token"}, true)
	if err := s1.Close(); err != nil {
		t.Fatal(err)
	}

	s2, err := New(WithDataFile(path))
	if err != nil {
		t.Fatal(err)
	}
	if rec := s2.getRecord("Lead", id); rec == nil || rec["LastName"] != "Kept" {
		t.Fatalf("lead after reload = %v", rec)
	}
	if _, err := s2.grantForToken(g.AccessToken); err != nil {
		t.Errorf("access token lost across restart: %v", err)
	}
	if s2.grantByRefresh(g.RefreshToken) == nil {
		t.Errorf("refresh token lost across restart")
	}
	res, err := s2.RunQuery("SELECT Id FROM Account WHERE Name = 'Gone'", true)
	if err != nil || res.TotalSize != 1 {
		t.Fatalf("queryAll for the deleted account after reload: %+v, %v", res, err)
	}
	res, err = s2.RunQuery("SELECT Id FROM Account WHERE Name = 'Gone'", false)
	if err != nil || res.TotalSize != 0 {
		t.Fatalf("deleted account visible to query after reload: %+v, %v", res, err)
	}
	// The email index is rebuilt: the duplicate rule still fires.
	if _, err := s2.createRecord(u, "Lead", map[string]any{"LastName": "Again", "Company": "K", "Email": "KEPT@k.example"}); err == nil {
		t.Errorf("duplicate rule did not fire after reload")
	}
	// New ids do not collide with loaded ones.
	id2, err := s2.createRecord(u, "Lead", map[string]any{"LastName": "New", "Company": "K"})
	if err != nil || id2 == id {
		t.Errorf("new id %s after reload (err %v) collides with %s", id2, err, id)
	}
}

// TestConcurrentClients runs writers, readers and queries at once; run with
// -race it checks the locking.
func TestConcurrentClients(t *testing.T) {
	e := newEnv(t)
	const workers, each = 4, 25
	errc := make(chan error, workers*3)
	for w := 0; w < workers; w++ {
		go func(w int) {
			for i := 0; i < each; i++ {
				id, err := e.s.createRecord(e.s.userByUsername(demoUser), "Contact",
					map[string]any{"LastName": "C", "Email": fmt.Sprintf("c%d-%d@x.example", w, i)})
				if err != nil {
					errc <- err
					return
				}
				if err := e.s.updateRecord(e.s.userByUsername(demoUser), "Contact", id, map[string]any{"Phone": "555"}); err != nil {
					errc <- err
					return
				}
			}
			errc <- nil
		}(w)
		go func() {
			for i := 0; i < each; i++ {
				if _, err := e.s.RunQuery("SELECT Id, Name, Account.Name FROM Contact WHERE Phone = '555' ORDER BY Name", false); err != nil {
					errc <- err
					return
				}
			}
			errc <- nil
		}()
		go func() {
			for i := 0; i < each; i++ {
				req, _ := http.NewRequest("GET", e.ts.URL+v+"/query?q=SELECT+Id+FROM+Contact", nil)
				req.Header.Set("Authorization", "Bearer "+e.token)
				resp, err := e.ts.Client().Do(req)
				if err != nil {
					errc <- err
					return
				}
				resp.Body.Close()
				if resp.StatusCode != 200 {
					errc <- fmt.Errorf("query status %d", resp.StatusCode)
					return
				}
			}
			errc <- nil
		}()
	}
	for i := 0; i < workers*3; i++ {
		if err := <-errc; err != nil {
			t.Fatal(err)
		}
	}
	res, err := e.s.RunQuery("SELECT COUNT() FROM Contact WHERE Phone = '555'", false)
	if err != nil || res.Count == nil || *res.Count != workers*each {
		t.Fatalf("count = %+v, %v; want %d", res, err, workers*each)
	}
}

func TestPrettyPrint(t *testing.T) {
	e := newEnv(t)
	_, plain := e.call("GET", v+"/limits", nil)
	_, pretty := e.call("GET", v+"/limits", nil, "X-PrettyPrint", "1")
	if bytes.Contains(plain, []byte("\n")) || !bytes.Contains(pretty, []byte("\n  \"DailyApiRequests\"")) {
		t.Fatalf("X-PrettyPrint: plain %q…, pretty %q…", plain[:40], pretty[:40])
	}
}
