package dialog_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/botforge/dialogd/dialog"
	"github.com/botforge/dialogd/nodes"
	"github.com/botforge/dialogd/sessions"
)

// deskDouble is a test double of the live-agent desk (package desk is the
// real one; its end-to-end tests cover it): it answers Request with the
// tickets it is given, in turn, and records every call.
type deskDouble struct {
	mu       sync.Mutex
	tickets  []dialog.HandoffTicket
	requests []dialog.HandoffRequest
	said     []string // "id msgID text"
	left     []string // ids
	failSaid bool
}

func (d *deskDouble) Request(_ context.Context, req dialog.HandoffRequest) (dialog.HandoffTicket, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.requests = append(d.requests, req)
	if len(d.tickets) == 0 {
		return dialog.HandoffTicket{}, errors.New("desk double: no ticket")
	}
	t := d.tickets[0]
	d.tickets = d.tickets[1:]
	return t, nil
}

func (d *deskDouble) UserSaid(_ context.Context, id, msgID, text string) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.failSaid {
		return errors.New("desk double: down")
	}
	d.said = append(d.said, id+" "+msgID+" "+text)
	return nil
}

func (d *deskDouble) UserLeft(_ context.Context, id string) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.left = append(d.left, id)
	return nil
}

// newHandoffChat is a chat with testdata/handoff over desk (nil: no desk).
func newHandoffChat(t *testing.T, desk dialog.Handoffs) *chat {
	t.Helper()
	bot, err := dialog.LoadDir("testdata/handoff")
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	store := sessions.NewMemory(sessions.Options{})
	t.Cleanup(func() { store.Close() })
	return &chat{t: t, rt: dialog.NewRuntime(bot, store, dialog.Options{Handoffs: desk}), sid: "s-" + t.Name()}
}

// event applies a desk event and returns its frames.
func (c *chat) event(ev dialog.AgentEvent) []nodes.Reply {
	c.t.Helper()
	frames, err := c.rt.AgentEvent(context.Background(), c.sid, "u1", ev)
	if err != nil {
		c.t.Fatalf("AgentEvent(%+v): %v", ev, err)
	}
	return decode(c.t, frames)
}

// types lists the frames' types.
func types(rs []nodes.Reply) string {
	var s []string
	for _, r := range rs {
		s = append(s, r.Type)
	}
	return strings.Join(s, ",")
}

// TestAskingForAHuman: the words of the three languages hand the
// conversation off, mid-task too; the request carries the language, the
// reason and what the task collected, and the user learns their place.
func TestAskingForAHuman(t *testing.T) {
	tests := []struct {
		lang, before, ask, wantText string
	}{
		{"en", "", "I want to talk to a human", "You are number 3 in the queue; expected wait about 2 minutes."},
		{"en", "", "hi, can I speak to an agent please?", "You are number 3 in the queue"},
		{"en", "order a pizza", "real person", "You are number 3 in the queue"},
		{"en", "order a pizza", "Operater!", "You are number 3 in the queue"},
		{"de", "", "Ich möchte mit einem Mitarbeiter sprechen", "Sie sind Nummer 3 in der Warteschlange; die Wartezeit beträgt etwa 2 Minuten."},
		{"de", "pizza bestellen", "mit einem Menschen sprechen", "Sie sind Nummer 3"},
		{"ja", "", "オペレーターと話したい", "現在 3 番目にお待ちいただいています。待ち時間は約 2 分です。"},
		{"ja", "ピザを注文", "担当者につないでください", "現在 3 番目"},
	}
	for _, tt := range tests {
		t.Run(tt.lang+"/"+tt.ask, func(t *testing.T) {
			desk := &deskDouble{tickets: []dialog.HandoffTicket{{ID: "h1", Position: 3, Wait: 90 * time.Second}}}
			c := newHandoffChat(t, desk)
			if tt.before != "" {
				c.say(tt.before)
				c.say("4")
			}
			rs := c.say(tt.ask)
			if got := texts(rs); !strings.Contains(got, tt.wantText) {
				t.Errorf("asking %q: replies %q; want them to hold %q", tt.ask, got, tt.wantText)
			}
			if got, want := types(rs), "message,handoff,queued,message"; got != want {
				t.Errorf("frame types %s; want %s", got, want)
			}
			if len(desk.requests) != 1 {
				t.Fatalf("desk got %d requests; want 1", len(desk.requests))
			}
			req := desk.requests[0]
			if req.Lang != tt.lang || req.Reason != "user_request" || req.Bot != "handoffbot" || req.Wait {
				t.Errorf("request %+v; want lang %s, reason user_request, bot handoffbot, no wait", req, tt.lang)
			}
			if tt.before != "" {
				if got := fmt.Sprintf("%v %v", req.Context["task"], req.Context["entities"]); got != "order map[size:4]" {
					t.Errorf("request context %s; want the task and its entities: order map[size:4]", got)
				}
			}
			// The task was handed off, not held: the bot stays silent.
			rs = c.say("are you there?")
			if got := texts(rs); got != "" {
				t.Errorf("while queued the bot said %q; want nothing", got)
			}
		})
	}
}

