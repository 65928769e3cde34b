package storetest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/botforge/dialogd/sessions"
)

// Options are the options open must build its stores with: TTLs short enough
// for the expiry tests to run in seconds, and a small outbox.
var Options = sessions.Options{
	IdleTTL:    2 * time.Second,
	OutboxSize: 4,
	LockTTL:    time.Second,
	MaxWaiters: 32, // room for Counter's turns; WaitersBounded fills it
}

// slack is added to a TTL before checking that something expired. Redis
// expires keys with millisecond precision, so a little is enough; it never
// makes a test flaky because being late only makes expiry more certain.
const slack = 300 * time.Millisecond

// Run runs the conformance suite against the stores open returns. Each
// subtest opens its own store; open should close it in t.Cleanup. Stores
// opened for one test may share data (Redis) or not (memory): every subtest
// uses session ids of its own.
func Run(t *testing.T, open func(t *testing.T) sessions.Store) {
	tests := []struct {
		name string
		slow bool // sleeps for a TTL; runs in parallel with the others
		run  func(t *testing.T, s sessions.Store)
	}{
		{"NewSessionHasNoState", false, testNewSession},
		{"CommitRoundTrip", false, testRoundTrip},
		{"CommitEmptyStateRemovesIt", false, testEmptyState},
		{"ReleaseKeepsState", false, testRelease},
		{"OutboxBoundedAndFiltered", false, testOutbox},
		{"SecondCommitLosesLease", false, testDoubleCommit},
		{"OtherSessionsDoNotWait", false, testOtherSession},
		{"InvalidID", false, testInvalidID},
		{"KV", false, testKV},
		{"Counter", false, func(t *testing.T, s sessions.Store) { Counter(t, 20, s) }},
		{"CancelWhileWaiting", false, testCancel},
		{"DeadlineWhileWaiting", false, testDeadline},
		{"FenceGrows", false, testFenceGrows},
		{"SaveSurvivesAnUncommittedTurn", false, testSave},
		{"WaitersBounded", false, testWaitersBounded},
		{"IdleExpiry", true, testIdleExpiry},
		{"KVExpiry", true, testKVExpiry},
		{"WaiterFreedByLeaseExpiry", true, testLeaseExpiryFreesWaiter},
		{"CommitAfterLeaseExpiry", true, testCommitAfterExpiry},
		{"SaveAfterLeaseExpiry", true, testSaveAfterExpiry},
		{"LeaseRenewedWhileHeld", true, testLeaseRenewed},
		{"WaitCancelStopsOnlyTheWait", true, testWaitCancel},
		{"OwnIdleTTL", true, testOwnIdleTTL},
		{"WatchList", true, testWatchList},
		{"WatchListReportsOnce", true, testWatchListOnce},
		{"WatchListClaims", true, testWatchListClaims},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.slow {
				t.Parallel()
			}
			tt.run(t, open(t))
		})
	}
}

// ID returns a session id unique to this test and n.
func ID(t *testing.T, n int) string {
	return fmt.Sprintf("%s-%d-%d", t.Name(), time.Now().UnixNano(), n)
}

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func acquire(t *testing.T, s sessions.Store, id string) sessions.Lease {
	t.Helper()
	l, err := s.Acquire(ctxT(t), id)
	if err != nil {
		t.Fatalf("Acquire(%q): %v", id, err)
	}
	return l
}

// acquireDead takes the session as a turn that then dies: its context
// ends at once, so the store stops renewing its lease.
func acquireDead(t *testing.T, s sessions.Store, id string) sessions.Lease {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	l, err := s.Acquire(ctx, id)
	if err != nil {
		t.Fatalf("Acquire(%q): %v", id, err)
	}
	return l
}

func commit(t *testing.T, l sessions.Lease, state string, frames ...sessions.Frame) {
	t.Helper()
	var st []byte
	if state != "" {
		st = []byte(state)
	}
	if err := l.Commit(ctxT(t), st, frames); err != nil {
		t.Fatalf("Commit(%q): %v", state, err)
	}
}

// frame returns a frame with seq n whose JSON carries the seq, as the
// runtime's frames do.
func frame(n uint64) sessions.Frame {
	return sessions.Frame{Seq: n, Data: fmt.Appendf(nil, `{"seq":%d,"type":"message","text":"reply %d"}`, n, n)}
}

func seqs(fs []sessions.Frame) []uint64 {
	out := []uint64{}
	for _, f := range fs {
		out = append(out, f.Seq)
	}
	return out
}

