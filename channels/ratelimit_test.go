package channels

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/prometheus/client_golang/prometheus"
)

// noRefill is a refill rate so low that no token comes back during a test.
const noRefill = 1e-6

// readInputAnswers reads frames until n inputs have been answered (by a
// message or an error frame with reply_to) and returns, per reply_to, the
// error code or "ok".
func readInputAnswers(t *testing.T, c *websocket.Conn, n int) map[string]string {
	t.Helper()
	got := map[string]string{}
	for len(got) < n {
		f := readFrame(t, c)
		switch {
		case f.Type == "error" && f.Code == CodeRateLimited:
			var e errorFrame
			if err := json.Unmarshal(f.Raw, &e); err != nil || e.RetryAfterMS <= 0 {
				t.Errorf("rate_limited frame %s: want a positive retry_after_ms", f.Raw)
			}
			got[f.ReplyTo] = f.Code
		case f.Type == "error":
			got[f.ReplyTo] = f.Code
		case f.Type == "message" && f.ReplyTo != "":
			got[f.ReplyTo] = "ok"
		}
	}
	return got
}

func sendMessages(t *testing.T, c *websocket.Conn, prefix string, n int) {
	t.Helper()
	for i := 1; i <= n; i++ {
		send(t, c, fmt.Sprintf(`{"type":"message","id":"%s%d","text":"hi"}`, prefix, i))
	}
}

func count(m map[string]string, v string) int {
	n := 0
	for _, x := range m {
		if x == v {
			n++
		}
	}
	return n
}

// TestConnTurnRateLimit: inputs past a connection's burst get rate_limited
// error frames naming them, do not reach the runtime, and leave the
// connection open; another connection is not limited by them.
func TestConnTurnRateLimit(t *testing.T) {
	reg := prometheus.NewRegistry()
	ts := startServer(t, newFakeConv(), Options{ConnTurnRate: noRefill, ConnTurnBurst: 3, QueueSize: 16, Registerer: reg})
	c, _ := ts.openSession(t)
	sendMessages(t, c, "m", 5)
	got := readInputAnswers(t, c, 5)
	want := map[string]string{"m1": "ok", "m2": "ok", "m3": "ok", "m4": CodeRateLimited, "m5": CodeRateLimited}
	for id, w := range want {
		if got[id] != w {
			t.Errorf("input %s answered %q; want %q (all: %v)", id, got[id], w, got)
		}
	}
	// Still open: a further input is answered (refused again) rather than closed.
	sendMessages(t, c, "x", 1)
	if got := readInputAnswers(t, c, 1); got["x1"] != CodeRateLimited {
		t.Errorf("after the limit, input x1 answered %v; want rate_limited on an open connection", got)
	}
	handled := 0
	for _, call := range ts.conv.Calls() {
		if len(call) > 6 && call[:6] == "handle" {
			handled++
		}
	}
	if handled != 3 {
		t.Errorf("runtime ran %d inputs; want 3", handled)
	}
	other, _ := ts.openSession(t)
	if r := roundTrip(t, other, "o1", "hello"); r.ReplyTo != "o1" {
		t.Errorf("another connection's reply = %+v; want a reply to o1", r)
	}
	name := "dialogd_ws_refused_total{" + refusedConnRate + "}"
	if got := gather(t, reg)[name]; got != 3 {
		t.Errorf("%s = %v; want 3", name, got)
	}
}

// TestFloodCloses1008: a connection that goes on sending after
// floodRefusals inputs in a row were refused is closed with 1008, and the
// close is counted; the refusals before it were answered one by one.
func TestFloodCloses1008(t *testing.T) {
	reg := prometheus.NewRegistry()
	ts := startServer(t, newFakeConv(), Options{ConnTurnRate: noRefill, ConnTurnBurst: 3, QueueSize: 16, Registerer: reg})
	c, _ := ts.openSession(t)
	refusals := ts.ws.connLimit.floodRefusals()
	for i := 1; i <= 3+refusals+1; i++ {
		if err := c.WriteMessage(websocket.TextMessage, []byte(fmt.Sprintf(`{"type":"message","id":"f%d","text":"hi"}`, i))); err != nil {
			t.Fatalf("write %d: %v", i, err)
		}
	}
	// Replies of the turns that ran may be cut by the close; the refusals
	// are written by the reader, before it closes.
	limited := 0
	_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
	for {
		_, data, err := c.ReadMessage()
		if err != nil {
			var ce *websocket.CloseError
			if !errors.As(err, &ce) || ce.Code != websocket.ClosePolicyViolation {
				t.Errorf("read ended with %v; want close 1008", err)
			}
			break
		}
		var f errorFrame
		if json.Unmarshal(data, &f) == nil && f.Code == CodeRateLimited {
			limited++
		}
	}
	if limited != refusals {
		t.Errorf("%d rate_limited answers; want %d before the close", limited, refusals)
	}
	name := "dialogd_ws_refused_total{" + refusedFlood + "}"
	eventually(t, name, func() bool { return gather(t, reg)[name] == 1 })
}