// TestNotAHumanRequest: words around a listed phrase make it something
// else; it is read as usual.
func TestNotAHumanRequest(t *testing.T) {
	desk := &deskDouble{}
	c := newHandoffChat(t, desk)
	for _, text := range []string{"my agent number is 12", "human resources", "my agent is a person", "are you human?"} {
		c.say(text)
	}
	if len(desk.requests) != 0 {
		t.Errorf("desk got requests %+v; want none", desk.requests)
	}
}

// TestAskingForAHumanWithoutDesk: with no desk the bot says so, and the
// running task carries on.
func TestAskingForAHumanWithoutDesk(t *testing.T) {
	c := newHandoffChat(t, nil)
	c.say("order a pizza")
	rs := c.say("talk to a human")
	want := "Sorry, I can't put you through to a person here. I'm happy to keep helping, though. | How many?"
	if got := texts(rs); got != want {
		t.Errorf("replies %q; want %q", got, want)
	}
	if got := texts(c.say("2")); got != "Name?" {
		t.Errorf("after the answer: %q; want the task's next question", got)
	}
}

// TestAgentTransferWithoutDesk: the node without a desk is today's
// handoff frame and the end of the task.
func TestAgentTransferWithoutDesk(t *testing.T) {
	c := newHandoffChat(t, nil)
	rs := c.say("billing question")
	if got, want := types(rs), "message,handoff,message"; got != want {
		t.Errorf("frame types %s; want %s", got, want)
	}
	if h := rs[1]; h.Reason != "billing" || h.Queue != "billing" {
		t.Errorf("handoff frame %+v; want reason and queue billing", h)
	}
}

// TestHandoffConversation: agent_transfer queues the conversation in its
// queue; the user's words go to the desk and the bot is silent; the desk's
// events reach the user as frames and the transcript; when the agent
// leaves, the bot is back.
func TestHandoffConversation(t *testing.T) {
	desk := &deskDouble{tickets: []dialog.HandoffTicket{{ID: "h7", Position: 1, Wait: 20 * time.Second}}}
	c := newHandoffChat(t, desk)
	c.say("billing question")
	if req := desk.requests[0]; req.Queue != "billing" || req.Reason != "billing" || !strings.Contains(req.Transcript, "") {
		t.Errorf("request %+v; want queue and reason billing", req)
	}
	steps := []struct {
		name      string
		do        func() []nodes.Reply
		wantTypes string
		wantText  string
	}{
		{"position update", func() []nodes.Reply {
			return c.event(dialog.AgentEvent{Kind: dialog.AgentQueued, ID: "h7", Position: 1, Wait: 5 * time.Second})
		}, "queued", "You are number 1 in the queue; expected wait about 1 minutes."},
		{"event of another handoff", func() []nodes.Reply {
			return c.event(dialog.AgentEvent{Kind: dialog.AgentJoined, ID: "h6", Agent: "Bob"})
		}, "", ""},
		{"agent joins", func() []nodes.Reply {
			return c.event(dialog.AgentEvent{Kind: dialog.AgentJoined, ID: "h7", Agent: "Alice Adams", SalesforceUser: "005A"})
		}, "agent_joined", "Alice Adams joined the conversation."},
		{"joined again", func() []nodes.Reply {
			return c.event(dialog.AgentEvent{Kind: dialog.AgentJoined, ID: "h7", Agent: "Alice Adams"})
		}, "", ""},
		{"user writes", func() []nodes.Reply { return c.say("my invoice is wrong") }, "message", ""},
		{"cancel goes to the agent", func() []nodes.Reply { return c.say("cancel") }, "message", ""},
		{"agent writes", func() []nodes.Reply {
			return c.event(dialog.AgentEvent{Kind: dialog.AgentMessage, ID: "h7", Agent: "Alice Adams", Text: "Let me check."})
		}, "agent_message", "Let me check."},
		{"agent leaves", func() []nodes.Reply {
			return c.event(dialog.AgentEvent{Kind: dialog.AgentLeft, ID: "h7", Agent: "Alice Adams"})
		}, "agent_left,message", "Alice Adams left the conversation. | You're chatting with the bot again. How can I help?"},
		{"late message", func() []nodes.Reply {
			return c.event(dialog.AgentEvent{Kind: dialog.AgentMessage, ID: "h7", Text: "late"})
		}, "", ""},
		{"the bot is back", func() []nodes.Reply { return c.say("order a pizza") }, "message", "How many?"},
	}
	for _, s := range steps {
		rs := s.do()
		if got := types(rs); got != s.wantTypes {
			t.Errorf("%s: frame types %q; want %q", s.name, got, s.wantTypes)
		}
		if got := texts(rs); got != s.wantText {
			t.Errorf("%s: texts %q; want %q", s.name, got, s.wantText)
		}
	}
	if got, want := strings.Join(desk.said, "|"), "h7 m2 my invoice is wrong|h7 m3 cancel"; got != want {
		t.Errorf("relayed %q; want %q", got, want)
	}
	if len(desk.left) != 0 {
		t.Errorf("UserLeft %v; want no call (the agent ended it)", desk.left)
	}
}
