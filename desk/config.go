package desk

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
	"golang.org/x/crypto/bcrypt"

	"github.com/botforge/dialogd/auth"
	"github.com/botforge/dialogd/nodes"
)

// Config is the desk: section of bot.yaml.
//
//	desk:
//	  salesforce: salesforce_admin
//	  reasons: [{code: break, title: {en: Break, de: Pause}}]
//	  teams: [{name: support, title: Support}]
//	  queues: [{name: support, title: Support, teams: [support]}]
//	  agents:
//	    - {id: alice, name: Alice Adams, password: {env: DESK_ALICE_PASSWORD}, teams: [support], capacity: 2}
//	  when_no_agent: {leave_message_task: create_case}
type Config struct {
	// Salesforce names the auth profile (pre-authorized) that presence
	// sync, user linking and the conversation log's owner use.
	Salesforce string `yaml:"salesforce"`
	// Reasons are the unavailable states' reason codes; DefaultReasons
	// when empty.
	Reasons []Reason      `yaml:"reasons"`
	Teams   []TeamConfig  `yaml:"teams"`
	Queues  []QueueConfig `yaml:"queues"`
	Agents  []AgentConfig `yaml:"agents"`
	// WhenNoAgent is what the bot offers when nobody can answer now.
	WhenNoAgent NoAgentConfig `yaml:"when_no_agent"`
	// WaitPerPlace is the expected wait for each conversation ahead in
	// the queue before the desk has seen any (default 2m); then the
	// average of the last waits is used.
	WaitPerPlace time.Duration `yaml:"wait_per_place"`
	// MaxWaiting bounds each queue (default 100): with that many waiting,
	// a new request is answered as if no agent were there (leave a
	// message).
	MaxWaiting int `yaml:"max_waiting"`
	// Presence is the presence sync's configuration (package
	// desk/presence decodes it).
	Presence yaml.Node `yaml:"presence"`
}

// Reason is an unavailable state's reason code.
type Reason struct {
	Code  string `yaml:"code"`
	Title Title  `yaml:"title"`
}

// DefaultReasons are the reason codes of a desk that names none.
var DefaultReasons = []Reason{
	{Code: "break", Title: Title{"en": "Break", "de": "Pause", "ja": "休憩"}},
	{Code: "meeting", Title: Title{"en": "Meeting", "de": "Besprechung", "ja": "会議"}},
	{Code: "training", Title: Title{"en": "Training", "de": "Schulung", "ja": "研修"}},
	{Code: "lunch", Title: Title{"en": "Lunch", "de": "Mittagspause", "ja": "昼休み"}},
	{Code: "other", Title: Title{"en": "Other", "de": "Sonstiges", "ja": "その他"}},
}

// TeamConfig is a team of agents.
type TeamConfig struct {
	Name  string `yaml:"name"`
	Title Title  `yaml:"title"`
}

// QueueConfig is a queue conversations wait in, answered by the agents of
// its teams.
type QueueConfig struct {
	Name  string   `yaml:"name"`
	Title Title    `yaml:"title"`
	Teams []string `yaml:"teams"`
}

// AgentConfig is one agent.
type AgentConfig struct {
	ID   string `yaml:"id"`
	Name string `yaml:"name"`
	// Password is where the agent's password is read from; PasswordHash
	// is a bcrypt hash of it instead. One of the two is required.
	Password     auth.SecretRef `yaml:"password"`
	PasswordHash string         `yaml:"password_hash"`
	Teams        []string       `yaml:"teams"`
	// Capacity is how many conversations the agent holds at once
	// (default 1).
	Capacity int `yaml:"capacity"`
	// SalesforceUser pre-sets the agent's Salesforce user (a user name);
	// agents can also link themselves in the desk.
	SalesforceUser string `yaml:"salesforce_user"`
}

// NoAgentConfig is what the bot offers when no agent can answer now.
type NoAgentConfig struct {
	// LeaveMessageTask is the bot's task that takes a message (a
	// Salesforce Case, say); without it the user can only wait.
	LeaveMessageTask string `yaml:"leave_message_task"`
}

// Decode decodes and checks a desk: section; file names bot.yaml in
// problems. It returns nil and no error for an absent section. Every
// problem is reported, as nodes.ConfigErrors, with what could be decoded
// (so that a caller can check what depends on it too).
func Decode(file string, n *yaml.Node) (*Config, error) {
	if n == nil || n.Kind == 0 {
		return nil, nil
	}
	var c Config
	errs := nodes.DecodeYAML(file, n, "desk", &c)
	c.check(file, n, &errs)
	if len(c.Reasons) == 0 {
		c.Reasons = DefaultReasons
	}
	for i := range c.Agents {
		if c.Agents[i].Capacity == 0 {
			c.Agents[i].Capacity = 1
		}
	}
	if c.MaxWaiting == 0 {
		c.MaxWaiting = 100
	}
	if len(errs) > 0 {
		errs.Sort()
		return &c, errs
	}
	return &c, nil
}

