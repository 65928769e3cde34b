package storetest

import (
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/botforge/dialogd/sessions"
)

func commitExpiry(t *testing.T, l sessions.Lease, state string, exp sessions.Expiry) {
	t.Helper()
	var st []byte
	if state != "" {
		st = []byte(state)
	}
	if err := l.CommitExpiry(ctxT(t), st, []sessions.Frame{frame(1)}, exp); err != nil {
		t.Fatalf("CommitExpiry(%q, %+v): %v", state, exp, err)
	}
}

// stateOf reads a session's state without changing it.
func stateOf(t *testing.T, s sessions.Store, id string) string {
	t.Helper()
	l := acquire(t, s, id)
	defer l.Release(ctxT(t))
	return string(l.State())
}

// testOwnIdleTTL: sessions committed with their own idle TTL (two bots with
// different settings) expire after their own TTL, not the store's.
func testOwnIdleTTL(t *testing.T, s sessions.Store) {
	short, long, dflt := ID(t, 0), ID(t, 1), ID(t, 2)
	shortTTL, longTTL := 500*time.Millisecond, Options.IdleTTL+2*time.Second
	commitExpiry(t, acquire(t, s, short), "short", sessions.Expiry{IdleTTL: shortTTL})
	commitExpiry(t, acquire(t, s, long), "long", sessions.Expiry{IdleTTL: longTTL})
	commitExpiry(t, acquire(t, s, dflt), "default", sessions.Expiry{})
	start := time.Now()

	time.Sleep(shortTTL + slack)
	tests := []struct{ id, want string }{{short, ""}, {long, "long"}, {dflt, "default"}}
	for _, tt := range tests {
		if got := stateOf(t, s, tt.id); got != tt.want {
			t.Errorf("after %v: state = %q; want %q", time.Since(start).Round(time.Millisecond), got, tt.want)
		}
	}
	time.Sleep(time.Until(start.Add(Options.IdleTTL + slack)))
	tests = []struct{ id, want string }{{long, "long"}, {dflt, ""}}
	for _, tt := range tests {
		if got := stateOf(t, s, tt.id); got != tt.want {
			t.Errorf("after %v: state = %q; want %q", time.Since(start).Round(time.Millisecond), got, tt.want)
		}
		if fs, _ := s.Outbox(ctxT(t), tt.id, 0); (len(fs) > 0) != (tt.want != "") {
			t.Errorf("after %v: outbox of the %q session has %d frames", time.Since(start).Round(time.Millisecond), tt.want, len(fs))
		}
	}
}

// testWatchList: a watched session's note is reported once it idles out,
// not before; a session that ended (empty state) is taken off the list; a
// later commit moves the due time.
func testWatchList(t *testing.T, s sessions.Store) {
	watch := "w-" + ID(t, 0)
	ttl := time.Second // the checks "not yet due" must run within it
	idle, ended, closed, busy := ID(t, 1), ID(t, 2), ID(t, 4), ID(t, 3)
	commitExpiry(t, acquire(t, s, idle), "a", sessions.Expiry{IdleTTL: ttl, Watch: watch, Note: "idle"})
	commitExpiry(t, acquire(t, s, ended), "b", sessions.Expiry{IdleTTL: ttl, Watch: watch, Note: "ended"})
	commitExpiry(t, acquire(t, s, ended), "", sessions.Expiry{IdleTTL: ttl, Watch: watch, Note: "ended"})
	commitExpiry(t, acquire(t, s, busy), "c", sessions.Expiry{IdleTTL: ttl, Watch: watch, Note: "busy"})
	commitExpiry(t, acquire(t, s, closed), "d", sessions.Expiry{IdleTTL: ttl, Watch: watch, Note: "closed"})
	commitExpiry(t, acquire(t, s, closed), "d-after", sessions.Expiry{IdleTTL: ttl, Watch: watch, Note: "closed", Ended: true})

	if got, err := s.Expired(ctxT(t), watch, 10, time.Minute); err != nil || len(got) != 0 {
		t.Errorf("Expired before the TTL = %v, %v; want none", got, err)
	}
	time.Sleep(ttl / 2)
	commitExpiry(t, acquire(t, s, busy), "c2", sessions.Expiry{IdleTTL: 10 * time.Second, Watch: watch, Note: "busy"})
	time.Sleep(ttl/2 + slack)
	got, err := s.Expired(ctxT(t), watch, 10, time.Minute)
	if err != nil || !slices.Equal(notes(got), []string{"idle"}) {
		t.Errorf("Expired after the TTL = %q, %v; want [idle] (ended and closed were taken off, busy moved on)", notes(got), err)
	}
	if again, err := s.Expired(ctxT(t), watch, 10, time.Minute); err != nil || len(again) != 0 {
		t.Errorf("Expired again = %q, %v; want none (a claimed note is not handed out twice)", notes(again), err)
	}
	if got, err := s.Expired(ctxT(t), "other-"+watch, 10, time.Minute); err != nil || len(got) != 0 {
		t.Errorf("Expired of another list = %q, %v; want none", notes(got), err)
	}
	if _, err := s.Expired(ctxT(t), "{bad}", 1, time.Minute); err == nil {
		t.Errorf("Expired of a list named with braces succeeded; want an error")
	}
}

