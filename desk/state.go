package desk

import (
	"errors"
	"time"
)

// State is an agent's state.
type State string

// The agent states. Busy is set by routing, never by hand: an agent is
// busy while holding as many conversations as their capacity. Previous is
// not a state but a request to go back to the state before the last
// change (the presence sync's "previous state").
const (
	Available   State = "available"
	Busy        State = "busy"
	Unavailable State = "unavailable"
	Offline     State = "offline"
	Previous    State = "previous"
)

// Origins of a state change.
const (
	OriginAgent      = "agent"      // the agent, in the desk
	OriginRouting    = "routing"    // capacity reached or freed
	OriginSalesforce = "salesforce" // the presence sync, from Omni-Channel
	OriginLogin      = "login"      // sign-in and sign-out
)

// AgentStatus is an agent's state on the board.
type AgentStatus struct {
	Agent      string    `json:"id"`
	State      State     `json:"state"`
	Reason     string    `json:"reason,omitempty"` // reason code when Unavailable
	Since      time.Time `json:"since"`
	Active     int       `json:"active"` // conversations held
	Capacity   int       `json:"capacity"`
	Origin     string    `json:"origin,omitempty"`
	PrevState  State     `json:"prev_state,omitempty"`
	PrevReason string    `json:"prev_reason,omitempty"`
	// IdleSince is when the agent last became free for work: made
	// available, given a conversation, or done with one. Routing picks
	// the earliest.
	IdleSince time.Time `json:"idle_since"`
	// Convs are the handed-off conversations the agent holds.
	Convs []string `json:"conversations,omitempty"`
	// SeenAt is when a desk page of the agent was last seen connected,
	// on any instance (see Options.PageTimeout).
	SeenAt time.Time `json:"seen_at,omitzero"`
}

// Errors a state change can return.
var (
	ErrBusyByHand  = errors.New("desk: busy is set by routing, not by hand")
	ErrBadState    = errors.New("desk: unknown state")
	ErrBadReason   = errors.New("desk: unknown reason code")
	ErrNoPrevious  = errors.New("desk: no previous state to go back to")
	ErrNotYours    = errors.New("desk: the conversation is not this agent's")
	ErrNoSuchConv  = errors.New("desk: no such conversation")
	ErrBadPassword = errors.New("desk: wrong agent or password")
)

// set moves the status to st/reason, remembering the state it leaves.
func (a *AgentStatus) set(st State, reason, origin string, now time.Time) {
	if a.State == st && a.Reason == reason {
		a.Origin = origin
		return
	}
	a.PrevState, a.PrevReason = a.State, a.Reason
	a.State, a.Reason, a.Since, a.Origin = st, reason, now, origin
	if st == Available {
		a.IdleSince = now
	}
}
