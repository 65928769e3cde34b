package presence

import (
	"context"
	"maps"
	"strings"
	"testing"
	"time"

	"github.com/botforge/dialogd/desk"
	"github.com/botforge/dialogd/desk/sfapi"
	"github.com/botforge/dialogd/internal/salesforcetest"
	"github.com/botforge/dialogd/nodes"
	"github.com/botforge/dialogd/sfsim"
	"github.com/prometheus/client_golang/prometheus"
)

// syncRules: alice and carol follow their team's rule, bob his own.
const syncRules = `poll_every: 5s
rules:
  - name: support_rule
    teams: [support]
    publish:
      available: Available
      busy: Busy
      unavailable: Away
      unavailable/break: Break
      offline: Offline
    subscribe:
      Available: available
      Away: unavailable/other
      Break: unavailable/break
      Back: previous
      Offline: offline
  - name: bob_rule
    agents: [bob]
    publish: {available: Available, unavailable: Break}
    subscribe: {Available: available, Away: offline}
`

// Usernames of the demo org: alice is linked to the demo user, bob to
// the integration user, carol to nobody.
const (
	aliceUser = salesforcetest.DemoUser
	bobUser   = "integration@dialogd.example"
)

type syncEnv struct {
	org     *salesforcetest.Org
	desk    *deskDouble
	s       *Syncer
	clock   *testClock
	cfg     *Config
	client  *sfapi.Client
	reg     *prometheus.Registry
	metrics *Metrics
}

type testClock struct{ t time.Time }

func (c *testClock) now() time.Time { return c.t }

// newSyncEnv starts sfsim with the statuses the rules name, a desk double
// with alice, bob and carol (team support), and a Syncer watching it.
func newSyncEnv(t testing.TB) *syncEnv {
	t.Helper()
	org, client, users := startOrg(t)
	team := []string{"support"}
	d := newDeskDouble(desk.AgentConfig{ID: "alice", Teams: team, Capacity: 1},
		desk.AgentConfig{ID: "bob", Teams: team, Capacity: 1}, desk.AgentConfig{ID: "carol", Teams: team, Capacity: 1})
	d.links["alice"], d.links["bob"] = users[aliceUser], users[bobUser]
	root, err := nodes.ParseYAML("bot.yaml", []byte(syncRules))
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := Decode(root, "bot.yaml", Known{Teams: team,
		Agents: map[string][]string{"alice": team, "bob": team, "carol": team}, Reasons: []string{"break", "meeting", "other"}})
	if err != nil {
		t.Fatal(err)
	}
	reg := prometheus.NewRegistry()
	e := &syncEnv{org: org, desk: d, clock: &testClock{t: time.Now()}, cfg: cfg, client: client, reg: reg, metrics: NewMetrics(reg)}
	e.s = e.syncer(t, nil)
	e.poll(t) // sets the mark
	return e
}