func equalSeqs(a, b []uint64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func testNewSession(t *testing.T, s sessions.Store) {
	id := ID(t, 0)
	l := acquire(t, s, id)
	if got := l.State(); got != nil {
		t.Errorf("State() of new session = %q; want nil", got)
	}
	if err := l.Release(ctxT(t)); err != nil {
		t.Fatalf("Release: %v", err)
	}
	fs, err := s.Outbox(ctxT(t), id, 0)
	if err != nil || len(fs) != 0 {
		t.Errorf("Outbox of new session = %v, %v; want [], <nil>", seqs(fs), err)
	}
}

func testRoundTrip(t *testing.T, s sessions.Store) {
	id := ID(t, 0)
	state := `{"v":1,"state":"ask_email","slots":{"last_name":"Lovelace"}}`
	l := acquire(t, s, id)
	commit(t, l, state, frame(1), frame(2))

	l = acquire(t, s, id)
	if got := string(l.State()); got != state {
		t.Errorf("State() after Commit = %q; want %q", got, state)
	}
	commit(t, l, state+" ", frame(3))
	fs, err := s.Outbox(ctxT(t), id, 0)
	if err != nil {
		t.Fatalf("Outbox: %v", err)
	}
	if got, want := seqs(fs), []uint64{1, 2, 3}; !equalSeqs(got, want) {
		t.Fatalf("Outbox(0) seqs = %v; want %v", got, want)
	}
	for _, f := range fs {
		if want := frame(f.Seq).Data; !bytes.Equal(f.Data, want) {
			t.Errorf("frame %d data = %q; want %q", f.Seq, f.Data, want)
		}
	}
	l = acquire(t, s, id)
	if got, want := string(l.State()), state+" "; got != want {
		t.Errorf("State() after second Commit = %q; want %q", got, want)
	}
	_ = l.Release(ctxT(t))
}

func testEmptyState(t *testing.T, s sessions.Store) {
	id := ID(t, 0)
	commit(t, acquire(t, s, id), "x", frame(1))
	commit(t, acquire(t, s, id), "", frame(2))
	l := acquire(t, s, id)
	if got := l.State(); got != nil {
		t.Errorf("State() after Commit(nil) = %q; want nil", got)
	}
	_ = l.Release(ctxT(t))
	fs, err := s.Outbox(ctxT(t), id, 0)
	if got, want := seqs(fs), []uint64{1, 2}; err != nil || !equalSeqs(got, want) {
		t.Errorf("Outbox(0) = %v, %v; want %v, <nil> (the outbox stays)", got, err, want)
	}
}

func testRelease(t *testing.T, s sessions.Store) {
	id := ID(t, 0)
	commit(t, acquire(t, s, id), "one", frame(1))
	l := acquire(t, s, id)
	if err := l.Release(ctxT(t)); err != nil {
		t.Fatalf("Release: %v", err)
	}
	if err := l.Release(ctxT(t)); err != nil {
		t.Errorf("second Release = %v; want <nil>", err)
	}
	l = acquire(t, s, id) // does not wait: the session is free
	if got := string(l.State()); got != "one" {
		t.Errorf("State() after Release = %q; want %q", got, "one")
	}
	_ = l.Release(ctxT(t))
}

func testOutbox(t *testing.T, s sessions.Store) {
	id := ID(t, 0)
	size := uint64(Options.OutboxSize)
	total := size + 2
	for n := uint64(1); n <= total; n += 2 {
		commit(t, acquire(t, s, id), "s", frame(n), frame(n+1))
	}
	tests := []struct {
		after uint64
		want  []uint64
	}{
		{0, []uint64{3, 4, 5, 6}},
		{2, []uint64{3, 4, 5, 6}},
		{3, []uint64{4, 5, 6}},
		{5, []uint64{6}},
		{6, []uint64{}},
		{100, []uint64{}},
	}
	for _, tt := range tests {
		fs, err := s.Outbox(ctxT(t), id, tt.after)
		if err != nil {
			t.Fatalf("Outbox(%d): %v", tt.after, err)
		}
		if got := seqs(fs); !equalSeqs(got, tt.want) {
			t.Errorf("Outbox(%d) seqs = %v; want %v (outbox size %d)", tt.after, got, tt.want, size)
		}
	}
	fs, err := s.Outbox(ctxT(t), ID(t, 1), 0)
	if err != nil || len(fs) != 0 {
		t.Errorf("Outbox(unknown session) = %v, %v; want [], <nil>", seqs(fs), err)
	}
}

func testDoubleCommit(t *testing.T, s sessions.Store) {
	id := ID(t, 0)
	l := acquire(t, s, id)
	commit(t, l, "first")
	if err := l.Commit(ctxT(t), []byte("second"), nil); !errors.Is(err, sessions.ErrLeaseLost) {
		t.Errorf("second Commit = %v; want ErrLeaseLost", err)
	}
	if err := l.Release(ctxT(t)); err != nil {
		t.Errorf("Release after Commit = %v; want <nil>", err)
	}
	l = acquire(t, s, id)
	if got := string(l.State()); got != "first" {
		t.Errorf("State() = %q; want %q", got, "first")
	}
	_ = l.Release(ctxT(t))
}

func testOtherSession(t *testing.T, s sessions.Store) {
	a := acquire(t, s, ID(t, 0))
	defer a.Release(ctxT(t))
	ctx, cancel := context.WithTimeout(context.Background(), Options.LockTTL/2)
	defer cancel()
	b, err := s.Acquire(ctx, ID(t, 1))
	if err != nil {
		t.Fatalf("Acquire of another session while one is held: %v", err)
	}
	_ = b.Release(ctxT(t))
}

func testInvalidID(t *testing.T, s sessions.Store) {
	for _, id := range []string{"", "a{b}", "}", string(make([]byte, sessions.MaxIDLen+1))} {
		if _, err := s.Acquire(ctxT(t), id); !errors.Is(err, sessions.ErrInvalidID) {
			t.Errorf("Acquire(%.20q) = %v; want ErrInvalidID", id, err)
		}
		if _, err := s.Outbox(ctxT(t), id, 0); !errors.Is(err, sessions.ErrInvalidID) {
			t.Errorf("Outbox(%.20q) = %v; want ErrInvalidID", id, err)
		}
	}
}

func testKV(t *testing.T, s sessions.Store) {
	ctx := ctxT(t)
	k := ID(t, 0)
	if got, err := s.Get(ctx, k); got != nil || err != nil {
		t.Errorf("Get(absent) = %q, %v; want nil, <nil>", got, err)
	}
	steps := []struct {
		set  string
		want string
	}{{"v1", "v1"}, {"v2", "v2"}, {"", ""}}
	for _, st := range steps {
		val := []byte(st.set)
		if err := s.Set(ctx, k, val, time.Hour); err != nil {
			t.Fatalf("Set(%q): %v", st.set, err)
		}
		if len(val) > 0 {
			val[0] = 'X' // the store must have kept its own copy
		}
		got, err := s.Get(ctx, k)
		if err != nil || string(got) != st.want || got == nil {
			t.Errorf("Get after Set(%q) = %q (nil: %v), %v; want %q", st.set, got, got == nil, err, st.want)
		}
	}
	if err := s.Delete(ctx, k); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if got, err := s.Get(ctx, k); got != nil || err != nil {
		t.Errorf("Get after Delete = %q, %v; want nil, <nil>", got, err)
	}
	if err := s.Delete(ctx, k); err != nil {
		t.Errorf("Delete(absent) = %v; want <nil>", err)
	}
	if err := s.Ping(ctx); err != nil {
		t.Errorf("Ping = %v; want <nil>", err)
	}
}

func testKVExpiry(t *testing.T, s sessions.Store) {
	ctx := ctxT(t)
	short, forever := ID(t, 0), ID(t, 1)
	if err := s.Set(ctx, short, []byte("v"), time.Second); err != nil {
		t.Fatal(err)
	}
	if err := s.Set(ctx, forever, []byte("v"), 0); err != nil {
		t.Fatal(err)
	}
	time.Sleep(time.Second + slack)
	if got, err := s.Get(ctx, short); got != nil || err != nil {
		t.Errorf("Get after ttl = %q, %v; want nil, <nil>", got, err)
	}
	if got, err := s.Get(ctx, forever); string(got) != "v" || err != nil {
		t.Errorf("Get(no ttl) = %q, %v; want \"v\", <nil>", got, err)
	}
}

// Counter runs n turns on one session, spread over the stores (which must
// share data), each reading a counter from the state and committing it plus
// one. Serialised turns end with exactly n; the test also fails if two turns
// ever hold the session at once.
func Counter(t *testing.T, n int, stores ...sessions.Store) {
	t.Helper()
	id := ID(t, 0)
	var inside atomic.Int32
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Add(1)
		go func(s sessions.Store) {
			defer wg.Done()
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			l, err := s.Acquire(ctx, id)
			if err != nil {
				errs <- fmt.Errorf("acquire: %w", err)
				return
			}
			if k := inside.Add(1); k != 1 {
				errs <- fmt.Errorf("%d turns hold the session at once", k)
			}
			c := 0
			if st := l.State(); st != nil {
				if c, err = strconv.Atoi(string(st)); err != nil {
					errs <- fmt.Errorf("state %q: %w", st, err)
				}
			}
			inside.Add(-1)
			if err := l.Commit(ctx, []byte(strconv.Itoa(c+1)), []sessions.Frame{{Seq: uint64(c + 1), Data: []byte("x")}}); err != nil {
				errs <- fmt.Errorf("commit: %w", err)
			}
		}(stores[i%len(stores)])
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	l, err := stores[0].Acquire(ctxT(t), id)
	if err != nil {
		t.Fatalf("final Acquire: %v", err)
	}
	defer l.Release(ctxT(t))
	if got, want := string(l.State()), strconv.Itoa(n); got != want {
		t.Errorf("counter after %d concurrent turns = %s; want %s", n, got, want)
	}
}

func testCancel(t *testing.T, s sessions.Store) {
	id := ID(t, 0)
	holder := acquire(t, s, id)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		l, err := s.Acquire(ctx, id)
		if err == nil {
			_ = l.Release(context.Background())
		}
		done <- err
	}()
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("Acquire with cancelled ctx while held = %v; want context.Canceled", err)
	}
	// The waiter leaving did not disturb the holder.
	commit(t, holder, "kept")
	l := acquire(t, s, id)
	if got := string(l.State()); got != "kept" {
		t.Errorf("State() = %q; want %q", got, "kept")
	}
	_ = l.Release(ctxT(t))
}

