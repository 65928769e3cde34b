package presence

import (
	"context"
	"testing"
	"time"

	"github.com/botforge/dialogd/desk"
	"github.com/botforge/dialogd/nodes"
)

const realDeskYAML = `desk:
  teams: [{name: support, title: {en: Support}}]
  queues: [{name: support, title: {en: Support}, teams: [support]}]
  agents:
    - {id: alice, name: Alice Adams, password: {env: PRESENCE_TEST_PW}, teams: [support], capacity: 2}
  presence:
    poll_every: 1s
    rules:
      - name: support_rule
        teams: [support]
        publish: {available: Available, unavailable: Away, unavailable/break: Break}
        subscribe: {Available: available, Break: unavailable/break, Back: previous}
`

// TestWithRealDesk runs the Syncer (Run: WatchStates and the poll loop)
// on the real *desk.Desk with its memory store: a state set on the desk
// shows in Omni-Channel, a status set in the console shows on the desk,
// and neither comes back.
func TestWithRealDesk(t *testing.T) {
	org, client, users := startOrg(t)
	t.Setenv("PRESENCE_TEST_PW", "secret")
	root, err := nodes.ParseYAML("bot.yaml", []byte(realDeskYAML))
	if err != nil {
		t.Fatal(err)
	}
	_, deskNode := nodes.MappingValue(root, "desk")
	dcfg, err := desk.Decode("bot.yaml", deskNode)
	if err != nil {
		t.Fatal(err)
	}
	known := Known{Teams: []string{"support"}, Agents: map[string][]string{"alice": {"support"}}}
	for _, r := range dcfg.Reasons {
		known.Reasons = append(known.Reasons, r.Code)
	}
	cfg, err := Decode(&dcfg.Presence, "bot.yaml", known)
	if err != nil {
		t.Fatal(err)
	}
	d, err := desk.New("demo", dcfg, desk.NewMemoryStore(), nil, desk.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go d.Run(ctx)
	<-d.Ready()
	if err := d.LinkSalesforce(ctx, "alice", users[aliceUser], aliceUser); err != nil {
		t.Fatal(err)
	}
	s, err := New(Options{Bot: "demo", Config: cfg, Desk: d, Salesforce: SFClient{C: client}})
	if err != nil {
		t.Fatal(err)
	}
	go s.Run(ctx)
	e := &syncEnv{org: org}
	// Run registers its watcher in a goroutine: change alice's state
	// until the Syncer has heard a change.
	flip := 0
	waitFor(t, "the Syncer to hear the desk", func() bool {
		flip++
		if _, err := d.SetState(ctx, "alice", []desk.State{desk.Offline, desk.Available}[flip%2], "", desk.OriginAgent); err != nil {
			t.Fatal(err)
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		_, heard := s.seen["alice"]
		return heard
	})
	if _, err := d.SetState(ctx, "alice", desk.Unavailable, "break", desk.OriginAgent); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "Omni-Channel Break", func() bool { return e.omniStatus(t, aliceUser) == "Break" })
	published := e.apexCalls()
	e.omniSets(t, aliceUser, "Available")
	waitFor(t, "desk available", func() bool {
		st, err := d.Status(ctx, "alice")
		return err == nil && st.State == desk.Available && st.Origin == desk.OriginSalesforce
	})
	e.omniSets(t, aliceUser, "Back")
	waitFor(t, "desk back to unavailable/break", func() bool {
		st, err := d.Status(ctx, "alice")
		return err == nil && st.State == desk.Unavailable && st.Reason == "break"
	})
	if got, want := e.apexCalls(), published; got != want {
		t.Errorf("Apex calls: got %d, want %d (changes from Salesforce were published back)", got, want)
	}
}

// waitFor polls cond until it holds, failing the test after 10s. It waits
// for goroutines to catch up; it measures nothing.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("waited 10s for %s", what)
		}
	}
}
