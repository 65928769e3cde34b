package channels

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/botforge/dialogd/channels/wstest"
	"github.com/botforge/dialogd/nodes"
)

var testSecret = []byte("0123456789abcdef-test-secret")

// fakeConv is an in-test Conversations: Start greets, Handle echoes, Missed
// replays a per-session outbox. It records every call.
type fakeConv struct {
	mu     sync.Mutex
	calls  []string
	idents []identCall // the identity in ctx of every call
	seq    map[string]uint64
	outbox map[string][][]byte

	// block, when set, makes Handle wait for a value (or its ctx);
	// entered receives each input id as Handle starts.
	block   chan struct{}
	entered chan string
	// handleErr, when set, is returned by Handle; handlePanic panics.
	handleErr   error
	handlePanic bool
	// afterSeqs are the AfterSeq of every Handle, in order.
	afterSeqs []uint64
}

// identCall is what one Conversations call saw of the user: the userID
// argument and the Identity in its ctx.
type identCall struct {
	kind   string // start, handle, missed
	userID string // "" for missed, which has no userID argument
	ident  nodes.Identity
	ok     bool // ctx carried an Identity
}

func (f *fakeConv) noteIdentity(ctx context.Context, kind, userID string) {
	id, ok := nodes.IdentityFrom(ctx)
	f.mu.Lock()
	f.idents = append(f.idents, identCall{kind: kind, userID: userID, ident: id, ok: ok})
	f.mu.Unlock()
}

// Idents returns a copy of the identities seen so far.
func (f *fakeConv) Idents() []identCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]identCall(nil), f.idents...)
}

func newFakeConv() *fakeConv {
	return &fakeConv{seq: map[string]uint64{}, outbox: map[string][][]byte{}}
}

func (f *fakeConv) record(format string, args ...any) {
	f.mu.Lock()
	f.calls = append(f.calls, fmt.Sprintf(format, args...))
	f.mu.Unlock()
}

// fail sets what Handle returns from now on.
func (f *fakeConv) fail(err error, panics bool) {
	f.mu.Lock()
	f.handleErr, f.handlePanic = err, panics
	f.mu.Unlock()
}

// Calls returns a copy of the recorded calls.
func (f *fakeConv) Calls() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.calls...)
}

func (f *fakeConv) reply(session string, r nodes.Reply) []byte {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.seq[session]++
	r.Seq = f.seq[session]
	b, err := json.Marshal(r)
	if err != nil {
		panic(err)
	}
	f.outbox[session] = append(f.outbox[session], b)
	return b
}

func (f *fakeConv) Start(ctx context.Context, session, user string) ([][]byte, error) {
	f.noteIdentity(ctx, "start", user)
	f.record("start %s", session)
	return [][]byte{f.reply(session, nodes.Reply{Type: nodes.ReplyMessage, Text: "Hello!", Input: nodes.InputExpecting})}, nil
}

