package dialog_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/botforge/dialogd/dialog"
	"github.com/botforge/dialogd/nodes"
	"github.com/botforge/dialogd/sessions"
)

// leadAPI is a test HTTP service recording the leads it receives.
type leadAPI struct {
	srv    *httptest.Server
	mu     sync.Mutex
	bodies []map[string]any
	status atomic.Int32
}

func newLeadAPI(t *testing.T) *leadAPI {
	a := &leadAPI{}
	a.status.Store(201)
	a.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body map[string]any
		b, _ := io.ReadAll(r.Body)
		if err := json.Unmarshal(b, &body); err != nil {
			t.Errorf("service got a body that is not JSON: %q", b)
		}
		body["_query"] = r.URL.Query().Get("src")
		a.mu.Lock()
		a.bodies = append(a.bodies, body)
		n := len(a.bodies)
		a.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(int(a.status.Load()))
		fmt.Fprintf(w, `{"id":"00Q%015d","success":true}`, n)
	}))
	t.Cleanup(a.srv.Close)
	t.Setenv("TEST_API", a.srv.URL)
	return a
}

func (a *leadAPI) calls() []map[string]any {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]map[string]any(nil), a.bodies...)
}

// chat drives one conversation through the runtime.
type chat struct {
	t   *testing.T
	rt  *dialog.Runtime
	sid string
	n   int
}

func newChat(t *testing.T, store sessions.Store) *chat {
	t.Helper()
	return newChatIn(t, "testdata/ok", store)
}

// newChatIn drives one conversation with the bot in dir.
func newChatIn(t *testing.T, dir string, store sessions.Store) *chat {
	t.Helper()
	bot, err := dialog.LoadDir(dir)
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	return &chat{t: t, rt: dialog.NewRuntime(bot, store, dialog.Options{}), sid: "s-" + t.Name()}
}

func decode(t *testing.T, frames [][]byte) []nodes.Reply {
	t.Helper()
	out := make([]nodes.Reply, len(frames))
	for i, f := range frames {
		if err := json.Unmarshal(f, &out[i]); err != nil {
			t.Fatalf("frame %d is not JSON: %q", i, f)
		}
	}
	return out
}

func (c *chat) send(in nodes.Input) []nodes.Reply {
	c.t.Helper()
	frames, err := c.rt.Handle(context.Background(), c.sid, "u1", in)
	if err != nil {
		c.t.Fatalf("Handle(%q): %v", in.Text, err)
	}
	return decode(c.t, frames)
}

func (c *chat) say(text string) []nodes.Reply {
	c.n++
	return c.send(nodes.Input{ID: fmt.Sprintf("m%d", c.n), Text: text})
}

func (c *chat) click(payload string) []nodes.Reply {
	c.n++
	return c.send(nodes.Input{ID: fmt.Sprintf("m%d", c.n), Payload: payload, Text: payload})
}

// last returns the turn's final reply and checks the protocol's turn-end rule.
func last(t *testing.T, rs []nodes.Reply) nodes.Reply {
	t.Helper()
	if len(rs) == 0 {
		t.Fatal("turn produced no frames")
	}
	for i, r := range rs[:len(rs)-1] {
		if r.Type == nodes.ReplyMessage && r.Input != nodes.InputIgnoring {
			t.Errorf("frame %d of %d has input %q; only the last may end the turn", i, len(rs), r.Input)
		}
	}
	l := rs[len(rs)-1]
	if !(l.Type == nodes.ReplyMessage && l.Input != nodes.InputIgnoring) && l.Type != nodes.ReplyAuthorize {
		t.Errorf("last frame %+v does not end the turn", l)
	}
	return l
}

func texts(rs []nodes.Reply) string {
	var s []string
	for _, r := range rs {
		if r.Text != "" {
			s = append(s, r.Text)
		}
	}
	return strings.Join(s, " | ")
}