// TestSessionTurnRateLimit: the connections of one session share the
// session's bucket, so opening more tabs does not multiply the rate.
func TestSessionTurnRateLimit(t *testing.T) {
	reg := prometheus.NewRegistry()
	ts := startServer(t, newFakeConv(), Options{SessionTurnRate: noRefill, SessionTurnBurst: 3, Registerer: reg})
	tab1, sf := ts.openUserSession(t)
	tab2 := ts.dial(t, url.Values{"session": {sf.SessionID}, "user": {sf.UserID}})
	if got := expectType(t, tab2, "session").SessionID; got != sf.SessionID {
		t.Fatalf("tab 2 got session %q; want %q", got, sf.SessionID)
	}
	sendMessages(t, tab1, "a", 2)
	if got := readInputAnswers(t, tab1, 2); count(got, "ok") != 2 {
		t.Fatalf("tab 1 answers = %v; want both ok", got)
	}
	sendMessages(t, tab2, "b", 2)
	got := readInputAnswers(t, tab2, 2)
	if got["b1"] != "ok" || got["b2"] != CodeRateLimited {
		t.Errorf("tab 2 answers = %v; want b1 ok, b2 rate_limited", got)
	}
	name := "dialogd_ws_refused_total{" + refusedSessionRate + "}"
	if got := gather(t, reg)[name]; got != 1 {
		t.Errorf("%s = %v; want 1", name, got)
	}
}

// TestIPTurnRateLimit: connections from one client address share its
// bucket, handshakes included, so reconnecting (new connections, new
// sessions) does not get a flood past it; another address is not limited
// by it.
func TestIPTurnRateLimit(t *testing.T) {
	reg := prometheus.NewRegistry()
	var mu sync.Mutex
	client := "192.0.2.7:4444"
	// 5 tokens: a connect, two inputs, a connect, one input.
	ts := startServer(t, newFakeConv(), Options{IPTurnRate: noRefill, IPTurnBurst: 5, Registerer: reg,
		ClientIP: func(*http.Request) string { mu.Lock(); defer mu.Unlock(); return client }})
	first, _ := ts.openSession(t)
	sendMessages(t, first, "a", 2)
	if got := readInputAnswers(t, first, 2); count(got, "ok") != 2 {
		t.Fatalf("first connection: %v; want both ok", got)
	}
	second, _ := ts.openSession(t) // same address, new session
	sendMessages(t, second, "b", 2)
	if got := readInputAnswers(t, second, 2); got["b1"] != "ok" || got["b2"] != CodeRateLimited {
		t.Errorf("second connection: %v; want b1 ok, b2 rate_limited", got)
	}
	// The bucket is dry: a further handshake from the address gets 429.
	_, resp, err := websocket.DefaultDialer.Dial(ts.url(nil), nil)
	if err == nil || resp == nil || resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") == "" {
		t.Errorf("handshake from a dry address: %v (response %v); want 429 with Retry-After", err, resp)
	}
	mu.Lock()
	client = "[2001:db8::1]:5555"
	mu.Unlock()
	other, _ := ts.openSession(t)
	if r := roundTrip(t, other, "o1", "hello"); r.ReplyTo != "o1" {
		t.Errorf("another address: %s; want the reply to o1", r.Raw)
	}
	for _, reason := range []string{refusedIPRate, refusedConnect} {
		name := "dialogd_ws_refused_total{" + reason + "}"
		if got := gather(t, reg)[name]; got != 1 {
			t.Errorf("%s = %v; want 1", name, got)
		}
	}
}

func TestClientKey(t *testing.T) {
	tests := []struct{ addr, want string }{
		{"192.0.2.7:4444", "192.0.2.7"},
		{"192.0.2.7", "192.0.2.7"},
		{"[::ffff:192.0.2.7]:80", "192.0.2.7"},
		{"[2001:db8:1:2:3:4:5:6]:443", "2001:db8:1:2::/64"},
		{"2001:db8:1:2:ffff::1", "2001:db8:1:2::/64"},
		{"[fe80::1%eth0]:80", "fe80::/64"},
		{"pipe", ""},
		{"", ""},
	}
	for _, tt := range tests {
		if got := clientKey(tt.addr); got != tt.want {
			t.Errorf("clientKey(%q) = %q; want %q", tt.addr, got, tt.want)
		}
	}
}

