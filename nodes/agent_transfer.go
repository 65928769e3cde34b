package nodes

import (
	"context"
	"fmt"
)

func init() {
	Register(Info{
		Type:    "agent_transfer",
		New:     func() Node { return new(AgentTransfer) },
		Summary: "Hand the conversation over to a human agent; ends the task.",
	})
}

// AgentTransfer hands the conversation to a live agent. It tells the user,
// sends a handoff reply the channel acts on, and ends the task as
// [HandedOff]. It has no outgoing transitions.
//
//	type: agent_transfer
//	text: {en: "Let me connect you with a colleague.", de: "Ich verbinde Sie mit einem Kollegen."}
//	reason: lead_creation_failed
//	queue: support
type AgentTransfer struct {
	// Text is what the user is told; the phrase agent_transfer when empty.
	Text Text `yaml:"text"`
	// Reason tells the agent why the user was handed over.
	Reason string `yaml:"reason"`
	// Queue is the agent desk's queue the conversation joins (bot.yaml
	// desk.queues); empty: the desk's first queue.
	Queue string `yaml:"queue"`
}

// Run says the text, sends the handoff and ends the task.
func (n *AgentTransfer) Run(ctx context.Context, t *Turn) (Outcome, error) {
	s := t.Phrase("agent_transfer")
	if !n.Text.IsZero() {
		var err error
		if s, err = n.Text.Render(t); err != nil {
			return Outcome{}, fmt.Errorf("agent_transfer text: %w", err)
		}
	}
	t.Say(Reply{Type: ReplyMessage, Text: s})
	t.Say(Reply{Type: ReplyHandoff, Reason: n.Reason, Queue: n.Queue})
	return End(HandedOff), nil
}

var _ Node = (*AgentTransfer)(nil)