func TestConversationHappyPath(t *testing.T) {
	api := newLeadAPI(t)
	c := newChat(t, sessions.NewMemory(sessions.Options{}))
	steps := []struct {
		say, want, input string
	}{
		{"create a lead", "Name?", nodes.InputExpecting},
		{"Jane O'Hara", "E-mail?", nodes.InputExpecting},
		{"not-an-email", "Not an e-mail.", nodes.InputExpecting},
		{"jane@example.com", "How many employees?", nodes.InputExpecting},
		{"2500", "A big one! | Created lead 00Q000000000000001", nodes.InputAccepting},
	}
	var seq uint64
	for _, s := range steps {
		rs := c.say(s.say)
		l := last(t, rs)
		if got := texts(rs); got != s.want {
			t.Errorf("say %q: got %q, want %q", s.say, got, s.want)
		}
		if l.Input != s.input {
			t.Errorf("say %q: input %q, want %q", s.say, l.Input, s.input)
		}
		for _, r := range rs {
			if r.Seq != seq+1 {
				t.Errorf("say %q: seq %d, want %d", s.say, r.Seq, seq+1)
			}
			seq = r.Seq
			if r.ReplyTo != fmt.Sprintf("m%d", c.n) {
				t.Errorf("reply_to %q, want m%d", r.ReplyTo, c.n)
			}
		}
	}
	calls := api.calls()
	if len(calls) != 1 {
		t.Fatalf("service called %d times, want 1", len(calls))
	}
	want := map[string]any{"Name": "Jane O'Hara", "Email": "jane@example.com", "Size": 2500.0, "_query": "Jane O'Hara"}
	for k, v := range want {
		if calls[0][k] != v {
			t.Errorf("service body %s = %#v, want %#v", k, calls[0][k], v)
		}
	}
}

func TestConversationEntityFromUtterance(t *testing.T) {
	newLeadAPI(t)
	c := newChat(t, sessions.NewMemory(sessions.Options{}))
	if got := texts(c.say("create a lead")); got != "Name?" {
		t.Fatalf("got %q", got)
	}
	c2 := newChat(t, sessions.NewMemory(sessions.Options{}))
	c2.say("create a lead for bob@example.com")
	if got := texts(c2.say("Bob")); got != "How many employees?" {
		t.Errorf("after the name: got %q, want the e-mail skipped", got)
	}
}

func TestConversationReplayedMessageRunsOnce(t *testing.T) {
	api := newLeadAPI(t)
	c := newChat(t, sessions.NewMemory(sessions.Options{}))
	for _, s := range []string{"create a lead", "Ann", "ann@example.com"} {
		c.say(s)
	}
	final := nodes.Input{ID: "final", Text: "12"}
	first := c.send(final)
	again := c.send(final)
	if texts(first) != "Created lead 00Q000000000000001" {
		t.Fatalf("first answer %q", texts(first))
	}
	if len(again) != len(first) {
		t.Fatalf("replay has %d frames, want %d", len(again), len(first))
	}
	for i := range first {
		if first[i].Seq != again[i].Seq || first[i].Text != again[i].Text {
			t.Errorf("replayed frame %d = %+v, want %+v", i, again[i], first[i])
		}
	}
	if n := len(api.calls()); n != 1 {
		t.Errorf("service called %d times, want 1", n)
	}
}

func TestConversationCommands(t *testing.T) {
	newLeadAPI(t)
	c := newChat(t, sessions.NewMemory(sessions.Options{}))
	if got := texts(c.say("cancel")); !strings.Contains(got, "nothing to cancel") {
		t.Errorf("cancel with no task: %q", got)
	}
	c.say("create a lead")
	rs := c.say("help")
	if l := last(t, rs); len(l.Buttons) != 2 || l.Buttons[0].Payload != "lead" || l.Buttons[0].Title != "Create a lead" {
		t.Errorf("help buttons = %+v", l.Buttons)
	}
	if got := texts(c.say("Zoe")); got != "E-mail?" {
		t.Errorf("after help the task goes on: got %q", got)
	}
	if got := texts(c.say("cancel")); got != "Stopped." {
		t.Errorf("cancel: got %q", got)
	}
	if l := last(t, c.say("gibberish words")); !strings.HasPrefix(l.Text, "Sorry") || len(l.Buttons) != 2 {
		t.Errorf("fallback = %+v", l)
	}
	if got := texts(c.click("other")); got != "Sure?" {
		t.Errorf("button payload starts a task: got %q", got)
	}
	if got := texts(c.say("of course not")); got != "Fine, not done." {
		t.Errorf("confirmation no: got %q", got)
	}
}

