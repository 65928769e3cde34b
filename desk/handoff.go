package desk

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
)

// Request is a conversation the bot hands over.
type Request struct {
	Session, User, Lang, Queue, Reason string
	// Wait queues the conversation even when no agent can take it now.
	Wait bool
	// Transcript is the conversation so far, a line each.
	Transcript string
	Context    map[string]any
	Customer   map[string]string
}

// Ticket is the desk's answer to a Request.
type Ticket struct {
	ID string
	// NoAgent: nobody can take it now and the request did not ask to
	// wait; nothing was queued.
	NoAgent bool
	// LeaveMessageTask is the bot's task that takes a message instead,
	// "" when there is none.
	LeaveMessageTask string
	// Agent is the display name of the agent who took it at once.
	Agent, SalesforceUser string
	Position              int
	Wait                  time.Duration
}

// Details are what the agent sees of a conversation besides its
// transcript.
type Details struct {
	Customer map[string]string `json:"customer,omitempty"`
	Context  map[string]any    `json:"context,omitempty"`
	Started  time.Time         `json:"started"`
}

// Request hands a conversation over: it joins its queue (the first one
// when the request names none it knows) and goes to an agent at once when
// one is free. With nobody free and !Wait nothing is queued and the
// ticket says NoAgent.
func (d *Desk) Request(ctx context.Context, r Request) (Ticket, error) {
	q := d.cfg.queue(r.Queue)
	id, err := uuid.NewV7()
	if err != nil {
		return Ticket{}, fmt.Errorf("desk: conversation id: %w", err)
	}
	tk := Ticket{ID: id.String(), LeaveMessageTask: d.cfg.WhenNoAgent.LeaveMessageTask}
	now := d.now()
	details, _ := json.Marshal(Details{Customer: r.Customer, Context: r.Context, Started: now})
	if err := d.store.PutDetails(ctx, tk.ID, details); err != nil {
		return Ticket{}, err
	}
	for _, line := range strings.Split(strings.TrimSpace(r.Transcript), "\n") {
		if line = strings.TrimSpace(line); line != "" {
			if _, err := d.store.Append(ctx, tk.ID, Entry{Who: "history", Text: line, At: now}); err != nil {
				return Ticket{}, err
			}
		}
	}
	c, err := d.change(ctx, tk.ID, func(b *Board) error {
		if !r.Wait && !b.canServe(d.cfg, q, now, d.pageTimeout) || len(b.waiting(q.Name)) >= d.cfg.MaxWaiting {
			return errUnchanged // nobody free, or the queue is full
		}
		b.Convs[tk.ID] = &Conv{ID: tk.ID, Queue: q.Name, Session: r.Session, User: r.User, Lang: r.Lang,
			Reason: r.Reason, Customer: r.Customer["name"], Queued: now}
		return nil
	})
	if err != nil {
		return Ticket{}, err
	}
	conv := c.board.lookup(tk.ID)
	if conv == nil {
		_ = d.store.Forget(ctx, tk.ID) // nothing was queued
		tk.NoAgent = true
		d.metrics.noAgent.WithLabelValues(d.bot, q.Name).Inc()
		return tk, nil
	}
	d.metrics.requests.WithLabelValues(d.bot, q.Name).Inc()
	if conv.Agent != "" {
		tk.Agent, tk.SalesforceUser = d.agentName(conv.Agent), c.board.Links[conv.Agent]
		return tk, nil
	}
	tk.Position = c.board.position(conv)
	tk.Wait = c.board.expectedWait(tk.Position, d.waitPerPlace())
	return tk, nil
}

func (b *Board) lookup(id string) *Conv {
	if b == nil {
		return nil
	}
	return b.Convs[id]
}

func (d *Desk) waitPerPlace() time.Duration {
	if d.cfg.WaitPerPlace > 0 {
		return d.cfg.WaitPerPlace
	}
	return 2 * time.Minute
}

// UserSaid relays what the user wrote to the agent; a message id seen
// before is not relayed again.
func (d *Desk) UserSaid(ctx context.Context, id, msgID, text string) error {
	key := "u:" + id + ":" + msgID
	if msgID != "" {
		fresh, err := d.store.Once(ctx, key, keepEnded)
		if err != nil || !fresh {
			return err
		}
	}
	e := Entry{Who: "user", Text: text, At: d.now()}
	seq, err := d.store.Append(ctx, id, e)
	if err != nil {
		d.forgetOnce(msgID, key) // the client sends it again, with the same id
		return err
	}
	e.Seq = seq
	d.metrics.relayed.WithLabelValues(d.bot, "to_agent").Inc()
	return d.store.Publish(ctx, Event{Kind: evUser, Conv: id, Entry: &e, From: d.instance})
}

// UserTyping tells the agent that the user types.
func (d *Desk) UserTyping(ctx context.Context, id string) error {
	return d.store.Publish(ctx, Event{Kind: evTyping, Conv: id, From: d.instance})
}

// UserLeft takes the conversation off the desk: the user left the queue
// or closed the conversation.
func (d *Desk) UserLeft(ctx context.Context, id string) error {
	return d.end(ctx, id, "", "user")
}