func (f *fakeConv) Handle(ctx context.Context, session, user string, in nodes.Input) ([][]byte, error) {
	f.noteIdentity(ctx, "handle", user)
	f.record("handle %s id=%s text=%s payload=%s", session, in.ID, in.Text, in.Payload)
	f.mu.Lock()
	f.afterSeqs = append(f.afterSeqs, in.AfterSeq)
	f.mu.Unlock()
	if f.entered != nil {
		f.entered <- in.ID
	}
	if f.block != nil {
		select {
		case <-f.block:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	f.mu.Lock()
	herr, hpanic := f.handleErr, f.handlePanic
	f.mu.Unlock()
	if hpanic {
		panic("fake runtime bug")
	}
	if herr != nil {
		return nil, herr
	}
	return [][]byte{f.reply(session, nodes.Reply{Type: nodes.ReplyMessage, ReplyTo: in.ID, Text: "echo: " + in.Value(), Input: nodes.InputExpecting})}, nil
}

func (f *fakeConv) Missed(ctx context.Context, session string, after uint64) ([][]byte, error) {
	f.noteIdentity(ctx, "missed", "")
	f.record("missed %s after=%d", session, after)
	f.mu.Lock()
	defer f.mu.Unlock()
	var out [][]byte
	for i, b := range f.outbox[session] {
		if uint64(i+1) > after {
			out = append(out, b)
		}
	}
	return out, nil
}

// frame is any server frame, decoded.
type frame = wstest.Frame

type testServer struct {
	ws   *WebSocket
	http *httptest.Server
	conv *fakeConv

	mu    sync.Mutex
	users map[string]string // session id -> the user openSession got it for
}

// startServer serves a WebSocket channel over conv on a loopback server.
// The reader's pause after a refused input is 1 ms: the rate limit tests
// count refusals, which the pause would only slow down. tune changes the
// channel before it serves (TestRefusedInputPausesReading).
func startServer(t *testing.T, conv *fakeConv, opts Options, tune ...func(*WebSocket)) *testServer {
	t.Helper()
	if opts.Secret == nil {
		opts.Secret = testSecret
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	ws := New(conv, opts)
	ws.maxReadPause = time.Millisecond
	for _, f := range tune {
		f(ws)
	}
	hs := httptest.NewServer(ws)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = ws.Shutdown(ctx)
		hs.Close()
	})
	return &testServer{ws: ws, http: hs, conv: conv}
}

func (ts *testServer) url(query url.Values) string {
	return wstest.URL(ts.http.URL, query)
}

func (ts *testServer) dial(t *testing.T, query url.Values) *websocket.Conn {
	t.Helper()
	return wstest.DialConn(t, ts.url(query), nil)
}

// readFrame reads the next frame, failing the test after a generous
// deadline (a hang is a bug, not a slow machine).
func readFrame(t *testing.T, c *websocket.Conn) frame {
	t.Helper()
	return wstest.ReadFrame(t, c)
}

// expectType reads a frame and checks its type.
func expectType(t *testing.T, c *websocket.Conn, typ string) frame {
	t.Helper()
	return wstest.ExpectType(t, c, typ)
}

func send(t *testing.T, c *websocket.Conn, s string) {
	t.Helper()
	wstest.Send(t, c, s)
}

// openSession dials a new session and consumes the session, typing and
// greeting frames; it returns the connection and the session id.
func (ts *testServer) openSession(t *testing.T) (*websocket.Conn, string) {
	t.Helper()
	c, f := ts.openUserSession(t)
	return c, f.SessionID
}

// resumeQuery is the query of a reconnect to a session openSession
// opened, as the session's user; lastSeq "" asks for no replay.
func (ts *testServer) resumeQuery(session, lastSeq string) url.Values {
	ts.mu.Lock()
	q := url.Values{"session": {session}, "user": {ts.users[session]}}
	ts.mu.Unlock()
	if lastSeq != "" {
		q.Set("last_seq", lastSeq)
	}
	return q
}

// openUserSession is openSession that returns the session frame, which
// names the user too.
func (ts *testServer) openUserSession(t *testing.T) (*websocket.Conn, frame) {
	t.Helper()
	c := ts.dial(t, nil)
	f := expectType(t, c, "session")
	expectType(t, c, "typing")
	expectType(t, c, "message")
	ts.mu.Lock()
	if ts.users == nil {
		ts.users = map[string]string{}
	}
	ts.users[f.SessionID] = f.UserID
	ts.mu.Unlock()
	return c, f
}

// roundTrip sends a message and returns its reply, skipping the typing frame.
func roundTrip(t *testing.T, c *websocket.Conn, id, text string) frame {
	t.Helper()
	send(t, c, fmt.Sprintf(`{"type":"message","id":%q,"text":%q}`, id, text))
	expectType(t, c, "typing")
	return expectType(t, c, "message")
}

// eventually polls cond until it holds, failing after a generous limit. It
// waits for server-side bookkeeping only, never for a duration to pass.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// closeCode reads until the connection ends and returns the close code.
func closeCode(t *testing.T, c *websocket.Conn) int {
	t.Helper()
	return wstest.CloseCode(t, c)
}

var _ http.Handler = (*WebSocket)(nil)
