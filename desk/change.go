package desk

import (
	"context"
	"errors"
)

// changed is what one change of the board did.
type changed struct {
	board    *Board
	assigned []Assignment
	states   []AgentStatus // agents whose state changed
}

// change runs fn on the board, then routing, in one Update, and tells
// every instance what changed: the agents' new states, the assignments
// (whose users it tells, but for the conversation skip, whose turn is
// running), and that the board changed. fn returning errUnchanged stores
// nothing and is not an error.
func (d *Desk) change(ctx context.Context, skip string, fn func(*Board) error) (*changed, error) {
	var c changed
	b, err := d.store.Update(ctx, func(b *Board) error {
		b.fill(d.cfg)
		before := make(map[string]AgentStatus, len(b.Agents))
		for id, a := range b.Agents {
			before[id] = *a
		}
		if err := fn(b); err != nil {
			return err
		}
		c.assigned = b.route(d.cfg, d.now(), d.pageTimeout)
		c.states = c.states[:0]
		for id, a := range b.Agents {
			if old := before[id]; old.State != a.State || old.Reason != a.Reason {
				c.states = append(c.states, *a)
			}
		}
		return nil
	})
	if errors.Is(err, errUnchanged) {
		return &changed{}, nil
	}
	if err != nil {
		return nil, err
	}
	c.board = b
	d.board.Store(b)
	d.announce(ctx, &c, skip)
	return &c, nil
}

// announce publishes a change and tells the users whose conversation got
// an agent.
func (d *Desk) announce(ctx context.Context, c *changed, skip string) {
	pub := func(ev Event) {
		ev.From = d.instance
		if err := d.store.Publish(ctx, ev); err != nil {
			d.log.Warn("desk: publish", "bot", d.bot, "kind", ev.Kind, "err", err)
		}
	}
	for i := range c.states {
		pub(Event{Kind: evState, Agent: c.states[i].Agent, Status: &c.states[i]})
		d.metrics.stateChanges.WithLabelValues(d.bot, string(c.states[i].State)).Inc()
	}
	for _, a := range c.assigned {
		pub(Event{Kind: evAssigned, Conv: a.Conv.ID, Agent: a.Agent})
		d.metrics.assigned.WithLabelValues(d.bot, a.Conv.Queue).Inc()
		d.metrics.waitSeconds.WithLabelValues(d.bot, a.Conv.Queue).Observe(a.Conv.Assigned.Sub(a.Conv.Queued).Seconds())
		if a.Conv.ID != skip {
			d.tellJoined(a)
		}
	}
	if len(c.assigned) > 0 {
		d.tellPositions(c.board, c.assigned)
	}
	pub(Event{Kind: evBoard})
}
