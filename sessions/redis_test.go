package sessions_test

import (
	"context"
	"encoding/binary"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/botforge/dialogd/sessions"
	"github.com/botforge/dialogd/sessions/redistest"
	"github.com/botforge/dialogd/sessions/storetest"
	"github.com/redis/go-redis/v9"
)

// openRedis returns an opener of stores on srv, each with its own client, as
// separate processes would have. query is appended to the URL.
func openRedis(srv *redistest.Server, query string) func(t *testing.T) sessions.Store {
	return func(t *testing.T) sessions.Store {
		t.Helper()
		opts, err := sessions.ParseRedisURL(srv.URL() + query)
		if err != nil {
			t.Fatalf("ParseRedisURL: %v", err)
		}
		s := sessions.NewRedis(redis.NewUniversalClient(opts), storetest.Options)
		t.Cleanup(func() { s.Close() })
		return s
	}
}

func TestRedisIntegration(t *testing.T) {
	srv := redistest.Start(t)
	open := openRedis(srv, "")
	storetest.Run(t, open)

	t.Run("CounterAcrossTwoClients", func(t *testing.T) {
		storetest.Counter(t, 30, open(t), open(t))
	})

	t.Run("KeyLayout", func(t *testing.T) {
		ctx := context.Background()
		s, rdb := open(t), srv.Client(t)
		id := storetest.ID(t, 0)
		l, err := s.Acquire(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		base := "dlg:{" + id + "}:"
		lockTTL, err := rdb.PTTL(ctx, base+"lock").Result()
		if err != nil || lockTTL <= 0 || lockTTL > storetest.Options.LockTTL {
			t.Errorf("PTTL %slock = %v, %v; want in (0, %v]", base, lockTTL, err, storetest.Options.LockTTL)
		}
		frames := []sessions.Frame{{Seq: 7, Data: []byte(`{"seq":7}`)}, {Seq: 8, Data: []byte(`{"seq":8}`)}}
		if err := l.Commit(ctx, []byte("st"), frames); err != nil {
			t.Fatal(err)
		}
		keys, err := rdb.Keys(ctx, base+"*").Result()
		if err != nil {
			t.Fatal(err)
		}
		slices.Sort(keys)
		if want := []string{base + "fence", base + "out", base + "state"}; !slices.Equal(keys, want) {
			t.Errorf("keys after Commit = %q; want %q (lock deleted)", keys, want)
		}
		for _, k := range []string{base + "fence", base + "out", base + "state"} {
			ttl, err := rdb.PTTL(ctx, k).Result()
			if err != nil || ttl <= 0 || ttl > storetest.Options.IdleTTL {
				t.Errorf("PTTL %s = %v, %v; want in (0, %v]", k, ttl, err, storetest.Options.IdleTTL)
			}
		}
		raw, err := rdb.LRange(ctx, base+"out", 0, -1).Result()
		if err != nil {
			t.Fatal(err)
		}
		for i, e := range raw {
			f := frames[i]
			if got := binary.BigEndian.Uint64([]byte(e[:8])); got != f.Seq || e[8:] != string(f.Data) {
				t.Errorf("outbox entry %d = seq %d data %q; want seq %d data %q", i, got, e[8:], f.Seq, f.Data)
			}
		}
	})
}

// TestRedisUnavailableIntegration stops Redis under a store: calls must fail
// fast with ErrUnavailable, and work again once Redis is back.
func TestRedisUnavailableIntegration(t *testing.T) {
	srv := redistest.Start(t)
	s := openRedis(srv, "")(t)
	ctx := context.Background()
	id := storetest.ID(t, 0)
	if err := s.Ping(ctx); err != nil {
		t.Fatalf("Ping: %v", err)
	}
	srv.Stop()

	const bound = 3 * time.Second
	calls := []struct {
		name string
		call func() error
	}{
		{"Acquire", func() error { _, err := s.Acquire(ctx, id); return err }},
		{"Outbox", func() error { _, err := s.Outbox(ctx, id, 0); return err }},
		{"Get", func() error { _, err := s.Get(ctx, "k"); return err }},
		{"Set", func() error { return s.Set(ctx, "k", []byte("v"), 0) }},
		{"Ping", func() error { return s.Ping(ctx) }},
	}
	for _, c := range calls {
		start := time.Now()
		err := c.call()
		took := time.Since(start)
		if !errors.Is(err, sessions.ErrUnavailable) {
			t.Errorf("%s with Redis down = %v; want an error wrapping ErrUnavailable", c.name, err)
		}
		t.Logf("%s with Redis down: %v after %v", c.name, err, took)
		if took > bound {
			t.Errorf("%s with Redis down took %v; want under %v", c.name, took, bound)
		}
	}

	srv.Restart()
	l, err := s.Acquire(ctx, id)
	if err != nil {
		t.Fatalf("Acquire after Restart: %v", err)
	}
	if err := l.Commit(ctx, []byte("back"), nil); err != nil {
		t.Fatalf("Commit after Restart: %v", err)
	}
}

// TestRedisCommitDuringOutageIntegration pauses Redis (CLIENT PAUSE) while a
// turn commits: the Commit must fail with ErrUnavailable, and once Redis
// answers again the state from before the turn is still there.
func TestRedisCommitDuringOutageIntegration(t *testing.T) {
	srv := redistest.Start(t)
	s := openRedis(srv, "?read_timeout=300ms&max_retries=0")(t)
	ctx := context.Background()
	id := storetest.ID(t, 0)

	l, err := s.Acquire(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Commit(ctx, []byte("before"), []sessions.Frame{{Seq: 1, Data: []byte("f1")}}); err != nil {
		t.Fatal(err)
	}
	l, err = s.Acquire(ctx, id)
	if err != nil {
		t.Fatal(err)
	}

	admin := srv.Client(t)
	if err := admin.Do(ctx, "CLIENT", "PAUSE", 1500, "ALL").Err(); err != nil {
		t.Fatalf("CLIENT PAUSE: %v", err)
	}
	start := time.Now()
	err = l.Commit(ctx, []byte("during"), []sessions.Frame{{Seq: 2, Data: []byte("f2")}})
	if !errors.Is(err, sessions.ErrUnavailable) {
		t.Fatalf("Commit while Redis is paused = %v; want an error wrapping ErrUnavailable", err)
	}
	if took := time.Since(start); took > time.Second {
		t.Errorf("failed Commit took %v; want about the 300ms read timeout", took)
	}

	// A PING with a long read timeout returns when the pause ends; then
	// Acquire waits, if need be, for the turn's lease to run out.
	waiter := redis.NewClient(&redis.Options{Addr: srv.Addr, ReadTimeout: 10 * time.Second})
	defer waiter.Close()
	if err := waiter.Ping(ctx).Err(); err != nil {
		t.Fatalf("PING after the pause: %v", err)
	}
	ctx2, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	l, err = s.Acquire(ctx2, id)
	if err != nil {
		t.Fatalf("Acquire after the pause: %v", err)
	}
	defer l.Release(ctx)
	if got := string(l.State()); got != "before" {
		t.Errorf("State() after the failed Commit = %q; want %q", got, "before")
	}
	fs, err := s.Outbox(ctx, id, 0)
	if err != nil || len(fs) != 1 || fs[0].Seq != 1 {
		t.Errorf("Outbox after the failed Commit = %v, %v; want only frame 1", fs, err)
	}
}

// TestRedisWakeOnReleaseIntegration checks that a waiter in another client is
// woken by the holder's Release through the wake channel, long before the
// lease (30 s) would run out.
func TestRedisWakeOnReleaseIntegration(t *testing.T) {
	srv := redistest.Start(t)
	ctx := context.Background()
	open := func() sessions.Store {
		opts, err := sessions.ParseRedisURL(srv.URL())
		if err != nil {
			t.Fatal(err)
		}
		s := sessions.NewRedis(redis.NewUniversalClient(opts), sessions.Options{LockTTL: 30 * time.Second})
		t.Cleanup(func() { s.Close() })
		return s
	}
	a, b, rdb := open(), open(), srv.Client(t)
	id := storetest.ID(t, 0)
	holder, err := a.Acquire(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan error, 1)
	go func() {
		wctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		l, err := b.Acquire(wctx, id)
		if err == nil {
			err = l.Commit(wctx, []byte("waiter"), nil)
		}
		got <- err
	}()
	lock := "dlg:{" + id + "}:lock"
	for deadline := time.Now().Add(5 * time.Second); ; {
		if w, _ := rdb.HGet(ctx, lock, "w").Result(); w != "" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the waiter never registered in the lock hash")
		}
		time.Sleep(time.Millisecond)
	}
	if err := holder.Release(ctx); err != nil {
		t.Fatal(err)
	}
	if err := <-got; err != nil {
		t.Fatalf("waiter: %v; want the session right after Release", err)
	}
}

// cmdLog records the commands a client sends.
type cmdLog struct{ names []string }

func (l *cmdLog) DialHook(next redis.DialHook) redis.DialHook { return next }
func (l *cmdLog) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		l.names = append(l.names, "pipeline")
		return next(ctx, cmds)
	}
}
func (l *cmdLog) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		l.names = append(l.names, cmd.Name())
		return next(ctx, cmd)
	}
}

