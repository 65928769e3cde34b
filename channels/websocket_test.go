package channels

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/prometheus/client_golang/prometheus"
)

func TestSessionFrameFirst(t *testing.T) {
	ts := startServer(t, newFakeConv(), Options{})
	c := ts.dial(t, nil)

	s := expectType(t, c, "session")
	if !ts.ws.signer.VerifySession(s.SessionID, s.UserID) {
		t.Fatalf("session id %q does not verify for its user %q", s.SessionID, s.UserID)
	}
	expectType(t, c, "typing")
	greet := expectType(t, c, "message")
	if greet.Seq != 1 || greet.Text != "Hello!" || greet.Input != "expecting" {
		t.Errorf("greeting = %+v; want seq 1, text Hello!, input expecting", greet)
	}
	want := []string{"start " + s.SessionID}
	if got := ts.conv.Calls(); !slices.Equal(got, want) {
		t.Errorf("calls = %q; want %q", got, want)
	}
}

func TestTurn(t *testing.T) {
	ts := startServer(t, newFakeConv(), Options{})
	c, id := ts.openSession(t)

	got := roundTrip(t, c, "m1", "hello bot")
	if got.ReplyTo != "m1" || got.Text != "echo: hello bot" || got.Seq != 2 {
		t.Errorf("reply = %+v; want reply_to m1, text %q, seq 2", got, "echo: hello bot")
	}

	send(t, c, `{"type":"postback","id":"m2","payload":"yes","text":"Yes please"}`)
	expectType(t, c, "typing")
	pb := expectType(t, c, "message")
	if pb.ReplyTo != "m2" || pb.Text != "echo: yes" {
		t.Errorf("postback reply = %+v; want reply_to m2, text %q", pb, "echo: yes")
	}

	want := []string{
		"start " + id,
		"handle " + id + " id=m1 text=hello bot payload=",
		"handle " + id + " id=m2 text=Yes please payload=yes",
	}
	if got := ts.conv.Calls(); !slices.Equal(got, want) {
		t.Errorf("calls = %q; want %q", got, want)
	}
}

func TestTurnsRunInOrder(t *testing.T) {
	ts := startServer(t, newFakeConv(), Options{QueueSize: 16})
	c, _ := ts.openSession(t)
	const n = 10
	for i := range n {
		send(t, c, fmt.Sprintf(`{"type":"message","id":"m%d","text":"t%d"}`, i, i))
	}
	for i := range n {
		expectType(t, c, "typing")
		got := expectType(t, c, "message")
		if want := fmt.Sprintf("m%d", i); got.ReplyTo != want {
			t.Fatalf("reply %d reply_to = %q; want %q", i, got.ReplyTo, want)
		}
	}
}

func TestResume(t *testing.T) {
	ts := startServer(t, newFakeConv(), Options{})
	c, id := ts.openSession(t)
	roundTrip(t, c, "m1", "one") // seq 2
	roundTrip(t, c, "m2", "two") // seq 3
	c.Close()

	t.Run("last_seq replays missed frames", func(t *testing.T) {
		c2 := ts.dial(t, ts.resumeQuery(id, "1"))
		if got := expectType(t, c2, "session").SessionID; got != id {
			t.Fatalf("resumed session id = %q; want %q", got, id)
		}
		for _, want := range []uint64{2, 3} {
			if got := expectType(t, c2, "message"); got.Seq != want {
				t.Errorf("replayed seq = %d; want %d", got.Seq, want)
			}
		}
		if got := expectType(t, c2, "replayed"); got.LastSeq != 3 {
			t.Errorf("replayed last_seq = %d; want 3", got.LastSeq)
		}
		// The channel asks from the client's own last frame on, to learn
		// that the server has it.
		calls := ts.conv.Calls()
		if got, want := calls[len(calls)-1], fmt.Sprintf("missed %s after=0", id); got != want {
			t.Errorf("last call = %q; want %q", got, want)
		}
	})

	t.Run("no last_seq means no replay", func(t *testing.T) {
		before := len(ts.conv.Calls())
		c3 := ts.dial(t, ts.resumeQuery(id, ""))
		if got := expectType(t, c3, "session").SessionID; got != id {
			t.Fatalf("resumed session id = %q; want %q", got, id)
		}
		// The next frames must belong to this turn: nothing was replayed.
		got := roundTrip(t, c3, "m3", "three")
		if got.ReplyTo != "m3" {
			t.Errorf("first frame after resume = %+v; want the reply to m3", got)
		}
		// The channel reads the session's frames (to number its own after
		// them, and to store a start that was only shown) but sends none.
		want := []string{"missed " + id + " after=0", "handle " + id + " id=m3 text=three payload="}
		if got := ts.conv.Calls()[before:]; !slices.Equal(got, want) {
			t.Errorf("calls after resume = %q; want %q", got, want)
		}
	})
}

