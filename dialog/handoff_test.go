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
		{"en", "order a pizza", "I want a real person", "You are number 3 in the queue"},
		{"en", "", "Operater!", "You are number 3 in the queue"},
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

// TestDesignersOwnHandoffTask: a bot's own task for the words runs
// rather than the built-in request for a person.
func TestDesignersOwnHandoffTask(t *testing.T) {
	desk := &deskDouble{tickets: []dialog.HandoffTicket{{ID: "h1", Position: 1}}}
	c := newHandoffChat(t, desk)
	c.say("sales agent")
	if len(desk.requests) != 1 || desk.requests[0].Queue != "sales" || desk.requests[0].Reason != "sales_lead" {
		t.Errorf("requests %+v; want one from the sales task (queue sales, reason sales_lead)", desk.requests)
	}
}

// TestBareWordMayBeAnAnswer: a bare "agent" is a request for a person
// only when it cannot answer the question waiting; a whole request always
// is.
func TestBareWordMayBeAnAnswer(t *testing.T) {
	desk := &deskDouble{tickets: []dialog.HandoffTicket{{ID: "h1", Position: 1}}}
	c := newHandoffChat(t, desk)
	c.say("order a pizza")
	c.say("2")
	if got := texts(c.say("Real Person")); got != "Ordered." || len(desk.requests) != 0 {
		t.Errorf("a name that is a word for a person: %q, requests %+v; want the answer taken", got, desk.requests)
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
	for _, req := range desk.requests {
		if req.Reason == "user_request" {
			t.Errorf("desk got a request for a person %+v; want none", req)
		}
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
	want := "User: billing question\nBot: Let me connect you with a colleague."
	if req := desk.requests[0]; req.Queue != "billing" || req.Reason != "billing" || req.Transcript != want {
		t.Errorf("request %+v; want queue and reason billing, transcript %q", req, want)
	}
	steps := []struct {
		name      string
		do        func() []nodes.Reply
		wantTypes string
		wantText  string
	}{
		{"position update", func() []nodes.Reply {
			return c.event(dialog.AgentEvent{Kind: dialog.AgentQueued, ID: "h7", Position: 1, Wait: 5 * time.Second})
		}, "queued", "You are number 1 in the queue; expected wait about 1 minute."},
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

// TestNoAgentChoice: with nobody free the user may leave a message (the
// desk's task), wait (a request that waits), or decline, by button or in
// words of the three languages; anything else is read as usual.
func TestNoAgentChoice(t *testing.T) {
	noAgent := dialog.HandoffTicket{ID: "h1", NoAgent: true, LeaveMessageTask: "leave_message"}
	queued := dialog.HandoffTicket{ID: "h2", Position: 2, Wait: 3 * time.Minute}
	tests := []struct {
		name, ask     string
		ticket        dialog.HandoffTicket
		answer        nodes.Input
		wantQuestion  string
		wantReply     string
		wantWaitAsked bool
	}{
		{"leave button", "talk to a human", noAgent, nodes.Input{Payload: "leave_message", Text: "Leave a message"},
			"No agent is available right now. You can leave a message and we'll get back to you, or wait for the next free agent.", "What is your message?", false},
		{"wait button", "talk to a human", noAgent, nodes.Input{Payload: "handoff:wait", Text: "Wait"},
			"No agent is available", "You are number 2 in the queue; expected wait about 3 minutes.", true},
		{"typed wait", "talk to a human", noAgent, nodes.Input{Text: "I'll wait"}, "No agent is available", "You are number 2", true},
		{"typed message", "talk to a human", noAgent, nodes.Input{Text: "leave a message please"}, "No agent is available", "What is your message?", false},
		{"de warten", "mit einem Mitarbeiter sprechen", noAgent, nodes.Input{Text: "ich warte"}, "Gerade ist kein Mitarbeiter frei.", "Sie sind Nummer 2", true},
		{"ja 待ちます", "オペレーターと話したい", noAgent, nodes.Input{Text: "待ちます"}, "ただいま対応できるオペレーターがいません。", "現在 2 番目", true},
		{"declined", "talk to a human", noAgent, nodes.Input{Text: "no"}, "No agent is available", "Okay. I'm still here if I can help with anything else.", false},
		{"yes to two answers", "talk to a human", noAgent, nodes.Input{Text: "yes"}, "No agent is available", "You can leave a message and we'll get back to you, or wait", false},
		{"wait only, yes", "talk to a human", dialog.HandoffTicket{ID: "h1", NoAgent: true, LeaveMessageTask: "no_such_task"}, nodes.Input{Text: "yes"},
			"No agent is available right now. Would you like to wait for the next free agent?", "You are number 2", true},
		{"something else", "talk to a human", noAgent, nodes.Input{Text: "order a pizza"}, "No agent is available", "How many?", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			desk := &deskDouble{tickets: []dialog.HandoffTicket{tt.ticket, queued}}
			c := newHandoffChat(t, desk)
			if got := texts(c.say(tt.ask)); !strings.Contains(got, tt.wantQuestion) {
				t.Errorf("no agent: %q; want it to hold %q", got, tt.wantQuestion)
			}
			c.n++
			tt.answer.ID = fmt.Sprintf("m%d", c.n)
			if got := texts(c.send(tt.answer)); !strings.Contains(got, tt.wantReply) {
				t.Errorf("answer %+v: %q; want it to hold %q", tt.answer, got, tt.wantReply)
			}
			asked := len(desk.requests) == 2 && desk.requests[1].Wait && desk.requests[1].Context != nil
			if asked != tt.wantWaitAsked || len(desk.requests) > 2 {
				t.Errorf("requests %+v; want a second one that waits: %v", desk.requests, tt.wantWaitAsked)
			}
			if asked && tt.answer.Payload != "" && !strings.HasSuffix(desk.requests[1].Transcript, "User: "+tt.answer.Text) {
				t.Errorf("the agent's transcript ends %q; want the button's title, %q", desk.requests[1].Transcript, tt.answer.Text)
			}
		})
	}
}

// TestCancelWhileQueued: cancel leaves the queue (the desk is told) and
// the bot is back; a user who closes the chat while queued leaves too.
func TestCancelWhileQueued(t *testing.T) {
	desk := &deskDouble{tickets: []dialog.HandoffTicket{{ID: "h1", Position: 1}, {ID: "h2", Position: 1}}}
	c := newHandoffChat(t, desk)
	if got, want := texts(c.say("talk to a human")), "You are number 1 in the queue. An agent will be with you as soon as possible."; !strings.HasSuffix(got, want) {
		t.Errorf("queued without an estimate: %q; want it to end with %q", got, want)
	}
	if got, want := texts(c.say("cancel")), "You left the queue. I'm back; how can I help?"; got != want {
		t.Errorf("cancel while queued: %q; want %q", got, want)
	}
	if got := texts(c.say("order a pizza")); got != "How many?" {
		t.Errorf("after leaving the queue: %q; want the bot", got)
	}
	c.say("talk to a human")
	if _, err := c.rt.End(context.Background(), c.sid, "u1", ""); err != nil {
		t.Fatal(err)
	}
	if got, want := strings.Join(desk.left, ","), "h1,h2"; got != want {
		t.Errorf("UserLeft calls %q; want %q", got, want)
	}
	if len(desk.said) != 0 {
		t.Errorf("relayed %q; want nothing (cancel is not for the agent while queued)", desk.said)
	}
}

// TestHandoffReplay: a message sent again during a handoff is relayed
// once and answered with the same frames; a relay the desk cannot take
// fails the turn, so the client's retry gets through.
func TestHandoffReplay(t *testing.T) {
	desk := &deskDouble{tickets: []dialog.HandoffTicket{{ID: "h1", Agent: "Alice Adams", SalesforceUser: "005B"}}}
	c := newHandoffChat(t, desk)
	if got := types(c.say("talk to a human")); got != "message,handoff,agent_joined,message" {
		t.Errorf("assigned at once: frame types %s; want message,handoff,agent_joined,message", got)
	}
	defer func() {
		c.event(dialog.AgentEvent{Kind: dialog.AgentLeft, ID: "h1"})
		if got := texts(c.say("show the log")); !strings.Contains(got, "owner=005B agent=Alice Adams") {
			t.Errorf("assigned at once: log %q; want owner 005B and agent Alice Adams", got)
		}
	}()
	in := nodes.Input{ID: "dup", Text: "hello?"}
	first := c.send(in)
	again := c.send(in)
	if len(first) != 1 || len(again) != 1 || first[0].Seq != again[0].Seq || first[0].ReplyTo != "dup" {
		t.Errorf("replayed message: first %+v, again %+v; want the same one acknowledging frame", first, again)
	}
	desk.failSaid = true
	_, err := c.rt.Handle(context.Background(), c.sid, "u1", nodes.Input{ID: "m9", Text: "still there?"})
	var coded interface{ Code() string }
	if !errors.As(err, &coded) || coded.Code() != "unavailable" {
		t.Errorf("relay to a desk that is down: error %v; want code unavailable", err)
	}
	desk.failSaid = false
	c.send(nodes.Input{ID: "m9", Text: "still there?"})
	if got, want := strings.Join(desk.said, "|"), "h1 dup hello?|h1 m9 still there?"; got != want {
		t.Errorf("relayed %q; want %q", got, want)
	}
}

// TestHandoffLog: the agent's part is in the transcript and the agent's
// Salesforce user is kept for the conversation log (its Task's owner).
func TestHandoffLog(t *testing.T) {
	desk := &deskDouble{tickets: []dialog.HandoffTicket{{ID: "h1", Position: 1}}}
	c := newHandoffChat(t, desk)
	c.say("talk to a human")
	c.event(dialog.AgentEvent{Kind: dialog.AgentJoined, ID: "h1", Agent: "Alice Adams", SalesforceUser: "005A"})
	c.say("my order is late")
	c.event(dialog.AgentEvent{Kind: dialog.AgentMessage, ID: "h1", Text: "Sorry, it ships today."})
	c.event(dialog.AgentEvent{Kind: dialog.AgentLeft, ID: "h1"})
	got := texts(c.say("show the log"))
	for _, want := range []string{"owner=005A agent=Alice Adams", "Bot: Alice Adams joined the conversation.\nUser: my order is late\nAgent Alice Adams: Sorry, it ships today.\nBot: Alice Adams left the conversation."} {
		if !strings.Contains(got, want) {
			t.Errorf("log %q; want it to hold %q", got, want)
		}
	}
}

// TestHandoffRequestFails: a desk that cannot take the request leaves the
// bot in charge, and the user is told.
func TestHandoffRequestFails(t *testing.T) {
	c := newHandoffChat(t, &deskDouble{})
	want := "Sorry, I can't reach our agents right now. Please try again in a moment."
	if got := texts(c.say("talk to a human")); !strings.HasSuffix(got, want) {
		t.Errorf("replies %q; want them to end with %q", got, want)
	}
	if got := texts(c.say("order a pizza")); got != "How many?" {
		t.Errorf("after a failed request: %q; want the bot", got)
	}
}

// TestIdleHandoffLeavesTheDesk: a conversation that idles out while
// queued is an abandoned contact: the desk is told the user left.
func TestIdleHandoffLeavesTheDesk(t *testing.T) {
	bot, err := dialog.LoadDir("testdata/handoff")
	if err != nil {
		t.Fatal(err)
	}
	const idle = 20 * time.Millisecond
	store := sessions.NewMemory(sessions.Options{IdleTTL: idle})
	t.Cleanup(func() { store.Close() })
	desk := &deskDouble{tickets: []dialog.HandoffTicket{{ID: "h1", Position: 4}}}
	rt := dialog.NewRuntime(bot, store, dialog.Options{Handoffs: desk, IdleTTL: idle})
	c := &chat{t: t, rt: rt, sid: "s-idle"}
	c.say("talk to a human")
	// Poll the sweep (bounded): the idle deadline passes on the store's clock.
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if n, err := rt.SweepEnds(context.Background()); err != nil || n > 0 {
			break
		}
	}
	if got := strings.Join(desk.left, ","); got != "h1" {
		t.Errorf("UserLeft after the idle end: %q; want h1", got)
	}
}

// TestHandoffTranscriptWithoutLog: a bot with a desk keeps the transcript
// for the agent even when its conversation_end does not ask for one.
func TestHandoffTranscriptWithoutLog(t *testing.T) {
	bot, err := dialog.LoadDir("testdata/ok") // no events.conversation_end
	if err != nil {
		t.Fatal(err)
	}
	store := sessions.NewMemory(sessions.Options{})
	t.Cleanup(func() { store.Close() })
	desk := &deskDouble{tickets: []dialog.HandoffTicket{{ID: "h1", Position: 1}}}
	c := &chat{t: t, rt: dialog.NewRuntime(bot, store, dialog.Options{Handoffs: desk}), sid: "s-log"}
	c.say("create a lead")
	c.say("talk to a human")
	want := "User: create a lead\nBot: Name?\nUser: talk to a human\nBot: Let me connect you with a colleague."
	if len(desk.requests) != 1 || desk.requests[0].Transcript != want {
		t.Errorf("requests %+v; want one with the transcript %q", desk.requests, want)
	}
}

// TestCancelWhileQueuedInEveryLanguage: each language's cancel leaves the
// queue, and the bot says so in it.
func TestCancelWhileQueuedInEveryLanguage(t *testing.T) {
	tests := []struct{ ask, cancel, want string }{
		{"talk to a human", "stop", "You left the queue."},
		{"mit einem Menschen sprechen", "abbrechen", "Sie haben die Warteschlange verlassen."},
		{"オペレーターと話したい", "キャンセル", "順番待ちを取り消しました。"},
	}
	for _, tt := range tests {
		desk := &deskDouble{tickets: []dialog.HandoffTicket{{ID: "h1", Position: 1}}}
		c := newHandoffChat(t, desk)
		c.sid += tt.cancel
		c.say(tt.ask)
		if got := texts(c.say(tt.cancel)); !strings.HasPrefix(got, tt.want) || len(desk.left) != 1 {
			t.Errorf("%q while queued: %q, UserLeft %v; want %q and the desk told", tt.cancel, got, desk.left, tt.want)
		}
	}
}

// TestAskingForAHumanWhileParked: a task waiting for an authorization is
// handed off too; a late authorization then resumes nothing.
func TestAskingForAHumanWhileParked(t *testing.T) {
	newLeadAPI(t)
	bot, err := dialog.LoadDir("testdata/auth")
	if err != nil {
		t.Fatal(err)
	}
	store := sessions.NewMemory(sessions.Options{})
	t.Cleanup(func() { store.Close() })
	g := &gate{}
	desk := &deskDouble{tickets: []dialog.HandoffTicket{{ID: "h1", Position: 1}}}
	c := &chat{t: t, rt: dialog.NewRuntime(bot, store, dialog.Options{Auth: g, Handoffs: desk}), sid: "s-parked"}
	c.say("create a lead")
	c.say("Ann")
	if got := types(c.say("I need a human")); got != "message,handoff,queued,message" {
		t.Errorf("asking for a person while parked: frame types %s; want message,handoff,queued,message", got)
	}
	if len(desk.requests) != 1 || desk.requests[0].Context["task"] != "lead" {
		t.Errorf("requests %+v; want one with the parked task's context", desk.requests)
	}
	g.grant("u1", "crm")
	if frames, err := c.rt.Resume(context.Background(), c.sid, "u1"); err != nil || len(frames) != 0 {
		t.Errorf("a late authorization: %d frames, %v; want none (the task was handed off)", len(frames), err)
	}
}

// TestAgentMessageBeforeJoined: a message of the agent that reaches a
// conversation still queued (its joined event lost or late) joins the
// agent first; the late joined then changes nothing.
func TestAgentMessageBeforeJoined(t *testing.T) {
	desk := &deskDouble{tickets: []dialog.HandoffTicket{{ID: "h1", Position: 1}}}
	c := newHandoffChat(t, desk)
	c.say("talk to a human")
	rs := c.event(dialog.AgentEvent{Kind: dialog.AgentMessage, ID: "h1", Agent: "Alice Adams", Text: "Hi, I'm Alice."})
	if got, want := types(rs), "agent_joined,agent_message"; got != want {
		t.Errorf("message while queued: frames %s; want %s", got, want)
	}
	if rs := c.event(dialog.AgentEvent{Kind: dialog.AgentJoined, ID: "h1", Agent: "Alice Adams"}); len(rs) != 0 {
		t.Errorf("the late joined: %s; want nothing", types(rs))
	}
}
