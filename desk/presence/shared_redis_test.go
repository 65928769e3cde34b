package presence

import (
	"context"
	"testing"

	"github.com/botforge/dialogd/desk"
	"github.com/botforge/dialogd/sessions/redistest"
)

// TestRedisOneInstancePolls runs two instances' Syncers on one desk and
// one Redis: only the lock holder polls and publishes, so a console change
// is applied once and a desk change written once.
func TestRedisOneInstancePolls(t *testing.T) {
	redistest.SkipShort(t)
	e := newSyncEnv(t)
	rdb := redistest.Start(t).Client(t)
	a := e.syncer(t, NewRedis(rdb, "test:presence:demo:"))
	b := e.syncer(t, NewRedis(rdb, "test:presence:demo:"))
	ctx := context.Background()
	for _, s := range []*Syncer{a, b} {
		if err := s.Poll(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if !a.Status().Polling || b.Status().Polling {
		t.Fatalf("polling: got a %v, b %v; want only a (it took the lock first)", a.Status().Polling, b.Status().Polling)
	}
	e.omniSets(t, aliceUser, "Break")
	for _, s := range []*Syncer{b, a, b} {
		if err := s.Poll(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if got, want := e.desk.setCalls(Origin), 1; got != want {
		t.Errorf("SetState calls from Salesforce: got %d, want %d", got, want)
	}
	before := e.apexCalls()
	if _, err := e.desk.SetState(ctx, "bob", desk.Available, "", desk.OriginAgent); err != nil {
		t.Fatal(err)
	}
	for _, s := range []*Syncer{b, a} {
		if err := s.PublishPending(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if got, want := e.apexCalls()-before, 1; got != want {
		t.Errorf("Apex calls for one desk change: got %d, want %d", got, want)
	}

	// a stops publishing (hung, then gone): a change made meanwhile is
	// kept by b, which publishes it once it takes the lock over.
	if _, err := e.desk.SetState(ctx, "bob", desk.Unavailable, "", desk.OriginAgent); err != nil {
		t.Fatal(err)
	}
	if err := b.PublishPending(ctx); err != nil {
		t.Fatal(err)
	}
	if got := e.omniStatus(t, bobUser); got != "Available" {
		t.Fatalf("b published while a held the lock: Omni-Channel got %q", got)
	}
	if err := a.o.Shared.Release(ctx); err != nil {
		t.Fatal(err)
	}
	if err := b.Poll(ctx); err != nil || !b.Status().Polling {
		t.Errorf("after a released the lock: b polling %v (err %v), want b to take over", b.Status().Polling, err)
	}
	if err := b.PublishPending(ctx); err != nil {
		t.Fatal(err)
	}
	if got, want := e.omniStatus(t, bobUser), "Break"; got != want {
		t.Errorf("after b took over: Omni-Channel got %q, want %q (the change a missed)", got, want)
	}
}
