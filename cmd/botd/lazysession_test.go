package main

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/botforge/dialogd/channels/wstest"
	"github.com/botforge/dialogd/sessions/redistest"
)

// TestConnectWritesNothing: a connect that sends no message stores
// nothing in Redis, though its greeting is shown; the first message stores
// the session with the greeting numbered as it was shown. Before, every
// connect stored a session (state and outbox) for the idle TTL, so a
// connect flood filled Redis.
func TestConnectWritesNothing(t *testing.T) {
	rs := redistest.Start(t)
	in := startBotd(t, nil, "-redis", rs.URL(), "-demo-salesforce", "off") // the Salesforce demo's desk and directory write Redis keys of their own
	rdb := rs.Client(t)
	ctx := context.Background()
	before, err := rdb.DBSize(ctx).Result()
	if err != nil {
		t.Fatal(err)
	}
	// Fewer than the address's burst of 200 handshakes (a connect takes a
	// token), so that the two dials after them pass however fast this runs.
	const connects = 150
	for range connects {
		c := dial(t, in.addr, "", 0)
		if welcome, f := c.turnEnd(); !strings.Contains(welcome, "demo bot") || f.Seq != 1 {
			t.Fatalf("greeting = %q (seq %d); want the demo bot's welcome, seq 1", welcome, f.Seq)
		}
		c.Conn.Close()
	}
	after, err := rdb.DBSize(ctx).Result()
	if err != nil {
		t.Fatal(err)
	}
	if after != before {
		keys, _ := rdb.Keys(ctx, "*").Result()
		t.Fatalf("%d connects without a message: Redis keys %d -> %d (%.1f per connect); want none written. Keys: %.10q", connects, before, after, float64(after-before)/connects, keys)
	}

	c := dial(t, in.addr, "", 0)
	c.turnEnd()
	if got, f := c.Say("create a lead"); got != "What's the first name?" || f.Seq != 2 {
		t.Fatalf("first message: %q (seq %d); want the first question, seq 2", got, f.Seq)
	}
	if n, _ := rdb.DBSize(ctx).Result(); n == before {
		t.Fatalf("a session with a message stored nothing")
	}
	q := url.Values{"session": {c.Session}, "user": {c.UserID}, "last_seq": {"0"}}
	r := wstest.DialSession(t, wstest.URL("http://"+in.addr, q), nil)
	frames, _ := r.ReadReplay()
	var seqs []uint64
	for _, f := range frames {
		seqs = append(seqs, f.Seq)
	}
	if len(frames) != 2 || !strings.Contains(frames[0].Text, "demo bot") || frames[1].ReplyTo != "m1" {
		t.Errorf("replay from 0 = %d frames, seqs %v; want the greeting (seq 1) and the reply to m1 (seq 2)", len(frames), seqs)
	}
}

// TestReloadBeforeFirstMessage: a page reloaded before its first message
// resumes a session the store never saw. The replay vouches for the
// greeting the client has (last_seq 1, not 0, so the widget keeps its
// numbering), still without a write; the first message then goes on at
// seq 2 and the stored transcript starts with the greeting.
func TestReloadBeforeFirstMessage(t *testing.T) {
	rs := redistest.Start(t)
	in := startBotd(t, nil, "-redis", rs.URL(), "-demo-salesforce", "off") // the Salesforce demo's desk and directory write Redis keys of their own
	rdb := rs.Client(t)
	ctx := context.Background()
	c := dial(t, in.addr, "", 0)
	c.turnEnd()
	c.Conn.Close()

	q := url.Values{"session": {c.Session}, "user": {c.UserID}, "last_seq": {"1"}}
	r := wstest.DialSession(t, wstest.URL("http://"+in.addr, q), nil)
	if r.Session != c.Session {
		t.Fatalf("reload got session %q; want %q", r.Session, c.Session)
	}
	if frames, end := r.ReadReplay(); len(frames) != 0 || end.LastSeq != 1 {
		t.Fatalf("replay after the greeting: %d frames, last_seq %d; want none, last_seq 1", len(frames), end.LastSeq)
	}
	if n, _ := rdb.DBSize(ctx).Result(); n != 0 {
		t.Fatalf("a reload before any message wrote %d Redis keys; want 0", n)
	}
	if got, f := r.Say("create a lead"); got != "What's the first name?" || f.Seq != 2 {
		t.Fatalf("first message after the reload: %q (seq %d); want the first question, seq 2", got, f.Seq)
	}
	q.Set("last_seq", "0")
	again := wstest.DialSession(t, wstest.URL("http://"+in.addr, q), nil)
	frames, end := again.ReadReplay()
	if len(frames) != 2 || frames[0].Seq != 1 || !strings.Contains(frames[0].Text, "demo bot") || end.LastSeq != 2 {
		t.Errorf("replay from 0: %d frames, last_seq %d; want the greeting (seq 1) and the question (seq 2)", len(frames), end.LastSeq)
	}
}

// TestResumeWithoutLastSeqKeepsNumbering: a client that was greeted (the
// greeting shown, not stored) and reconnects without last_seq (allowed by
// protocol v1) gets its first reply numbered after the greeting. It used
// to be numbered 1 again, and the greeting was never stored.
func TestResumeWithoutLastSeqKeepsNumbering(t *testing.T) {
	rs := redistest.Start(t)
	in := startBotd(t, nil, "-redis", rs.URL(), "-demo-salesforce", "off") // the Salesforce demo's desk and directory write Redis keys of their own
	c := dial(t, in.addr, "", 0)
	if _, f := c.turnEnd(); f.Seq != 1 {
		t.Fatalf("greeting seq %d; want 1", f.Seq)
	}
	c.Conn.Close()
	q := url.Values{"session": {c.Session}, "user": {c.UserID}}
	r := &client{Client: wstest.DialSession(t, wstest.URL("http://"+in.addr, q), nil)}
	if got, f := r.Say("create a lead"); got != "What's the first name?" || f.Seq != 2 {
		t.Fatalf("first message after a resume without last_seq: %q (seq %d); want the first question, seq 2", got, f.Seq)
	}
}
