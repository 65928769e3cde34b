package main

import (
	"strings"
	"testing"

	"github.com/botforge/dialogd/sessions/redistest"
)

// startDeskPair starts two botd instances sharing one Redis, both serving
// testdata/deskbot.
func startDeskPair(t *testing.T) (a, b *instance) {
	t.Helper()
	redistest.SkipShort(t)
	t.Setenv("DESK_TEST_PASSWORD", deskTestPassword)
	rs := redistest.Start(t)
	a = startBotd(t, nil, "-redis", rs.URL(), "-bot", "testdata/deskbot")
	b = startBotd(t, nil, "-redis", rs.URL(), "-bot", "testdata/deskbot")
	return a, b
}

// readUntil reads the user's frames until one of type typ and returns the
// texts of the frames read, that one included.
func (c *client) readUntil(typ string) (string, frame) {
	c.TB.Helper()
	return c.readUntilFrame(func(f frame) bool { return f.Type == typ })
}

// readUntilFrame reads the user's frames until one that match accepts and
// returns the texts of the frames read, that one included.
func (c *client) readUntilFrame(match func(frame) bool) (string, frame) {
	c.TB.Helper()
	var texts []string
	for {
		f := c.Read()
		if f.Text != "" {
			texts = append(texts, f.Text)
		}
		if match(f) {
			return strings.Join(texts, " | "), f
		}
	}
}

// TestDeskHandoffAcrossInstances: the user's socket is on one instance,
// the agent's page on the other. The user asks for a human, the agent
// takes it, they write to each other, the agent ends it and the bot
// answers again.
func TestDeskHandoffAcrossInstances(t *testing.T) {
	a, b := startDeskPair(t)
	alice := signInAgent(t, b.addr, "deskbot", "alice")
	alice.setState("alice", "available", "")

	user := dialBot(t, a.addr, "deskbot", "", 0)
	user.say("where is my order")
	user.SendMessage("u-0", "I want to talk to a human")
	got, joined := user.readUntil("agent_joined")
	if joined.Agent != "Alice Adams" || joined.Lang != "en" || !strings.Contains(got, "Alice Adams") {
		t.Errorf("joined frame %+v (texts %q); want Alice Adams", joined, got)
	}
	conv := alice.expect("conversation", nil)
	id := conversationID(conv)
	if tr := transcriptText(conv); !strings.Contains(tr, "where is my order") || !strings.Contains(tr, "talk to a human") {
		t.Errorf("the agent's transcript %q lacks what the user said to the bot, up to asking for a person", tr)
	}

	user.SendMessage("u-1", "my parcel never came")
	um := alice.expect("user_message", func(f map[string]any) bool { return f["conversation"] == id })
	if um["text"] != "my parcel never came" {
		t.Errorf("agent got %v; want the user's message", um["text"])
	}
	alice.send(map[string]any{"type": "message", "conversation": id, "id": "a-1", "text": "Sorry! Let me look."})
	if _, f := user.readUntil("agent_message"); f.Text != "Sorry! Let me look." || f.Agent != "Alice Adams" {
		t.Errorf("user got %+v; want Alice's message", f)
	}
	// The same message id again is not relayed twice.
	alice.send(map[string]any{"type": "message", "conversation": id, "id": "a-1", "text": "Sorry! Let me look."})
	alice.send(map[string]any{"type": "message", "conversation": id, "id": "a-2", "text": "Found it."})
	if _, f := user.readUntil("agent_message"); f.Text != "Found it." {
		t.Errorf("user got %q after a repeated message id; want the next message only", f.Text)
	}

	alice.send(map[string]any{"type": "end", "conversation": id})
	alice.expect("ended", func(f map[string]any) bool { return f["conversation"] == id })
	got, _ = user.readUntil("agent_left")
	if !strings.Contains(got, "left") {
		t.Errorf("user saw %q; want that the agent left", got)
	}
	if got, _ := user.readUntil("message"); !strings.Contains(got, "bot again") {
		t.Errorf("after the agent left the user saw %q; want the bot back", got)
	}
	if got := user.say("where is my order"); !strings.Contains(got, "order number") {
		t.Errorf("after the agent left the bot said %q; want it to run the task again", got)
	}
}

// TestDeskNoAgent: with nobody available the user is offered to leave a
// message (the desk's task) or to wait; waiting queues the conversation,
// and an agent who becomes available gets it.
func TestDeskNoAgent(t *testing.T) {
	a, b := startDeskPair(t)
	bob := signInAgent(t, b.addr, "deskbot", "bob") // signed in, unavailable

	leaver := dialBot(t, a.addr, "deskbot", "", 0)
	leaver.SendMessage("l-1", "talk to a human")
	got, offer := leaver.readUntilFrame(func(f frame) bool { return len(f.QuickReplies) > 0 })
	if !strings.Contains(got, "No agent is available") || len(offer.QuickReplies) < 2 {
		t.Fatalf("no-agent offer %q with buttons %+v; want the choice of leaving a message or waiting", got, offer.QuickReplies)
	}
	if got := leaver.say("leave a message"); !strings.Contains(got, "tell the team") {
		t.Errorf("leave a message: bot said %q; want the leave_message task's question", got)
	}

	waiter := dialBot(t, a.addr, "deskbot", "", 0)
	waiter.SendMessage("w-1", "talk to a human")
	waiter.readUntilFrame(func(f frame) bool { return len(f.QuickReplies) > 0 })
	waiter.SendMessage("w-2", "I'll wait")
	got, queued := waiter.readUntil("queued")
	if queued.Position != 1 || !strings.Contains(got, "number 1") {
		t.Errorf("waiting: %q, frame %+v; want place 1 in the queue", got, queued)
	}
	bob.expect("board", func(f map[string]any) bool { return strings.Contains(fmtJSON(f), "\"position\":1") })
	bob.send(map[string]any{"type": "state", "state": "available"}) // routing makes Bob busy at once
	if _, joined := waiter.readUntil("agent_joined"); joined.Agent != "Bob Brown" {
		t.Errorf("joined %+v; want Bob Brown", joined)
	}
	bob.expect("conversation", nil)
	bob.expect("board", func(f map[string]any) bool { return agentState(f, "bob") == "busy" })
}