// testWatchListOnce: callers racing for due notes (sweepers of several
// instances) get each note exactly once, at most max per call.
func testWatchListOnce(t *testing.T, s sessions.Store) {
	watch := "w-" + ID(t, 0)
	const n = 20
	for i := range n {
		exp := sessions.Expiry{IdleTTL: 200 * time.Millisecond, Watch: watch, Note: ID(t, i)}
		commitExpiry(t, acquire(t, s, exp.Note), "x", exp)
	}
	time.Sleep(200*time.Millisecond + slack)
	var (
		mu   sync.Mutex
		seen = map[string]int{}
		wg   sync.WaitGroup
	)
	for range 6 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				due, err := s.Expired(ctxT(t), watch, 3, time.Minute)
				if err != nil {
					t.Errorf("Expired: %v", err)
					return
				}
				if len(due) > 3 {
					t.Errorf("Expired(max 3) returned %d notes", len(due))
				}
				if len(due) == 0 {
					return
				}
				mu.Lock()
				for _, d := range due {
					seen[d.Note]++
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if len(seen) != n {
		t.Errorf("%d distinct notes reported; want %d", len(seen), n)
	}
	for note, k := range seen {
		if k != 1 {
			t.Errorf("note %q reported %d times; want once", note, k)
		}
	}
}

func notes(due []sessions.Due) []string {
	out := make([]string, len(due))
	for i, d := range due {
		out[i] = d.Note
	}
	return out
}

// testWatchListClaims: a due note its caller never marked Done comes back
// once the hold has passed (the caller died); Done takes it off, unless a
// commit watched it again meanwhile; Grace keeps the state readable after
// the note is due.
func testWatchListClaims(t *testing.T, s sessions.Store) {
	watch := "w-" + ID(t, 0)
	const ttl, hold = 300 * time.Millisecond, 300 * time.Millisecond
	lost, done, revived := ID(t, 1), ID(t, 2), ID(t, 3)
	for _, id := range []string{lost, done, revived} {
		commitExpiry(t, acquire(t, s, id), "s-"+id, sessions.Expiry{IdleTTL: ttl, Watch: watch, Note: id, Grace: time.Minute})
	}
	time.Sleep(ttl + slack)
	first, err := s.Expired(ctxT(t), watch, 10, hold)
	if err != nil || len(first) != 3 {
		t.Fatalf("Expired = %q, %v; want the 3 notes", notes(first), err)
	}
	if got := stateOf(t, s, done); got != "s-"+done {
		t.Errorf("state after the note was due = %q; want it kept for the grace", got)
	}
	commitExpiry(t, acquire(t, s, revived), "s2", sessions.Expiry{IdleTTL: time.Minute, Watch: watch, Note: revived})
	for _, d := range first {
		if d.Note != lost {
			if err := s.Done(ctxT(t), watch, d); err != nil {
				t.Fatal(err)
			}
		}
	}
	time.Sleep(hold + slack)
	again, err := s.Expired(ctxT(t), watch, 10, hold)
	if err != nil || !slices.Equal(notes(again), []string{lost}) {
		t.Errorf("Expired after the hold = %q, %v; want [%s] (not Done; done is off, revived moved on)", notes(again), err, lost)
	}
}
