package presence

import (
	"context"

	"github.com/botforge/dialogd/desk"
)

// Origin marks the desk state changes the subscriber applies; the
// publisher never sends them back to Salesforce.
const Origin = desk.OriginSalesforce

// Agents is what the sync needs from the desk (*desk.Desk implements it):
// the configured agents, their states and their links to Salesforce users.
type Agents interface {
	Agents() []desk.AgentConfig
	Status(ctx context.Context, agent string) (desk.AgentStatus, error)
	SetState(ctx context.Context, agent string, st desk.State, reason, origin string) (desk.AgentStatus, error)
	// WatchStates calls fn for every agent state change on any instance
	// until ctx ends.
	WatchStates(ctx context.Context, fn func(desk.AgentStatus)) error
	// SalesforceUser returns the agent's linked Salesforce user id, "" if
	// none.
	SalesforceUser(ctx context.Context, agent string) (string, error)
}

// LocalEvents is implemented by a desk that can tell the state changes
// made on this instance from those it hears of from others. With it, each
// instance publishes its own changes; without it, only the instance that
// holds the right to poll publishes (every instance hears every change).
type LocalEvents interface {
	MadeHere(ev desk.AgentStatus) bool
}
