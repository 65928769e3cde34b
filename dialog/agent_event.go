package dialog

import (
	"cmp"
	"context"
	"time"

	"github.com/botforge/dialogd/nodes"
)

// Kinds of AgentEvent.
const (
	AgentQueued  = "queued"  // the user's place in the queue changed
	AgentJoined  = "joined"  // an agent took the conversation
	AgentMessage = "message" // the agent wrote to the user
	AgentLeft    = "left"    // the agent ended the conversation: the bot takes it back
)

// AgentEvent is something the desk's side of a handed-off conversation
// did, applied to the session by Runtime.AgentEvent.
type AgentEvent struct {
	Kind  string // AgentQueued, AgentJoined, AgentMessage, AgentLeft
	ID    string // the handoff id (HandoffTicket.ID); an event for another id is ignored
	Agent string // the agent's display name
	// SalesforceUser is, on joined, the agent's linked Salesforce user id,
	// kept as conversation.agent_sf_user_id (the conversation log's owner).
	SalesforceUser string
	Text           string        // message
	Position       int           // queued: 1-based place in the queue
	Wait           time.Duration // queued: expected wait
}

// Conversation variables a handoff leaves for the conversation's end
// handler (the log of the conversation).
const (
	agentSalesforceUserVar = "agent_sf_user_id"
	agentNameVar           = "agent_name"
)

// AgentEvent applies a desk event to the session, as a turn of its own
// under the session's lease (like Resume), and returns the frames to
// deliver. An event of another handoff than the session's current one (a
// late event of an earlier handoff, a session that ended) yields no
// frames; so does a second joined of the same agent.
func (r *Runtime) AgentEvent(ctx context.Context, sessionID, userID string, ev AgentEvent) ([][]byte, error) {
	applies := func(st *state) bool { return agentEventApplies(st.Agent, ev) }
	return r.outsideTurn(ctx, sessionID, userID, applies, func(st *state, t *nodes.Turn) {
		r.applyAgentEvent(st, t, ev)
	})
}

// agentEventApplies reports whether ev changes the handoff h.
func agentEventApplies(h *handoffState, ev AgentEvent) bool {
	if ev.ID == "" || !h.live() || h.ID != ev.ID {
		return false
	}
	switch ev.Kind {
	case AgentQueued:
		return h.Status == handoffQueued
	case AgentJoined:
		return h.Status == handoffQueued || h.Agent != ev.Agent
	case AgentMessage:
		// A message while still queued: the joined event was lost or is
		// late (it runs on another goroutine of the desk); the message
		// joins the agent first.
		return ev.Text != "" && (h.Status == handoffAssigned || h.Status == handoffQueued && ev.Agent != "")
	case AgentLeft:
		return true
	}
	return false
}

// noteAgent keeps who took the conversation in conversation variables,
// for the conversation's log: the agent's name and linked Salesforce user.
func noteAgent(st *state, name, salesforceUser string) {
	st.Memory.SetVar(nodes.ScopeConversation, agentNameVar, name, 0)
	if salesforceUser != "" {
		st.Memory.SetVar(nodes.ScopeConversation, agentSalesforceUserVar, salesforceUser, 0)
	}
}

// applyAgentEvent says what ev means to the user. The transcript (and so
// the conversation's log) gets the agent's messages and when the agent
// joined and left, not the queue's position updates.
func (r *Runtime) applyAgentEvent(st *state, t *nodes.Turn, ev AgentEvent) {
	h := st.Agent
	switch ev.Kind {
	case AgentQueued:
		t.Say(queuedReply(t, ev.Position, ev.Wait))
		return
	case AgentJoined:
		h.Status, h.Agent = handoffAssigned, ev.Agent
		noteAgent(st, ev.Agent, ev.SalesforceUser)
		t.Say(agentJoined(t, ev.Agent))
	case AgentMessage:
		if h.Status == handoffQueued {
			h.Status, h.Agent = handoffAssigned, ev.Agent
			noteAgent(st, ev.Agent, ev.SalesforceUser)
			t.Say(agentJoined(t, ev.Agent))
		}
		t.Say(nodes.Reply{Type: nodes.ReplyAgentMessage, Agent: h.Agent, Text: ev.Text, Lang: t.Lang})
		r.appendTranscript(st, t, func(line func(who, text string)) {
			line(t.Phrase("transcript.agent", h.Agent), ev.Text)
		})
		return
	case AgentLeft:
		agent := cmp.Or(h.Agent, ev.Agent)
		st.Agent = nil
		if agent != "" {
			t.Say(nodes.Reply{Type: nodes.ReplyAgentLeft, Agent: agent, Text: t.Phrase("handoff.agent_left", agent), Lang: t.Lang})
		}
		t.Say(nodes.Reply{Text: t.Phrase("handoff.bot_back")})
	}
	r.appendTranscript(st, t, func(line func(who, text string)) {
		for _, rp := range t.Replies() {
			line(t.Phrase("transcript.bot"), rp.Text)
		}
	})
}
