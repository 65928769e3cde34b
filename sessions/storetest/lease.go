package storetest

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/botforge/dialogd/sessions"
)

// testFenceGrows checks that every lease of a session, committed, released
// or lapsed, has a larger fencing token than the one before.
func testFenceGrows(t *testing.T, s sessions.Store) {
	id := ID(t, 0)
	var last uint64
	for i, end := range []string{"commit", "release", "commit", "release"} {
		l := acquire(t, s, id)
		if f := l.Fence(); f <= last {
			t.Errorf("lease %d: Fence() = %d; want more than the previous lease's %d", i, f, last)
		}
		last = l.Fence()
		if end == "commit" {
			commit(t, l, "s"+strconv.Itoa(i))
		} else if err := l.Release(ctxT(t)); err != nil {
			t.Fatalf("Release: %v", err)
		}
	}
	if other := acquire(t, s, ID(t, 1)); other.Fence() == 0 {
		t.Errorf("Fence() of another session's first lease = 0; want a positive token")
	} else {
		_ = other.Release(ctxT(t))
	}
}

// testWaitersBounded fills the session's waiting room: one more Acquire
// gets ErrBusy at once, the holder is not disturbed, and every admitted
// waiter gets the session in turn.
func testWaitersBounded(t *testing.T, s sessions.Store) {
	id := ID(t, 0)
	holder := acquire(t, s, id)
	n := Options.MaxWaiters
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			l, err := s.Acquire(ctxT(t), id)
			for errors.Is(err, sessions.ErrBusy) {
				// The probe below held a place for a moment.
				time.Sleep(time.Millisecond)
				l, err = s.Acquire(ctxT(t), id)
			}
			if err != nil {
				errs <- err
				return
			}
			c, _ := strconv.Atoi(string(l.State()))
			errs <- l.Commit(ctxT(t), []byte(strconv.Itoa(c+1)), nil)
		}()
	}
	// Until all n wait, an extra Acquire waits too and runs out of time;
	// once they do, it is refused at once.
	var err error
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Millisecond)
		_, err = s.Acquire(ctx, id)
		cancel()
		if !errors.Is(err, context.DeadlineExceeded) {
			break
		}
		time.Sleep(20 * time.Millisecond) // leave the place to the waiters
	}
	if !errors.Is(err, sessions.ErrBusy) {
		t.Errorf("Acquire with %d turns waiting = %v; want ErrBusy", n, err)
	}
	commit(t, holder, "0")
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("admitted waiter: %v", err)
		}
	}
	l := acquire(t, s, id)
	defer l.Release(ctxT(t))
	if got, want := string(l.State()), strconv.Itoa(n); got != want {
		t.Errorf("counter after %d admitted waiters = %s; want %s", n, got, want)
	}
}

// testLeaseRenewed holds a lease for several LockTTLs: the store renews
// it, so a waiter does not get the session and the holder's Commit stores.
func testLeaseRenewed(t *testing.T, s sessions.Store) {
	id := ID(t, 0)
	l := acquire(t, s, id)
	ctx, cancel := context.WithTimeout(context.Background(), 2*Options.LockTTL+slack)
	defer cancel()
	if w, err := s.Acquire(ctx, id); !errors.Is(err, context.DeadlineExceeded) {
		if err == nil {
			_ = w.Release(ctxT(t))
		}
		t.Errorf("Acquire while the holder runs for %v = %v; want context.DeadlineExceeded (the lease is renewed)", 2*Options.LockTTL+slack, err)
	}
	time.Sleep(Options.LockTTL / 2)
	if err := l.Commit(ctxT(t), []byte("long turn"), nil); err != nil {
		t.Errorf("Commit after %v of renewed lease = %v; want <nil>", 2*Options.LockTTL+slack+Options.LockTTL/2, err)
	}
	if got := stateOf(t, s, id); got != "long turn" {
		t.Errorf("state = %q; want %q", got, "long turn")
	}
}

// testWaitCancel: the wait context of WithWaitCancel stops a waiting
// Acquire at once, and a lease taken under it is renewed after it ends.
func testWaitCancel(t *testing.T, s sessions.Store) {
	id := ID(t, 0)
	holder := acquire(t, s, id)
	wait, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		l, err := s.Acquire(sessions.WithWaitCancel(ctxT(t), wait), id)
		if err == nil {
			_ = l.Release(context.Background())
		}
		done <- err
	}()
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("Acquire whose wait context ended while held = %v; want context.Canceled", err)
	}
	_ = holder.Release(ctxT(t))

	wait, cancel = context.WithCancel(context.Background())
	l, err := s.Acquire(sessions.WithWaitCancel(ctxT(t), wait), id)
	if err != nil {
		t.Fatalf("Acquire of a free session: %v", err)
	}
	cancel() // the client went away; the turn runs on
	time.Sleep(Options.LockTTL + slack)
	if err := l.Commit(ctxT(t), []byte("finished"), nil); err != nil {
		t.Errorf("Commit %v after the wait context ended = %v; want <nil> (the lease follows the turn's context)", Options.LockTTL+slack, err)
	}
}

// testSave: a state saved under a lease is what the next lease finds when
// the turn ends without a commit (it died; here it releases), and the
// saving lease still commits over it.
func testSave(t *testing.T, s sessions.Store) {
	id := ID(t, 0)
	commit(t, acquire(t, s, id), "v1", frame(1))
	l := acquire(t, s, id)
	if err := l.Save(ctxT(t), []byte("v1+pending")); err != nil {
		t.Fatalf("Save: %v", err)
	}
	if err := l.Release(ctxT(t)); err != nil {
		t.Fatalf("Release: %v", err)
	}
	next := acquire(t, s, id)
	if got := string(next.State()); got != "v1+pending" {
		t.Errorf("state after a saved, uncommitted turn = %q; want v1+pending", got)
	}
	if err := next.Save(ctxT(t), []byte("v2+pending")); err != nil {
		t.Fatalf("second Save: %v", err)
	}
	commit(t, next, "v2", frame(2))
	last := acquire(t, s, id)
	defer last.Release(ctxT(t))
	if got := string(last.State()); got != "v2" {
		t.Errorf("state after Save and Commit = %q; want v2", got)
	}
	if fs, err := s.Outbox(ctxT(t), id, 0); err != nil || len(fs) != 2 {
		t.Errorf("outbox after saves = %d frames, %v; want the 2 committed (Save leaves it)", len(fs), err)
	}
}

// testSaveAfterExpiry: a turn whose lease lapsed and was taken by another
// cannot save over the newer turn's state.
func testSaveAfterExpiry(t *testing.T, s sessions.Store) {
	id := ID(t, 0)
	stale := acquireDead(t, s, id) // stops renewing, as a crashed turn does
	newer, err := s.Acquire(ctxT(t), id)
	if err != nil {
		t.Fatalf("Acquire after the lease lapsed: %v", err)
	}
	if err := stale.Save(ctxT(t), []byte("stale")); !errors.Is(err, sessions.ErrLeaseLost) {
		t.Errorf("Save by a lapsed lease = %v; want ErrLeaseLost", err)
	}
	commit(t, newer, "newer")
	l := acquire(t, s, id)
	defer l.Release(ctxT(t))
	if got := string(l.State()); got != "newer" {
		t.Errorf("state = %q; want newer", got)
	}
}