func testDeadline(t *testing.T, s sessions.Store) {
	id := ID(t, 0)
	holder := acquire(t, s, id)
	defer holder.Release(ctxT(t))
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	_, err := s.Acquire(ctx, id)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Acquire past its deadline while held = %v; want context.DeadlineExceeded", err)
	}
	if errors.Is(err, sessions.ErrUnavailable) {
		t.Errorf("Acquire past its deadline while held = %v; want no ErrUnavailable (the store is fine)", err)
	}
}

func testIdleExpiry(t *testing.T, s sessions.Store) {
	id := ID(t, 0)
	commit(t, acquire(t, s, id), "alive", frame(1))
	// A Release does not refresh the idle timer; a Commit does.
	l := acquire(t, s, id)
	if got := string(l.State()); got != "alive" {
		t.Fatalf("State() right after Commit = %q; want %q", got, "alive")
	}
	_ = l.Release(ctxT(t))
	time.Sleep(Options.IdleTTL + slack)
	fs, err := s.Outbox(ctxT(t), id, 0)
	if err != nil || len(fs) != 0 {
		t.Errorf("Outbox after IdleTTL = %v, %v; want [], <nil>", seqs(fs), err)
	}
	l = acquire(t, s, id)
	if got := l.State(); got != nil {
		t.Errorf("State() after IdleTTL = %q; want nil", got)
	}
	commit(t, l, "again", frame(2))
	fs, err = s.Outbox(ctxT(t), id, 0)
	if got, want := seqs(fs), []uint64{2}; err != nil || !equalSeqs(got, want) {
		t.Errorf("Outbox after new Commit = %v, %v; want %v (expired frames stay gone)", got, err, want)
	}
}

