package desk

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// TestSignInBadInput: a sign-in that is not JSON, not JSON at all, too
// large or of another method gets a clear status and sets no cookie.
func TestSignInBadInput(t *testing.T) {
	clk := &clock{now: time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)}
	d, _ := newTestDesk(t, NewMemoryStore(), clk)
	ts := httptest.NewServer(&Server{Desks: map[string]*Desk{"testbot": d}, Key: []byte("0123456789abcdef0123456789abcdef")})
	defer ts.Close()
	tests := []struct {
		name, method, ctype, body string
		want                      int
	}{
		{"GET", "GET", "application/json", "", http.StatusMethodNotAllowed},
		{"form", "POST", "application/x-www-form-urlencoded", "agent=ann&password=x", http.StatusUnsupportedMediaType},
		{"not JSON", "POST", "application/json", "{agent: ann", http.StatusBadRequest},
		{"a JSON array", "POST", "application/json", `["ann"]`, http.StatusBadRequest},
		{"too large", "POST", "application/json", `{"bot":"testbot","agent":"ann","password":"` + strings.Repeat("x", 8000) + `"}`, http.StatusBadRequest},
		{"unknown bot", "POST", "application/json", `{"bot":"nobot","agent":"ann","password":"pw-123456"}`, http.StatusUnauthorized},
	}
	for _, tt := range tests {
		req, _ := http.NewRequest(tt.method, ts.URL+"/desk/api/login", strings.NewReader(tt.body))
		req.Header.Set("Content-Type", tt.ctype)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tt.want || len(resp.Cookies()) != 0 {
			t.Errorf("%s: %d with cookies %v; want %d and none", tt.name, resp.StatusCode, resp.Cookies(), tt.want)
		}
	}
}

// TestPageBadFrames: malformed frames on a desk page's socket get error
// frames and the socket stays open; a frame over the read limit closes
// it; nobody acts on a conversation that is not theirs.
func TestPageBadFrames(t *testing.T) {
	clk := &clock{now: time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)}
	d, _ := newTestDesk(t, NewMemoryStore(), clk)
	srv := &Server{Desks: map[string]*Desk{"testbot": d}, Key: []byte("0123456789abcdef0123456789abcdef")}
	ts := httptest.NewServer(srv)
	defer ts.Close()
	hdr := http.Header{"Cookie": {cookieName + "=" + srv.sign("testbot", "ann", 0, time.Now().Add(time.Hour))}}
	ws, _, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(ts.URL, "http")+"/desk/ws", hdr)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	expectError := func(frame, wantCode string) {
		t.Helper()
		if err := ws.WriteMessage(websocket.TextMessage, []byte(frame)); err != nil {
			t.Fatal(err)
		}
		_ = ws.SetReadDeadline(time.Now().Add(10 * time.Second))
		for {
			var f map[string]any
			if err := ws.ReadJSON(&f); err != nil {
				t.Fatalf("%s: the socket closed: %v", frame, err)
			}
			if f["type"] == "error" {
				if f["code"] != wantCode {
					t.Errorf("%s: error %v; want code %s", frame, f, wantCode)
				}
				return
			}
		}
	}
	expectError(`not json`, "bad_frame")
	expectError(`[1,2]`, "bad_frame")
	expectError(`{"type":"launch"}`, "bad_frame")
	expectError(`{"type":"state","state":"busy"}`, "busy_by_hand")
	expectError(`{"type":"state","state":"unavailable","reason":"nap"}`, "bad_reason")
	expectError(`{"type":"message","conversation":"someone-elses","text":"hi"}`, "no_such_conversation")
	expectError(`{"type":"end","conversation":""}`, "no_such_conversation")
	if err := ws.WriteMessage(websocket.TextMessage, []byte(`{"type":"message","text":"`+strings.Repeat("x", maxFrameBytes)+`"}`)); err != nil {
		t.Fatal(err)
	}
	_ = ws.SetReadDeadline(time.Now().Add(10 * time.Second))
	for {
		if _, _, err := ws.ReadMessage(); err != nil {
			break // closed: the frame was over the limit
		}
	}
}

// FuzzSignedIn: whatever cookie a client sends, signedIn never panics
// and accepts only what sign made with the key.
func FuzzSignedIn(f *testing.F) {
	clk := &clock{now: time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)}
	f.Setenv("DESK_PW", "pw-123456")
	d, err := New("testbot", mustDecode(f, testDesk), NewMemoryStore(), &usersLog{}, Options{Now: clk.Now})
	if err != nil {
		f.Fatal(err)
	}
	srv := &Server{Desks: map[string]*Desk{"testbot": d}, Key: []byte("0123456789abcdef0123456789abcdef")}
	good := srv.sign("testbot", "ann", 0, time.Now().Add(time.Hour))
	f.Add(good)
	f.Add("")
	f.Add(".")
	f.Add(good + "x")
	f.Add(strings.Replace(good, ".", "..", 1))
	f.Fuzz(func(t *testing.T, value string) {
		req := httptest.NewRequest("GET", "/desk/ws", nil)
		req.Header.Set("Cookie", cookieName+"="+value)
		_, agent, _, ok := srv.signedIn(req)
		if !ok {
			return
		}
		if ck, err := req.Cookie(cookieName); err != nil || ck.Value != good {
			t.Errorf("cookie %q accepted for %q; only the signed one may be", value, agent)
		}
	})
}
