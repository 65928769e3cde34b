package desk

import (
	"context"
	"errors"
	"testing"
	"time"
)

// TestStates: each change and what it leaves, including previous and the
// changes that are refused.
func TestStates(t *testing.T) {
	ctx := context.Background()
	clk := &clock{now: time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)}
	d, _ := newTestDesk(t, NewMemoryStore(), clk)
	steps := []struct {
		state      State
		reason     string
		wantState  State
		wantReason string
		wantErr    error
	}{
		{Available, "", Available, "", nil},
		{Unavailable, "break", Unavailable, "break", nil},
		{Previous, "", Available, "", nil},
		{Previous, "", Unavailable, "break", nil}, // previous of previous: back again
		{Unavailable, "nap", Unavailable, "break", ErrBadReason},
		{Busy, "", Unavailable, "break", ErrBusyByHand},
		{"lunching", "", Unavailable, "break", ErrBadState},
		{Offline, "", Offline, "", nil},
		{Unavailable, "", Unavailable, "", nil}, // no reason is allowed
	}
	for i, s := range steps {
		_, err := d.SetState(ctx, "ann", s.state, s.reason, OriginAgent)
		if !errors.Is(err, s.wantErr) {
			t.Fatalf("step %d (%s %s): error %v; want %v", i, s.state, s.reason, err, s.wantErr)
		}
		st, _ := d.Status(ctx, "ann")
		if st.State != s.wantState || st.Reason != s.wantReason {
			t.Errorf("step %d (%s %s): %s/%s; want %s/%s", i, s.state, s.reason, st.State, st.Reason, s.wantState, s.wantReason)
		}
	}
	if _, err := d.SetState(ctx, "zed", Available, "", OriginAgent); !errors.Is(err, ErrNoSuchAgent) {
		t.Errorf("unknown agent: %v; want ErrNoSuchAgent", err)
	}
}

// TestWatchStatesAcrossInstances: a state change made on one instance is
// seen by the WatchStates of another sharing the store, with its origin.
func TestWatchStatesAcrossInstances(t *testing.T) {
	for name, open := range stores(t) {
		t.Run(name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			store := open(t)
			clk := &clock{now: time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)}
			one, _ := newTestDesk(t, store, clk)
			two, _ := newTestDesk(t, store, clk)
			go two.Run(ctx)
			<-two.Ready()
			seen := make(chan AgentStatus, 10)
			defer two.addWatcher(func(st AgentStatus) { seen <- st })()
			if _, err := one.SetState(ctx, "cid", Unavailable, "meeting", OriginSalesforce); err != nil {
				t.Fatal(err)
			}
			select {
			case st := <-seen:
				if st.Agent != "cid" || st.State != Unavailable || st.Reason != "meeting" || st.Origin != OriginSalesforce {
					t.Errorf("watched %+v; want cid unavailable/meeting from salesforce", st)
				}
			case <-time.After(10 * time.Second):
				t.Fatal("the other instance saw no state change")
			}
		})
	}
}

// TestOfflineEndsHeldConversations: an agent who goes offline holding
// conversations gives them back to the bot; their users are told.
func TestOfflineEndsHeldConversations(t *testing.T) {
	ctx := context.Background()
	clk := &clock{now: time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)}
	d, users := newTestDesk(t, NewMemoryStore(), clk)
	if _, err := d.SetState(ctx, "ann", Available, "", OriginAgent); err != nil {
		t.Fatal(err)
	}
	tk, err := d.Request(ctx, Request{Session: "s", User: "u", Queue: "support"})
	if err != nil || tk.Agent != "Ann" {
		t.Fatalf("request: %+v, %v; want Ann", tk, err)
	}
	if _, err := d.SetState(ctx, "ann", Offline, "", OriginSalesforce); err != nil {
		t.Fatal(err)
	}
	b, _ := d.store.Load(ctx)
	if b.Convs[tk.ID] != nil || len(b.Agents["ann"].Convs) != 0 {
		t.Errorf("after going offline: conversation %+v, ann holds %v; want both gone", b.Convs[tk.ID], b.Agents["ann"].Convs)
	}
	users.mu.Lock()
	defer users.mu.Unlock()
	if n := len(users.events); n == 0 || users.events[n-1].Kind != UserLeft || users.events[n-1].ID != tk.ID {
		t.Errorf("the user was told %+v; want that the agent left", users.events)
	}
}
