package dialog_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"

	"github.com/botforge/dialogd/dialog"
	"github.com/botforge/dialogd/nodes"
	"github.com/botforge/dialogd/sessions"
	"github.com/botforge/dialogd/sessions/redistest"
)

// eachStore runs f against a memory store and against a real Redis; open
// returns the memory store every time, and a new client (as another
// instance would have) of the same Redis. The stores' own idle TTL is
// long, so what expires does so by the bot's.
func eachStore(t *testing.T, f func(t *testing.T, open func() sessions.Store)) {
	opts := sessions.Options{IdleTTL: time.Hour}
	t.Run("memory", func(t *testing.T) {
		s := sessions.NewMemory(opts)
		t.Cleanup(func() { s.Close() })
		f(t, func() sessions.Store { return s })
	})
	t.Run("redis", func(t *testing.T) {
		srv := redistest.Start(t)
		f(t, func() sessions.Store {
			ropts, err := sessions.ParseRedisURL(srv.URL())
			if err != nil {
				t.Fatal(err)
			}
			s := sessions.NewRedis(redis.NewUniversalClient(ropts), opts)
			t.Cleanup(func() { s.Close() })
			return s
		})
	})
}

func loadBot(t *testing.T, dir string, idleTTL time.Duration) *dialog.Bot {
	t.Helper()
	bot, err := dialog.LoadDir(dir)
	if err != nil {
		t.Fatalf("load %s: %v", dir, err)
	}
	bot.Config.Settings.SessionIdleTTL = idleTTL
	return bot
}

// TestSessionIdleTTLPerBot: two bots sharing one store keep their sessions
// for their own settings.session_idle_ttl. The setting used to be ignored
// (the server's -idle-ttl decided for every bot).
func TestSessionIdleTTLPerBot(t *testing.T) {
	eachStore(t, func(t *testing.T, open func() sessions.Store) {
		store := open()
		ctx := context.Background()
		short := dialog.NewRuntime(loadBot(t, "testdata/ok", 500*time.Millisecond), store, dialog.Options{})
		long := dialog.NewRuntime(loadBot(t, "testdata/ok", 30*time.Second), store, dialog.Options{})
		dflt := dialog.NewRuntime(loadBot(t, "testdata/ok", 0), store, dialog.Options{})
		for _, rt := range []*dialog.Runtime{short, long, dflt} {
			if _, err := rt.Handle(ctx, "s-"+rt.Bot().Config.Name+fmt.Sprint(rt.Bot().Config.Settings.SessionIdleTTL), "u1", nodes.Input{ID: "m1", Text: "help"}); err != nil {
				t.Fatal(err)
			}
		}
		time.Sleep(500*time.Millisecond + 300*time.Millisecond)
		tests := []struct {
			rt   *dialog.Runtime
			kept bool
		}{{short, false}, {long, true}, {dflt, true}}
		for _, tt := range tests {
			cfg := tt.rt.Bot().Config
			frames, err := tt.rt.Missed(ctx, "s-"+cfg.Name+fmt.Sprint(cfg.Settings.SessionIdleTTL), 0)
			if err != nil {
				t.Fatal(err)
			}
			if got := len(frames) > 0; got != tt.kept {
				t.Errorf("session_idle_ttl %v: after 800ms the session is kept = %v; want %v", cfg.Settings.SessionIdleTTL, got, tt.kept)
			}
		}
	})
}

// userVars reads the user's variables the end handler set.
func userVars(t *testing.T, store sessions.Store, bot, user string) map[string]any {
	t.Helper()
	raw, err := store.Get(context.Background(), "uv:"+bot+":"+user)
	if err != nil {
		t.Fatal(err)
	}
	vars := map[string]any{}
	if raw == nil {
		return vars
	}
	var stored map[string]struct {
		V any `json:"v"`
	}
	if err := json.Unmarshal(raw, &stored); err != nil {
		t.Fatalf("user variables %q: %v", raw, err)
	}
	for k, v := range stored {
		vars[k] = v.V
	}
	return vars
}

