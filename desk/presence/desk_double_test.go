package presence

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/botforge/dialogd/desk"
)

// deskDouble is a test double of *desk.Desk's presence-facing methods
// (the Agents interface): agents in memory, SetState with the desk's rules
// (busy not by hand, previous restores the state before the last change),
// and every change handed to the watchers at once. TestWithRealDesk runs
// the sync against the real desk.
type deskDouble struct {
	mu       sync.Mutex
	agents   []desk.AgentConfig
	states   map[string]desk.AgentStatus
	links    map[string]string // agent → Salesforce user id
	watchers []func(desk.AgentStatus)
	sets     map[string]int  // SetState calls by origin
	full     map[string]bool // agents holding conversations up to capacity
}

func newDeskDouble(agents ...desk.AgentConfig) *deskDouble {
	d := &deskDouble{agents: agents, states: map[string]desk.AgentStatus{}, links: map[string]string{}, sets: map[string]int{}, full: map[string]bool{}}
	for _, a := range agents {
		d.states[a.ID] = desk.AgentStatus{Agent: a.ID, State: desk.Offline, Capacity: a.Capacity}
	}
	return d
}

func (d *deskDouble) Agents() []desk.AgentConfig { return d.agents }

func (d *deskDouble) Status(_ context.Context, agent string) (desk.AgentStatus, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	st, ok := d.states[agent]
	if !ok {
		return st, fmt.Errorf("desk double: no agent %q", agent)
	}
	return st, nil
}

func (d *deskDouble) SetState(_ context.Context, agent string, st desk.State, reason, origin string) (desk.AgentStatus, error) {
	d.mu.Lock()
	cur, ok := d.states[agent]
	if !ok {
		d.mu.Unlock()
		return cur, fmt.Errorf("desk double: no agent %q", agent)
	}
	if st == desk.Busy && origin != desk.OriginRouting {
		d.mu.Unlock()
		return cur, desk.ErrBusyByHand
	}
	if st == desk.Previous {
		st, reason = cur.PrevState, cur.PrevReason
	}
	if st == desk.Available && d.full[agent] {
		st = desk.Busy // as the desk: available with a full load is busy
	}
	d.sets[origin]++
	cur.PrevState, cur.PrevReason = cur.State, cur.Reason
	cur.State, cur.Reason, cur.Origin, cur.Since = st, reason, origin, time.Now()
	d.states[agent] = cur
	watchers := append([]func(desk.AgentStatus){}, d.watchers...)
	d.mu.Unlock()
	for _, fn := range watchers {
		fn(cur)
	}
	return cur, nil
}

func (d *deskDouble) WatchStates(ctx context.Context, fn func(desk.AgentStatus)) error {
	d.mu.Lock()
	d.watchers = append(d.watchers, fn)
	d.mu.Unlock()
	<-ctx.Done()
	return ctx.Err()
}

func (d *deskDouble) SalesforceUser(_ context.Context, agent string) (string, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.links[agent], nil
}

// setCalls returns how many SetState calls origin made.
func (d *deskDouble) setCalls(origin string) int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.sets[origin]
}