// TestSessionLimitersSweep: a bucket stays while it is not full and goes
// once it has filled up again, so the map holds only active sessions.
func TestSessionLimitersSweep(t *testing.T) {
	l := newKeyedLimiters(turnLimit{rate: 10, burst: 5})
	now := time.Now()
	for _, id := range []string{"s1", "s2", "s3"} {
		if ok, _ := l.take(id, now); !ok {
			t.Fatalf("first input of %s refused", id)
		}
	}
	tests := []struct {
		at   time.Duration
		want int
	}{
		{0, 3},                      // each bucket is one short
		{50 * time.Millisecond, 3},  // half a token back
		{100 * time.Millisecond, 0}, // full again: dropped
	}
	for _, tt := range tests {
		l.sweep(now.Add(tt.at))
		if got := l.size(); got != tt.want {
			t.Errorf("after a sweep at +%v, %d buckets; want %d", tt.at, got, tt.want)
		}
	}
}

// TestPenalize: a penalized key passes nothing until its debt is paid:
// a burst of time to fill the bucket back to zero, then tokens again.
func TestPenalize(t *testing.T) {
	l := newKeyedLimiters(turnLimit{rate: 10, burst: 5})
	now := time.Now()
	l.take("ip", now)
	l.penalize("ip", now)
	tests := []struct {
		at   time.Duration
		want bool
	}{
		{0, false},
		{400 * time.Millisecond, false}, // 4 of the 5 owed tokens back
		{600 * time.Millisecond, true},  // debt paid, one token over
	}
	for _, tt := range tests {
		if got, _ := l.take("ip", now.Add(tt.at)); got != tt.want {
			t.Errorf("take at +%v after a penalty = %v; want %v", tt.at, got, tt.want)
		}
	}
	if ok, _ := l.take("other", now); !ok {
		t.Errorf("another key is refused after a penalty")
	}
}

// TestTakeRetryAfter: the wait a refused input is told is the time until
// the next token, rounded up.
func TestTakeRetryAfter(t *testing.T) {
	lim := turnLimit{rate: 4, burst: 2}.limiter()
	now := time.Now()
	var got []string
	for range 3 {
		ok, retry := take(lim, now)
		got = append(got, fmt.Sprint(ok, " ", retry))
	}
	want := []string{"true 0s", "true 0s", "false 250ms"}
	if !slices.Equal(got, want) {
		t.Errorf("take x3 = %q; want %q", got, want)
	}
}

// TestRefusedInputPausesReading: after a refused input the reader waits
// for the bucket to refill before it reads on, so a client that ignores
// rate_limited errors is read at the bucket's pace, not answered frame by
// frame (and not cut off, which would make it reconnect). The pause is an
// hour here: the inputs sent after the refused one stay unread.
func TestRefusedInputPausesReading(t *testing.T) {
	reg := prometheus.NewRegistry()
	ts := startServer(t, newFakeConv(), Options{ConnTurnRate: noRefill, ConnTurnBurst: 1, Registerer: reg},
		func(ws *WebSocket) { ws.maxReadPause = time.Hour })
	c, _ := ts.openSession(t)
	sendMessages(t, c, "m", 5)
	if got := readInputAnswers(t, c, 2); got["m1"] != "ok" || got["m2"] != CodeRateLimited {
		t.Fatalf("answers = %v; want m1 ok and m2 rate_limited", got)
	}
	// Nothing more is read while the reader waits: m3..m5 get no answer.
	_ = c.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
	for {
		_, data, err := c.ReadMessage()
		if err != nil {
			var ne net.Error
			if !errors.As(err, &ne) || !ne.Timeout() {
				t.Errorf("read ended with %v; want a timeout, the connection open", err)
			}
			break
		}
		var f struct{ Type, ReplyTo string }
		if json.Unmarshal(data, &f) == nil && f.ReplyTo != "" {
			t.Errorf("answer %s while the reader should be waiting", data)
		}
	}
	name := "dialogd_ws_refused_total{" + refusedConnRate + "}"
	if got := gather(t, reg)[name]; got != 1 {
		t.Errorf("%s = %v; want 1 (one refusal, then a pause)", name, got)
	}
	// Shutdown ends the pause at once (startServer's cleanup gives it 5 s).
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	began := time.Now()
	if err := ts.ws.Shutdown(ctx); err != nil {
		t.Errorf("shutdown with a paused reader: %v (after %v)", err, time.Since(began))
	}
}
