package dialog

import (
	"context"
	"time"

	"github.com/botforge/dialogd/nodes"
)

// Handoffs is the live-agent desk a runtime hands conversations to
// (package desk implements it; Options.Handoffs). Without one, a handoff
// is only the handoff frame, for the channel to act on.
type Handoffs interface {
	// Request puts the conversation in a queue, or gives it to a free
	// agent at once.
	Request(ctx context.Context, req HandoffRequest) (HandoffTicket, error)
	// UserSaid relays what the user wrote to the agent; it is idempotent
	// per msgID (a client sends a message again when it got no answer).
	UserSaid(ctx context.Context, id, msgID, text string) error
	// UserLeft tells the desk that the user canceled in the queue or
	// ended the conversation.
	UserLeft(ctx context.Context, id string) error
}

// HandoffRequest is a conversation asking for an agent.
type HandoffRequest struct {
	Bot, Session, User, Lang, Queue, Reason string
	// Wait: the user chose to wait although no agent is free.
	Wait bool
	// Transcript is conversation.transcript so far (empty when the bot
	// keeps none: events.conversation_end.transcript).
	Transcript string
	// Context is what the bot collected: the handed-off task and its
	// entities, and the user's variables.
	Context map[string]any
	// Customer is the identified customer: name, company, email, phone,
	// salesforce_id (user.sf_* variables, else the verified identity).
	Customer map[string]string
}

// HandoffTicket is the desk's answer to a Request.
type HandoffTicket struct {
	ID string // the handoff conversation id; AgentEvents name it
	// NoAgent: nobody can take the conversation now and the request did
	// not ask to wait; nothing was queued. The user is offered to leave a
	// message or to wait.
	NoAgent bool
	// LeaveMessageTask is the bot's task "Leave a message" starts
	// (desk.when_no_agent.leave_message_task); empty: only waiting is
	// offered.
	LeaveMessageTask string
	Agent            string        // set when assigned at once: the agent's display name
	SalesforceUser   string        // assigned at once: the agent's linked Salesforce user id (as AgentEvent's)
	Position         int           // 1-based place in the queue when queued
	Wait             time.Duration // expected wait when queued
}

// Handoff statuses of a conversation (handoffState.Status).
const (
	handoffChoosing = "choosing" // no agent was free: the user picks leave a message or wait
	handoffQueued   = "queued"   // in a desk queue
	handoffAssigned = "assigned" // an agent owns the conversation: the bot is silent
)

// handoffState is a conversation's handoff, stored in the session state
// while it lasts (state.Agent).
type handoffState struct {
	ID     string `json:"i,omitempty"`  // the desk's handoff id (HandoffTicket.ID)
	Status string `json:"s,omitempty"`  // handoffChoosing, handoffQueued, handoffAssigned
	Queue  string `json:"q,omitempty"`  // the queue asked for
	Reason string `json:"r,omitempty"`  // why the user was handed over
	Agent  string `json:"a,omitempty"`  // assigned: the agent's display name
	Leave  string `json:"lm,omitempty"` // choosing: the task "Leave a message" starts ("" none)
	// Ctx is, while choosing, what the bot had collected, for the
	// request to wait (the handed-off task is gone by then).
	Ctx map[string]any `json:"x,omitempty"`
}

// live reports whether the desk holds the conversation: the user's input
// goes to the agent side, and the bot is silent.
func (h *handoffState) live() bool {
	return h != nil && (h.Status == handoffQueued || h.Status == handoffAssigned)
}

// handoffAsk is a handoff the running turn asked for (agent_transfer, or
// the user asking for a person), begun once the turn's task has ended;
// not stored.
type handoffAsk struct {
	queue, reason string
	context       map[string]any
	// said is what the user's input said, for the transcript: a button's
	// title rather than its payload ("" when the input was a message:
	// state.Memory.Input).
	said string
}

// endsTurn reports whether a reply of type typ may be a turn's last
// frame: a message (it says whether the bot waits) or an authorization;
// outside a client message (a desk event, AgentEvent), also a live-agent
// frame, which the bot's silence follows: an empty message after each
// agent message would only clutter the chat.
func endsTurn(typ string, outside bool) bool {
	switch typ {
	case nodes.ReplyMessage, nodes.ReplyAuthorize:
		return true
	case nodes.ReplyQueued, nodes.ReplyAgentJoined, nodes.ReplyAgentMessage, nodes.ReplyAgentLeft:
		return outside
	}
	return false
}
