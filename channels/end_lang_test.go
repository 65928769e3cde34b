package channels

import (
	"context"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestLangTag(t *testing.T) {
	tests := []struct{ in, want string }{
		{"de", "de"}, {"DE", "de"}, {"de-DE", "de"}, {"de_AT", "de"}, {"ja-JP", "ja"},
		{"en-US", "en"}, {"fil", "fil"}, {"", ""}, {"d", ""}, {"deutsch", ""},
		{"1e", ""}, {"de DE", ""}, {"-de", ""}, {"ü", ""},
	}
	for _, tt := range tests {
		if got := langTag(tt.in); got != tt.want {
			t.Errorf("langTag(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}

// TestFixedLanguage: the widget's lang parameter and the identity token's
// locale claim fix the language the runtime sees; the claim wins.
func TestFixedLanguage(t *testing.T) {
	ts := startServer(t, newFakeConv(), Options{IdentitySecret: identitySecret, Bot: "leadbot"})
	token := func(locale string) string {
		return mint(hs256, claimsExp(5*time.Minute, `"sub":"cust-42","aud":"leadbot","locale":"`+locale+`"`), identitySecret)
	}
	tests := []struct {
		name  string
		query url.Values
		want  string
	}{
		{"no choice", nil, ""},
		{"widget", url.Values{"lang": {"de-DE"}}, "de"},
		{"widget, not a tag", url.Values{"lang": {"klingon!"}}, ""},
		{"identity", url.Values{"identity": {token("ja-JP")}}, "ja"},
		{"identity wins", url.Values{"identity": {token("ja")}, "lang": {"de"}}, "ja"},
	}
	for i, tt := range tests {
		c := ts.dial(t, tt.query)
		expectType(t, c, "session")
		expectType(t, c, "typing")
		expectType(t, c, "message")
		roundTrip(t, c, fmt.Sprint("m", i), "hello")
		calls := ts.conv.Idents()
		if got := calls[len(calls)-1].ident.Lang; got != tt.want {
			t.Errorf("%s: the runtime saw language %q; want %q", tt.name, got, tt.want)
		}
		c.Close()
	}
}

// endingConv is a fakeConv whose conversations the user can end.
type endingConv struct {
	*fakeConv
	mu    sync.Mutex
	ended []string
}

func (e *endingConv) End(ctx context.Context, session, user, _ string) ([][]byte, error) {
	e.mu.Lock()
	e.ended = append(e.ended, session+" "+user)
	e.mu.Unlock()
	return nil, nil
}

func (e *endingConv) Ended() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]string(nil), e.ended...)
}

// TestEndFrame: an end frame ends the conversation through Ender (it never
// reaches Handle), and the socket stays usable; without an id it is a bad
// frame.
func TestEndFrame(t *testing.T) {
	conv := &endingConv{fakeConv: newFakeConv()}
	ws := New(conv, Options{Secret: testSecret, Logger: slog.New(slog.DiscardHandler)})
	hs := httptest.NewServer(ws)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = ws.Shutdown(ctx)
		hs.Close()
	})
	ts := &testServer{ws: ws, http: hs, conv: conv.fakeConv}
	c, session := ts.openSession(t)
	user := conv.Idents()[0].userID

	send(t, c, `{"type":"end"}`)
	if f := expectType(t, c, "error"); f.Code != CodeBadFrame {
		t.Errorf("end frame without id: error code %q; want %q", f.Code, CodeBadFrame)
	}
	send(t, c, `{"type":"end","id":"e1"}`)
	// The next turn runs after the end: by then End was called.
	if got := roundTrip(t, c, "m1", "hi again"); got.Text != "echo: hi again" {
		t.Errorf("after the end frame: reply %q; want the echo", got.Text)
	}
	if got, want := conv.Ended(), []string{session + " " + user}; len(got) != 1 || got[0] != want[0] {
		t.Errorf("End calls = %q; want %q", got, want)
	}
	for _, call := range conv.Calls() {
		if strings.HasSuffix(call, "payload="+endPayload) {
			t.Errorf("the end frame reached Handle: %q", call)
		}
	}
}

// TestEndFrameWithoutEnder: a runtime that cannot end conversations
// ignores end frames.
func TestEndFrameWithoutEnder(t *testing.T) {
	ts := startServer(t, newFakeConv(), Options{})
	c, _ := ts.openSession(t)
	send(t, c, `{"type":"end","id":"e1"}`)
	if got := roundTrip(t, c, "m1", "still here"); got.Text != "echo: still here" {
		t.Errorf("reply %q; want the echo", got.Text)
	}
	for _, call := range ts.conv.Calls() {
		if strings.HasSuffix(call, "payload="+endPayload) {
			t.Errorf("the end frame reached Handle: %q", call)
		}
	}
}

var _ Ender = (*endingConv)(nil)