func TestBadInput(t *testing.T) {
	long := strings.Repeat("x", MaxClientIDLen+1)
	tests := []struct {
		name        string
		frame       string
		wantReplyTo string
	}{
		{"malformed JSON", `{"type":"message",`, ""},
		{"not an object", `[1,2,3]`, ""},
		{"JSON string", `"hello"`, ""},
		{"null", `null`, ""},
		{"trailing garbage", `{"type":"message","id":"a1","text":"hi"} x`, ""},
		{"missing type", `{"id":"a1","text":"hi"}`, "a1"},
		{"unknown type", `{"type":"dance","id":"a1"}`, "a1"},
		{"message without id", `{"type":"message","text":"hi"}`, ""},
		{"message without text", `{"type":"message","id":"a1"}`, "a1"},
		{"message with blank text", `{"type":"message","id":"a1","text":" \n\t"}`, "a1"},
		{"postback without id", `{"type":"postback","payload":"p"}`, ""},
		{"postback without payload", `{"type":"postback","id":"a1","text":"Yes"}`, "a1"},
		{"text of wrong JSON type", `{"type":"message","id":"a1","text":42}`, "a1"},
		{"id of wrong JSON type", `{"type":"message","id":7,"text":"hi"}`, ""},
		{"id too long", `{"type":"message","id":"` + long + `","text":"hi"}`, ""},
	}
	ts := startServer(t, newFakeConv(), Options{})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, _ := ts.openSession(t)
			before := ts.conv.Calls()

			send(t, c, tt.frame)
			got := expectType(t, c, "error")
			if got.Code != CodeBadFrame || got.ReplyTo != tt.wantReplyTo || got.Message == "" {
				t.Errorf("error frame = %+v; want code %q, reply_to %q and a message", got, CodeBadFrame, tt.wantReplyTo)
			}
			if after := ts.conv.Calls(); len(after) != len(before) {
				t.Errorf("runtime calls after bad frame = %q; want none", after[len(before):])
			}
			// The connection is still usable.
			if r := roundTrip(t, c, "ok1", "still there?"); r.ReplyTo != "ok1" {
				t.Errorf("reply after bad frame = %+v; want reply_to ok1", r)
			}
		})
	}
}

func TestOversizedFrameCloses1009(t *testing.T) {
	ts := startServer(t, newFakeConv(), Options{ReadLimit: 1024})
	c, _ := ts.openSession(t)
	send(t, c, `{"type":"message","id":"big","text":"`+strings.Repeat("a", 2048)+`"}`)
	if got := closeCode(t, c); got != websocket.CloseMessageTooBig {
		t.Errorf("close code = %d; want %d", got, websocket.CloseMessageTooBig)
	}
	for _, call := range ts.conv.Calls() {
		if strings.Contains(call, "id=big") {
			t.Errorf("oversized frame reached the runtime: %q", call)
		}
	}
}

