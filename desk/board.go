package desk

import (
	"slices"
	"time"
)

// Board is a desk's shared state: every agent's state and every handed-off
// conversation that waits or is held. It is small (no transcripts, no
// context) so that a change rewrites it whole, in one transaction.
type Board struct {
	Agents map[string]*AgentStatus `json:"agents"`
	Convs  map[string]*Conv        `json:"convs"`
	// Links are the agents' linked Salesforce users: agent id → user id.
	Links map[string]string `json:"links,omitempty"`
	// LinkNames are the linked users' user names: agent id → user name.
	LinkNames map[string]string `json:"link_names,omitempty"`
	// Gens are the agents' sign-in generations: a sign-out moves an
	// agent's on, which voids every session cookie signed before.
	Gens map[string]int64 `json:"gens,omitempty"`
	// Waits are the last waits (queued to assigned), newest last, for
	// the expected wait.
	Waits []time.Duration `json:"waits,omitempty"`
}

// maxWaits is how many recent waits the board keeps.
const maxWaits = 20

// Conv is a handed-off conversation on the board.
type Conv struct {
	ID       string    `json:"id"`
	Queue    string    `json:"queue"`
	Session  string    `json:"session"`
	User     string    `json:"user"`
	Lang     string    `json:"lang,omitempty"`
	Reason   string    `json:"reason,omitempty"`
	Customer string    `json:"customer,omitempty"` // the customer's name, for the queue view
	Queued   time.Time `json:"queued"`
	Agent    string    `json:"agent,omitempty"` // empty while it waits
	Assigned time.Time `json:"assigned,omitzero"`
}

func newBoard() *Board {
	return &Board{Agents: map[string]*AgentStatus{}, Convs: map[string]*Conv{}, Links: map[string]string{}}
}

// fill adds the missing maps and every configured agent (offline), and
// brings capacities up to date with the configuration.
func (b *Board) fill(c *Config) {
	if b.Agents == nil {
		b.Agents = map[string]*AgentStatus{}
	}
	if b.Convs == nil {
		b.Convs = map[string]*Conv{}
	}
	if b.Links == nil {
		b.Links = map[string]string{}
	}
	for _, a := range c.Agents {
		st := b.Agents[a.ID]
		if st == nil {
			st = &AgentStatus{Agent: a.ID, State: Offline}
			b.Agents[a.ID] = st
		}
		st.Capacity = a.Capacity
		st.Active = len(st.Convs)
	}
}

// waiting returns the conversations of queue q (every queue when q is
// empty) that wait for an agent, longest waiting first.
func (b *Board) waiting(q string) []*Conv {
	var out []*Conv
	for _, c := range b.Convs {
		if c.Agent == "" && (q == "" || c.Queue == q) {
			out = append(out, c)
		}
	}
	slices.SortFunc(out, func(x, y *Conv) int {
		if d := x.Queued.Compare(y.Queued); d != 0 {
			return d
		}
		return compareStrings(x.ID, y.ID)
	})
	return out
}

// position is c's 1-based place in its queue, 0 once it has an agent.
func (b *Board) position(c *Conv) int {
	if c.Agent != "" {
		return 0
	}
	for i, w := range b.waiting(c.Queue) {
		if w.ID == c.ID {
			return i + 1
		}
	}
	return 0
}

// expectedWait estimates the wait of the conversation at place pos: for
// each place, the average of the recent waits, or perPlace while the board
// has seen none.
func (b *Board) expectedWait(pos int, perPlace time.Duration) time.Duration {
	if pos <= 0 {
		return 0
	}
	if len(b.Waits) == 0 {
		return time.Duration(pos) * perPlace
	}
	var sum time.Duration
	for _, w := range b.Waits {
		sum += w
	}
	return time.Duration(pos) * (sum / time.Duration(len(b.Waits)))
}

func (b *Board) recordWait(d time.Duration) {
	b.Waits = append(b.Waits, d)
	if len(b.Waits) > maxWaits {
		b.Waits = b.Waits[len(b.Waits)-maxWaits:]
	}
}

func compareStrings(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
