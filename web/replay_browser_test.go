package web

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/botforge/dialogd/channels"
	"github.com/botforge/dialogd/channels/wstest"
	"github.com/botforge/dialogd/dialog"
	"github.com/botforge/dialogd/nodes"
	"github.com/botforge/dialogd/sessions"
	"github.com/botforge/dialogd/web/browsertest"
)

// The bot of the replay test: "hello" gets one frame, "go slow" two, the
// second after a service call that waits for the test.
var replayBotFS = fstest.MapFS{
	"tasks/chat.yaml": {Data: []byte(`name: chat
title: {en: Chat}
nodes:
  - id: start
    type: intent
    utterances: {en: [hello]}
    next: hi
  - id: hi
    type: message
    text: "Hi there."
`)},
	"tasks/slow.yaml": {Data: []byte(`name: slow
title: {en: Slow}
nodes:
  - id: start
    type: intent
    utterances: {en: [go slow]}
    next: wait
  - id: wait
    type: message
    text: "Working on it."
    next: call
  - id: call
    type: service
    method: GET
    url: "{{env.api}}/slow"
    timeout: 20s
    next: done
  - id: done
    type: message
    text: "Done."
`)},
}

const replayBotYAML = `name: replaybot
languages: [en]
env:
  api: "%s"
events:
  conversation_start:
    text: "Welcome!"
`

// seenConv is the real runtime, noting the id of every input it is given.
type seenConv struct {
	*dialog.Runtime
	handled chan string
}

func (c seenConv) Handle(ctx context.Context, sessionID, userID string, in nodes.Input) ([][]byte, error) {
	c.handled <- in.ID
	return c.Runtime.Handle(ctx, sessionID, userID, in)
}

// cutProxy forwards TCP connections to backend. cut closes every open
// one, as a network drop does; while held, new connections wait.
type cutProxy struct {
	ln net.Listener

	mu      sync.Mutex
	backend string // host:port new connections go to
	conns   []net.Conn
	gate    chan struct{} // closed while connections may go through
}

func startCutProxy(t *testing.T, backend string) *cutProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("proxy listen: %v", err)
	}
	p := &cutProxy{ln: ln, backend: backend, gate: make(chan struct{})}
	close(p.gate)
	t.Cleanup(func() {
		ln.Close()
		p.cut()
		p.open()
	})
	go p.serve()
	return p
}

func (p *cutProxy) serve() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		go p.forward(c)
	}
}

func (p *cutProxy) forward(c net.Conn) {
	p.mu.Lock()
	gate := p.gate
	p.mu.Unlock()
	<-gate
	p.mu.Lock()
	backend := p.backend
	p.mu.Unlock()
	b, err := net.Dial("tcp", backend)
	if err != nil {
		c.Close()
		return
	}
	p.mu.Lock()
	p.conns = append(p.conns, c, b)
	p.mu.Unlock()
	go func() { io.Copy(b, c); b.Close() }()
	io.Copy(c, b)
	c.Close()
}

// cut drops every forwarded connection and holds new ones until open.
func (p *cutProxy) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
	select {
	case <-p.gate:
		p.gate = make(chan struct{})
	default:
	}
}

func (p *cutProxy) open() {
	p.mu.Lock()
	defer p.mu.Unlock()
	select {
	case <-p.gate:
	default:
		close(p.gate)
	}
}

// switchTo sends new connections to another backend.
func (p *cutProxy) switchTo(backend string) {
	p.mu.Lock()
	p.backend = backend
	p.mu.Unlock()
}

func (p *cutProxy) url() string { return "http://" + p.ln.Addr().String() }

// nextHandled takes the next input id the runtime was given.
func nextHandled(t *testing.T, step string, conv seenConv) string {
	t.Helper()
	return recv(t, step, conv.handled)
}