func TestDefaultReadLimit(t *testing.T) {
	ts := startServer(t, newFakeConv(), Options{})
	c, _ := ts.openSession(t)
	// Just under the limit passes; the frame text is 8 KiB minus the JSON.
	text := strings.Repeat("a", DefaultReadLimit-64)
	if r := roundTrip(t, c, "fits", text); r.ReplyTo != "fits" {
		t.Fatalf("reply = %+v; want reply_to fits", r)
	}
	send(t, c, `{"type":"message","id":"big","text":"`+strings.Repeat("a", DefaultReadLimit)+`"}`)
	if got := closeCode(t, c); got != websocket.CloseMessageTooBig {
		t.Errorf("close code = %d; want %d", got, websocket.CloseMessageTooBig)
	}
}

func TestUntrustedSessionIDGetsFreshSession(t *testing.T) {
	ts := startServer(t, newFakeConv(), Options{})
	_, vf := ts.openUserSession(t)
	victim, user := vf.SessionID, vf.UserID
	foreign := NewSigner([]byte("another-instance-secret-xxxxxxxx")).IssueSession(user)
	randPart, _, _ := strings.Cut(victim, ".")
	forgedTag := randPart + "." + strings.Repeat("A", len(victim)-len(randPart)-1)
	flipped := []byte(victim)
	flipped[3] ^= 1 // still base64url, different random part

	tests := []struct{ name, id string }{
		{"forged tag on a live session", forgedTag},
		{"random part changed", string(flipped)},
		{"issued with another secret", foreign},
		{"malformed", "not-a-session"},
		{"empty parts", "."},
		{"truncated", victim[:len(victim)-1]},
		{"valid with suffix", victim + "A"},
		{"path-like", "../../" + victim},
		{"unbound (before ids were bound to users)", ts.ws.signer.Issue()},
		{"bound to another user", ts.ws.signer.IssueSession(ts.ws.signer.IssueUser())},
		{"bound to no user", ts.ws.signer.IssueSession("")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := ts.dial(t, url.Values{"session": {tt.id}, "last_seq": {"0"}, "user": {user}})
			sf := expectType(t, c, "session")
			got := sf.SessionID
			if got == tt.id || got == victim {
				t.Fatalf("session id = %q; want a fresh one (presented %q)", got, tt.id)
			}
			if sf.UserID != user || !ts.ws.signer.VerifySession(got, user) {
				t.Errorf("fresh session id %q (user %q) does not verify for the user %q", got, sf.UserID, user)
			}
			expectType(t, c, "typing")
			if m := expectType(t, c, "message"); m.Seq != 1 {
				t.Errorf("first frame of fresh session = %+v; want the seq 1 greeting", m)
			}
			calls := ts.conv.Calls()
			if want := "start " + got; calls[len(calls)-1] != want {
				t.Errorf("last call = %q; want %q", calls[len(calls)-1], want)
			}
		})
	}
}

func TestOriginCheck(t *testing.T) {
	tests := []struct {
		name    string
		allowed []string
		origin  string // "self" = the test server's own origin
		want    int
	}{
		{"allowlist exact", []string{"https://shop.example"}, "https://shop.example", http.StatusSwitchingProtocols},
		{"allowlist ignores case", []string{"https://shop.example"}, "HTTPS://Shop.Example", http.StatusSwitchingProtocols},
		{"allowlist with port", []string{"https://shop.example:8443"}, "https://shop.example:8443", http.StatusSwitchingProtocols},
		{"allowlist other port", []string{"https://shop.example"}, "https://shop.example:8443", http.StatusForbidden},
		{"allowlist other scheme", []string{"https://shop.example"}, "http://shop.example", http.StatusForbidden},
		{"allowlist other host", []string{"https://shop.example"}, "https://evil.example", http.StatusForbidden},
		{"allowlist suffix trick", []string{"https://shop.example"}, "https://shop.example.evil.example", http.StatusForbidden},
		{"allowlist no Origin header", []string{"https://shop.example"}, "", http.StatusSwitchingProtocols},
		{"same-origin default, own origin", nil, "self", http.StatusSwitchingProtocols},
		{"same-origin default, other origin", nil, "https://evil.example", http.StatusForbidden},
		{"same-origin default, no Origin header", nil, "", http.StatusSwitchingProtocols},
		{"wildcard", []string{"*"}, "https://anything.example", http.StatusSwitchingProtocols},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts := startServer(t, newFakeConv(), Options{AllowedOrigins: tt.allowed})
			h := http.Header{}
			switch tt.origin {
			case "":
			case "self":
				h.Set("Origin", ts.http.URL)
			default:
				h.Set("Origin", tt.origin)
			}
			c, resp, err := websocket.DefaultDialer.Dial(ts.url(nil), h)
			if c != nil {
				defer c.Close()
			}
			if resp == nil {
				t.Fatalf("Dial() = %v with no response", err)
			}
			if resp.StatusCode != tt.want {
				t.Errorf("handshake status = %d (err %v); want %d", resp.StatusCode, err, tt.want)
			}
			if tt.want == http.StatusForbidden && len(ts.conv.Calls()) != 0 {
				t.Errorf("refused origin reached the runtime: %q", ts.conv.Calls())
			}
		})
	}
}

