package desk

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// TestSignIn: the right password gets a session cookie that opens the
// desk's socket; a wrong one, a forged or another bot's cookie do not; a
// flood of attempts is slowed down.
func TestSignIn(t *testing.T) {
	clk := &clock{now: time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)}
	d, _ := newTestDesk(t, NewMemoryStore(), clk)
	srv := &Server{Desks: map[string]*Desk{"testbot": d}, Key: []byte("0123456789abcdef0123456789abcdef")}
	ts := httptest.NewServer(srv)
	defer ts.Close()
	login := func(body string) *http.Response {
		resp, err := http.Post(ts.URL+"/desk/api/login", "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	if r := login(`{"bot":"testbot","agent":"ann","password":"wrong"}`); r.StatusCode != http.StatusUnauthorized {
		t.Errorf("wrong password: %d; want 401", r.StatusCode)
	}
	if r := login(`{"bot":"testbot","agent":"nobody","password":"pw-123456"}`); r.StatusCode != http.StatusUnauthorized {
		t.Errorf("unknown agent: %d; want 401", r.StatusCode)
	}
	r := login(`{"bot":"testbot","agent":"ann","password":"pw-123456"}`)
	if r.StatusCode != http.StatusOK || len(r.Cookies()) != 1 {
		t.Fatalf("right password: %d with cookies %v; want 200 and the session cookie", r.StatusCode, r.Cookies())
	}
	ck := r.Cookies()[0]
	if !ck.HttpOnly || ck.SameSite != http.SameSiteStrictMode {
		t.Errorf("cookie %+v; want HttpOnly and SameSite=Strict", ck)
	}
	ws := func(cookie string) int {
		req, _ := http.NewRequest("GET", ts.URL+"/desk/ws", nil)
		req.Header.Set("Cookie", cookieName+"="+cookie)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	// Without the WebSocket headers a good cookie gets 400 from the
	// upgrader; anything else 401 before it.
	if got := ws(ck.Value); got != http.StatusBadRequest {
		t.Errorf("good cookie: %d; want 400 (to the upgrader)", got)
	}
	payload, _, _ := strings.Cut(ck.Value, ".")
	for name, forged := range map[string]string{
		"no signature":    payload,
		"other signature": payload + ".AAAA",
		"other agent":     srv.sign("testbot", "ben", 0, time.Now().Add(time.Hour))[:len(payload)] + "." + strings.SplitN(ck.Value, ".", 2)[1],
		"expired":         srv.sign("testbot", "ann", 0, time.Now().Add(-time.Minute)),
		"other key":       (&Server{Key: []byte("another key, 32 bytes long......")}).sign("testbot", "ann", 0, time.Now().Add(time.Hour)),
	} {
		if got := ws(forged); got != http.StatusUnauthorized {
			t.Errorf("%s: %d; want 401", name, got)
		}
	}
	// Signing out voids the cookie: it no longer opens the socket.
	req, _ := http.NewRequest("POST", ts.URL+"/desk/api/logout", nil)
	req.Header.Set("Cookie", cookieName+"="+ck.Value)
	if resp, err := http.DefaultClient.Do(req); err != nil {
		t.Fatal(err)
	} else {
		resp.Body.Close()
	}
	if got := ws(ck.Value); got != http.StatusUnauthorized {
		t.Errorf("the cookie after signing out: %d; want 401", got)
	}
	if st, _ := d.Status(t.Context(), "ann"); st.State != Offline {
		t.Errorf("ann after signing out: %s; want offline", st.State)
	}
	limited := false
	for range 20 {
		if login(`{"bot":"testbot","agent":"ann","password":"guess"}`).StatusCode == http.StatusTooManyRequests {
			limited = true
			break
		}
	}
	if !limited {
		t.Error("20 wrong passwords in a row were never slowed down")
	}
}

// TestLinkRules: an agent cannot take a Salesforce user another agent is
// linked to, nor one the configuration does not give them.
func TestLinkRules(t *testing.T) {
	ctx := t.Context()
	clk := &clock{now: time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)}
	d, _ := newTestDesk(t, NewMemoryStore(), clk)
	if err := d.LinkSalesforce(ctx, "ann", "005A", "ann@example.com"); err != nil {
		t.Fatal(err)
	}
	if err := d.LinkSalesforce(ctx, "ben", "005A", "ann@example.com"); !errors.Is(err, ErrLinkedElsewhere) {
		t.Errorf("ben taking ann's user: %v; want ErrLinkedElsewhere", err)
	}
	d.cfg.Agents[2].SalesforceUser = "cid@example.com"
	d.sfUsers = fixedUsers{"eve@example.com": "005E", "cid@example.com": "005C"}
	if err := d.linkByUsername(ctx, "cid", "eve@example.com"); !errors.Is(err, ErrNotYourUser) {
		t.Errorf("cid linking eve: %v; want ErrNotYourUser", err)
	}
	if err := d.linkByUsername(ctx, "cid", "CID@example.com"); err != nil {
		t.Errorf("cid linking their configured user: %v", err)
	}
}

type fixedUsers map[string]string

func (f fixedUsers) UserID(_ context.Context, username string) (string, error) {
	if id, ok := f[strings.ToLower(username)]; ok {
		return id, nil
	}
	return "", ErrNoSuchSalesforceUser
}
