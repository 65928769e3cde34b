package dialog_test

import (
	"testing"
	"testing/fstest"

	"github.com/botforge/dialogd/dialog"
	"github.com/botforge/dialogd/nodes"
	"github.com/botforge/dialogd/sessions"
)

// edgesBot: an order that calls a service between its questions and asks
// what to do about interruptions at its confirmation, a lead, a note and
// a handoff.
var edgesBot = fstest.MapFS{
	"bot.yaml": {Data: []byte("name: edges\nlanguages: [en, de]\nenv:\n  api: ${TEST_API:-http://127.0.0.1:1}\n")},
	"tasks/order.yaml": {Data: []byte(`name: order
title: the order
nodes:
  - {id: start, type: intent, utterances: [place an order], next: item}
  - {id: item, type: entity, entity_type: string, prompt: "Which item?", next: confirm}
  - id: confirm
    type: confirmation
    prompt: "Order {{entities.item}}?"
    on_yes: place
    on_no: stop
    interruptions: {policy: ask}
  - id: place
    type: service
    method: POST
    url: "{{env.api}}/orders"
    body: {Item: "{{entities.item}}"}
    next: gift
  - {id: gift, type: entity, entity_type: string, prompt: "Gift message?", next: done}
  - {id: done, type: message, text: "Ordered {{entities.item}}."}
  - {id: stop, type: message, text: "Not ordered."}
`)},
	"tasks/lead.yaml": {Data: []byte(`name: lead
title: {en: your lead, de: Ihren Lead}
nodes:
  - {id: start, type: intent, utterances: {en: [create a lead], de: [lead anlegen]}, next: name}
  - {id: name, type: entity, entity_type: person_name, prompt: {en: "Name?", de: "Name?"}, next: email}
  - {id: email, type: entity, entity_type: email, prompt: {en: "E-mail?", de: "E-Mail?"}, next: done}
  - {id: done, type: message, text: "Lead {{entities.name}} created."}
`)},
	"tasks/note.yaml": {Data: []byte(`name: note
title: Take a note
nodes:
  - {id: start, type: intent, utterances: [take a note], next: text}
  - {id: text, type: entity, entity_type: string, prompt: "Note?", next: done}
  - {id: done, type: message, text: "Noted."}
`)},
	"tasks/agent.yaml": {Data: []byte(`name: agent
title: an agent
nodes:
  - {id: start, type: intent, utterances: [talk to an agent], next: transfer}
  - {id: transfer, type: agent_transfer}
`)},
}

func newEdgesChat(t *testing.T) *chat {
	t.Helper()
	bot, err := dialog.LoadFS(edgesBot, "edges", nodes.Default())
	if err != nil {
		t.Fatal(err)
	}
	return &chat{t: t, rt: dialog.NewRuntime(bot, sessions.NewMemory(sessions.Options{}), dialog.Options{}), sid: "s-" + t.Name()}
}

// TestGoBackNeverCrossesASideEffect: once a service call ran, "go back"
// cannot reach the questions before it, so answering them again cannot
// call the service twice.
func TestGoBackNeverCrossesASideEffect(t *testing.T) {
	api := newLeadAPI(t)
	c := newEdgesChat(t)
	c.run([]step{
		{"place an order", "Which item?"},
		{"a chair", "Order a chair?"},
		{"yes", "Gift message?"},
		{"go back", "There is no earlier question to go back to. | Gift message?"},
		{"Enjoy", "Ordered a chair."},
	})
	if n := len(api.calls()); n != 1 {
		t.Errorf("the service was called %d times; want 1", n)
	}
}

// TestTypedYesNoAtTheInterruptionChoice: while the bot asks what to do
// about an interruption, a typed yes does the new task first (holding the
// running one) and a typed no goes on; neither answers the node's own
// yes/no question.
func TestTypedYesNoAtTheInterruptionChoice(t *testing.T) {
	api := newLeadAPI(t)
	for _, tt := range []struct {
		answer string
		steps  []step
	}{
		{"yes", []step{{"yes", "Okay, let's do Take a note first. I'll come back to the order afterwards. | Note?"}, {"milk", "Noted. | Back to the order: | Order a chair?"}}},
		{"no", []step{{"no", "Okay, let's go on with the order. | Order a chair?"}}},
	} {
		t.Run(tt.answer, func(t *testing.T) {
			c := newEdgesChat(t)
			c.run(append([]step{
				{"place an order", "Which item?"},
				{"a chair", "Order a chair?"},
				{"take a note", "We're in the middle of the order. What would you like to do about Take a note?"},
			}, tt.steps...))
			if n := len(api.calls()); n != 0 {
				t.Errorf("the order was placed (%d calls); the typed %s answered the bot's question, not the order's", n, tt.answer)
			}
		})
	}
}

// TestHandoffDropsHeldTasks: once a person takes over, the bot does not
// take up a held task under them.
func TestHandoffDropsHeldTasks(t *testing.T) {
	c := newEdgesChat(t)
	c.run([]step{
		{"create a lead", "Name?"},
		{"talk to an agent", "Let me connect you with a colleague."},
		{"hello", "Hello! How can I help you?"},
	})
}

// TestSmallTalkKeepsTheTasksLanguage: mid-task, small talk in words the
// other language uses too ("thx") is answered in the conversation's
// language, which stays.
func TestSmallTalkKeepsTheTasksLanguage(t *testing.T) {
	c := newEdgesChat(t)
	c.run([]step{
		{"lead anlegen", "Name?"},
		{"thx", "Gern geschehen! | Name?"},
	})
}