func TestDeliver(t *testing.T) {
	ts := startServer(t, newFakeConv(), Options{})
	c, id := ts.openSession(t)
	tab2 := ts.dial(t, ts.resumeQuery(id, ""))
	expectType(t, tab2, "session")
	// The session frame goes out before the connection is registered:
	// wait until Deliver can see both tabs.
	eventually(t, "the second tab to register", func() bool { return len(ts.ws.live.get(id)) == 2 })

	frames := [][]byte{
		[]byte(`{"type":"message","seq":7,"text":"You are signed in.","input":"ignoring"}`),
		[]byte(`{"type":"message","seq":8,"text":"Lead created.","input":"accepting"}`),
	}
	if !ts.ws.Deliver(id, frames) {
		t.Fatalf("Deliver(%s) = false; want true", id)
	}
	for _, conn := range []*websocket.Conn{c, tab2} {
		for _, want := range []uint64{7, 8} {
			if got := expectType(t, conn, "message"); got.Seq != want {
				t.Errorf("delivered seq = %d; want %d", got.Seq, want)
			}
		}
	}

	if ts.ws.Deliver(NewSigner(testSecret).Issue(), frames) {
		t.Errorf("Deliver(unknown session) = true; want false")
	}

	c.Close()
	tab2.Close()
	eventually(t, "connections to unregister", func() bool { return ts.ws.live.count() == 0 })
	if ts.ws.Deliver(id, frames) {
		t.Errorf("Deliver(closed session) = true; want false")
	}
}

func TestShutdownWaitsForTurn(t *testing.T) {
	conv := newFakeConv()
	conv.block = make(chan struct{})
	conv.entered = make(chan string, 1)
	ts := startServer(t, conv, Options{})
	c, _ := ts.openSession(t)
	idle, _ := ts.openSession(t)

	send(t, c, `{"type":"message","id":"slow","text":"take your time"}`)
	expectType(t, c, "typing")
	<-conv.entered

	done := make(chan error, 1)
	go func() { done <- ts.ws.Shutdown(context.Background()) }()
	eventually(t, "shutdown to begin", ts.ws.isClosing)

	// No new connections while shutting down.
	_, resp, err := websocket.DefaultDialer.Dial(ts.url(nil), nil)
	if err == nil || resp == nil || resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("Dial during shutdown = %v, %v; want HTTP 503", resp, err)
	}
	select {
	case err := <-done:
		t.Fatalf("Shutdown returned %v while a turn was running", err)
	default:
	}

	close(conv.block)
	// The turn's reply arrives before the close frame.
	if got := expectType(t, c, "message"); got.ReplyTo != "slow" {
		t.Errorf("reply = %+v; want reply_to slow", got)
	}
	for _, conn := range []*websocket.Conn{c, idle} {
		if got := closeCode(t, conn); got != websocket.CloseGoingAway {
			t.Errorf("close code = %d; want %d", got, websocket.CloseGoingAway)
		}
	}
	if err := <-done; err != nil {
		t.Errorf("Shutdown() = %v; want nil", err)
	}
}

