package sessions_test

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/botforge/dialogd/sessions"
	"github.com/botforge/dialogd/sessions/redistest"
	"github.com/botforge/dialogd/sessions/storetest"
	"github.com/redis/go-redis/v9"
)

// openRedisOpts opens a store on srv with the URL query and options given.
func openRedisOpts(t *testing.T, srv *redistest.Server, query string, o sessions.Options) *sessions.Redis {
	t.Helper()
	opts, err := sessions.ParseRedisURL(srv.URL() + query)
	if err != nil {
		t.Fatalf("ParseRedisURL: %v", err)
	}
	s := sessions.NewRedis(redis.NewUniversalClient(opts), o)
	t.Cleanup(func() { s.Close() })
	return s
}

// TestRedisDeadHolderFreesIntegration: the instance holding a session dies
// (its client is closed, so it cannot renew) while its turn's context is
// still live. Another instance gets the session once the short lease runs
// out, not after a turn timeout, and the dead holder cannot commit.
func TestRedisDeadHolderFreesIntegration(t *testing.T) {
	srv := redistest.Start(t)
	const ttl = time.Second
	dead := openRedisOpts(t, srv, "", sessions.Options{LockTTL: ttl})
	alive := openRedisOpts(t, srv, "", sessions.Options{LockTTL: ttl})
	ctx := context.Background()
	id := storetest.ID(t, 0)
	held, err := dead.Acquire(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	// Renewed past its TTL while the instance lives.
	time.Sleep(2 * ttl)
	if n, err := srv.Client(t).Exists(ctx, "dlg:{"+id+"}:lock").Result(); n != 1 || err != nil {
		t.Fatalf("lock exists after %v of a live holder = %d, %v; want 1 (renewed)", 2*ttl, n, err)
	}
	start := time.Now()
	dead.Close()
	wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	l, err := alive.Acquire(wctx, id)
	waited := time.Since(start)
	if err != nil {
		t.Fatalf("Acquire after the holder died: %v", err)
	}
	if max := ttl + time.Second; waited > max {
		t.Errorf("the dead holder's session freed after %v; want within %v (its lease)", waited, max)
	}
	if err := held.Commit(ctx, []byte("zombie"), nil); err == nil {
		t.Errorf("Commit by the dead holder = <nil>; want an error")
	}
	if err := l.Commit(ctx, []byte("survivor"), nil); err != nil {
		t.Errorf("Commit by the new holder: %v", err)
	}
}

// TestRedisSmallPoolIntegration: with a pool of 5 connections, 20 turns
// waiting for one session hold no connection, so another session is
// served at once and the waiters all get their turn.
func TestRedisSmallPoolIntegration(t *testing.T) {
	srv := redistest.Start(t)
	s := openRedisOpts(t, srv, "?pool_size=5", sessions.Options{MaxWaiters: 20})
	rdb := srv.Client(t)
	ctx := context.Background()
	id := storetest.ID(t, 0)
	holder, err := s.Acquire(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	const n = 20
	errs := make(chan error, n)
	for range n {
		go func() {
			wctx, cancel := context.WithTimeout(ctx, 20*time.Second)
			defer cancel()
			l, err := s.Acquire(wctx, id)
			if err == nil {
				err = l.Commit(wctx, []byte("w"), nil)
			}
			errs <- err
		}()
	}
	// Each waiter registers in the lock hash before it waits.
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		w, _ := rdb.HGet(ctx, "dlg:{"+id+"}:lock", "w").Int()
		if w >= n {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d waiters registered", w, n)
		}
	}
	octx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	other, err := s.Acquire(octx, storetest.ID(t, 1))
	if err != nil {
		t.Fatalf("Acquire of another session while %d turns wait on a pool of 5: %v", n, err)
	}
	if err := other.Commit(octx, []byte("other"), nil); err != nil {
		t.Fatalf("Commit of another session while %d turns wait on a pool of 5: %v", n, err)
	}
	if err := holder.Release(ctx); err != nil {
		t.Fatal(err)
	}
	for range n {
		if err := <-errs; err != nil {
			t.Errorf("waiter: %v", err)
		}
	}
}

// TestRedisHammerOneSessionIntegration: 50 clients send to one session
// through two instances. Turns are serialised, each instance admits at
// most MaxWaiters waiters (the rest get ErrBusy at once), and turns of
// other sessions keep their latency meanwhile.
func TestRedisHammerOneSessionIntegration(t *testing.T) {
	srv := redistest.Start(t)
	stores := []sessions.Store{
		openRedisOpts(t, srv, "", sessions.Options{}),
		openRedisOpts(t, srv, "", sessions.Options{}),
	}
	ctx := context.Background()
	id := storetest.ID(t, 0)
	const clients = 50
	var inside, served, busy atomic.Int32
	var wg sync.WaitGroup
	errs := make(chan error, clients)
	start := make(chan struct{})
	for i := range clients {
		wg.Add(1)
		go func(s sessions.Store) {
			defer wg.Done()
			<-start
			wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
			defer cancel()
			l, err := s.Acquire(wctx, id)
			if errors.Is(err, sessions.ErrBusy) {
				busy.Add(1)
				return
			}
			if err != nil {
				errs <- err
				return
			}
			if k := inside.Add(1); k != 1 {
				errs <- errors.New(strconv.Itoa(int(k)) + " turns hold the session at once")
			}
			c, _ := strconv.Atoi(string(l.State()))
			time.Sleep(5 * time.Millisecond) // a short service call
			inside.Add(-1)
			if err := l.Commit(wctx, []byte(strconv.Itoa(c+1)), nil); err != nil {
				errs <- err
				return
			}
			served.Add(1)
		}(stores[i%2])
	}
	close(start)
	var lat []time.Duration
	for i := 0; i < 200; i++ {
		began := time.Now()
		l, err := stores[i%2].Acquire(ctx, storetest.ID(t, 1+i%10))
		if err == nil {
			err = l.Commit(ctx, []byte("x"), nil)
		}
		if err != nil {
			t.Fatalf("turn of another session: %v", err)
		}
		lat = append(lat, time.Since(began))
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	slices.Sort(lat)
	p99 := lat[len(lat)*99/100]
	t.Logf("served %d, busy %d; other sessions' turn p50 %v p99 %v", served.Load(), busy.Load(), lat[len(lat)/2], p99)
	if got := served.Load() + busy.Load(); got != clients {
		t.Errorf("served + busy = %d; want %d", got, clients)
	}
	if busy.Load() == 0 {
		t.Errorf("no client got ErrBusy; want waiters bounded at %d per instance", sessions.DefaultMaxWaiters)
	}
	if p99 > 250*time.Millisecond {
		t.Errorf("other sessions' p99 = %v; want well under the hammered session's queue (250ms)", p99)
	}
	l, err := stores[0].Acquire(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Release(ctx)
	if got, want := string(l.State()), strconv.Itoa(int(served.Load())); got != want {
		t.Errorf("counter = %s; want %s (one per served turn)", got, want)
	}
}

// TestRedisWaiterSurvivesRestartIntegration: Redis restarts (empty) while
// a turn waits for a held session. The holder's lock is gone and its
// release message was never sent; the waiter's subscription is lost. The
// waiter still gets the session soon after Redis is back (it polls while
// its process is not subscribed), long before the lease would end.
func TestRedisWaiterSurvivesRestartIntegration(t *testing.T) {
	srv := redistest.Start(t)
	s := openRedisOpts(t, srv, "", sessions.Options{LockTTL: time.Minute})
	ctx := context.Background()
	id := storetest.ID(t, 0)
	if _, err := s.Acquire(ctx, id); err != nil {
		t.Fatal(err)
	}
	got := make(chan error, 1)
	go func() {
		wctx, cancel := context.WithTimeout(ctx, 20*time.Second)
		defer cancel()
		l, err := s.Acquire(wctx, id)
		if err == nil {
			err = l.Commit(wctx, []byte("after restart"), nil)
		}
		got <- err
	}()
	rdb := srv.Client(t)
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		if w, _ := rdb.HGet(ctx, "dlg:{"+id+"}:lock", "w").Result(); w != "" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the waiter never registered")
		}
	}
	srv.Restart()
	select {
	case err := <-got:
		if err != nil {
			t.Fatalf("waiter after the restart: %v", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("the waiter still waits 15s after Redis restarted; want the session once Redis is back")
	}
}