func testLeaseExpiryFreesWaiter(t *testing.T, s sessions.Store) {
	id := ID(t, 0)
	commit(t, acquire(t, s, id), "before")
	crashed := acquireDead(t, s, id) // never released nor renewed: the holder "crashed"
	start := time.Now()
	l, err := s.Acquire(ctxT(t), id)
	waited := time.Since(start)
	if err != nil {
		t.Fatalf("Acquire while the holder's lease runs out: %v", err)
	}
	if min := Options.LockTTL - 100*time.Millisecond; waited < min {
		t.Errorf("waiter got the session after %v; want at least %v (the lease was still valid)", waited, min)
	}
	if got := string(l.State()); got != "before" {
		t.Errorf("State() = %q; want %q", got, "before")
	}
	if err := crashed.Commit(ctxT(t), []byte("stale"), []sessions.Frame{frame(9)}); !errors.Is(err, sessions.ErrLeaseLost) {
		t.Errorf("Commit by the expired holder = %v; want ErrLeaseLost", err)
	}
	commit(t, l, "after")
	l = acquire(t, s, id)
	if got := string(l.State()); got != "after" {
		t.Errorf("State() = %q; want %q", got, "after")
	}
	_ = l.Release(ctxT(t))
	fs, _ := s.Outbox(ctxT(t), id, 0)
	if len(fs) != 0 {
		t.Errorf("Outbox = %v; want [] (the stale commit stored nothing)", seqs(fs))
	}
}

func testCommitAfterExpiry(t *testing.T, s sessions.Store) {
	id := ID(t, 0)
	commit(t, acquire(t, s, id), "before")
	l := acquireDead(t, s, id)
	time.Sleep(Options.LockTTL + slack)
	if err := l.Commit(ctxT(t), []byte("late"), nil); !errors.Is(err, sessions.ErrLeaseLost) {
		t.Errorf("Commit after LockTTL = %v; want ErrLeaseLost", err)
	}
	l = acquire(t, s, id)
	if got := string(l.State()); got != "before" {
		t.Errorf("State() = %q; want %q (the late commit is not stored)", got, "before")
	}
	_ = l.Release(ctxT(t))
}