func TestShutdownDeadlineCancelsTurn(t *testing.T) {
	conv := newFakeConv()
	conv.block = make(chan struct{}) // never released: only ctx ends the turn
	conv.entered = make(chan string, 1)
	ts := startServer(t, conv, Options{})
	c, _ := ts.openSession(t)
	send(t, c, `{"type":"message","id":"stuck","text":"hang"}`)
	expectType(t, c, "typing")
	<-conv.entered

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := ts.ws.Shutdown(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("Shutdown(cancelled ctx) = %v; want context.Canceled", err)
	}
	// The stuck turn saw its context end, so the goroutine is gone.
	if !waitCtx(context.Background(), &ts.ws.turns) {
		t.Error("turn goroutine still running")
	}
}

func TestBusyQueue(t *testing.T) {
	conv := newFakeConv()
	conv.block = make(chan struct{})
	conv.entered = make(chan string, 4)
	ts := startServer(t, conv, Options{QueueSize: 1})
	c, _ := ts.openSession(t)

	send(t, c, `{"type":"message","id":"m1","text":"first"}`)
	expectType(t, c, "typing")
	// m1 has left the queue and runs.
	<-conv.entered
	send(t, c, `{"type":"message","id":"m2","text":"second"}`) // waits
	send(t, c, `{"type":"message","id":"m3","text":"third"}`)  // overflows
	if got := expectType(t, c, "error"); got.Code != CodeBusy || got.ReplyTo != "m3" {
		t.Errorf("overflow frame = %+v; want code busy, reply_to m3", got)
	}
	close(conv.block)
	var replies []string
	for len(replies) < 2 {
		if f := readFrame(t, c); f.Type == "message" {
			replies = append(replies, f.ReplyTo)
		}
	}
	if want := []string{"m1", "m2"}; !slices.Equal(replies, want) {
		t.Errorf("replies = %q; want %q", replies, want)
	}
}

type codedError struct{ code, detail string }

func (e codedError) Error() string { return e.code + ": " + e.detail }
func (e codedError) Code() string  { return e.code }

func TestRuntimeErrors(t *testing.T) {
	const secret = "redis://:hunter2@10.0.0.5"
	tests := []struct {
		name        string
		err         error
		panics      bool
		wantCode    string
		wantMessage string
	}{
		{"coded unavailable", fmt.Errorf("acquire: %w", codedError{"unavailable", secret}), false, "unavailable", "the service is busy, please try again"},
		{"plain error", errors.New("dial " + secret), false, "internal", "something went wrong, please try again"},
		{"unknown code", codedError{"quota_exceeded", secret}, false, "quota_exceeded", "the request could not be completed"},
		{"code with bad characters", codedError{"Bad Code! " + secret, secret}, false, "internal", "something went wrong, please try again"},
		{"panic", nil, true, "internal", "something went wrong, please try again"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			conv := newFakeConv()
			conv.fail(tt.err, tt.panics)
			ts := startServer(t, conv, Options{})
			c, _ := ts.openSession(t)
			send(t, c, `{"type":"message","id":"e1","text":"hi"}`)
			expectType(t, c, "typing")
			got := expectType(t, c, "error")
			if got.Code != tt.wantCode || got.Message != tt.wantMessage || got.ReplyTo != "e1" {
				t.Errorf("error frame = %+v; want code %q, message %q, reply_to e1", got, tt.wantCode, tt.wantMessage)
			}
			if strings.Contains(got.Message, "hunter2") || strings.Contains(got.Code, "hunter2") {
				t.Errorf("error frame leaks internal text: %+v", got)
			}
			conv.fail(nil, false)
			if r := roundTrip(t, c, "e2", "again"); r.ReplyTo != "e2" {
				t.Errorf("reply after error = %+v; want reply_to e2", r)
			}
		})
	}
}