// TestWidgetReplayShowsEveryFrameOnce drives the widget against the real
// channel and runtime through a proxy that drops the connection while a
// message's turn runs. First the widget reconnects while the turn is still
// running: the replay has nothing of it, and after the replayed frame the
// widget re-sends the message, whose answer then comes once. Then the
// turn finishes while the widget is offline: the replay carries the answer
// and the widget re-sends nothing. Every frame is shown once.
func TestWidgetReplayShowsEveryFrameOnce(t *testing.T) {
	ctx := browsertest.New(t, 60*time.Second)
	stack := startReplayStack(t)
	rt, conv, api := stack.rt, stack.conv, stack.api
	proxy := startCutProxy(t, stack.addr)

	browsertest.Do(t, ctx, "load page", chromedp.Navigate(proxy.url()+"/"))
	want := []string{"bot: Welcome!"}
	browsertest.WaitTranscript(t, ctx, "greeting", want)
	browsertest.Do(t, ctx, "type hello", chromedp.SendKeys(chromedp.CSS(".dlgd-input"), "hello\n"))
	nextHandled(t, "hello", conv)
	want = append(want, "user: hello", "bot: Hi there.")
	browsertest.WaitTranscript(t, ctx, "reply to hello", want)

	// 1. The connection drops during the turn and comes back at once; the
	// widget re-sends the message after the replayed frame.
	browsertest.Do(t, ctx, "type go slow", chromedp.SendKeys(chromedp.CSS(".dlgd-input"), "go slow\n"))
	slowID := nextHandled(t, "go slow", conv)
	recv(t, "service call", api.Entered)
	proxy.cut()
	proxy.open()
	if id := nextHandled(t, "re-send after the replay", conv); id != slowID {
		t.Fatalf("after the reconnect the runtime got input %q; want the re-sent %q", id, slowID)
	}
	api.Release <- struct{}{}
	want = append(want, "user: go slow", "bot: Working on it.", "bot: Done.")
	browsertest.WaitTranscript(t, ctx, "answer to the re-sent message", want)

	// 2. The connection drops during the turn and the turn ends while the
	// widget is offline: the replay carries the answer, nothing is re-sent.
	browsertest.Do(t, ctx, "type go slow again", chromedp.SendKeys(chromedp.CSS(".dlgd-input"), "go slow\n"))
	nextHandled(t, "go slow again", conv)
	recv(t, "second service call", api.Entered)
	proxy.cut() // new connections wait
	browsertest.WaitJS(t, ctx, "offline", `document.querySelector('.dlgd-root').dataset.state !== 'connected'`)
	api.Release <- struct{}{}
	waitSeq(t, rt, sessionOf(t, ctx), 6)
	proxy.open()
	want = append(want, "user: go slow", "bot: Working on it.", "bot: Done.")
	browsertest.WaitTranscript(t, ctx, "answer replayed", want)
	browsertest.WaitJS(t, ctx, "reconnected", `document.querySelector('.dlgd-root').dataset.state === 'connected'`)
	browsertest.Do(t, ctx, "type hello again", chromedp.SendKeys(chromedp.CSS(".dlgd-input"), "hello\n"))
	got := nextHandled(t, "hello again", conv)
	want = append(want, "user: hello", "bot: Hi there.")
	browsertest.WaitTranscript(t, ctx, "reply to hello again", want)
	if id := browsertest.EvalJS[string](t, ctx, `[...document.querySelectorAll('.dlgd-msg-user')].pop().dataset.id`); got != id {
		t.Errorf("the runtime's first input after the replay = %q; want the new hello %q (the message the replay answered must not be re-sent)", got, id)
	}

	seqs := browsertest.EvalJS[[]int](t, ctx, `[...document.querySelectorAll('.dlgd-msg[data-seq]')].map(e => +e.dataset.seq)`)
	if want := []int{1, 2, 3, 4, 5, 6, 7}; !slices.Equal(seqs, want) {
		t.Errorf("rendered seqs = %v; want %v, each once", seqs, want)
	}
}