// TestRedisRoundTripsIntegration checks that an uncontended turn costs one
// command for Acquire and one for Commit, once the scripts are cached.
func TestRedisRoundTripsIntegration(t *testing.T) {
	srv := redistest.Start(t)
	ctx := context.Background()
	opts, err := sessions.ParseRedisURL(srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	c := redis.NewUniversalClient(opts)
	log := &cmdLog{}
	c.AddHook(log)
	s := sessions.NewRedis(c, sessions.Options{})
	defer s.Close()
	id := storetest.ID(t, 0)

	// Warm up: the first run of each script loads it (EVALSHA, then EVAL).
	l, err := s.Acquire(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Commit(ctx, []byte("s"), nil); err != nil {
		t.Fatal(err)
	}
	l, _ = s.Acquire(ctx, id)
	_ = l.Release(ctx)

	steps := []struct {
		name string
		run  func() error
	}{
		{"Acquire", func() (err error) { l, err = s.Acquire(ctx, id); return err }},
		{"Commit", func() error {
			return l.Commit(ctx, []byte("state"), []sessions.Frame{{Seq: 1, Data: []byte("a")}, {Seq: 2, Data: []byte("b")}})
		}},
		{"Acquire again", func() (err error) { l, err = s.Acquire(ctx, id); return err }},
		{"Release", func() error { return l.Release(ctx) }},
		{"Outbox", func() error { _, err := s.Outbox(ctx, id, 0); return err }},
	}
	want := map[string][]string{
		"Acquire": {"evalsha"}, "Commit": {"evalsha"}, "Acquire again": {"evalsha"},
		"Release": {"evalsha"}, "Outbox": {"lrange"},
	}
	for _, st := range steps {
		log.names = nil
		if err := st.run(); err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		if !slices.Equal(log.names, want[st.name]) {
			t.Errorf("%s sent %q; want %q", st.name, log.names, want[st.name])
		}
	}
}