func TestBlockedTurnKeepsPingsFlowing(t *testing.T) {
	conv := newFakeConv()
	conv.block = make(chan struct{})
	conv.entered = make(chan string, 1)
	// The connection dies if no pong arrives for PongWait; the turn is held
	// until the client has seen enough pings to span PongWait 1.5 times.
	const pongWait, pingPeriod, wantPings = time.Second, 100 * time.Millisecond, 15
	ts := startServer(t, conv, Options{PongWait: pongWait, PingPeriod: pingPeriod})
	c, _ := ts.openSession(t)

	var pings atomic.Int32
	enough := make(chan struct{})
	c.SetPingHandler(func(data string) error {
		if pings.Add(1) == wantPings {
			close(enough)
		}
		return c.WriteControl(websocket.PongMessage, []byte(data), time.Now().Add(time.Second))
	})

	send(t, c, `{"type":"message","id":"slow","text":"wait"}`)
	expectType(t, c, "typing")
	<-conv.entered
	// Read in the background so that pings are handled while the turn blocks.
	frames := make(chan frame, 1)
	go func() {
		_ = c.SetReadDeadline(time.Now().Add(30 * time.Second))
		var f frame
		if err := c.ReadJSON(&f); err == nil {
			frames <- f
		}
		close(frames)
	}()
	select {
	case <-enough:
	case <-time.After(20 * time.Second):
		t.Fatalf("saw %d pings; want %d", pings.Load(), wantPings)
	}
	close(conv.block)
	f, ok := <-frames
	if !ok || f.ReplyTo != "slow" {
		t.Fatalf("after a long turn got %+v (ok=%v); want the reply to slow on a live connection", f, ok)
	}
}

func TestSilentClientIsDropped(t *testing.T) {
	ts := startServer(t, newFakeConv(), Options{PongWait: 300 * time.Millisecond, PingPeriod: 100 * time.Millisecond})
	c, _ := ts.openSession(t)
	// A client that never reads never answers pings: the server must drop it.
	_ = c
	eventually(t, "silent connection to be dropped", func() bool { return ts.ws.live.count() == 0 })
}

func TestMetrics(t *testing.T) {
	reg := prometheus.NewRegistry()
	ts := startServer(t, newFakeConv(), Options{Registerer: reg})
	// A second handler on the same registry shares the collectors.
	_ = New(newFakeConv(), Options{Secret: testSecret, Registerer: reg})

	c, _ := ts.openSession(t)
	roundTrip(t, c, "m1", "hi")
	// Out: session, typing, greeting, typing, reply. The counter moves
	// right after a write returns, which may be after the client read it.
	want := map[string]float64{"dialogd_ws_connections": 1, "dialogd_ws_frames_total{in}": 1, "dialogd_ws_frames_total{out}": 5}
	matches := func() bool {
		values := gather(t, reg)
		for k, v := range want {
			if values[k] != v {
				return false
			}
		}
		return true
	}
	eventually(t, "metrics to count the turn", matches)
	c.Close()
	eventually(t, "gauge to drop", func() bool { return gather(t, reg)["dialogd_ws_connections"] == 0 })
}

func gather(t *testing.T, reg *prometheus.Registry) map[string]float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatalf("Gather() = %v", err)
	}
	out := map[string]float64{}
	for _, mf := range mfs {
		for _, m := range mf.GetMetric() {
			name := mf.GetName()
			for _, l := range m.GetLabel() {
				name += "{" + l.GetValue() + "}"
			}
			switch {
			case m.GetGauge() != nil:
				out[name] = m.GetGauge().GetValue()
			case m.GetCounter() != nil:
				out[name] = m.GetCounter().GetValue()
			}
		}
	}
	return out
}

func TestNewPanicsOnBadConfig(t *testing.T) {
	tests := []struct {
		name string
		opts Options
	}{
		{"no secret", Options{}},
		{"short secret", Options{Secret: []byte("short")}},
		{"ping not below pong", Options{Secret: testSecret, PongWait: time.Second, PingPeriod: time.Second}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Errorf("New(%+v) did not panic", tt.opts)
				}
			}()
			New(newFakeConv(), tt.opts)
		})
	}
}