// TestConversationEnd: conversation_end runs exactly once per conversation,
// when the user closes it and when it idles out, even with two runtimes
// (two botd instances) sweeping the same store.
func TestConversationEnd(t *testing.T) {
	eachStore(t, func(t *testing.T, open func() sessions.Store) {
		store := open()
		ctx := context.Background()
		bot := loadBot(t, "testdata/convend", 400*time.Millisecond)
		quiet := dialog.Options{Logger: slog.New(slog.DiscardHandler)}
		a := dialog.NewRuntime(bot, store, quiet)
		b := dialog.NewRuntime(bot, open(), quiet) // another instance
		say := func(rt *dialog.Runtime, session, user, id string) {
			t.Helper()
			if _, err := rt.Handle(ctx, session, user, nodes.Input{ID: id, Text: "hello"}); err != nil {
				t.Fatal(err)
			}
		}
		// closer closes; idler idles out; talker is still talking.
		say(a, "s-closer", "closer", "m1")
		say(a, "s-idler", "idler", "m1")
		say(b, "s-idler", "idler", "m2")
		for range 2 { // a second close finds no conversation
			if _, err := a.End(ctx, "s-closer", "closer", "end-1"); err != nil {
				t.Fatal(err)
			}
		}
		if got := userVars(t, store, "convend", "closer"); got["ends"] != 1.0 || got["last_reason"] != "closed" {
			t.Errorf("after closing: user variables %v; want ends 1, last_reason closed", got)
		}
		// Sleeping only makes the idler's expiry more certain; the talker
		// speaks right before the sweeps, a whole TTL before its own.
		time.Sleep(400*time.Millisecond + 300*time.Millisecond)
		say(b, "s-talker", "talker", "m1")

		var wg sync.WaitGroup
		var swept [2]int
		for i, rt := range []*dialog.Runtime{a, b} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				n, err := rt.SweepEnds(ctx)
				if err != nil {
					t.Errorf("SweepEnds: %v", err)
				}
				swept[i] = n
			}()
		}
		wg.Wait()
		if swept[0]+swept[1] != 1 {
			t.Errorf("the sweeps ran conversation_end %d times (%v); want once (idler only)", swept[0]+swept[1], swept)
		}
		tests := []struct {
			user   string
			ends   any
			reason any
		}{
			{"closer", 1.0, "closed"}, // closed once; its state is gone, not idled out again
			{"idler", 1.0, "idle"},
			{"talker", nil, nil}, // still talking
		}
		for _, tt := range tests {
			got := userVars(t, store, "convend", tt.user)
			if got["ends"] != tt.ends || got["last_reason"] != tt.reason {
				t.Errorf("%s: user variables %v; want ends %v, last_reason %v", tt.user, got, tt.ends, tt.reason)
			}
		}
		// A closed session starts a new conversation on its next message;
		// its frames go on numbering where the old one stopped, so that a
		// client's last_seq stays true.
		say(a, "s-reopener", "reopener", "m1")
		if _, err := a.End(ctx, "s-reopener", "reopener", "end-1"); err != nil {
			t.Fatal(err)
		}
		frames, err := a.Handle(ctx, "s-reopener", "reopener", nodes.Input{ID: "m2", Text: "hello"})
		if err != nil {
			t.Fatal(err)
		}
		if rs := decode(t, frames); rs[0].Seq != 2 {
			t.Errorf("first reply after the end has seq %d; want 2 (the closed conversation sent 1)", rs[0].Seq)
		}
		time.Sleep(400*time.Millisecond + 300*time.Millisecond)
		if n, _ := a.SweepEnds(ctx); n != 2 {
			t.Errorf("later sweep ran %d ends; want 2 (talker, and reopener's new conversation)", n)
		}
		if got := userVars(t, store, "convend", "reopener"); got["ends"] != 2.0 || got["last_reason"] != "idle" {
			t.Errorf("reopener: user variables %v; want ends 2 (closed, then the new one idled out), last_reason idle", got)
		}
	})
}

