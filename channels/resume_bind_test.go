package channels

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/prometheus/client_golang/prometheus"
)

// TestResumeNeedsTheSessionsUser: a session id alone is not a credential.
// A resume with the id and another user's credential (or none) gets a
// fresh session: no replay, no transcript, no live frames of the victim.
// Before, any holder of the id got the whole outbox and the pushes.
func TestResumeNeedsTheSessionsUser(t *testing.T) {
	reg := prometheus.NewRegistry()
	ts := startServer(t, newFakeConv(), Options{IdentitySecret: identitySecret, Registerer: reg})
	victim, vf := ts.openUserSession(t)
	roundTrip(t, victim, "m1", "my secret lead") // seq 2
	// Another first character: an id that happens to start with "x" must
	// not forge itself.
	forged := "x" + vf.UserID[1:]
	if vf.UserID[0] == 'x' {
		forged = "y" + vf.UserID[1:]
	}
	token := func(sub string) string {
		return mint(hs256, claimsExp(5*time.Minute, `"sub":"`+sub+`"`), identitySecret)
	}
	verified := ts.dial(t, url.Values{"identity": {token("cust-42")}})
	verifiedSession := expectType(t, verified, "session").SessionID

	tests := []struct {
		name    string
		session string
		query   url.Values // besides session and last_seq
		resumes bool
	}{
		{"anonymous: no user", vf.SessionID, url.Values{}, false},
		{"anonymous: another anonymous user", vf.SessionID, url.Values{"user": {ts.ws.signer.IssueUser()}}, false},
		{"anonymous: a forged user", vf.SessionID, url.Values{"user": {forged}}, false},
		{"anonymous: a verified user", vf.SessionID, url.Values{"identity": {token("cust-42")}}, false},
		{"anonymous: the session's user", vf.SessionID, url.Values{"user": {vf.UserID}}, true},
		{"verified: another subject", verifiedSession, url.Values{"identity": {token("cust-43")}}, false},
		{"verified: the anonymous user", verifiedSession, url.Values{"user": {vf.UserID}}, false},
		{"verified: same subject, new token", verifiedSession, url.Values{"identity": {token("cust-42")}}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := tt.query
			q.Set("session", tt.session)
			q.Set("last_seq", "0")
			c := ts.dial(t, q)
			sf := expectType(t, c, "session")
			if got := sf.SessionID == tt.session; got != tt.resumes {
				t.Fatalf("resumed = %v (session frame %s); want %v", got, sf.Raw, tt.resumes)
			}
			if tt.resumes {
				if !sf.Replay {
					t.Errorf("session frame %s; want \"replay\":true", sf.Raw)
				}
				return
			}
			if sf.Replay {
				t.Errorf("fresh session frame %s announces a replay", sf.Raw)
			}
			expectType(t, c, "typing")
			if f := expectType(t, c, "message"); f.Seq != 1 || strings.Contains(string(f.Raw), "secret") {
				t.Errorf("first frame %s; want the new session's greeting (seq 1)", f.Raw)
			}
			// A push to the victim's session does not reach this connection.
			ts.ws.Deliver(tt.session, [][]byte{[]byte(`{"type":"message","seq":99,"text":"pushed secret","input":"accepting"}`)})
			if f := roundTrip(t, c, "a1", "anything"); f.ReplyTo != "a1" {
				t.Errorf("frame after a push to another session = %s; want the reply to a1", f.Raw)
			}
		})
	}
	for _, call := range ts.conv.Calls() {
		if call == "missed "+vf.SessionID+" after=0" || call == "missed "+verifiedSession+" after=0" {
			continue // the session's own user resumed
		}
		if strings.HasPrefix(call, "missed") {
			t.Errorf("runtime call %q: a refused resume read an outbox", call)
		}
	}
	if got := gather(t, reg)["dialogd_ws_refused_total{"+refusedResume+"}"]; got != 6 {
		t.Errorf("dialogd_ws_refused_total{%s} = %v; want 6", refusedResume, got)
	}
}

// dialHello opens /ws?hello=1 and sends hello as the first frame.
func dialHello(t *testing.T, ts *testServer, hello map[string]any) *websocket.Conn {
	t.Helper()
	c := ts.dial(t, url.Values{"hello": {"1"}})
	b, err := json.Marshal(hello)
	if err != nil {
		t.Fatal(err)
	}
	send(t, c, string(b))
	return c
}

