package dialog

import (
	"context"
	"fmt"

	"github.com/botforge/dialogd/nodes"
)

// handoffInput handles an input while the conversation is handed off and
// reports whether it did. Queued or with an agent, everything the user
// writes goes to the desk and the bot says nothing (the turn's only frame
// is the empty message that acknowledges the input); commands are words
// for the agent too, except cancel while queued, which leaves the queue.
// Choosing (no agent was free), the input may answer the question.
func (r *Runtime) handoffInput(ctx context.Context, st *state, t *nodes.Turn, in nodes.Input, n string) bool {
	h := st.Agent
	if r.handoffs == nil {
		st.Agent = nil // the bot lost its desk (a reload): the bot is back
		return false
	}
	if h.Status == handoffChoosing {
		return r.handoffChoice(ctx, st, t, in)
	}
	if h.Status == handoffQueued && in.Payload == "" && commands[n].cmd == cmdCancel {
		r.setLang(t, commandLang(n))
		if err := r.handoffs.UserLeft(ctx, h.ID); err != nil {
			// The desk drops a queued conversation whose user is gone
			// anyway; the user is not kept waiting for it.
			r.log.WarnContext(ctx, "handoff: telling the desk the user left failed", "conversation", st.ID, "err", err)
		}
		st.Agent = nil
		t.Say(nodes.Reply{Text: t.Phrase("handoff.left_queue")})
		return true
	}
	text := in.Text
	if text == "" {
		text = in.Payload
	}
	if err := r.handoffs.UserSaid(ctx, h.ID, in.ID, text); err != nil {
		// Not kept: the turn fails, the client sends the message again
		// (UserSaid is idempotent per message id).
		st.relayErr = fmt.Errorf("dialog: relay to the agent: %w", err)
	}
	return true
}

// handoffLeft tells the desk that the user of a handed-off conversation
// closed it (Runtime.End).
func (r *Runtime) handoffLeft(ctx context.Context, st *state) {
	if r.handoffs == nil || !st.Agent.live() {
		return
	}
	if err := r.handoffs.UserLeft(ctx, st.Agent.ID); err != nil {
		r.log.WarnContext(ctx, "handoff: telling the desk the user left failed", "conversation", st.ID, "err", err)
	}
}
