package presence

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/botforge/dialogd/desk"
	"github.com/botforge/dialogd/nodes"
)

// Path is where the presence section sits in bot.yaml, the start of every
// problem's path.
const Path = "desk.presence"

// DefaultPollEvery is how often the subscriber reads Salesforce when
// poll_every is not set; MinPollEvery is the shortest allowed (each poll
// is one API request, counted against the org's daily limit).
const (
	DefaultPollEvery = 5 * time.Second
	MinPollEvery     = time.Second
)

// Config is the desk.presence section of bot.yaml.
type Config struct {
	PollEvery time.Duration
	Rules     []Rule
	// byAgent is the rule of each assigned agent (see Decode).
	byAgent map[string]*Rule
}

// Rule is one presence rule: how its agents' desk states show in
// Salesforce (Publish) and how Salesforce statuses show on the desk
// (Subscribe).
type Rule struct {
	Name   string
	Teams  []string
	Agents []string
	// Publish maps a desk state to a ServicePresenceStatus developer
	// name. Keys: available, busy, unavailable (any reason without its
	// own key), unavailable/<reason>, offline.
	Publish map[string]string
	// Subscribe maps a ServicePresenceStatus developer name to the desk
	// state it sets.
	Subscribe map[string]Target
}

// Target is the desk state a Salesforce status sets: a state with a
// reason code for unavailable, or desk.Previous.
type Target struct {
	State  desk.State
	Reason string
}

func (t Target) String() string {
	if t.Reason != "" {
		return string(t.State) + "/" + t.Reason
	}
	return string(t.State)
}

// Known is what the rules may name: the desk's teams, its agents (each
// with its teams) and its unavailable reason codes.
type Known struct {
	Teams   []string
	Agents  map[string][]string // agent id → the teams it belongs to
	Reasons []string
}

// RuleFor returns the rule of agent, or nil when no rule covers it.
func (c *Config) RuleFor(agent string) *Rule {
	if c == nil {
		return nil
	}
	return c.byAgent[agent]
}

// PublishStatus returns the Salesforce status a desk state shows as: the
// state's own line (unavailable/<reason> first, then unavailable), or
// false when the rule does not publish that state.
func (r *Rule) PublishStatus(st desk.State, reason string) (string, bool) {
	if st == desk.Unavailable && reason != "" {
		if s, ok := r.Publish[string(st)+"/"+reason]; ok {
			return s, true
		}
	}
	s, ok := r.Publish[string(st)]
	return s, ok
}

// SubscribeTarget returns the desk state a Salesforce status sets, or
// false when the rule does not subscribe to that status.
func (r *Rule) SubscribeTarget(status string) (Target, bool) {
	t, ok := r.Subscribe[status]
	return t, ok
}

// Decode reads the presence section n of file strictly and checks it
// against known. It returns every problem at once as nodes.ConfigErrors
// (file:line:col: path: message). A nil or zero n is an absent section:
// no rules, nothing synced.
//
// An agent is covered by the rule that lists it under agents; an agent
// listed by no rule is covered by the first rule, in file order, that
// lists one of its teams. Listing one agent in two rules' agents is an
// error.
func Decode(n *yaml.Node, file string, known Known) (*Config, error) {
	var doc struct {
		PollEvery time.Duration `yaml:"poll_every"`
		Rules     []struct {
			Name      string            `yaml:"name"`
			Teams     []string          `yaml:"teams"`
			Agents    []string          `yaml:"agents"`
			Publish   map[string]string `yaml:"publish"`
			Subscribe map[string]string `yaml:"subscribe"`
		} `yaml:"rules"`
	}
	c := &Config{PollEvery: DefaultPollEvery, byAgent: map[string]*Rule{}}
	if n == nil || n.Kind == 0 {
		return c, nil
	}
	errs := nodes.DecodeYAML(file, n, Path, &doc)
	c.PollEvery = doc.PollEvery
	ck := checker{file: file, known: known, errs: errs}
	if _, v := nodes.MappingValue(n, "poll_every"); v != nil && c.PollEvery < MinPollEvery {
		ck.errorf(v, Path+".poll_every", "must be at least %s (each poll is one Salesforce API request)", MinPollEvery)
	}
	if c.PollEvery == 0 {
		c.PollEvery = DefaultPollEvery
	}
	_, rulesNode := nodes.MappingValue(n, "rules")
	names := map[string]bool{}
	for i, rd := range doc.Rules {
		at := ruleAt{node: seqItem(rulesNode, i), path: fmt.Sprintf("%s.rules[%d]", Path, i)}
		r := Rule{Name: rd.Name, Teams: rd.Teams, Agents: rd.Agents, Publish: rd.Publish}
		switch {
		case rd.Name == "":
			ck.errorf(at.node, at.path, "a rule needs a name")
		case names[rd.Name]:
			ck.errorf(at.value("name"), at.path+".name", "duplicate rule name %q", rd.Name)
		}
		names[rd.Name] = true
		if len(rd.Teams) == 0 && len(rd.Agents) == 0 {
			ck.errorf(at.node, at.path, "rule %q is assigned to nobody: list teams and/or agents", rd.Name)
		}
		ck.names(at, "teams", rd.Teams, known.Teams, "team")
		ck.names(at, "agents", rd.Agents, slices.Sorted(maps.Keys(known.Agents)), "agent")
		ck.publish(at, rd.Publish)
		r.Subscribe = ck.subscribe(at, rd.Subscribe)
		c.Rules = append(c.Rules, r)
	}
	ck.assign(c, rulesNode)
	if len(ck.errs) > 0 {
		ck.errs.Sort()
		return nil, ck.errs
	}
	return c, nil
}

// checker collects the problems of one Decode.
type checker struct {
	file  string
	known Known
	errs  nodes.ConfigErrors
}