// TestWidgetServerLostConversation: the widget reconnects to a server that
// no longer has the conversation (botd restarted on a memory store, with
// the same secret), so the session id is accepted but the conversation is
// new. The replayed frame says last_seq 0; the widget says so and shows
// the new conversation's frames, which the server numbers after the
// client's last_seq (they used to start again at 1, seqs the widget had
// rendered).
func TestWidgetServerLostConversation(t *testing.T) {
	ctx := browsertest.New(t, 60*time.Second)
	first := startReplayStack(t)
	proxy := startCutProxy(t, first.addr)

	browsertest.Do(t, ctx, "load page", chromedp.Navigate(proxy.url()+"/"))
	want := []string{"bot: Welcome!"}
	browsertest.WaitTranscript(t, ctx, "greeting", want)
	browsertest.Do(t, ctx, "type hello", chromedp.SendKeys(chromedp.CSS(".dlgd-input"), "hello\n"))
	want = append(want, "user: hello", "bot: Hi there.")
	browsertest.WaitTranscript(t, ctx, "reply to hello", want)
	sid := sessionOf(t, ctx)

	second := startReplayStack(t) // the restarted server: same secret, empty store
	proxy.switchTo(second.addr)
	proxy.cut()
	proxy.open()
	want = append(want, "system: A new conversation started.")
	browsertest.WaitTranscript(t, ctx, "reconnect to the restarted server", want)
	browsertest.Do(t, ctx, "type hello again", chromedp.SendKeys(chromedp.CSS(".dlgd-input"), "hello\n"))
	want = append(want, "user: hello", "bot: Hi there.")
	browsertest.WaitTranscript(t, ctx, "reply from the restarted server", want)
	if got := sessionOf(t, ctx); got != sid {
		t.Errorf("session id after the restart = %q; want the same %q (the restarted server accepts it)", got, sid)
	}
	if seq := browsertest.EvalJS[int](t, ctx, `[...document.querySelectorAll('.dlgd-msg[data-seq]')].pop().dataset.seq * 1`); seq != 3 {
		t.Errorf("seq of the restarted server's reply = %d; want 3 (numbered after the client's last_seq 2)", seq)
	}
}

// replayStack is the real channel and runtime (memory store) of a test
// bot, served on addr with the widget's files.
type replayStack struct {
	rt   *dialog.Runtime
	conv seenConv
	api  *wstest.HeldAPI
	addr string // host:port
}

// replaySecret signs the session ids of every replayStack, as one secret
// does for every instance of a deployment.
var replaySecret = []byte("0123456789abcdef-widget-replay")

func startReplayStack(t *testing.T) *replayStack {
	t.Helper()
	api := wstest.NewHeldAPI()
	apiSrv := httptest.NewServer(api)
	t.Cleanup(apiSrv.Close)
	fsys := fstest.MapFS{"bot.yaml": {Data: []byte(fmt.Sprintf(replayBotYAML, apiSrv.URL))}}
	for name, f := range replayBotFS {
		fsys[name] = f
	}
	bot, err := dialog.LoadFS(fsys, "replaybot", nodes.Default())
	if err != nil {
		t.Fatalf("load the test bot: %v", err)
	}
	store := sessions.NewMemory(sessions.Options{})
	t.Cleanup(func() { store.Close() })
	log := slog.New(slog.DiscardHandler)
	rt := dialog.NewRuntime(bot, store, dialog.Options{Logger: log})
	conv := seenConv{Runtime: rt, handled: make(chan string, 16)}
	ws := channels.New(conv, channels.Options{Secret: replaySecret, Logger: log})
	mux := http.NewServeMux()
	mux.Handle("/ws", ws)
	mux.Handle("/", Handler())
	srv := httptest.NewServer(mux)
	t.Cleanup(func() {
		close(api.Release)
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = ws.Shutdown(sctx)
		srv.Close()
	})
	return &replayStack{rt: rt, conv: conv, api: api, addr: srv.Listener.Addr().String()}
}

// sessionOf is the session id the widget stored.
func sessionOf(t *testing.T, ctx context.Context) string {
	t.Helper()
	return storedState(t, ctx, "sid")
}

// waitSeq waits until the session's outbox holds seq.
func waitSeq(t *testing.T, rt *dialog.Runtime, session string, seq uint64) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		frames, err := rt.Missed(context.Background(), session, seq-1)
		if err == nil && len(frames) > 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("seq %d was not committed (err %v)", seq, err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