func TestConversationServiceError(t *testing.T) {
	api := newLeadAPI(t)
	api.status.Store(500)
	c := newChat(t, sessions.NewMemory(sessions.Options{}))
	for _, s := range []string{"create a lead", "Ann", "ann@example.com"} {
		c.say(s)
	}
	if got := texts(c.say("3")); got != "Could not create it (500)." {
		t.Errorf("got %q", got)
	}
}

func TestConversationRetriesExhausted(t *testing.T) {
	newLeadAPI(t)
	c := newChat(t, sessions.NewMemory(sessions.Options{}))
	c.say("create a lead")
	c.say("Ann")
	c.say("x")
	if l := last(t, c.say("y")); l.Input != nodes.InputExpecting {
		t.Fatalf("retries: 2 allows two retries; the task ended early")
	}
	rs := c.say("z")
	if l := last(t, rs); l.Input != nodes.InputAccepting {
		t.Errorf("after retries run out the task ends; input = %q (%q)", l.Input, texts(rs))
	}
}

func TestConversationJapanese(t *testing.T) {
	newLeadAPI(t)
	c := newChat(t, sessions.NewMemory(sessions.Options{}))
	if got := texts(c.say("リードを作成")); got != "お名前は？" {
		t.Errorf("got %q, want the Japanese prompt", got)
	}
}

func TestConversationStartAndResume(t *testing.T) {
	newLeadAPI(t)
	store := sessions.NewMemory(sessions.Options{})
	c := newChat(t, store)
	frames, err := c.rt.Start(context.Background(), c.sid, "u1")
	if err != nil {
		t.Fatal(err)
	}
	rs := decode(t, frames)
	if l := last(t, rs); l.Text != "Welcome!" || len(l.Buttons) != 2 {
		t.Errorf("welcome = %+v", l)
	}
	c.say("create a lead")
	// A second runtime on the same store (a restarted server) goes on.
	c2 := newChat(t, store)
	c2.n = c.n
	if got := texts(c2.say("Ann")); got != "E-mail?" {
		t.Errorf("resumed: got %q", got)
	}
	missed, err := c2.rt.Missed(context.Background(), c.sid, 1)
	if err != nil {
		t.Fatal(err)
	}
	if got := decode(t, missed); len(got) != 2 || got[0].Seq != 2 || got[1].Text != "E-mail?" {
		t.Errorf("Missed(after 1) = %+v", got)
	}
}

// BenchmarkTurn measures one dialog turn through the runtime on the memory
// store, without service calls: the engine's own cost.
func BenchmarkTurn(b *testing.B) {
	bot, err := dialog.LoadDir("testdata/ok")
	if err != nil {
		b.Fatal(err)
	}
	rt := dialog.NewRuntime(bot, sessions.NewMemory(sessions.Options{}), dialog.Options{})
	benchTurns(b, rt, "something else", "yes")
}

// benchTurns says the script's texts over and over in one conversation,
// a turn per iteration, each message with an id of its own.
func benchTurns(b *testing.B, rt *dialog.Runtime, script ...string) {
	ctx := context.Background()
	ids := make([]string, b.N)
	for i := range ids {
		ids[i] = fmt.Sprintf("m-%d", i)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		in := nodes.Input{ID: ids[i], Text: script[i%len(script)]}
		if _, err := rt.Handle(ctx, "bench", "u", in); err != nil {
			b.Fatal(err)
		}
	}
}
