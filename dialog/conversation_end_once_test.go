package dialog_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/botforge/dialogd/dialog"
	"github.com/botforge/dialogd/nodes"
	"github.com/botforge/dialogd/sessions"
)

// endsOf is how many times conversation_end ran for user (the wrap_up task
// counts them in a user variable).
func endsOf(t *testing.T, store sessions.Store, user string) any {
	t.Helper()
	return userVars(t, store, "convend", user)["ends"]
}

// TestConversationEndOnceAcrossDeadline: a turn that took the session just
// before its idle deadline and commits after it keeps the conversation
// alive. A sweep in between must not end it (it used to, and then the
// turn's commit watched it again, so it ended twice).
func TestConversationEndOnceAcrossDeadline(t *testing.T) {
	eachStore(t, func(t *testing.T, open func() sessions.Store) {
		entered, release := make(chan struct{}, 1), make(chan struct{})
		api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			entered <- struct{}{}
			<-release
			w.Write([]byte(`{}`))
		}))
		t.Cleanup(api.Close)
		t.Setenv("CONVEND_API", api.URL)
		store, ctx := open(), context.Background()
		const ttl = 400 * time.Millisecond
		rt := dialog.NewRuntime(loadBot(t, "testdata/convend", ttl), store, dialog.Options{Logger: slog.New(slog.DiscardHandler)})
		if _, err := rt.Handle(ctx, "s-slow", "slowpoke", nodes.Input{ID: "m1", Text: "hello"}); err != nil {
			t.Fatal(err)
		}
		turn := make(chan error, 1)
		go func() {
			_, err := rt.Handle(ctx, "s-slow", "slowpoke", nodes.Input{ID: "m2", Text: "slow"})
			turn <- err
		}()
		<-entered               // the turn holds the session, in its service call
		time.Sleep(ttl + ttl/2) // the first message's deadline passes meanwhile
		swept := make(chan int, 1)
		go func() {
			n, err := rt.SweepEnds(ctx)
			if err != nil {
				t.Errorf("SweepEnds: %v", err)
			}
			swept <- n
		}()
		time.Sleep(100 * time.Millisecond) // let the sweep meet the held session
		close(release)
		if err := <-turn; err != nil {
			t.Fatalf("slow turn: %v", err)
		}
		if n := <-swept; n != 0 || endsOf(t, store, "slowpoke") != nil {
			t.Fatalf("sweep during a turn across the deadline ran %d ends (user ends %v); want none", n, endsOf(t, store, "slowpoke"))
		}
		time.Sleep(ttl + ttl/2)
		for range 2 {
			if _, err := rt.SweepEnds(ctx); err != nil {
				t.Fatal(err)
			}
		}
		if got := endsOf(t, store, "slowpoke"); got != 1.0 {
			t.Errorf("after the conversation idled out: ends %v; want 1", got)
		}
	})
}