// startOrg starts sfsim with the presence statuses the rules name (and
// none named Offline) and returns a client and the users' ids by
// username.
func startOrg(t testing.TB) (*salesforcetest.Org, *sfapi.Client, map[string]string) {
	t.Helper()
	ctx := context.Background()
	org := salesforcetest.Start(t, "presence")
	recs := org.Records(t)
	for _, st := range []string{"Away", "Break", "Back"} {
		if _, err := recs.Create(ctx, "ServicePresenceStatus", map[string]any{"DeveloperName": st, "MasterLabel": st}); err != nil {
			t.Fatal(err)
		}
	}
	client := &sfapi.Client{Auth: org.Auth, Profile: salesforcetest.Profile}
	// No status named Offline, as in most orgs: going offline is a logout
	// (the current row closed, none opened), which subscribes as Offline.
	var offline string
	if err := client.Query(ctx, "SELECT Id FROM ServicePresenceStatus WHERE DeveloperName = 'Offline'", func(r map[string]any) error {
		offline = str(r["Id"])
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if err := client.Do(ctx, "DELETE", "/services/data/v60.0/sobjects/ServicePresenceStatus/"+offline, nil, nil); err != nil {
		t.Fatal(err)
	}
	users := map[string]string{}
	if err := client.Query(ctx, "SELECT Id, Username FROM User", func(r map[string]any) error {
		users[str(r["Username"])] = str(r["Id"])
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return org, client, users
}

// syncer returns a Syncer of the env's desk with shared (nil: local), as
// one more botd instance would run.
func (e *syncEnv) syncer(t testing.TB, shared Shared) *Syncer {
	t.Helper()
	s, err := New(Options{Bot: "demo", Config: e.cfg, Desk: e.desk, Salesforce: SFClient{C: e.client}, Shared: shared,
		Metrics: e.metrics, Now: e.clock.now})
	if err != nil {
		t.Fatal(err)
	}
	e.desk.mu.Lock()
	e.desk.watchers = append(e.desk.watchers, s.enqueue)
	e.desk.mu.Unlock()
	return s
}

// agentSets changes an agent's state on the desk as origin and publishes.
func (e *syncEnv) agentSets(t testing.TB, agent string, st desk.State, reason, origin string) {
	t.Helper()
	if _, err := e.desk.SetState(context.Background(), agent, st, reason, origin); err != nil {
		t.Fatal(err)
	}
	if err := e.s.PublishPending(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// omniSets changes a user's status in Omni-Channel, as the agent would in
// the console.
func (e *syncEnv) omniSets(t testing.TB, username, status string) {
	t.Helper()
	if _, err := e.org.Sim.SetPresence(username, status); err != nil {
		t.Fatal(err)
	}
}

func (e *syncEnv) poll(t testing.TB) {
	t.Helper()
	if err := e.s.Poll(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func (e *syncEnv) omniStatus(t testing.TB, username string) string {
	t.Helper()
	p, err := e.org.Sim.CurrentPresence(username)
	if err != nil {
		t.Fatal(err)
	}
	return p.Status
}

func (e *syncEnv) deskState(t testing.TB, agent string) string {
	t.Helper()
	st, err := e.desk.Status(context.Background(), agent)
	if err != nil {
		t.Fatal(err)
	}
	return Target{State: st.State, Reason: st.Reason}.String()
}

// apexCalls counts the presence writes Salesforce answered.
func (e *syncEnv) apexCalls() int {
	n := 0
	for _, r := range e.org.Sim.Requests() {
		if r.Method == "POST" && strings.Contains(r.Path, "/apexrest/dialogd/presence") && r.Status == 200 {
			n++
		}
	}
	return n
}

func TestPublishRules(t *testing.T) {
	e := newSyncEnv(t)
	tests := []struct {
		name       string
		agent      string
		st         desk.State
		reason     string
		origin     string
		user, want string
	}{
		{"publish state", "alice", desk.Available, "", desk.OriginAgent, aliceUser, "Available"},
		{"publish busy (routing)", "alice", desk.Busy, "", desk.OriginRouting, aliceUser, "Busy"},
		{"publish reason", "alice", desk.Unavailable, "break", desk.OriginAgent, aliceUser, "Break"},
		{"publish unavailable fallback", "alice", desk.Unavailable, "meeting", desk.OriginAgent, aliceUser, "Away"},
		{"publish offline (a logout)", "alice", desk.Offline, "", desk.OriginLogin, aliceUser, ""},
		{"agent's own rule beats the team's", "bob", desk.Unavailable, "meeting", desk.OriginAgent, bobUser, "Break"},
		{"state the rule does not publish", "bob", desk.Offline, "", desk.OriginAgent, bobUser, "Break"},
	}
	for _, tt := range tests {
		e.agentSets(t, tt.agent, tt.st, tt.reason, tt.origin)
		if got := e.omniStatus(t, tt.user); got != tt.want {
			t.Errorf("%s: %s %s/%s: Omni-Channel status got %q, want %q", tt.name, tt.agent, tt.st, tt.reason, got, tt.want)
		}
	}
	before := e.apexCalls()
	e.agentSets(t, "carol", desk.Available, "", desk.OriginAgent)
	if got := e.apexCalls(); got != before {
		t.Errorf("unlinked carol: got %d Apex calls, want none", got-before)
	}
}

func TestSubscribeRules(t *testing.T) {
	e := newSyncEnv(t)
	e.agentSets(t, "alice", desk.Available, "", desk.OriginAgent)
	tests := []struct {
		name, user, status, agent, want string
	}{
		{"subscribe reason", aliceUser, "Break", "alice", "unavailable/break"},
		{"previous", aliceUser, "Back", "alice", "available"},
		{"subscribe state with reason", aliceUser, "Away", "alice", "unavailable/other"},
		{"subscribe state", aliceUser, "Available", "alice", "available"},
		{"logout in the console", aliceUser, sfsim.OfflineStatus, "alice", "offline"},
		{"login again", aliceUser, "Available", "alice", "available"},
		{"agent's own rule beats the team's", bobUser, "Away", "bob", "offline"},
		{"bob back", bobUser, "Available", "bob", "available"},
		{"status the rule does not map", bobUser, "Break", "bob", "available"},
	}
	for _, tt := range tests {
		e.omniSets(t, tt.user, tt.status)
		e.poll(t)
		e.poll(t) // the row at the mark is read again, not applied again (previous would flip back)
		if got := e.deskState(t, tt.agent); got != tt.want {
			t.Errorf("%s: Omni-Channel %s for %s: desk state got %q, want %q", tt.name, tt.status, tt.agent, got, tt.want)
		}
	}
}

func TestNoEchoLoop(t *testing.T) {
	e := newSyncEnv(t)
	e.agentSets(t, "alice", desk.Unavailable, "meeting", desk.OriginAgent) // → Away, which subscribes as unavailable/other
	e.poll(t)
	if got, want := e.deskState(t, "alice"), "unavailable/meeting"; got != want {
		t.Errorf("after publishing Away and polling: desk state got %q, want %q (the published row came back)", got, want)
	}
	e.omniSets(t, aliceUser, "Break")
	e.poll(t)
	if err := e.s.PublishPending(context.Background()); err != nil {
		t.Fatal(err)
	}
	e.poll(t)
	e.agentSets(t, "alice", desk.Offline, "", desk.OriginLogin) // a logout: no row id comes back
	e.poll(t)
	if got, want := e.deskState(t, "alice"), "offline"; got != want {
		t.Errorf("after publishing a logout and polling: desk state got %q, want %q", got, want)
	}
	if got, want := e.apexCalls(), 2; got != want {
		t.Errorf("Apex calls: got %d, want %d (the change from Salesforce was published back)", got, want)
	}
	if got, want := e.desk.setCalls(Origin), 1; got != want {
		t.Errorf("SetState calls from Salesforce: got %d, want %d", got, want)
	}
}

func TestTokenExpiresMidSync(t *testing.T) {
	e := newSyncEnv(t)
	e.org.Sim.ExpireAccessTokens()
	e.omniSets(t, aliceUser, "Break")
	e.poll(t)
	if got, want := e.deskState(t, "alice"), "unavailable/break"; got != want {
		t.Errorf("poll after expiry: desk state got %q, want %q", got, want)
	}
	e.org.Sim.ExpireAccessTokens()
	e.agentSets(t, "alice", desk.Available, "", desk.OriginAgent)
	if got, want := e.omniStatus(t, aliceUser), "Available"; got != want {
		t.Errorf("publish after expiry: Omni-Channel got %q, want %q", got, want)
	}
	if st := e.s.Status(); st.Behind || st.LastError != "" {
		t.Errorf("status: got %+v, want not behind, no error", st)
	}
}

func TestSalesforceDownThenBack(t *testing.T) {
	e := newSyncEnv(t)
	ctx := context.Background()
	if err := e.org.Sim.FailNext(1000, sfsim.FaultUnavailable, ""); err != nil {
		t.Fatal(err)
	}
	e.omniSets(t, aliceUser, "Break") // changed in the console during the outage
	for range 3 {
		if err := e.s.Poll(ctx); err == nil {
			t.Fatal("poll during the outage: got no error")
		}
		e.clock.t = e.clock.t.Add(6 * time.Second)
	}
	if _, err := e.desk.SetState(ctx, "bob", desk.Available, "", desk.OriginAgent); err != nil {
		t.Fatal(err)
	}
	if err := e.s.PublishPending(ctx); err == nil {
		t.Fatal("publish during the outage: got no error")
	}
	st := e.s.Status()
	if !st.Behind || st.PendingPublishes != 1 || !strings.Contains(st.LastError, "503") {
		t.Errorf("status during the outage: got %+v, want behind, 1 pending publish, a 503 error", st)
	}
	if got := e.metric(t, "dialogd_presence_sync_behind", nil); got != 1 {
		t.Errorf("dialogd_presence_sync_behind during the outage: got %v, want 1", got)
	}
	if got := e.metric(t, "dialogd_presence_sync_total", map[string]string{"direction": "subscribe", "result": "error"}); got != 3 {
		t.Errorf("failed polls counted: got %v, want 3", got)
	}
	e.org.Sim.ClearFaults()
	e.poll(t)
	if err := e.s.PublishPending(ctx); err != nil {
		t.Fatal(err)
	}
	if got, want := e.deskState(t, "alice"), "unavailable/break"; got != want {
		t.Errorf("after the outage: alice got %q, want %q (caught up from the mark)", got, want)
	}
	if got, want := e.omniStatus(t, bobUser), "Available"; got != want {
		t.Errorf("after the outage: bob's Omni-Channel status got %q, want %q (the pending publish)", got, want)
	}
	if st := e.s.Status(); st.Behind || st.PendingPublishes != 0 {
		t.Errorf("status after the outage: got %+v, want not behind, nothing pending", st)
	}
	if got := e.metric(t, "dialogd_presence_sync_behind", nil); got != 0 {
		t.Errorf("dialogd_presence_sync_behind after the outage: got %v, want 0", got)
	}
}

func TestCheckStatuses(t *testing.T) {
	e := newSyncEnv(t)
	if err := e.s.CheckStatuses(context.Background()); err != nil {
		t.Errorf("rules whose statuses all exist: got %v", err)
	}
	e.cfg.Rules[1].Publish["unavailable/meeting"] = "Meeting"
	e.cfg.Rules[1].Subscribe["Lunch"] = Target{State: desk.Unavailable}
	err := e.s.CheckStatuses(context.Background())
	want := `presence: Salesforce has no presence status for rule bob_rule: publish.unavailable/meeting: "Meeting"; rule bob_rule: subscribe.Lunch`
	if err == nil || err.Error() != want {
		t.Errorf("got %v, want %s", err, want)
	}
}

// TestSubscribeAvailableWhileFull: made available from Salesforce while
// holding a full load, the agent stays busy on the desk, and Salesforce is
// told Busy.
func TestSubscribeAvailableWhileFull(t *testing.T) {
	e := newSyncEnv(t)
	e.agentSets(t, "alice", desk.Unavailable, "break", desk.OriginAgent)
	e.desk.mu.Lock()
	e.desk.full["alice"] = true
	e.desk.mu.Unlock()
	e.omniSets(t, aliceUser, "Available")
	e.poll(t)
	if err := e.s.PublishPending(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got, want := e.deskState(t, "alice"), "busy"; got != want {
		t.Errorf("desk state: got %q, want %q", got, want)
	}
	if got, want := e.omniStatus(t, aliceUser), "Busy"; got != want {
		t.Errorf("Omni-Channel status: got %q, want %q", got, want)
	}
	e.poll(t) // the Busy row is the publisher's own
	if got, want := e.desk.setCalls(Origin), 1; got != want {
		t.Errorf("SetState calls from Salesforce: got %d, want %d", got, want)
	}
}

// metric returns the value of the series of name for bot demo with the
// given labels (0 when there is none).
func (e *syncEnv) metric(t testing.TB, name string, labels map[string]string) float64 {
	t.Helper()
	mfs, err := e.reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"bot": "demo"}
	for k, v := range labels {
		want[k] = v
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.GetMetric() {
			got := map[string]string{}
			for _, lp := range m.GetLabel() {
				got[lp.GetName()] = lp.GetValue()
			}
			if maps.Equal(got, want) {
				return m.GetGauge().GetValue() + m.GetCounter().GetValue()
			}
		}
	}
	return 0
}
