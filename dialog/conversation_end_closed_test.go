package dialog_test

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/botforge/dialogd/dialog"
	"github.com/botforge/dialogd/nodes"
	"github.com/botforge/dialogd/sessions"
)

// closedHold is the claim of these tests' sweeps: its three quarters
// bound a handler's run, far more than a local HTTP call takes under
// -race on a busy machine.
const closedHold = 2 * time.Second

// keptSetsStore counts the writes of closed conversations' kept states
// (the keys convend:…).
type keptSetsStore struct {
	sessions.Store
	mu   sync.Mutex
	sets map[string]int
}

func (s *keptSetsStore) Set(ctx context.Context, key string, val []byte, ttl time.Duration) error {
	if strings.HasPrefix(key, "convend:") {
		s.mu.Lock()
		if s.sets == nil {
			s.sets = map[string]int{}
		}
		s.sets[key]++
		s.mu.Unlock()
	}
	return s.Store.Set(ctx, key, val, ttl)
}

func (s *keptSetsStore) setsOf(key string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sets[key]
}

// closeFailing starts a conversation on rt and closes it; the API
// answers the handler's first post with 503. It returns the
// conversation's id.
func closeFailing(t *testing.T, rt *dialog.Runtime, api *postAPI) string {
	t.Helper()
	ctx := context.Background()
	if _, err := rt.Handle(ctx, "s-1", "u-1", nodes.Input{ID: "m1", Text: "hello"}); err != nil {
		t.Fatal(err)
	}
	if _, err := rt.End(ctx, "s-1", "u-1", "e1"); err != nil {
		t.Fatal(err)
	}
	posts := api.Posts()
	if len(posts) != 1 || posts[0]["c"] == "" {
		t.Fatalf("posts after the close: %v; want the handler's one (failed) post", posts)
	}
	return posts[0]["c"]
}

// TestClosedConversationEndRetried: a closed conversation whose handler
// failed (the CRM answered 503 when the user closed the chat) still ends
// (the session's next message begins a new conversation), and the sweeps
// run the handler again on the closed conversation's own state until it
// finishes, once. Each failed run keeps that state longer (it used to
// expire the idle time-out and 10 minutes after the close, and a CRM down
// longer lost the conversation's Task without a word), and is counted as
// failed, not as a handler the sweep finished.
func TestClosedConversationEndRetried(t *testing.T) {
	eachStore(t, func(t *testing.T, open func() sessions.Store) {
		api := newPostAPI(t, func(n int) bool { return n <= 2 })
		store := &keptSetsStore{Store: open()}
		reg := prometheus.NewRegistry()
		// The closed conversation's note is due 1ms after the close.
		rt := dialog.NewRuntime(postBot(t, api.URL, time.Millisecond), store, dialog.Options{
			Logger: slog.New(slog.DiscardHandler), EndHold: closedHold, Metrics: dialog.NewMetrics(reg),
		})
		conv := closeFailing(t, rt, api)
		kept := "convend:poster:" + conv

		finished := sweepUntil(t, rt, func() bool { return len(api.Posts()) == 2 })
		if finished != 0 {
			t.Errorf("sweeps whose run failed finished %d handlers; want 0", finished)
		}
		if got := store.setsOf(kept); got != 2 {
			t.Errorf("the kept state was written %d times; want 2 (at the close, again after the failed run)", got)
		}
		// The claim lapses; the next run finishes.
		if finished := sweepUntil(t, rt, func() bool { return len(api.Posts()) == 3 }); finished != 1 {
			t.Errorf("the sweep whose run finished counted %d handlers; want 1", finished)
		}
		if n, err := rt.SweepEnds(context.Background()); err != nil || n != 0 {
			t.Errorf("a sweep after the run finished: %d, %v; want 0, nil", n, err)
		}
		posts := api.Posts()
		if len(posts) != 3 {
			t.Fatalf("the CRM got %d posts %v; want 3 (the close, a failed run, the run that finished)", len(posts), posts)
		}
		if again := posts[2]; again["c"] != conv || again["topic"] != "greeting" || again["reason"] != "closed" {
			t.Errorf("run again with %v; want the closed conversation %s, its topic greeting and reason closed", again, conv)
		}
		if data, err := store.Get(context.Background(), kept); err != nil || data != nil {
			t.Errorf("kept state after the handler finished: %q, %v; want none", data, err)
		}
		wantEndRuns(t, reg, map[string]float64{"ok": 0, "failed": 2, "retried": 1, "given_up": 0})
	})
}

// TestClosedConversationEndGivenUp: a closed conversation whose handler
// keeps failing is given up once it closed longer ago than
// Options.EndRetryMaxAge, or when its kept state is gone: its handler is
// not run again, an error line names the conversation and
// dialogd_conversation_end_runs_total{outcome="given_up"} counts it. (A
// state that expired was dropped without a word.)
func TestClosedConversationEndGivenUp(t *testing.T) {
	tests := []struct {
		name  string
		after func(t *testing.T, store sessions.Store, clock *atomic.Int64, kept string)
		why   string
	}{
		{"older than the retry limit", func(t *testing.T, _ sessions.Store, clock *atomic.Int64, _ string) {
			clock.Add(int64(24*time.Hour + time.Second))
		}, "more than the retry limit of 24h0m0s"},
		{"kept state gone", func(t *testing.T, store sessions.Store, _ *atomic.Int64, kept string) {
			if err := store.Delete(context.Background(), kept); err != nil {
				t.Fatal(err)
			}
		}, "its kept state is gone"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			api := newPostAPI(t, func(int) bool { return true })
			store := sessions.NewMemory(sessions.Options{IdleTTL: time.Hour})
			t.Cleanup(func() { store.Close() })
			var clock atomic.Int64
			clock.Store(time.Now().UnixNano())
			var logs bytes.Buffer
			reg := prometheus.NewRegistry()
			rt := dialog.NewRuntime(postBot(t, api.URL, time.Millisecond), store, dialog.Options{
				Logger: slog.New(slog.NewTextHandler(&logs, nil)), EndHold: closedHold, Metrics: dialog.NewMetrics(reg),
				Now: func() time.Time { return time.Unix(0, clock.Load()) },
			})
			conv := closeFailing(t, rt, api)
			kept := "convend:poster:" + conv
			tt.after(t, store, &clock, kept)

			sweepUntil(t, rt, func() bool { return endRuns(t, reg, "given_up") > 0 })
			if posts := api.Posts(); len(posts) != 1 {
				t.Errorf("the CRM got %d posts; want 1 (the close's; none after it was given up)", len(posts))
			}
			if got := endRuns(t, reg, "given_up"); got != 1 {
				t.Errorf(`dialogd_conversation_end_runs_total{outcome="given_up"} = %v; want 1`, got)
			}
			line := ""
			for l := range strings.Lines(logs.String()) {
				if strings.Contains(l, "given up") {
					line = l
				}
			}
			if !strings.Contains(line, "level=ERROR") || !strings.Contains(line, conv) || !strings.Contains(line, tt.why) {
				t.Errorf("log line %q; want an ERROR naming conversation %s and %q", line, conv, tt.why)
			}
			if data, err := store.Get(context.Background(), kept); err != nil || data != nil {
				t.Errorf("kept state after giving up: %q, %v; want none", data, err)
			}
		})
	}
}