// TestHelloFrame: with ?hello=1 the ids travel in the first frame, not in
// the URL, and mean what the query parameters mean.
func TestHelloFrame(t *testing.T) {
	ts := startServer(t, newFakeConv(), Options{IdentitySecret: identitySecret})
	c := dialHello(t, ts, map[string]any{"type": "hello"})
	sf := expectType(t, c, "session")
	expectType(t, c, "typing")
	expectType(t, c, "message")
	roundTrip(t, c, "m1", "one") // seq 2
	c.Close()

	tests := []struct {
		name       string
		hello      map[string]any
		wantResume bool
		wantUser   string
	}{
		{"resume with replay", map[string]any{"type": "hello", "session": sf.SessionID, "user": sf.UserID, "last_seq": 1}, true, sf.UserID},
		{"resume, another user", map[string]any{"type": "hello", "session": sf.SessionID, "user": ts.ws.signer.IssueUser(), "last_seq": 1}, false, ""},
		{"resume, no user", map[string]any{"type": "hello", "session": sf.SessionID, "last_seq": 1}, false, ""},
		{"identity", map[string]any{"type": "hello", "identity": mint(hs256, claimsExp(time.Minute, `"sub":"cust-7"`), identitySecret), "lang": "de"}, false, "id:cust-7"},
		{"unknown fields ignored", map[string]any{"type": "hello", "user": sf.UserID, "v": 2}, false, sf.UserID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := dialHello(t, ts, tt.hello)
			got := expectType(t, c, "session")
			if resumed := got.SessionID == sf.SessionID; resumed != tt.wantResume || got.Replay != tt.wantResume {
				t.Fatalf("session frame %s: resumed %v; want %v", got.Raw, resumed, tt.wantResume)
			}
			if tt.wantUser != "" && got.UserID != tt.wantUser {
				t.Errorf("user_id = %q; want %q", got.UserID, tt.wantUser)
			}
			if tt.wantResume {
				if f := expectType(t, c, "message"); f.Seq != 2 || f.ReplyTo != "m1" {
					t.Errorf("replayed %s; want seq 2, the reply to m1", f.Raw)
				}
				expectType(t, c, "replayed")
			}
		})
	}
}

// TestBadHelloCloses: on a ?hello=1 connection, a first frame that is not
// a hello frame gets bad_frame and 1008 (a binary one 1003), nothing runs
// and no session is issued.
func TestBadHelloCloses(t *testing.T) {
	tests := []struct {
		name      string
		kind      int
		data      string
		wantError bool
		wantCode  int
	}{
		{"a message first", websocket.TextMessage, `{"type":"message","id":"m1","text":"hi"}`, true, websocket.ClosePolicyViolation},
		{"not JSON", websocket.TextMessage, `hello`, true, websocket.ClosePolicyViolation},
		{"last_seq not a number", websocket.TextMessage, `{"type":"hello","last_seq":"3"}`, true, websocket.ClosePolicyViolation},
		{"two objects", websocket.TextMessage, `{"type":"hello"}{"type":"hello"}`, true, websocket.ClosePolicyViolation},
		{"binary", websocket.BinaryMessage, `{"type":"hello"}`, false, websocket.CloseUnsupportedData},
		{"invalid UTF-8", websocket.TextMessage, "{\"type\":\"hello\",\"lang\":\"\xff\"}", false, websocket.CloseInvalidFramePayloadData},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts := startServer(t, newFakeConv(), Options{})
			c := ts.dial(t, url.Values{"hello": {"1"}})
			if err := c.WriteMessage(tt.kind, []byte(tt.data)); err != nil {
				t.Fatal(err)
			}
			if tt.wantError {
				if f := expectType(t, c, "error"); f.Code != CodeBadFrame {
					t.Errorf("error frame %s; want code bad_frame", f.Raw)
				}
			}
			if got := closeCode(t, c); got != tt.wantCode {
				t.Errorf("close code = %d; want %d", got, tt.wantCode)
			}
			if calls := ts.conv.Calls(); len(calls) != 0 {
				t.Errorf("runtime calls %q; want none", calls)
			}
		})
	}
}

// TestSignerBindsSessionToUser: a bound session id verifies for its user
// only, never as an unbound id or a user id, and users whose ids share a
// prefix do not share ids.
func TestSignerBindsSessionToUser(t *testing.T) {
	s := NewSigner(testSecret)
	id := s.IssueSession("id:cust-4")
	tests := []struct {
		name string
		ok   bool
	}{
		{"id:cust-4", true},
		{"id:cust-42", false},
		{"id:cust-", false},
		{"", false},
		{"ID:CUST-4", false},
	}
	for _, tt := range tests {
		if got := s.VerifySession(id, tt.name); got != tt.ok {
			t.Errorf("VerifySession(id of id:cust-4, %q) = %v; want %v", tt.name, got, tt.ok)
		}
	}
	if s.Verify(id) || s.VerifyUser(id) {
		t.Errorf("a bound session id verifies as an unbound session id or a user id")
	}
	if NewSigner([]byte("another-secret-0123456789")).VerifySession(id, "id:cust-4") {
		t.Errorf("a bound session id verifies under another secret")
	}
}

// TestHelloLang: lang, not a credential, may stay in the URL of a
// ?hello=1 connection; the hello's own lang wins.
func TestHelloLang(t *testing.T) {
	tests := []struct {
		name  string
		query string
		hello map[string]any
		want  string
	}{
		{"from the URL", "de", map[string]any{"type": "hello"}, "de"},
		{"from the hello", "", map[string]any{"type": "hello", "lang": "ja-JP"}, "ja"},
		{"the hello wins", "de", map[string]any{"type": "hello", "lang": "ja"}, "ja"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts := startServer(t, newFakeConv(), Options{})
			c := ts.dial(t, url.Values{"hello": {"1"}, "lang": {tt.query}})
			b, _ := json.Marshal(tt.hello)
			send(t, c, string(b))
			expectType(t, c, "session")
			expectType(t, c, "typing")
			expectType(t, c, "message")
			if got := ts.conv.Idents(); len(got) != 1 || got[0].ident.Lang != tt.want {
				t.Errorf("start saw %+v; want lang %q", got, tt.want)
			}
		})
	}
}
