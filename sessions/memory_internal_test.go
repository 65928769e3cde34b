package sessions

import (
	"context"
	"errors"
	"slices"
	"sync/atomic"
	"testing"
	"time"
)

// fakeClock replaces a Memory's clock; tests move it by hand.
type fakeClock struct{ ns atomic.Int64 }

func (c *fakeClock) add(d time.Duration) { c.ns.Add(int64(d)) }

func newTestMemory(t *testing.T, opts Options) (*Memory, *fakeClock) {
	clk := &fakeClock{}
	clk.ns.Store(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).UnixNano())
	m := newMemory(opts, clk.ns.Load)
	t.Cleanup(func() { m.Close() })
	return m, clk
}

func mustAcquire(t *testing.T, m *Memory, id string) Lease {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	l, err := m.Acquire(ctx, id)
	if err != nil {
		t.Fatalf("Acquire(%q): %v", id, err)
	}
	return l
}

func TestMemoryIdleTTLExact(t *testing.T) {
	const idle = time.Minute
	tests := []struct {
		after time.Duration
		alive bool
	}{
		{0, true},
		{idle - time.Nanosecond, true},
		{idle, false},
		{2 * idle, false},
	}
	for _, tt := range tests {
		m, clk := newTestMemory(t, Options{IdleTTL: idle})
		if err := mustAcquire(t, m, "s").Commit(context.Background(), []byte("st"), []Frame{{Seq: 1, Data: []byte("f")}}); err != nil {
			t.Fatal(err)
		}
		clk.add(tt.after)
		fs, _ := m.Outbox(context.Background(), "s", 0)
		l := mustAcquire(t, m, "s")
		if got := l.State() != nil && len(fs) == 1; got != tt.alive {
			t.Errorf("%v after Commit: state %q, %d frames; want alive=%v", tt.after, l.State(), len(fs), tt.alive)
		}
		_ = l.Release(context.Background())
	}
}

func TestMemoryLeaseExpiryByClock(t *testing.T) {
	m, clk := newTestMemory(t, Options{LockTTL: time.Minute})
	ctx := context.Background()
	old := mustAcquire(t, m, "s")
	clk.add(time.Minute) // the holder overran its lease
	l := mustAcquire(t, m, "s")
	if err := old.Commit(ctx, []byte("old"), nil); !errors.Is(err, ErrLeaseLost) {
		t.Errorf("Commit by expired holder = %v; want ErrLeaseLost", err)
	}
	if err := old.Release(ctx); err != nil {
		t.Errorf("Release by expired holder = %v; want <nil>", err)
	}
	// The expired holder's Release must not free the new holder's lease.
	short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	if _, err := m.Acquire(short, "s"); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Acquire while the new lease is held = %v; want context.DeadlineExceeded", err)
	}
	if err := l.Commit(ctx, []byte("new"), nil); err != nil {
		t.Errorf("Commit by current holder: %v", err)
	}
}

// TestMemoryWakeOnRelease checks that a waiter is woken by Release itself,
// not by the lease's expiry, which is an hour away.
func TestMemoryWakeOnRelease(t *testing.T) {
	m := NewMemory(Options{LockTTL: time.Hour})
	defer m.Close()
	holder := mustAcquire(t, m, "s")
	got := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		l, err := m.Acquire(ctx, "s")
		if err == nil {
			err = l.Release(ctx)
		}
		got <- err
	}()
	// Wait until the goroutine is registered as a waiter.
	sh := m.shard("s")
	for {
		sh.mu.Lock()
		n := sh.sessions["s"].waiters
		sh.mu.Unlock()
		if n == 1 {
			break
		}
		time.Sleep(time.Millisecond)
	}
	if err := holder.Release(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := <-got; err != nil {
		t.Errorf("waiter: %v; want the session once the holder released it", err)
	}
}

func TestMemoryOutboxRing(t *testing.T) {
	m, _ := newTestMemory(t, Options{OutboxSize: 4})
	ctx := context.Background()
	for seq := uint64(1); seq <= 11; seq++ {
		if err := mustAcquire(t, m, "s").Commit(ctx, []byte("st"), []Frame{{Seq: seq, Data: []byte{byte(seq)}}}); err != nil {
			t.Fatal(err)
		}
		fs, err := m.Outbox(ctx, "s", 0)
		if err != nil {
			t.Fatal(err)
		}
		var got []uint64
		for _, f := range fs {
			got = append(got, f.Seq)
			if f.Data[0] != byte(f.Seq) {
				t.Errorf("frame %d data = %v; want [%d]", f.Seq, f.Data, f.Seq)
			}
		}
		var want []uint64
		for s := max(1, int(seq)-3); s <= int(seq); s++ {
			want = append(want, uint64(s))
		}
		if !slices.Equal(got, want) {
			t.Errorf("after frame %d: Outbox seqs = %v; want %v", seq, got, want)
		}
	}
}

func TestMemoryCommitCopies(t *testing.T) {
	m, _ := newTestMemory(t, Options{})
	ctx := context.Background()
	state, data := []byte("state"), []byte("frame")
	if err := mustAcquire(t, m, "s").Commit(ctx, state, []Frame{{Seq: 1, Data: data}}); err != nil {
		t.Fatal(err)
	}
	state[0], data[0] = 'X', 'X'
	l := mustAcquire(t, m, "s")
	defer l.Release(ctx)
	fs, _ := m.Outbox(ctx, "s", 0)
	if string(l.State()) != "state" || len(fs) != 1 || string(fs[0].Data) != "frame" {
		t.Errorf("after the caller changed its buffers: state %q, frames %v; want the committed bytes", l.State(), fs)
	}
}

func TestMemorySweep(t *testing.T) {
	m, clk := newTestMemory(t, Options{IdleTTL: time.Minute, LockTTL: time.Hour})
	ctx := context.Background()
	for _, id := range []string{"idle", "held"} {
		if err := mustAcquire(t, m, id).Commit(ctx, []byte("st"), nil); err != nil {
			t.Fatal(err)
		}
	}
	_ = m.Set(ctx, "k-short", []byte("v"), time.Second)
	_ = m.Set(ctx, "k-forever", []byte("v"), 0)
	held := mustAcquire(t, m, "held")
	defer held.Release(ctx)
	_ = mustAcquire(t, m, "never-committed").Release(ctx)

	clk.add(2 * time.Minute)
	m.sweepOnce()

	var sessions, kv []string
	for i := range m.shards {
		for id := range m.shards[i].sessions {
			sessions = append(sessions, id)
		}
		for k := range m.shards[i].kv {
			kv = append(kv, k)
		}
	}
	slices.Sort(sessions)
	if want := []string{"held"}; !slices.Equal(sessions, want) {
		t.Errorf("sessions after sweep = %q; want %q (a held session stays)", sessions, want)
	}
	if want := []string{"k-forever"}; !slices.Equal(kv, want) {
		t.Errorf("values after sweep = %q; want %q", kv, want)
	}
}

func TestMemoryCloseStopsSweeper(t *testing.T) {
	m := NewMemory(Options{IdleTTL: 20 * time.Millisecond})
	if err := m.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := m.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	select {
	case <-m.done:
	default:
		t.Fatal("done channel still open after Close")
	}
	// Close waited for the sweeper; Wait returns at once.
	m.sweeper.Wait()
}