// TestConversationEndOneUserPerConversation: a session whose user changes
// mid-conversation (an anonymous user signs in) is still one conversation,
// ended once, as the user it began with.
func TestConversationEndOneUserPerConversation(t *testing.T) {
	eachStore(t, func(t *testing.T, open func() sessions.Store) {
		store, ctx := open(), context.Background()
		const ttl = 400 * time.Millisecond
		rt := dialog.NewRuntime(loadBot(t, "testdata/convend", ttl), store, dialog.Options{Logger: slog.New(slog.DiscardHandler)})
		for i, user := range []string{"anon-1", "verified:alice"} {
			if _, err := rt.Handle(ctx, "s-signin", user, nodes.Input{ID: "m" + string(rune('1'+i)), Text: "hello"}); err != nil {
				t.Fatal(err)
			}
		}
		time.Sleep(ttl + ttl/2)
		n, err := rt.SweepEnds(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if n != 1 || endsOf(t, store, "anon-1") != 1.0 || endsOf(t, store, "verified:alice") != nil {
			t.Errorf("ran %d ends (anon-1 %v, alice %v); want 1, as anon-1", n, endsOf(t, store, "anon-1"), endsOf(t, store, "verified:alice"))
		}
	})
}

// TestEndFrameSentAgain: an end frame the client sends again (it saw no
// answer before its socket dropped) must not end the conversation the
// user began since.
func TestEndFrameSentAgain(t *testing.T) {
	store := sessions.NewMemory(sessions.Options{IdleTTL: time.Hour})
	t.Cleanup(func() { store.Close() })
	ctx := context.Background()
	rt := dialog.NewRuntime(loadBot(t, "testdata/convend", time.Hour), store, dialog.Options{Logger: slog.New(slog.DiscardHandler)})
	say := func(id string) {
		t.Helper()
		if _, err := rt.Handle(ctx, "s-e", "ender", nodes.Input{ID: id, Text: "hello"}); err != nil {
			t.Fatal(err)
		}
	}
	end := func(id string) {
		t.Helper()
		if _, err := rt.End(ctx, "s-e", "ender", id); err != nil {
			t.Fatal(err)
		}
	}
	say("m1")
	end("e1")
	say("m2") // a new conversation
	end("e1") // the first end, again
	if got := endsOf(t, store, "ender"); got != 1.0 {
		t.Errorf("after an end sent twice: ends %v; want 1 (the new conversation goes on)", got)
	}
	end("e2")
	if got := endsOf(t, store, "ender"); got != 2.0 {
		t.Errorf("after a second, new end: ends %v; want 2", got)
	}
}

// closingStore cancels the end's context right after its commit, as the
// socket closing with the chat does.
type closingStore struct {
	sessions.Store
	close func()
}

func (s *closingStore) Acquire(ctx context.Context, id string) (sessions.Lease, error) {
	l, err := s.Store.Acquire(ctx, id)
	if err != nil {
		return nil, err
	}
	return closingLease{l, s.close}, nil
}

type closingLease struct {
	sessions.Lease
	close func()
}

func (l closingLease) CommitExpiry(ctx context.Context, state []byte, frames []sessions.Frame, exp sessions.Expiry) error {
	err := l.Lease.CommitExpiry(ctx, state, frames, exp)
	l.close()
	return err
}

// TestEndSurvivesTheSocketClosing: the end frame comes as the user closes
// the chat, and the socket's context ends with it; the conversation_end
// handler still runs (it used to run on the canceled context and fail).
func TestEndSurvivesTheSocketClosing(t *testing.T) {
	mem := sessions.NewMemory(sessions.Options{IdleTTL: time.Hour})
	t.Cleanup(func() { mem.Close() })
	ctx, cancel := context.WithCancel(context.Background())
	store := &closingStore{Store: mem, close: func() {}}
	rt := dialog.NewRuntime(loadBot(t, "testdata/convend", time.Hour), store, dialog.Options{Logger: slog.New(slog.DiscardHandler)})
	if _, err := rt.Handle(ctx, "s-c", "closer", nodes.Input{ID: "m1", Text: "hello"}); err != nil {
		t.Fatal(err)
	}
	store.close = cancel
	if _, err := rt.End(ctx, "s-c", "closer", "e1"); err != nil {
		t.Fatal(err)
	}
	if got := endsOf(t, mem, "closer"); got != 1.0 {
		t.Errorf("ends after an end whose socket closed = %v; want 1", got)
	}
}

// flakyAcquireStore fails every Acquire while down is set, as Redis does
// when it stops between a sweep's read of the watch list and its check of
// the session.
type flakyAcquireStore struct {
	sessions.Store
	down    atomic.Bool
	refused atomic.Int32 // Acquires failed
}

func (s *flakyAcquireStore) Acquire(ctx context.Context, id string) (sessions.Lease, error) {
	if s.down.Load() {
		s.refused.Add(1)
		return nil, sessions.ErrUnavailable
	}
	return s.Store.Acquire(ctx, id)
}

// TestConversationEndKeptWhenTheSessionCannotBeChecked: a due note whose
// session cannot be acquired is not lost: its claim lapses and a later
// sweep ends the conversation, once. (It used to be dropped.)
func TestConversationEndKeptWhenTheSessionCannotBeChecked(t *testing.T) {
	mem := sessions.NewMemory(sessions.Options{IdleTTL: time.Hour})
	t.Cleanup(func() { mem.Close() })
	store := &flakyAcquireStore{Store: mem}
	ctx := context.Background()
	rt := dialog.NewRuntime(loadBot(t, "testdata/convend", time.Millisecond), store, dialog.Options{Logger: slog.New(slog.DiscardHandler), EndHold: closedHold})
	if _, err := rt.Handle(ctx, "s-flaky", "flaky", nodes.Input{ID: "m1", Text: "hello"}); err != nil {
		t.Fatal(err)
	}
	store.down.Store(true)
	if n := sweepUntil(t, rt, func() bool { return store.refused.Load() > 0 }); n != 0 {
		t.Fatalf("sweep with the store down ran %d ends; want 0", n)
	}
	store.down.Store(false)
	if n, _ := rt.SweepEnds(ctx); n != 0 {
		t.Fatalf("sweep while the claim holds ran %d ends; want 0", n)
	}
	ran := sweepUntil(t, rt, func() bool { return endsOf(t, mem, "flaky") != nil })
	if n, _ := rt.SweepEnds(ctx); n != 0 {
		t.Errorf("a sweep after the end ran %d ends; want 0", n)
	}
	if ran != 1 || endsOf(t, mem, "flaky") != 1.0 {
		t.Errorf("after the store came back: %d ends ran (user ends %v); want 1", ran, endsOf(t, mem, "flaky"))
	}
}

// diedStore is the store as a process that dies while it runs a
// conversation_end sees it: the commit after the handler and the Done
// never happen (its lease lapses; here it is released at once).
type diedStore struct{ sessions.Store }

func (s diedStore) Acquire(ctx context.Context, id string) (sessions.Lease, error) {
	l, err := s.Store.Acquire(ctx, id)
	if err != nil {
		return nil, err
	}
	return diedLease{l}, nil
}

func (diedStore) Done(context.Context, string, sessions.Due) error { return nil }

type diedLease struct{ sessions.Lease }

func (l diedLease) CommitExpiry(ctx context.Context, _ []byte, _ []sessions.Frame, _ sessions.Expiry) error {
	_ = l.Lease.Release(ctx)
	return sessions.ErrUnavailable
}

// TestConversationEndAtLeastOnce: the handler runs on the conversation's
// last state (its variables), and when the process that ran it died
// before it finished, another sweep runs it again once the claim lapses,
// rather than never.
func TestConversationEndAtLeastOnce(t *testing.T) {
	eachStore(t, func(t *testing.T, open func() sessions.Store) {
		mem := open()
		bot := loadBot(t, "testdata/convend", time.Millisecond)
		quiet := dialog.Options{Logger: slog.New(slog.DiscardHandler), EndHold: closedHold}
		if _, err := dialog.NewRuntime(bot, mem, quiet).Handle(context.Background(), "s-1", "keen", nodes.Input{ID: "m1", Text: "hello"}); err != nil {
			t.Fatal(err)
		}
		dying := dialog.NewRuntime(bot, diedStore{mem}, quiet)
		if n := sweepUntil(t, dying, func() bool { return endsOf(t, mem, "keen") != nil }); n != 1 {
			t.Fatalf("first sweeps ran %d ends; want 1", n)
		}
		if got := userVars(t, mem, "convend", "keen")["last_topic"]; got != "greeting" {
			t.Errorf("the handler saw conversation.topic = %v; want greeting (the conversation's own state)", got)
		}
		survivor := dialog.NewRuntime(bot, mem, quiet)
		if n, _ := survivor.SweepEnds(context.Background()); n != 0 {
			t.Errorf("a sweep while the claim holds ran %d ends; want 0", n)
		}
		n := sweepUntil(t, survivor, func() bool { return endsOf(t, mem, "keen") != 1.0 })
		if n != 1 || endsOf(t, mem, "keen") != 2.0 {
			t.Errorf("after the claim lapsed: %d ends ran, user ends %v; want the handler run again (2)", n, endsOf(t, mem, "keen"))
		}
		if n, _ := survivor.SweepEnds(context.Background()); n != 0 {
			t.Errorf("a third sweep ran %d ends; want 0 (done)", n)
		}
	})
}

// TestTranscriptForTheEndHandler: with events.conversation_end.transcript
// the conversation keeps its lines, and the handler reads them as
// conversation.transcript.
func TestTranscriptForTheEndHandler(t *testing.T) {
	store := sessions.NewMemory(sessions.Options{IdleTTL: time.Hour})
	t.Cleanup(func() { store.Close() })
	ctx := context.Background()
	rt := dialog.NewRuntime(loadBot(t, "testdata/convend", time.Hour), store, dialog.Options{Logger: slog.New(slog.DiscardHandler)})
	for i, text := range []string{"hello", "what?"} {
		if _, err := rt.Handle(ctx, "s-1", "talker", nodes.Input{ID: fmt.Sprint("m", i), Text: text}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := rt.End(ctx, "s-1", "talker", ""); err != nil {
		t.Fatal(err)
	}
	got, _ := userVars(t, store, "convend", "talker")["last_transcript"].(string)
	if !strings.HasPrefix(got, "User: hello\nBot: Hi.\nUser: what?\nBot: ") {
		t.Errorf("transcript %q; want the user's lines and the bot's replies in order", got)
	}
}

// TestConversationEndRetriedAfterAFailure: a handler whose task fails (its
// service call got a 503) leaves the conversation claimed, not done; a
// later sweep runs it again and it succeeds, once.
func TestConversationEndRetriedAfterAFailure(t *testing.T) {
	api := newPostAPI(t, func(n int) bool { return n == 1 })
	store := sessions.NewMemory(sessions.Options{})
	t.Cleanup(func() { store.Close() })
	reg := prometheus.NewRegistry()
	rt := dialog.NewRuntime(postBot(t, api.URL, time.Millisecond), store, dialog.Options{
		Logger: slog.New(slog.DiscardHandler), EndHold: closedHold, Metrics: dialog.NewMetrics(reg),
	})
	if _, err := rt.Handle(context.Background(), "s-1", "u-1", nodes.Input{ID: "m1", Text: "hello"}); err != nil {
		t.Fatal(err)
	}
	if n := sweepUntil(t, rt, func() bool { return len(api.Posts()) == 1 }); n != 0 {
		t.Errorf("the sweep whose handler failed finished %d; want 0", n)
	}
	if n := sweepUntil(t, rt, func() bool { return len(api.Posts()) == 2 }); n != 1 {
		t.Errorf("the sweep that ran it again finished %d; want 1", n)
	}
	if n, err := rt.SweepEnds(context.Background()); err != nil || n != 0 || len(api.Posts()) != 2 {
		t.Errorf("a third sweep: %d, %v, %d posts; want 0, nil, 2 (done)", n, err, len(api.Posts()))
	}
	if p := api.Posts()[1]; p["reason"] != "idle" || p["topic"] != "greeting" {
		t.Errorf("run again with %v; want reason idle and the conversation's topic greeting", p)
	}
	wantEndRuns(t, reg, map[string]float64{"ok": 1, "failed": 1, "retried": 0})
}
