package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"

	"github.com/botforge/dialogd/channels/wstest"
)

// A user of the fault suite: runs create-a-lead dialogs over protocol v1
// with message ids, and when its socket dies, resumes on another botd with
// last_seq and re-sends what was not answered (docs/protocol.md, Resuming
// without duplicates). It never fails the test itself (it runs on its own
// goroutine): it records what it saw in faultStats, and its error.

// leadScript is one create-a-lead dialog: what the user says, and a part
// of the reply that ends the turn.
var leadScript = []struct{ say, want string }{
	{"create a lead", "What's the first name?"},
	{"Ada", "And the last name?"},
	{"Lovelace", "Which company?"},
	{"Acme Corp", "What's their e-mail address?"},
	{"ada@example.com", "Create a lead for Ada Lovelace at Acme Corp (ada@example.com)?"},
	{"yes", "Created lead 00Q"},
}

// faultStats is what all users saw; the suite asserts on it.
type faultStats struct {
	dialogs     atomic.Int64    // dialogs that ended with a created lead
	dialogsBy   [2]atomic.Int64 // … by the instance the user began on
	resumes     atomic.Int64    // reconnects after a dead socket
	retries     atomic.Int64    // inputs re-sent after an error frame
	dupSeqs     atomic.Int64    // numbered frames received a second time
	dupAnswers  atomic.Int64    // inputs whose turn ended more than once
	wrong       atomic.Int64    // turns that ended with an unexpected reply (a lost turn)
	inflightYes [2]atomic.Int64
	killedAt    atomic.Int64 // UnixNano of the fault, 0 before

	mu        sync.Mutex
	stalls    []time.Duration // per user stalled by the fault: fault → its input answered
	answered  [2][]time.Time  // when each turn ended, by the instance its user began on
	firstWrng string
}

func (s *faultStats) noteAnswer(first int, now time.Time) {
	s.mu.Lock()
	s.answered[first] = append(s.answered[first], now)
	s.mu.Unlock()
}

func (s *faultStats) noteWrong(what string) {
	s.wrong.Add(1)
	s.mu.Lock()
	if s.firstWrng == "" {
		s.firstWrng = what
	}
	s.mu.Unlock()
}

// faultUser is one user's connection state.
type faultUser struct {
	addrs    []string // botd instances, tried in turn after a dead socket
	cur      int
	first    int // the instance the user began on
	stats    *faultStats
	conn     *websocket.Conn
	session  string
	userID   string
	lastSeq  uint64
	seen     map[uint64]bool
	answers  map[string]int // input id → turn ends seen for it
	n        int
	pending  string // the input waiting for its turn end
	text     string // its text (a button's payload when postback)
	postback bool   // the pending input is a button press
	turnText []string
	diedAt   time.Time // when the socket died during the current input, zero if not
}

var faultDialer = &websocket.Dialer{HandshakeTimeout: 3 * time.Second}

// runUser runs dialogs create-a-lead dialogs, starting on addrs[first].
func runUser(ctx context.Context, addrs []string, first, dialogs int, stats *faultStats) error {
	u := newFaultUser(addrs, first, stats)
	defer func() {
		if u.conn != nil {
			u.conn.Close()
		}
	}()
	if err := u.connect(ctx); err != nil {
		return err
	}
	for d := range dialogs {
		for _, step := range leadScript {
			got, err := u.turn(ctx, step.say)
			if err != nil {
				return fmt.Errorf("dialog %d, say %q: %w", d+1, step.say, err)
			}
			if !strings.Contains(got, step.want) {
				u.stats.noteWrong(fmt.Sprintf("say %q: got %q; want %q", step.say, got, step.want))
				return fmt.Errorf("dialog %d, say %q: got %q; want %q", d+1, step.say, got, step.want)
			}
		}
		u.stats.dialogs.Add(1)
		u.stats.dialogsBy[u.first].Add(1)
	}
	for id, n := range u.answers {
		if n > 1 {
			u.stats.dupAnswers.Add(1)
			return fmt.Errorf("input %s answered %d times", id, n)
		}
	}
	return nil
}

// newFaultUser is a user who begins on addrs[first].
func newFaultUser(addrs []string, first int, stats *faultStats) *faultUser {
	return &faultUser{addrs: addrs, cur: first, first: first, stats: stats, seen: map[uint64]bool{}, answers: map[string]int{}}
}

// connect opens a new session and reads its greeting.
func (u *faultUser) connect(ctx context.Context) error {
	c, _, err := faultDialer.DialContext(ctx, wstest.URL("http://"+u.addrs[u.cur], nil), nil)
	if err != nil {
		return fmt.Errorf("faults: dial: %w", err)
	}
	u.conn = c
	f, err := u.read()
	if err != nil || f.Type != "session" {
		return fmt.Errorf("faults: session frame: %v %s", err, f.Raw)
	}
	u.session, u.userID = f.SessionID, f.UserID
	for {
		f, err := u.read()
		if err != nil {
			return fmt.Errorf("faults: greeting: %w", err)
		}
		if f.Seq > 0 && f.Input != "ignoring" {
			u.note(f)
			return nil
		}
		u.note(f)
	}
}

