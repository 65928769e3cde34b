package templates

import (
	"context"
	"strings"
	"testing"

	"github.com/botforge/dialogd/dialog"
)

// oneAgentDesk is a test double of the live-agent desk (package desk is
// the real one): every request is queued as handoff h1; nothing else.
type oneAgentDesk struct{}

func (oneAgentDesk) Request(context.Context, dialog.HandoffRequest) (dialog.HandoffTicket, error) {
	return dialog.HandoffTicket{ID: "h1", Position: 1}, nil
}
func (oneAgentDesk) UserSaid(context.Context, string, string, string) error { return nil }
func (oneAgentDesk) UserLeft(context.Context, string) error                 { return nil }

// TestLogConversationOwnedByTheAgent: the log of a conversation an agent
// took over is owned by the agent's linked Salesforce user and holds the
// agent's messages; one nobody took over keeps the profile's user.
func TestLogConversationOwnedByTheAgent(t *testing.T) {
	b := newIdentifyBotWith(t, dialog.Options{Handoffs: oneAgentDesk{}})
	users := b.query("SELECT Id FROM User")
	if len(users) < 2 {
		t.Fatalf("the org has %d users; the test needs 2", len(users))
	}
	agentUser := users[len(users)-1]["Id"].(string)

	b.say("s1", "talk to a human", "", "You are number 1 in the queue")
	ctx := context.Background()
	for _, ev := range []dialog.AgentEvent{
		{Kind: dialog.AgentJoined, ID: "h1", Agent: "Alice Adams", SalesforceUser: agentUser},
		{Kind: dialog.AgentMessage, ID: "h1", Text: "Your parcel ships today."},
		{Kind: dialog.AgentLeft, ID: "h1"},
	} {
		if _, err := b.rt.AgentEvent(ctx, "s1", "user-s1", ev); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.end("s1"); err != nil {
		t.Fatal(err)
	}
	b.say("s2", "log this conversation", "", "I have logged this conversation")

	tasks := b.query("SELECT Subject, Description, OwnerId FROM Task ORDER BY CreatedDate ASC")
	if len(tasks) != 2 {
		t.Fatalf("tasks %v; want 2", tasks)
	}
	if got := tasks[0]["OwnerId"]; got != agentUser {
		t.Errorf("the handed-off conversation's Task: OwnerId %v; want the agent's user %s", got, agentUser)
	}
	if desc, _ := tasks[0]["Description"].(string); !strings.Contains(desc, "Agent Alice Adams: Your parcel ships today.") {
		t.Errorf("description %q; want the agent's message", desc)
	}
	if got := tasks[1]["OwnerId"]; got == agentUser || got == nil {
		t.Errorf("a conversation without an agent: OwnerId %v; want the profile's user", got)
	}
}