// ruleAt is one rule's node and path.
type ruleAt struct {
	node *yaml.Node
	path string
}

// value returns the value node of key in the rule, or the rule's node.
func (a ruleAt) value(key string) *yaml.Node {
	if _, v := nodes.MappingValue(a.node, key); v != nil {
		return v
	}
	return a.node
}

// key returns the key node of key inside the rule's mapping field, or the
// field's node.
func (a ruleAt) key(field, key string) *yaml.Node {
	m := a.value(field)
	if k, _ := nodes.MappingValue(m, key); k != nil {
		return k
	}
	return m
}

func (ck *checker) errorf(n *yaml.Node, path, format string, args ...any) {
	e := nodes.ConfigError{File: ck.file, Path: path, Msg: fmt.Sprintf(format, args...)}
	if n != nil {
		e.Line, e.Col = n.Line, n.Column
	}
	ck.errs = append(ck.errs, e)
}

// names reports the entries of a rule's list field that are not known.
func (ck *checker) names(at ruleAt, field string, got, known []string, what string) {
	list := at.value(field)
	for i, name := range got {
		if !slices.Contains(known, name) {
			ck.errorf(seqItem(list, i), fmt.Sprintf("%s.%s[%d]", at.path, field, i),
				"unknown %s %q%s", what, name, nodes.DidYouMean(name, known))
		}
	}
}

// publish checks the keys (desk states) and values (status names) of a
// rule's publish mapping.
func (ck *checker) publish(at ruleAt, pub map[string]string) {
	for key, status := range pub {
		path := at.path + ".publish." + key
		st, reason, _ := strings.Cut(key, "/")
		switch desk.State(st) {
		case desk.Available, desk.Busy, desk.Offline:
			if reason != "" {
				ck.errorf(at.key("publish", key), path, "only unavailable has reason codes; want %s", st)
			}
		case desk.Unavailable:
			ck.reason(at.key("publish", key), path, reason)
		default:
			ck.errorf(at.key("publish", key), path, "unknown desk state %q: want available, busy, unavailable, unavailable/<reason> or offline%s",
				key, nodes.DidYouMean(st, []string{"available", "busy", "unavailable", "offline"}))
		}
		if strings.TrimSpace(status) == "" {
			ck.errorf(at.key("publish", key), path, "want a Salesforce presence status developer name")
		}
	}
}

// subscribe checks a rule's subscribe mapping and returns it parsed.
// Busy is refused as a target: the desk sets it itself while an agent
// holds conversations up to capacity, and Salesforce cannot give the desk
// conversations; map such a status to unavailable/<reason> instead.
func (ck *checker) subscribe(at ruleAt, sub map[string]string) map[string]Target {
	out := make(map[string]Target, len(sub))
	for status, target := range sub {
		path := at.path + ".subscribe." + status
		valNode := at.value("subscribe")
		if _, v := nodes.MappingValue(valNode, status); v != nil {
			valNode = v
		}
		st, reason, _ := strings.Cut(target, "/")
		t := Target{State: desk.State(st), Reason: reason}
		switch t.State {
		case desk.Available, desk.Offline, desk.Previous:
			if reason != "" {
				ck.errorf(valNode, path, "only unavailable has reason codes; want %s", st)
			}
		case desk.Unavailable:
			ck.reason(valNode, path, reason)
		case desk.Busy:
			ck.errorf(valNode, path, "busy cannot be subscribed to: the desk sets it while an agent holds conversations up to capacity; map %q to unavailable/<reason> or available", status)
		default:
			ck.errorf(valNode, path, "unknown desk state %q: want available, unavailable, unavailable/<reason>, offline or previous%s",
				target, nodes.DidYouMean(st, []string{"available", "unavailable", "offline", "previous"}))
		}
		out[status] = t
	}
	return out
}

// reason reports an unknown reason code ("" is allowed: any reason).
func (ck *checker) reason(n *yaml.Node, path, reason string) {
	if reason != "" && !slices.Contains(ck.known.Reasons, reason) {
		ck.errorf(n, path, "unknown reason code %q%s (the desk's reasons: %s)",
			reason, nodes.DidYouMean(reason, ck.known.Reasons), strings.Join(ck.known.Reasons, ", "))
	}
}

// assign fills c.byAgent: an agent's own rule first, else the first rule
// that lists one of its teams. An agent in two rules' agents is an error.
func (ck *checker) assign(c *Config, rulesNode *yaml.Node) {
	own := map[string]int{}
	for i := range c.Rules {
		r := &c.Rules[i]
		for j, a := range r.Agents {
			if prev, dup := own[a]; dup {
				ck.errorf(seqItem((ruleAt{node: seqItem(rulesNode, i)}).value("agents"), j),
					fmt.Sprintf("%s.rules[%d].agents[%d]", Path, i, j),
					"agent %q is already assigned to rule %q; an agent follows one rule", a, c.Rules[prev].Name)
				continue
			}
			own[a] = i
			c.byAgent[a] = r
		}
	}
	for agent, teams := range ck.known.Agents {
		if _, ok := c.byAgent[agent]; ok {
			continue
		}
		for i := range c.Rules {
			if overlaps(c.Rules[i].Teams, teams) {
				c.byAgent[agent] = &c.Rules[i]
				break
			}
		}
	}
}

// seqItem returns item i of the sequence n, or n.
func seqItem(n *yaml.Node, i int) *yaml.Node {
	if n != nil && n.Kind == yaml.SequenceNode && i < len(n.Content) {
		return n.Content[i]
	}
	return n
}

func overlaps(a, b []string) bool {
	return slices.ContainsFunc(a, func(x string) bool { return slices.Contains(b, x) })
}