// turn sends text as a new input and returns the texts of its turn.
func (u *faultUser) turn(ctx context.Context, text string) (string, error) {
	u.n++
	u.pending, u.text, u.turnText, u.diedAt = "m"+strconv.Itoa(u.n), text, nil, time.Time{}
	yes := text == "yes"
	if yes {
		at := u.cur
		u.stats.inflightYes[at].Add(1)
		defer u.stats.inflightYes[at].Add(-1)
	}
	if err := u.send(); err != nil {
		if err := u.resume(ctx); err != nil {
			return "", err
		}
	}
	for u.pending != "" {
		if err := u.step(ctx); err != nil {
			return "", err
		}
	}
	return strings.Join(u.turnText, " | "), nil
}

// step reads one frame and handles it; a dead socket resumes.
func (u *faultUser) step(ctx context.Context) error {
	f, err := u.read()
	if err != nil {
		return u.resume(ctx)
	}
	if f.Type == "error" && f.ReplyTo == u.pending {
		switch f.Code {
		case "unavailable", "busy", "internal":
			u.stats.retries.Add(1)
			time.Sleep(200 * time.Millisecond)
			if err := u.send(); err != nil {
				return u.resume(ctx)
			}
			return nil
		}
		return fmt.Errorf("faults: error frame %s", f.Raw)
	}
	u.note(f)
	return nil
}

// note handles one frame: a numbered frame is dropped when its seq was
// shown (and counted), a turn end settles its input.
func (u *faultUser) note(f wstest.Frame) {
	if f.Seq > 0 {
		if u.seen[f.Seq] {
			u.stats.dupSeqs.Add(1)
			return
		}
		u.seen[f.Seq] = true
		u.lastSeq = max(u.lastSeq, f.Seq)
	}
	if f.ReplyTo == "" || f.Seq == 0 {
		return
	}
	if f.ReplyTo == u.pending && f.Text != "" {
		u.turnText = append(u.turnText, f.Text)
	}
	if (f.Type == "message" && f.Input != "ignoring") || f.Type == "authorize" || f.Type == "handoff" {
		u.answers[f.ReplyTo]++
		if f.ReplyTo == u.pending {
			now := time.Now()
			u.stats.noteAnswer(u.first, now)
			if k := u.stats.killedAt.Load(); !u.diedAt.IsZero() && k != 0 {
				u.stats.mu.Lock()
				u.stats.stalls = append(u.stats.stalls, now.Sub(time.Unix(0, k)))
				u.stats.mu.Unlock()
			}
			u.pending = ""
		}
	}
}

// resume reconnects (to the next instance first) with last_seq, handles
// the replay and re-sends the pending input unless the replay answered it.
func (u *faultUser) resume(ctx context.Context) error {
	if u.diedAt.IsZero() {
		u.diedAt = time.Now()
	}
	u.conn.Close()
	for attempt := 0; ; attempt++ {
		if ctx.Err() != nil {
			return fmt.Errorf("faults: resume of %s gave up: %w", u.pending, ctx.Err())
		}
		u.cur = (u.cur + 1) % len(u.addrs)
		if err := u.reopen(ctx); err == nil {
			break
		}
		time.Sleep(time.Duration(min(attempt+1, 5)) * 50 * time.Millisecond)
	}
	u.stats.resumes.Add(1)
	if u.pending == "" {
		return nil
	}
	if err := u.send(); err != nil {
		return u.resume(ctx)
	}
	return nil
}

// reopen dials the current instance with the session and last_seq and
// reads the replay up to its replayed frame.
func (u *faultUser) reopen(ctx context.Context) error {
	q := url.Values{"session": {u.session}, "user": {u.userID}, "last_seq": {strconv.FormatUint(u.lastSeq, 10)}}
	c, _, err := faultDialer.DialContext(ctx, wstest.URL("http://"+u.addrs[u.cur], q), nil)
	if err != nil {
		return err
	}
	u.conn = c
	f, err := u.read()
	if err != nil {
		c.Close()
		return err
	}
	if f.Type != "session" || f.SessionID != u.session {
		c.Close()
		u.stats.noteWrong("resume: got " + string(f.Raw))
		return fmt.Errorf("faults: resume got %s; want session %s", f.Raw, u.session)
	}
	for {
		f, err := u.read()
		if err != nil {
			c.Close()
			return err
		}
		if f.Type == "replayed" {
			if f.LastSeq == 0 {
				u.stats.noteWrong("resume: replayed last_seq 0 (the session's state was lost)")
			}
			return nil
		}
		u.note(f)
	}
}

// send writes the pending input.
func (u *faultUser) send() error {
	msg, _ := json.Marshal(map[string]string{"type": "message", "id": u.pending, "text": u.text})
	if u.postback {
		msg, _ = json.Marshal(map[string]string{"type": "postback", "id": u.pending, "payload": u.text})
	}
	_ = u.conn.SetWriteDeadline(time.Now().Add(3 * time.Second))
	return u.conn.WriteMessage(websocket.TextMessage, msg)
}

// read reads one frame; a frame that takes longer than 20 s counts as a
// dead connection.
func (u *faultUser) read() (wstest.Frame, error) {
	_ = u.conn.SetReadDeadline(time.Now().Add(20 * time.Second))
	_, data, err := u.conn.ReadMessage()
	if err != nil {
		return wstest.Frame{}, err
	}
	return wstest.ParseFrame(data)
}
