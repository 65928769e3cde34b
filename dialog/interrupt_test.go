package dialog_test

import (
	"maps"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/botforge/dialogd/dialog"
	"github.com/botforge/dialogd/sessions"
)

// newInterruptChat is a conversation with testdata/interrupt: the bot
// holds and announces by default, holds at most two tasks; "case" drops
// itself when interrupted, order's question lets the user choose, the
// survey's first question allows no interruption and the survey comes
// back only if the user wants.
func newInterruptChat(t *testing.T) *chat {
	t.Helper()
	return newChatIn(t, "testdata/interrupt", sessions.NewMemory(sessions.Options{}))
}

// step is one user turn and the texts of the bot's replies to it; an input
// starting with "click:" clicks the button with that payload.
type step struct{ in, want string }

// run plays steps and checks each reply.
func (c *chat) run(steps []step) {
	c.t.Helper()
	for i, s := range steps {
		var got string
		if p, ok := strings.CutPrefix(s.in, "click:"); ok {
			got = texts(c.click(p))
		} else {
			got = texts(c.say(s.in))
		}
		if got != s.want {
			c.t.Fatalf("turn %d %q:\ngot  %s\nwant %s", i, s.in, got, s.want)
		}
	}
}

// Each interruption policy, as the node, task or bot sets it.
func TestInterruptionPolicies(t *testing.T) {
	tests := []struct {
		name  string
		steps []step
	}{
		{"bot: hold, then announce and ask the waiting question again", []step{
			{"create a lead", "What is their name?"},
			{"Ada Lovelace", "What is their e-mail?"},
			{"take a note", "Okay, let's do Take a note first. I'll come back to your lead afterwards. | Note?"},
			{"buy milk", "Noted: buy milk. | Back to your lead: | What is their e-mail?"},
			{"ada@example.com", "Lead Ada Lovelace <ada@example.com> created."},
		}},
		{"the interrupting task starts clean and the held one gets its own entities back", []step{
			{"create a lead", "What is their name?"},
			{"Ada Lovelace", "What is their e-mail?"},
			{"take a survey", "Okay, let's do the survey first. I'll come back to your lead afterwards. | Score from 1 to 10?"},
			{"7", "Any comment?"},
			{"fine", "Thanks for 7: fine. | Back to your lead: | What is their e-mail?"},
			{"ada@example.com", "Lead Ada Lovelace <ada@example.com> created."},
		}},
		{"a task that asks nothing comes and goes quietly, even with resume confirm", []step{
			{"create a lead", "What is their name?"},
			{"Ada Lovelace", "What is their e-mail?"},
			{"what is the weather", "Sunny. | What is their e-mail?"},
			{"take a survey", "Okay, let's do the survey first. I'll come back to your lead afterwards. | Score from 1 to 10?"},
			{"7", "Any comment?"},
			{"what is the weather", "Sunny. | Any comment?"},
		}},
		{"task: discard, with a notice; nothing comes back", []step{
			{"open a case", "Subject?"},
			{"create a lead", "Okay, I've dropped Open a case. Let's do your lead instead. | What is their name?"},
			{"Ann Lee", "What is their e-mail?"},
			{"ann@example.com", "Lead Ann Lee <ann@example.com> created."},
		}},
		{"node: not allowed, the question again; the next node inherits hold", []step{
			{"take a survey", "Score from 1 to 10?"},
			{"create a lead", "Let's finish the survey first. Say cancel if you'd rather stop it. | Score from 1 to 10?"},
			{"8", "Any comment?"},
			{"create a lead", "Okay, let's do your lead first. I'll come back to the survey afterwards. | What is their name?"},
		}},
		{"node: ask, hold and switch", []step{
			{"place an order", "How many?"},
			{"create a lead", "We're in the middle of Place an order. What would you like to do about your lead?"},
			{"click:interrupt:hold", "Okay, let's do your lead first. I'll come back to Place an order afterwards. | What is their name?"},
			{"Ann Lee", "What is their e-mail?"},
			{"ann@example.com", "Lead Ann Lee <ann@example.com> created. | Back to Place an order: | How many?"},
			{"3", "Ordered 3."},
		}},
		{"node: ask, the words that asked for the new task fill its entities", []step{
			{"place an order", "How many?"},
			{"create a lead with ada@example.com", "We're in the middle of Place an order. What would you like to do about your lead?"},
			{"click:interrupt:hold", "Okay, let's do your lead first. I'll come back to Place an order afterwards. | What is their name?"},
			{"Ada Lovelace", "Lead Ada Lovelace <ada@example.com> created. | Back to Place an order: | How many?"},
		}},
		{"node: ask, drop and switch", []step{
			{"place an order", "How many?"},
			{"create a lead", "We're in the middle of Place an order. What would you like to do about your lead?"},
			{"click:interrupt:discard", "Okay, I've dropped Place an order. Let's do your lead instead. | What is their name?"},
			{"Ann Lee", "What is their e-mail?"},
			{"ann@example.com", "Lead Ann Lee <ann@example.com> created."},
		}},
		{"node: ask, go on", []step{
			{"place an order", "How many?"},
			{"create a lead", "We're in the middle of Place an order. What would you like to do about your lead?"},
			{"click:interrupt:continue", "Okay, let's go on with Place an order. | How many?"},
			{"4", "Ordered 4."},
		}},
		{"node: ask, an answer instead of a choice is an answer", []step{
			{"place an order", "How many?"},
			{"create a lead", "We're in the middle of Place an order. What would you like to do about your lead?"},
			{"5", "Ordered 5."},
		}},
		{"task: resume confirmed", []step{
			{"take a survey", "Score from 1 to 10?"},
			{"9", "Any comment?"},
			{"take a note", "Okay, let's do Take a note first. I'll come back to the survey afterwards. | Note?"},
			{"buy milk", "Noted: buy milk. | Shall we go back to the survey?"},
			{"yes", "Back to the survey: | Any comment?"},
			{"good", "Thanks for 9: good."},
		}},
		{"task: resume declined drops the held task", []step{
			{"take a survey", "Score from 1 to 10?"},
			{"9", "Any comment?"},
			{"take a note", "Okay, let's do Take a note first. I'll come back to the survey afterwards. | Note?"},
			{"buy milk", "Noted: buy milk. | Shall we go back to the survey?"},
			{"no", "Okay, I've dropped the survey."},
			{"what is the weather", "Sunny."},
		}},
		{"asking for a held task takes it up again rather than starting it twice", []step{
			{"create a lead", "What is their name?"},
			{"Ann Lee", "What is their e-mail?"},
			{"place an order", "Okay, let's do Place an order first. I'll come back to your lead afterwards. | How many?"},
			{"create a lead", "We're in the middle of Place an order. What would you like to do about your lead?"},
			{"click:interrupt:discard", "Okay, I've dropped Place an order. Let's do your lead instead. | Back to your lead: | What is their e-mail?"},
			{"ann@example.com", "Lead Ann Lee <ann@example.com> created."},
			{"what is the weather", "Sunny."},
		}},
		{"a held task taken up by hold swaps places with the running one", []step{
			{"create a lead", "What is their name?"},
			{"Ann Lee", "What is their e-mail?"},
			{"take a survey", "Okay, let's do the survey first. I'll come back to your lead afterwards. | Score from 1 to 10?"},
			{"3", "Any comment?"},
			{"click:lead", "Okay, let's do your lead first. I'll come back to the survey afterwards. | Back to your lead: | What is their e-mail?"},
			{"ann@example.com", "Lead Ann Lee <ann@example.com> created. | Shall we go back to the survey?"},
		}},
		{"task: resume confirmed by asking for the held task", []step{
			{"take a survey", "Score from 1 to 10?"},
			{"9", "Any comment?"},
			{"take a note", "Okay, let's do Take a note first. I'll come back to the survey afterwards. | Note?"},
			{"buy milk", "Noted: buy milk. | Shall we go back to the survey?"},
			{"take a survey", "Back to the survey: | Any comment?"},
			{"good", "Thanks for 9: good."},
		}},
		{"task: resume asked again after something else", []step{
			{"take a survey", "Score from 1 to 10?"},
			{"9", "Any comment?"},
			{"take a note", "Okay, let's do Take a note first. I'll come back to the survey afterwards. | Note?"},
			{"buy milk", "Noted: buy milk. | Shall we go back to the survey?"},
			{"what is the weather", "Sunny. | Shall we go back to the survey?"},
		}},
		{"a task button mid-task is an interruption too", []step{
			{"create a lead", "What is their name?"},
			{"click:weather", "Sunny. | What is their name?"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			newInterruptChat(t).run(tt.steps)
		})
	}
}

// Two held tasks come back last-in first-out, each as it was held (its
// own resume mode), and the cap (two) holds no third: the bot offers to
// drop the running task instead.
func TestHeldTasksResumeLastInFirstOut(t *testing.T) {
	twoHeld := []step{
		{"take a survey", "Score from 1 to 10?"},
		{"6", "Any comment?"},
		{"create a lead", "Okay, let's do your lead first. I'll come back to the survey afterwards. | What is their name?"},
		{"place an order", "Okay, let's do Place an order first. I'll come back to your lead afterwards. | How many?"},
	}
	tests := []struct {
		name  string
		steps []step
	}{
		{"LIFO", []step{
			{"2", "Ordered 2. | Back to your lead: | What is their name?"},
			{"Ann Lee", "What is their e-mail?"},
			{"ann@example.com", "Lead Ann Lee <ann@example.com> created. | Shall we go back to the survey?"},
			{"yes", "Back to the survey: | Any comment?"},
			{"ok", "Thanks for 6: ok."},
		}},
		{"at the cap, drop the running task", []step{
			{"take a note", "We're in the middle of Place an order. What would you like to do about Take a note?"},
			{"click:interrupt:hold", "I can keep only 2 tasks on hold. Drop Place an order and do Take a note instead?"},
			{"yes", "Okay, I've dropped Place an order. Let's do Take a note instead. | Note?"},
			{"buy milk", "Noted: buy milk. | Back to your lead: | What is their name?"},
		}},
		{"at the cap, a task that asks nothing still comes and goes", []step{
			{"what is the weather", "We're in the middle of Place an order. What would you like to do about the weather?"},
			{"click:interrupt:hold", "Sunny. | How many?"},
		}},
		{"at the cap, go on", []step{
			{"take a note", "We're in the middle of Place an order. What would you like to do about Take a note?"},
			{"click:interrupt:hold", "I can keep only 2 tasks on hold. Drop Place an order and do Take a note instead?"},
			{"no", "Okay, let's go on with Place an order. | How many?"},
			{"1", "Ordered 1. | Back to your lead: | What is their name?"},
		}},
		{"discard drops the running task and the last held one comes back", []step{
			{"discard", "Okay, I've canceled that. | Back to your lead: | What is their name?"},
			{"cancel", "Okay, I've canceled that. | Shall we go back to the survey?"},
			{"cancel", "Okay, I've dropped the survey."},
			{"cancel", "There is nothing to cancel."},
		}},
		{"discard all", []step{
			{"discard all", "Okay, I've dropped everything."},
			{"what is the weather", "Sunny."},
			{"cancel all", "There is nothing to cancel."},
		}},
		{"restart clears the held tasks", []step{
			{"restart", "Okay, let's start over."},
			{"what is the weather", "Sunny."},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			newInterruptChat(t).run(append(append([]step(nil), twoHeld...), tt.steps...))
		})
	}
}

// "go back" forgets the previous answer and asks for it again, also in a
// task that was held in between; with nothing to go back to it says so.
func TestGoBack(t *testing.T) {
	tests := []struct {
		name  string
		steps []step
	}{
		{"en", []step{
			{"create a lead", "What is their name?"},
			{"go back", "There is no earlier question to go back to. | What is their name?"},
			{"Ada Lovelace", "What is their e-mail?"},
			{"go back", "Okay, let's go back. | What is their name?"},
			{"Grace Hopper", "What is their e-mail?"},
			{"grace@example.com", "Lead Grace Hopper <grace@example.com> created."},
		}},
		{"across a hold", []step{
			{"create a lead", "What is their name?"},
			{"Ada Lovelace", "What is their e-mail?"},
			{"take a note", "Okay, let's do Take a note first. I'll come back to your lead afterwards. | Note?"},
			{"buy milk", "Noted: buy milk. | Back to your lead: | What is their e-mail?"},
			{"back", "Okay, let's go back. | What is their name?"},
		}},
		{"de", []step{
			{"lead anlegen", "Wie heißt die Person?"},
			{"Ada Lovelace", "Wie lautet die E-Mail?"},
			{"zurück", "Okay, einen Schritt zurück. | Wie heißt die Person?"},
			{"alles abbrechen", "Okay, ich habe alles verworfen."},
		}},
		{"ja", []step{
			{"リードを作成", "お名前は？"},
			{"山田 太郎", "メールは？"},
			{"戻る", "では、ひとつ前に戻りましょう。 | お名前は？"},
			{"すべてキャンセル", "すべて中止しました。"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			newInterruptChat(t).run(tt.steps)
		})
	}
}

// The held tasks are in the stored state: another instance, with nothing
// of the first in memory, takes the conversation up and resumes them.
func TestHeldTasksSurviveInstances(t *testing.T) {
	store := sessions.NewMemory(sessions.Options{})
	first := newChatIn(t, "testdata/interrupt", store)
	first.run([]step{
		{"create a lead", "What is their name?"},
		{"Ada Lovelace", "What is their e-mail?"},
		{"take a survey", "Okay, let's do the survey first. I'll come back to your lead afterwards. | Score from 1 to 10?"},
	})
	second := newChatIn(t, "testdata/interrupt", store)
	second.n = first.n
	second.run([]step{
		{"5", "Any comment?"},
		{"none", "Thanks for 5: none. | Back to your lead: | What is their e-mail?"},
		{"go back", "Okay, let's go back. | What is their name?"},
	})
}

// A bad interruption setting is reported at its place, at each level.
func TestInterruptionSettingErrors(t *testing.T) {
	task := func(extra, nodeExtra string) string {
		return "name: t\n" + extra + "nodes:\n  - id: start\n    type: intent\n    utterances: [go]\n    next: q\n  - id: q\n    type: entity\n    entity_type: number\n    prompt: N?\n" + nodeExtra
	}
	tests := []struct {
		name      string
		bot, task string
		want      string
	}{
		{"bot policy", "name: b\nsettings:\n  interruptions:\n    policy: hodl\n", task("", ""),
			`bot.yaml:4:13: settings.interruptions.policy: unknown interruption policy "hodl" (want hold, discard, not_allowed or ask)`},
		{"bot cap", "name: b\nsettings:\n  interruptions:\n    max_held: 0\n", task("", ""),
			`bot.yaml:4:15: settings.interruptions.max_held: "0" is not a whole number from 1 to 10`},
		{"task resume", "name: b\n", task("interruptions:\n  resume: later\n", ""),
			`tasks/t.yaml:3:11: interruptions.resume: unknown resume mode "later" (want announce or confirm)`},
		{"node policy", "name: b\n", task("", "    interruptions: {policy: never}\n"),
			`tasks/t.yaml:11:29: nodes.q.interruptions.policy: unknown interruption policy "never" (want hold, discard, not_allowed or ask)`},
		{"node key misspelt", "name: b\n", task("", "    interruptions: {polcy: ask}\n"),
			`tasks/t.yaml:11:21: nodes.q.interruptions: unknown key "polcy" (did you mean "policy"?)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeBot(t, map[string]string{"bot.yaml": tt.bot, "tasks/t.yaml": tt.task})
			_, err := dialog.LoadDir(dir)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("load: %v\nwant an error containing %s", err, tt.want)
			}
		})
	}
}

// dialogd_interruptions_total counts what became of each interruption;
// reaching the cap on held tasks is counted.
func TestInterruptionMetrics(t *testing.T) {
	bot, err := dialog.LoadDir("testdata/interrupt")
	if err != nil {
		t.Fatal(err)
	}
	reg := prometheus.NewRegistry()
	rt := dialog.NewRuntime(bot, sessions.NewMemory(sessions.Options{}), dialog.Options{Metrics: dialog.NewMetrics(reg)})
	c := &chat{t: t, rt: rt, sid: "s-" + t.Name()}
	c.run([]step{
		{"take a survey", "Score from 1 to 10?"},
		{"create a lead", "Let's finish the survey first. Say cancel if you'd rather stop it. | Score from 1 to 10?"},
		{"6", "Any comment?"},
		{"create a lead", "Okay, let's do your lead first. I'll come back to the survey afterwards. | What is their name?"},
		{"place an order", "Okay, let's do Place an order first. I'll come back to your lead afterwards. | How many?"},
		{"take a note", "We're in the middle of Place an order. What would you like to do about Take a note?"},
		{"click:interrupt:hold", "I can keep only 2 tasks on hold. Drop Place an order and do Take a note instead?"},
		{"yes", "Okay, I've dropped Place an order. Let's do Take a note instead. | Note?"},
		{"buy milk", "Noted: buy milk. | Back to your lead: | What is their name?"},
		{"discard all", "Okay, I've dropped everything."},
	})
	want := map[string]float64{"not_allowed": 1, "held": 2, "asked": 1, "cap_reached": 1, "discarded": 1, "resumed": 1, "dropped": 1}
	got := map[string]float64{}
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != "dialogd_interruptions_total" {
			continue
		}
		for _, m := range mf.GetMetric() {
			got[m.GetLabel()[0].GetValue()] = m.GetCounter().GetValue()
		}
	}
	if !maps.Equal(got, want) {
		t.Errorf("dialogd_interruptions_total by outcome:\ngot  %v\nwant %v", got, want)
	}
}
