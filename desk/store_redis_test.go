package desk

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/botforge/dialogd/sessions/redistest"
)

// TestSubscribeAgainAfterRedisRestart: after Redis restarts, the
// subscription is made again and says so (ready), so that the desk
// catches up, and events flow again.
func TestSubscribeAgainAfterRedisRestart(t *testing.T) {
	redistest.SkipShort(t)
	rs := redistest.Start(t)
	store := NewRedisStore(rs.Client(t), "testbot")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var readies atomic.Int32
	got := make(chan Event, 10)
	go store.Subscribe(ctx, func() { readies.Add(1) }, func(ev Event) { got <- ev })
	waitUntil(t, "subscribed", func() bool { return readies.Load() == 1 })
	rs.Restart()
	waitUntil(t, "subscribed again", func() bool { return readies.Load() >= 2 })
	if err := store.Publish(ctx, Event{Kind: evBoard}); err != nil {
		t.Fatal(err)
	}
	select {
	case ev := <-got:
		if ev.Kind != evBoard {
			t.Errorf("got %+v; want the board event", ev)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no event after the restart")
	}
}

func waitUntil(t *testing.T, what string, ok func() bool) {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if ok() {
			return
		}
	}
	t.Fatalf("timed out waiting until %s", what)
}
