package presence_test

import (
	"strings"
	"testing"
	"time"

	"github.com/botforge/dialogd/desk"
	"github.com/botforge/dialogd/desk/presence"
	"github.com/botforge/dialogd/nodes"
)

// known is the desk the config tests' rules name.
var known = presence.Known{
	Teams:   []string{"support", "sales"},
	Agents:  map[string][]string{"alice": {"support"}, "bob": {"support", "sales"}, "carol": {"sales"}, "dave": nil},
	Reasons: []string{"break", "meeting", "other"},
}

func decode(t *testing.T, src string) (*presence.Config, error) {
	t.Helper()
	root, err := nodes.ParseYAML("bot.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	return presence.Decode(root, "bot.yaml", known)
}

const validRules = `poll_every: 10s
rules:
  - name: sales_rule
    teams: [sales]
    publish: {available: SalesOpen}
  - name: support_rule
    teams: [support]
    publish:
      available: Available
      unavailable: Away
      unavailable/break: Break
    subscribe:
      Available: available
      Away: unavailable
      Break: unavailable/break
      Back: previous
  - name: carol_rule
    agents: [carol]
    publish: {available: CarolOpen}
`

func TestDecodeAssignsRules(t *testing.T) {
	c, err := decode(t, validRules)
	if err != nil {
		t.Fatal(err)
	}
	if c.PollEvery != 10*time.Second {
		t.Errorf("poll_every: got %s, want 10s", c.PollEvery)
	}
	tests := []struct{ agent, want string }{
		{"alice", "support_rule"}, // her team's rule
		{"bob", "sales_rule"},     // two teams' rules: the first in the file
		{"carol", "carol_rule"},   // her own rule beats her team's (sales_rule)
		{"dave", ""},              // no team, no rule
	}
	for _, tt := range tests {
		got := ""
		if r := c.RuleFor(tt.agent); r != nil {
			got = r.Name
		}
		if got != tt.want {
			t.Errorf("RuleFor(%s): got %q, want %q", tt.agent, got, tt.want)
		}
	}
}

func TestRuleLines(t *testing.T) {
	c, err := decode(t, validRules)
	if err != nil {
		t.Fatal(err)
	}
	r := c.RuleFor("alice")
	pub := []struct {
		st     desk.State
		reason string
		want   string
		ok     bool
	}{
		{desk.Available, "", "Available", true},
		{desk.Unavailable, "break", "Break", true},  // the reason's own line
		{desk.Unavailable, "meeting", "Away", true}, // no line: unavailable's
		{desk.Busy, "", "", false},                  // not published
	}
	for _, tt := range pub {
		got, ok := r.PublishStatus(tt.st, tt.reason)
		if got != tt.want || ok != tt.ok {
			t.Errorf("PublishStatus(%s, %q): got %q %v, want %q %v", tt.st, tt.reason, got, ok, tt.want, tt.ok)
		}
	}
	sub := map[string]presence.Target{
		"Available": {State: desk.Available}, "Away": {State: desk.Unavailable},
		"Break": {State: desk.Unavailable, Reason: "break"}, "Back": {State: desk.Previous},
	}
	for status, want := range sub {
		if got, ok := r.SubscribeTarget(status); !ok || got != want {
			t.Errorf("SubscribeTarget(%s): got %v %v, want %v", status, got, ok, want)
		}
	}
	if _, ok := r.SubscribeTarget("Offline"); ok {
		t.Error("SubscribeTarget(Offline): got a target, want none (no line)")
	}
}

func TestDecodeAbsentSection(t *testing.T) {
	c, err := presence.Decode(nil, "bot.yaml", known)
	if err != nil || c.PollEvery != presence.DefaultPollEvery || c.RuleFor("alice") != nil {
		t.Errorf("absent section: got %+v, %v; want no rules, poll every %s", c, err, presence.DefaultPollEvery)
	}
}

func TestDecodeReportsEveryProblem(t *testing.T) {
	src := `poll_every: 100ms
rules:
  - name: r1
    teams: [suport]
    agents: [alice, erin]
    publish:
      avaliable: Available
      unavailable/brake: Break
      busy/x: Busy
      offline: ""
    subscribe:
      Busy: busy
      Away: unavailable/lunch
      Open: open
      Back: previous/x
  - name: r1
    agents: [alice]
  - name: r3
  - teams: [sales]
    colour: red
`
	_, err := decode(t, src)
	want := []string{
		`bot.yaml:1:13: desk.presence.poll_every: must be at least 1s (each poll is one Salesforce API request)`,
		`bot.yaml:4:13: desk.presence.rules[0].teams[0]: unknown team "suport" (did you mean "support"?)`,
		`bot.yaml:5:21: desk.presence.rules[0].agents[1]: unknown agent "erin"`,
		`bot.yaml:7:7: desk.presence.rules[0].publish.avaliable: unknown desk state "avaliable": want available, busy, unavailable, unavailable/<reason> or offline (did you mean "available"?)`,
		`bot.yaml:8:7: desk.presence.rules[0].publish.unavailable/brake: unknown reason code "brake" (did you mean "break"?) (the desk's reasons: break, meeting, other)`,
		`bot.yaml:9:7: desk.presence.rules[0].publish.busy/x: only unavailable has reason codes; want busy`,
		`bot.yaml:10:7: desk.presence.rules[0].publish.offline: want a Salesforce presence status developer name`,
		`bot.yaml:12:13: desk.presence.rules[0].subscribe.Busy: busy cannot be subscribed to: the desk sets it while an agent holds conversations up to capacity; map "Busy" to unavailable/<reason> or available`,
		`bot.yaml:13:13: desk.presence.rules[0].subscribe.Away: unknown reason code "lunch" (the desk's reasons: break, meeting, other)`,
		`bot.yaml:14:13: desk.presence.rules[0].subscribe.Open: unknown desk state "open": want available, unavailable, unavailable/<reason>, offline or previous`,
		`bot.yaml:15:13: desk.presence.rules[0].subscribe.Back: only unavailable has reason codes; want previous`,
		`bot.yaml:16:11: desk.presence.rules[1].name: duplicate rule name "r1"`,
		`bot.yaml:17:14: desk.presence.rules[1].agents[0]: agent "alice" is already assigned to rule "r1"; an agent follows one rule`,
		`bot.yaml:18:5: desk.presence.rules[2]: rule "r3" is assigned to nobody: list teams and/or agents`,
		`bot.yaml:19:5: desk.presence.rules[3]: a rule needs a name`,
		`bot.yaml:20:5: desk.presence.rules[3]: unknown key "colour"`,
	}
	es, ok := nodes.AsConfigErrors(err)
	if !ok {
		t.Fatalf("got %v, want configuration errors", err)
	}
	got := strings.Split(es.Error(), "\n")
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("problems:\ngot:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