// postBot is a bot whose conversation_end task posts the conversation to
// api/log: its id (c), its topic (the chat task sets "greeting") and its
// end reason. Its call waits up to 20s.
func postBot(t *testing.T, api string, idleTTL time.Duration) *dialog.Bot {
	t.Helper()
	fsys := fstest.MapFS{
		"bot.yaml":        {Data: []byte("name: poster\nlanguages: [en]\nenv: {api: \"" + api + "\"}\nevents:\n  conversation_end: {task: post}\n")},
		"tasks/chat.yaml": {Data: []byte("name: chat\nnodes:\n  - {id: start, type: intent, utterances: [hello], next: keep}\n  - {id: keep, type: logic, set: [{name: topic, value: greeting}], next: hi}\n  - {id: hi, type: message, text: Hi.}\n")},
		"tasks/post.yaml": {Data: []byte("name: post\nnodes:\n  - {id: start, type: intent, utterances: [post the conversation], next: call}\n  - {id: call, type: service, method: POST, url: \"{{ env.api }}/log\", timeout: 20s, body: {c: \"{{ conversation.id }}\", topic: \"{{ conversation.topic }}\", reason: \"{{ conversation.end_reason }}\"}}\n")},
	}
	bot, err := dialog.LoadFS(fsys, "poster", nodes.Default())
	if err != nil {
		t.Fatal(err)
	}
	bot.Config.Settings.SessionIdleTTL = idleTTL
	return bot
}

// postAPI is the API postBot posts to. It answers 503 to the posts fail
// picks (by their 1-based number), 200 to the others, and keeps every
// post's body.
type postAPI struct {
	*httptest.Server
	mu    sync.Mutex
	posts []map[string]string
}

func newPostAPI(t *testing.T, fail func(n int) bool) *postAPI {
	a := &postAPI{}
	a.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body map[string]string
		_ = json.NewDecoder(r.Body).Decode(&body)
		a.mu.Lock()
		a.posts = append(a.posts, body)
		n := len(a.posts)
		a.mu.Unlock()
		if fail(n) {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		w.Write([]byte(`{}`))
	}))
	t.Cleanup(a.Close)
	return a
}

// Posts returns the bodies posted so far.
func (a *postAPI) Posts() []map[string]string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]map[string]string(nil), a.posts...)
}

// endWait bounds how long a test waits for a conversation_end to happen:
// far longer than it takes, so that only a bug reaches it.
const endWait = 20 * time.Second

// sweepUntil sweeps rt again and again until done holds, and returns how
// many handlers the sweeps finished; it fails the test after endWait.
// It waits for a note to be due, or for a claim to lapse, without
// guessing how long that takes.
func sweepUntil(t *testing.T, rt *dialog.Runtime, done func() bool) int {
	t.Helper()
	finished := 0
	for deadline := time.Now().Add(endWait); !done(); {
		if time.Now().After(deadline) {
			t.Fatalf("not done after %v of sweeps (%d handlers finished)", endWait, finished)
		}
		n, err := rt.SweepEnds(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		finished += n
		time.Sleep(10 * time.Millisecond)
	}
	return finished
}

// endRuns is dialogd_conversation_end_runs_total{outcome} in reg.
func endRuns(t *testing.T, reg *prometheus.Registry, outcome string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != "dialogd_conversation_end_runs_total" {
			continue
		}
		for _, m := range mf.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == "outcome" && l.GetValue() == outcome {
					return m.GetCounter().GetValue()
				}
			}
		}
	}
	return 0
}

// wantEndRuns checks dialogd_conversation_end_runs_total in reg, by outcome.
func wantEndRuns(t *testing.T, reg *prometheus.Registry, want map[string]float64) {
	t.Helper()
	for outcome, n := range want {
		if got := endRuns(t, reg, outcome); got != n {
			t.Errorf("dialogd_conversation_end_runs_total{outcome=%q} = %v; want %v", outcome, got, n)
		}
	}
}