// check adds the problems decoding cannot see: names, references.
func (c *Config) check(file string, n *yaml.Node, errs *nodes.ConfigErrors) {
	fail := func(path, format string, args ...any) {
		line, col := position(n, path)
		*errs = append(*errs, nodes.ConfigError{File: file, Line: line, Col: col, Path: path, Msg: fmt.Sprintf(format, args...)})
	}
	teams := map[string]bool{}
	for i, t := range c.Teams {
		p := fmt.Sprintf("desk.teams[%d].name", i)
		checkName(fail, p, t.Name, teams)
	}
	if len(c.Queues) == 0 {
		fail("desk.queues", "a desk needs at least one queue")
	}
	queues := map[string]bool{}
	for i, q := range c.Queues {
		checkName(fail, fmt.Sprintf("desk.queues[%d].name", i), q.Name, queues)
		if len(q.Teams) == 0 {
			fail(fmt.Sprintf("desk.queues[%d].teams", i), "a queue needs at least one team")
		}
		for j, t := range q.Teams {
			if !teams[t] {
				fail(fmt.Sprintf("desk.queues[%d].teams[%d]", i, j), "unknown team %q (teams: %s)", t, strings.Join(slices.Sorted(maps.Keys(teams)), ", "))
			}
		}
	}
	agents := map[string]bool{}
	for i, a := range c.Agents {
		p := fmt.Sprintf("desk.agents[%d]", i)
		checkName(fail, p+".id", a.ID, agents)
		if a.Capacity < 0 || a.Capacity > 50 {
			fail(p+".capacity", "capacity %d: want 1 to 50", a.Capacity)
		}
		switch {
		case a.Password.IsZero() && a.PasswordHash == "":
			fail(p, "agent %q needs a password ({env: VAR} or {file: path}) or a password_hash (bcrypt)", a.ID)
		case !a.Password.IsZero() && a.PasswordHash != "":
			fail(p, "agent %q: give password or password_hash, not both", a.ID)
		case a.PasswordHash != "":
			if _, err := bcrypt.Cost([]byte(a.PasswordHash)); err != nil {
				fail(p+".password_hash", "not a bcrypt hash: %v", err)
			}
		}
		if len(a.Teams) == 0 {
			fail(p+".teams", "agent %q belongs to no team", a.ID)
		}
		for j, t := range a.Teams {
			if !teams[t] {
				fail(fmt.Sprintf("%s.teams[%d]", p, j), "unknown team %q", t)
			}
		}
	}
	if c.MaxWaiting < 0 || c.MaxWaiting > 10_000 {
		fail("desk.max_waiting", "max_waiting %d: want 1 to 10000", c.MaxWaiting)
	}
	codes := map[string]bool{}
	for i, r := range c.Reasons {
		checkName(fail, fmt.Sprintf("desk.reasons[%d].code", i), r.Code, codes)
	}
}

// checkName checks a name is well formed and new in seen, and adds it.
func checkName(fail func(path, format string, args ...any), path, name string, seen map[string]bool) {
	switch {
	case name == "":
		fail(path, "missing")
	case !validName(name):
		fail(path, "%q: use letters, digits, '_', '-' and '.'", name)
	case seen[name]:
		fail(path, "%q appears twice", name)
	}
	seen[name] = true
}

func validName(s string) bool {
	if len(s) > 64 {
		return false
	}
	for _, r := range s {
		if !(r == '_' || r == '-' || r == '.' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			return false
		}
	}
	return true
}

// position finds the node at a dotted path like desk.agents[1].teams[0]
// under the section's node n, for a problem's line and column; the
// closest existing ancestor's when the path ends early.
func position(n *yaml.Node, path string) (int, int) {
	cur := n
	rest := strings.TrimPrefix(strings.TrimPrefix(path, "desk"), ".")
	for rest != "" && cur != nil {
		var key string
		key, rest, _ = strings.Cut(rest, ".")
		name, idx := key, -1
		if i := strings.IndexByte(key, '['); i >= 0 {
			name = key[:i]
			fmt.Sscanf(key[i:], "[%d]", &idx)
		}
		_, v := nodes.MappingValue(cur, name)
		if v == nil {
			break
		}
		cur = v
		if idx >= 0 && v.Kind == yaml.SequenceNode && idx < len(v.Content) {
			cur = v.Content[idx]
		}
	}
	if cur == nil {
		return 0, 0
	}
	return cur.Line, cur.Column
}

// ErrNoSuchAgent is returned for an agent id the desk does not know.
var ErrNoSuchAgent = errors.New("desk: no such agent")

// agent returns the configured agent with id, or nil.
func (c *Config) agent(id string) *AgentConfig {
	for i := range c.Agents {
		if c.Agents[i].ID == id {
			return &c.Agents[i]
		}
	}
	return nil
}

// queue returns the queue named name, or the first queue.
func (c *Config) queue(name string) *QueueConfig {
	for i := range c.Queues {
		if c.Queues[i].Name == name {
			return &c.Queues[i]
		}
	}
	return &c.Queues[0]
}

// serves reports whether agent a answers queue q: they share a team.
func (a *AgentConfig) serves(q *QueueConfig) bool {
	for _, t := range a.Teams {
		if slices.Contains(q.Teams, t) {
			return true
		}
	}
	return false
}