// AgentSay relays what an agent wrote to the user; a message id seen
// before is not relayed again.
func (d *Desk) AgentSay(ctx context.Context, agent, id, msgID, text string) error {
	conv, err := d.heldBy(ctx, agent, id)
	if err != nil {
		return err
	}
	key := "a:" + id + ":" + msgID
	if msgID != "" {
		fresh, err := d.store.Once(ctx, key, keepEnded)
		if err != nil || !fresh {
			return err
		}
	}
	name := d.agentName(agent)
	if err := d.users.AgentEvent(ctx, conv.Session, conv.User, UserEvent{Kind: UserMessage, ID: id, Agent: name, Text: text}); err != nil {
		d.forgetOnce(msgID, key) // the page may send it again, with the same id
		return fmt.Errorf("desk: deliver to the user: %w", err)
	}
	e := Entry{Who: "agent", Name: name, Text: text, At: d.now()}
	seq, err := d.store.Append(ctx, id, e)
	if err != nil {
		return err
	}
	e.Seq = seq
	d.metrics.relayed.WithLabelValues(d.bot, "to_user").Inc()
	return d.store.Publish(ctx, Event{Kind: evAgent, Conv: id, Agent: agent, Entry: &e, From: d.instance})
}

// AgentTyping shows the user that the agent types.
func (d *Desk) AgentTyping(ctx context.Context, agent, id string) error {
	conv, err := d.heldBy(ctx, agent, id)
	if err != nil {
		return err
	}
	return d.users.AgentTyping(ctx, conv.Session, d.agentName(agent))
}

// End is the agent ending a conversation: the bot takes it back.
func (d *Desk) End(ctx context.Context, agent, id string) error {
	if _, err := d.heldBy(ctx, agent, id); err != nil {
		return err
	}
	return d.end(ctx, id, agent, "agent")
}

// end takes conversation id off the board; when agent is set, only if
// that agent holds it. by is who ended it.
func (d *Desk) end(ctx context.Context, id, agent, by string) error {
	var conv *Conv
	_, err := d.change(ctx, "", func(b *Board) error {
		conv = nil // a run before a conflict released it on an older board
		c := b.Convs[id]
		if c == nil || agent != "" && c.Agent != agent {
			return errUnchanged
		}
		conv = b.release(id, d.now())
		return nil
	})
	if err != nil || conv == nil {
		return err
	}
	d.metrics.ended.WithLabelValues(d.bot, by).Inc()
	defer d.store.Forget(ctx, id) // after the pages were told
	if by != "user" && conv.Agent != "" {
		ev := UserEvent{Kind: UserLeft, ID: id, Agent: d.agentName(conv.Agent)}
		if err := d.users.AgentEvent(ctx, conv.Session, conv.User, ev); err != nil {
			d.log.Warn("desk: tell the user the agent left", "bot", d.bot, "err", err)
		}
	}
	return d.store.Publish(ctx, Event{Kind: evEnded, Conv: id, Agent: conv.Agent, By: by, From: d.instance})
}

// heldBy returns conversation id when agent holds it: by the last board
// this process saw, else by the store's. (A board that is a little old
// does no harm: the runtime ignores events of a handoff that ended.)
func (d *Desk) heldBy(ctx context.Context, agent, id string) (*Conv, error) {
	if b := d.board.Load(); b != nil {
		if c := b.Convs[id]; c != nil && c.Agent == agent {
			return c, nil
		}
	}
	b, err := d.store.Load(ctx)
	if err != nil {
		return nil, err
	}
	d.board.Store(b)
	c := b.Convs[id]
	switch {
	case c == nil:
		return nil, ErrNoSuchConv
	case c.Agent != agent:
		return nil, ErrNotYours
	}
	return c, nil
}

// tellJoined tells a user that an agent took their conversation; it runs
// apart, so that a change never waits for a user's session.
func (d *Desk) tellJoined(a Assignment) {
	conv, name, sfUser := *a.Conv, d.agentName(a.Agent), ""
	if b := d.board.Load(); b != nil {
		sfUser = b.Links[a.Agent]
	}
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		ev := UserEvent{Kind: UserJoined, ID: conv.ID, Agent: name, SalesforceUser: sfUser}
		if err := d.users.AgentEvent(ctx, conv.Session, conv.User, ev); err != nil {
			d.log.Warn("desk: tell the user an agent joined", "bot", d.bot, "err", err)
		}
	}()
}

// tellPositions tells the users still waiting in the queues that moved
// their new place, one after the other on a goroutine of its own.
func (d *Desk) tellPositions(b *Board, assigned []Assignment) {
	moved := map[string]bool{}
	for _, a := range assigned {
		moved[a.Conv.Queue] = true
	}
	var events []positionEvent
	for q := range moved {
		for i, c := range b.waiting(q) {
			pos := i + 1
			events = append(events, positionEvent{conv: *c, ev: UserEvent{Kind: UserQueued, ID: c.ID, Position: pos,
				Wait: b.expectedWait(pos, d.waitPerPlace())}})
		}
	}
	if len(events) == 0 {
		return
	}
	go func() {
		for _, p := range events {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			if err := d.users.AgentEvent(ctx, p.conv.Session, p.conv.User, p.ev); err != nil {
				d.log.Warn("desk: tell the user their place", "bot", d.bot, "err", err)
			}
			cancel()
		}
	}()
}

type positionEvent struct {
	conv Conv
	ev   UserEvent
}

// forgetOnce drops a message id's guard after the message failed, so
// that sending it again with the same id works.
func (d *Desk) forgetOnce(msgID, key string) {
	if msgID == "" {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := d.store.ForgetOnce(ctx, key); err != nil {
		d.log.Warn("desk: forget a failed message's id", "bot", d.bot, "err", err)
	}
}