func TestShutdownAnswersQueuedInputsUnavailable(t *testing.T) {
	conv := newFakeConv()
	conv.block = make(chan struct{})
	conv.entered = make(chan string, 2)
	ts := startServer(t, conv, Options{})
	c, _ := ts.openSession(t)

	send(t, c, `{"type":"message","id":"m1","text":"first"}`)
	expectType(t, c, "typing")
	<-conv.entered
	send(t, c, `{"type":"message","id":"m2","text":"queued"}`)
	// m2 waits in the connection's queue behind the running m1.
	eventually(t, "m2 to be queued", func() bool {
		for _, cn := range ts.ws.live.all() {
			cn.qmu.Lock()
			n := len(cn.queue)
			cn.qmu.Unlock()
			if n == 1 {
				return true
			}
		}
		return false
	})

	done := make(chan error, 1)
	go func() { done <- ts.ws.Shutdown(context.Background()) }()
	eventually(t, "shutdown to begin", ts.ws.isClosing)
	close(conv.block)

	if got := expectType(t, c, "message"); got.ReplyTo != "m1" {
		t.Errorf("first frame = %+v; want the reply to m1", got)
	}
	if got := expectType(t, c, "error"); got.Code != CodeUnavailable || got.ReplyTo != "m2" {
		t.Errorf("second frame = %+v; want unavailable for m2", got)
	}
	if got := closeCode(t, c); got != websocket.CloseGoingAway {
		t.Errorf("close code = %d; want %d", got, websocket.CloseGoingAway)
	}
	if err := <-done; err != nil {
		t.Errorf("Shutdown() = %v; want nil", err)
	}
	for _, call := range conv.Calls() {
		if strings.Contains(call, "id=m2") {
			t.Errorf("queued input ran during shutdown: %q", call)
		}
	}
}

// TestTypingDelay: with a typing delay, a turn faster than the delay sends
// no typing frame, and a turn still running after it sends one before its
// reply (the slow turn is held by the fake until typing has arrived, so the
// test does not depend on timing).
func TestTypingDelay(t *testing.T) {
	fast := startServer(t, newFakeConv(), Options{Secret: testSecret, TypingDelay: 5 * time.Second})
	c, _ := fast.openSessionNoTyping(t)
	send(t, c, `{"type":"message","id":"m1","text":"hi"}`)
	if f := readFrame(t, c); f.Type != "message" {
		t.Fatalf("fast turn: first frame %q, want the reply without typing", f.Type)
	}

	conv := newFakeConv()
	conv.block = make(chan struct{})
	slow := startServer(t, conv, Options{Secret: testSecret, TypingDelay: 20 * time.Millisecond})
	c2, _ := slow.openSessionNoTyping(t)
	send(t, c2, `{"type":"message","id":"m2","text":"slow"}`)
	if f := readFrame(t, c2); f.Type != "typing" {
		t.Fatalf("slow turn: first frame %q, want typing", f.Type)
	}
	close(conv.block)
	if f := readFrame(t, c2); f.Type != "message" {
		t.Fatalf("slow turn: second frame %q, want the reply", f.Type)
	}
}

// openSessionNoTyping dials a new session and reads its session frame and
// greeting, whether or not a typing frame comes first.
func (ts *testServer) openSessionNoTyping(t *testing.T) (*websocket.Conn, string) {
	t.Helper()
	c := ts.dial(t, nil)
	sf := expectType(t, c, "session")
	for {
		if f := readFrame(t, c); f.Type == "message" {
			return c, sf.SessionID
		}
	}
}

// TestClosedSocketCancelsTurn: a client that closes its socket ends the
// context of its turn (a turn waiting for its session stops at once), long
// before the turn timeout.
func TestClosedSocketCancelsTurn(t *testing.T) {
	conv := newFakeConv()
	conv.block = make(chan struct{}) // never released: only ctx ends the turn
	conv.entered = make(chan string, 1)
	ts := startServer(t, conv, Options{TurnTimeout: time.Minute})
	c, _ := ts.openSession(t)
	send(t, c, `{"type":"message","id":"w1","text":"wait"}`)
	expectType(t, c, "typing")
	<-conv.entered
	_ = c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if !waitCtx(ctx, &ts.ws.turns) {
		t.Error("the turn of a closed socket still runs after 10s; want its context cancelled when the socket closed")
	}
}
