package dialog_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/botforge/dialogd/dialog"
	"github.com/botforge/dialogd/nodes"
	"github.com/botforge/dialogd/sessions"
	"github.com/botforge/dialogd/sessions/storetest"
)

// orderBot is a bot whose "order" task POSTs to api once.
func orderBot(t *testing.T, api string, idempotent bool) *dialog.Bot {
	t.Helper()
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "tasks"), 0o755)
	os.WriteFile(filepath.Join(dir, "bot.yaml"), []byte("name: shop\nenv: {api: \""+api+"\"}\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "tasks", "order.yaml"), []byte(fmt.Sprintf(`name: order
nodes:
  - {id: start, type: intent, utterances: [order], next: place}
  - id: place
    type: service
    method: POST
    url: "{{ env.api }}/orders"
    body: {item: book}
    idempotent: %v
    on_error: check
    next: done
  - {id: done, type: message, text: "Ordered {{ place.response.body.id }}."}
  - {id: check, type: message, text: "Failed: {{ place.error }}."}
`, idempotent)), 0o644)
	bot, err := dialog.LoadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	return bot
}

// TestCallRecordedBeforeItIsMade: a turn whose commit was lost after its
// POST runs again when the client re-sends the message. The POST was
// recorded in the session before it was made, so the second run knows: an
// idempotent node sends it again with the same key (the API answers as the
// first time); another node does not send it blindly, it fails as
// "uncertain" for the task to check.
func TestCallRecordedBeforeItIsMade(t *testing.T) {
	for _, idempotent := range []bool{true, false} {
		t.Run(fmt.Sprintf("idempotent=%v", idempotent), func(t *testing.T) {
			var mu sync.Mutex
			var keys []string
			api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				mu.Lock()
				keys = append(keys, r.Header.Get("Idempotency-Key"))
				mu.Unlock()
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(http.StatusCreated)
				w.Write([]byte(`{"id":"o-1"}`))
			}))
			t.Cleanup(api.Close)
			mem := sessions.NewMemory(sessions.Options{})
			t.Cleanup(func() { mem.Close() })
			store := &storetest.LostCommits{Store: mem}
			rt := dialog.NewRuntime(orderBot(t, api.URL, idempotent), store, dialog.Options{Logger: slog.New(slog.DiscardHandler)})
			ctx := context.Background()

			store.LoseNext(1)
			if _, err := rt.Handle(ctx, "s-1", "u1", nodes.Input{ID: "m1", Text: "order"}); err == nil {
				t.Fatal("first run: commit lost, want an error")
			}
			frames, err := rt.Handle(ctx, "s-1", "u1", nodes.Input{ID: "m1", Text: "order"}) // the client re-sends
			if err != nil {
				t.Fatal(err)
			}
			var texts []string
			for _, r := range decode(t, frames) {
				texts = append(texts, r.Text)
			}
			mu.Lock()
			defer mu.Unlock()
			if idempotent {
				if len(keys) != 2 || keys[0] == "" || keys[0] != keys[1] {
					t.Errorf("keys sent %q; want the same key twice", keys)
				}
				if !strings.Contains(strings.Join(texts, "|"), "Ordered o-1.") {
					t.Errorf("replies %q; want Ordered o-1.", texts)
				}
			} else {
				if len(keys) != 1 {
					t.Errorf("keys sent %q; want one call (not sent again blindly)", keys)
				}
				if !strings.Contains(strings.Join(texts, "|"), "Failed: uncertain.") {
					t.Errorf("replies %q; want Failed: uncertain.", texts)
				}
			}
			// A later order is a new call, sent once.
			before := len(keys)
			mu.Unlock()
			if _, err := rt.Handle(ctx, "s-1", "u1", nodes.Input{ID: "m2", Text: "order"}); err != nil {
				t.Fatal(err)
			}
			mu.Lock()
			if len(keys) != before+1 || keys[len(keys)-1] == keys[0] {
				t.Errorf("a later order sent keys %q; want one new key", keys[before:])
			}
		})
	}
}

// failingSaveStore cannot save: the store is in trouble mid-turn.
type failingSaveStore struct{ sessions.Store }

func (s *failingSaveStore) Acquire(ctx context.Context, id string) (sessions.Lease, error) {
	l, err := s.Store.Acquire(ctx, id)
	if err != nil {
		return nil, err
	}
	return failingSaveLease{l}, nil
}

type failingSaveLease struct{ sessions.Lease }

func (failingSaveLease) Save(context.Context, []byte) error { return sessions.ErrUnavailable }

// TestUnrecordedCallIsNotMade: when the call cannot be recorded, it is not
// made and the turn is not kept (the client gets unavailable and sends the
// message again), rather than a failure the designer's branch reports.
func TestUnrecordedCallIsNotMade(t *testing.T) {
	var calls atomic.Int32
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusCreated)
		w.Write([]byte(`{"id":"o-1"}`))
	}))
	t.Cleanup(api.Close)
	mem := sessions.NewMemory(sessions.Options{})
	t.Cleanup(func() { mem.Close() })
	bot := orderBot(t, api.URL, false)
	quiet := dialog.Options{Logger: slog.New(slog.DiscardHandler)}
	ctx := context.Background()
	if _, err := dialog.NewRuntime(bot, &failingSaveStore{mem}, quiet).Handle(ctx, "s-1", "u1", nodes.Input{ID: "m1", Text: "order"}); err == nil {
		t.Fatal("turn whose call could not be recorded: want an error (unavailable)")
	}
	if n := calls.Load(); n != 0 {
		t.Fatalf("the API got %d calls; want none (not recorded, not sent)", n)
	}
	// The store is back: the same message runs, once.
	frames, err := dialog.NewRuntime(bot, mem, quiet).Handle(ctx, "s-1", "u1", nodes.Input{ID: "m1", Text: "order"})
	if err != nil {
		t.Fatal(err)
	}
	if rs := decode(t, frames); calls.Load() != 1 || rs[0].Text != "Ordered o-1." {
		t.Errorf("after the store came back: %d calls, reply %q; want 1 call and Ordered o-1.", calls.Load(), rs[0].Text)
	}
}

// countingSaveStore counts the Saves of its leases.
type countingSaveStore struct {
	sessions.Store
	saves atomic.Int32
}

func (s *countingSaveStore) Acquire(ctx context.Context, id string) (sessions.Lease, error) {
	l, err := s.Store.Acquire(ctx, id)
	if err != nil {
		return nil, err
	}
	return countingSaveLease{l, s}, nil
}

type countingSaveLease struct {
	sessions.Lease
	s *countingSaveStore
}

func (l countingSaveLease) Save(ctx context.Context, state []byte) error {
	l.s.saves.Add(1)
	return l.Lease.Save(ctx, state)
}

// keyRecorder is an API that answers every POST with 201 and keeps the
// Idempotency-Keys it got.
func keyRecorder(t *testing.T) (url string, keys func() []string) {
	var mu sync.Mutex
	var got []string
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		got = append(got, r.Header.Get("Idempotency-Key"))
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusCreated)
		w.Write([]byte(`{"id":"o-1"}`))
	}))
	t.Cleanup(api.Close)
	return api.URL, func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), got...)
	}
}

// TestKeyFollowsTheMessage: the key names the client's message. After a
// turn whose commit was lost, a different message at the same place is a
// new request of the user's, not a re-run: its call is made with a new
// key, not refused as uncertain (and the re-sent message keeps its key).
func TestKeyFollowsTheMessage(t *testing.T) {
	url, keys := keyRecorder(t)
	mem := sessions.NewMemory(sessions.Options{})
	t.Cleanup(func() { mem.Close() })
	store := &storetest.LostCommits{Store: mem}
	rt := dialog.NewRuntime(orderBot(t, url, false), store, dialog.Options{Logger: slog.New(slog.DiscardHandler)})
	ctx := context.Background()
	store.LoseNext(1)
	if _, err := rt.Handle(ctx, "s-1", "u1", nodes.Input{ID: "m1", Text: "order"}); err == nil {
		t.Fatal("first run: commit lost, want an error")
	}
	frames, err := rt.Handle(ctx, "s-1", "u1", nodes.Input{ID: "m2", Text: "order"})
	if err != nil {
		t.Fatal(err)
	}
	got := keys()
	if len(got) != 2 || got[0] == got[1] {
		t.Errorf("keys sent %q; want two calls with different keys", got)
	}
	if rs := decode(t, frames); len(rs) == 0 || rs[0].Text != "Ordered o-1." {
		t.Errorf("replies %+v; want Ordered o-1. (a new message is not uncertain)", rs)
	}
}

// TestResendableCallIsNotRecorded: in a conversation the store already
// holds, a call of an idempotent node costs no Save (a re-run names it the
// same and sends it again, which the API recognises); a call of another
// node is recorded first, in each run. Both survive a lost commit as before.
func TestResendableCallIsNotRecorded(t *testing.T) {
	for _, tc := range []struct {
		idempotent bool
		wantSaves  int32
		wantCalls  int
	}{{true, 0, 2}, {false, 2, 1}} {
		t.Run(fmt.Sprintf("idempotent=%v", tc.idempotent), func(t *testing.T) {
			url, keys := keyRecorder(t)
			mem := sessions.NewMemory(sessions.Options{})
			t.Cleanup(func() { mem.Close() })
			counting := &countingSaveStore{Store: mem}
			store := &storetest.LostCommits{Store: counting}
			rt := dialog.NewRuntime(orderBot(t, url, tc.idempotent), store, dialog.Options{Logger: slog.New(slog.DiscardHandler)})
			ctx := context.Background()
			if _, err := rt.Handle(ctx, "s-1", "u1", nodes.Input{ID: "m0", Text: "hello"}); err != nil {
				t.Fatal(err) // the conversation is stored
			}
			store.LoseNext(1)
			if _, err := rt.Handle(ctx, "s-1", "u1", nodes.Input{ID: "m1", Text: "order"}); err == nil {
				t.Fatal("commit lost: want an error")
			}
			if _, err := rt.Handle(ctx, "s-1", "u1", nodes.Input{ID: "m1", Text: "order"}); err != nil {
				t.Fatal(err)
			}
			got := keys()
			if n := counting.saves.Load(); n != tc.wantSaves {
				t.Errorf("Saves = %d; want %d", n, tc.wantSaves)
			}
			if len(got) != tc.wantCalls || got[0] == "" || got[len(got)-1] != got[0] {
				t.Errorf("keys sent %q; want %d call(s) with one key", got, tc.wantCalls)
			}
		})
	}
}
