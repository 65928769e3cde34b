package dialog_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/botforge/dialogd/dialog"
	"github.com/botforge/dialogd/dialog/nlu"
	"github.com/botforge/dialogd/nodes"
	"github.com/botforge/dialogd/sessions"
)

// understandBot has three tasks whose training utterances are few, so
// that free text must be understood rather than matched; settings is
// bot.yaml's settings block.
func understandBot(t *testing.T, settings string) *dialog.Bot {
	t.Helper()
	fsys := fstest.MapFS{
		"bot.yaml": {Data: []byte("name: understand\nlanguages: [en, de, ja]\nsettings:\n" + settings)},
		"tasks/create_lead.yaml": {Data: []byte(`name: create_lead
title: {en: Create a lead, de: Lead anlegen, ja: リード作成}
nodes:
  - id: start
    type: intent
    utterances:
      en: [create a lead, add a new lead, new lead, register a prospect]
      de: [Lead anlegen, neuen Lead erstellen, Interessent erfassen]
      ja: [リードを作成, 新しいリードを登録, 見込み客を登録]
    next: name
  - {id: name, type: entity, entity_type: person_name, prompt: "Name?", next: email}
  - {id: email, type: entity, entity_type: email, prompt: "E-mail?", next: done}
  - {id: done, type: message, text: "Lead {{ entities.name }} saved."}
`)},
		"tasks/find_case.yaml": {Data: []byte(`name: find_case
title: {en: Find a case, de: Fall suchen, ja: ケース検索}
nodes:
  - id: start
    type: intent
    utterances:
      en: [find a case, look up a support case, search cases, where is my ticket]
      de: [Fall suchen, Supportfall finden, wo ist mein Ticket]
      ja: [ケースを検索, 問い合わせを探す, チケットはどこ]
    next: number
  - {id: number, type: entity, entity_type: number, prompt: "Case number?", next: done}
  - {id: done, type: message, text: "Case {{ entities.number }} is open."}
`)},
		"tasks/update_lead.yaml": {Data: []byte(`name: update_lead
title: {en: Update a lead, de: Lead ändern, ja: リード更新}
nodes:
  - id: start
    type: intent
    utterances:
      en: [update a lead, change a lead, edit lead details]
      de: [Lead ändern, Lead bearbeiten]
      ja: [リードを更新, リードを編集]
    next: done
  - {id: done, type: message, text: "Which lead?"}
`)},
	}
	bot, err := dialog.LoadFS(fsys, "understand", nodes.Default())
	if err != nil {
		t.Fatal(err)
	}
	return bot
}

// converse starts a conversation with bot and returns a function that
// says one text in it and returns the bot's replies.
func converse(t *testing.T, bot *dialog.Bot) (say func(string) []nodes.Reply, rt *dialog.Runtime) {
	t.Helper()
	store := sessions.NewMemory(sessions.Options{})
	t.Cleanup(func() { store.Close() })
	rt = dialog.NewRuntime(bot, store, dialog.Options{})
	n := 0
	return func(text string) []nodes.Reply {
		t.Helper()
		n++
		frames, err := rt.Handle(context.Background(), "s-"+t.Name(), "u1", nodes.Input{ID: fmt.Sprintf("m%d", n), Text: text})
		if err != nil {
			t.Fatalf("say %q: %v", text, err)
		}
		return decode(t, frames)
	}, rt
}

func payloads(r nodes.Reply) []string {
	var out []string
	for _, b := range r.Buttons {
		out = append(out, b.Payload)
	}
	return out
}

// TestFreeTextStartsTask: what users type instead of a training phrase
// (more words, other words, a typo, another politeness) starts the task.
func TestFreeTextStartsTask(t *testing.T) {
	bot := understandBot(t, "  max_node_visits: 50\n")
	tests := []struct{ say, task string }{
		{"create a lead", "create_lead"},
		{"Create a lead!", "create_lead"},
		{"I'd like to add a new lead please", "create_lead"},
		{"please create a lead", "create_lead"},
		{"add lead", "create_lead"},
		{"creat a lead", "create_lead"},
		{"neuen Lead anlegen bitte", "create_lead"},
		{"新しいリードを登録したい", "create_lead"},
		{"can you find my support case", "find_case"},
		{"ich suche meinen Fall", "find_case"},
		{"change the lead please", "update_lead"},
	}
	first := map[string]string{"create_lead": "Name?", "find_case": "Case number?", "update_lead": "Which lead?"}
	for _, tt := range tests {
		t.Run(tt.say, func(t *testing.T) {
			say, _ := converse(t, bot)
			if got := texts(say(tt.say)); got != first[tt.task] {
				t.Errorf("%q: bot said %q; want %q, the start of %s (classified %+v)", tt.say, got, first[tt.task], tt.task, bot.Classify(tt.say, ""))
			}
		})
	}
}

// TestUnsureUnderstanding: near-ties ask "did you mean A or B?" with a
// button for each; text below the threshold is not understood and shows
// the closest tasks; text like no task shows them all.
func TestUnsureUnderstanding(t *testing.T) {
	tests := []struct {
		name, settings, say string
		wantText            string
		wantButtons         []string
	}{
		{"near-tie", "  nlu: {tie_margin: 1}\n", "lead details please", "Did you mean Update a lead or Create a lead?", []string{"update_lead", "create_lead"}},
		{"below the threshold", "  nlu: {threshold: 0.99}\n", "lead details please", "Sorry, I'm not sure what you mean. Is it one of these?", []string{"update_lead"}},
		{"like nothing", "  max_node_visits: 50\n", "qwertz uiop", "Sorry, I didn't understand that. Here is what I can do:", []string{"create_lead", "find_case", "update_lead"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bot := understandBot(t, tt.settings)
			say, _ := converse(t, bot)
			rs := say(tt.say)
			l := last(t, rs)
			if l.Text != tt.wantText {
				t.Errorf("reply %q; want %q (classified %+v)", l.Text, tt.wantText, bot.Classify(tt.say, "en"))
			}
			if got := payloads(l); strings.Join(got, ",") != strings.Join(tt.wantButtons, ",") {
				t.Errorf("buttons %v; want %v", got, tt.wantButtons)
			}
		})
	}
}

// TestNLUSettingsAreChecked: thresholds outside [0,1] are load errors at
// their line.
func TestNLUSettingsAreChecked(t *testing.T) {
	fsys := fstest.MapFS{
		"bot.yaml":         {Data: []byte("name: b\nsettings:\n  nlu:\n    threshold: 1.5\n    tie_margin: -0.1\n")},
		"tasks/hello.yaml": {Data: []byte("name: hello\nnodes:\n  - {id: start, type: intent, utterances: [hi], next: m}\n  - {id: m, type: message, text: Hi}\n")},
	}
	_, err := dialog.LoadFS(fsys, "b", nodes.Default())
	if err == nil {
		t.Fatal("loaded; want errors for both settings")
	}
	for _, want := range []string{"settings.nlu.threshold: must be between 0 and 1, got 1.5", "settings.nlu.tie_margin: must be between 0 and 1, got -0.1"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q; want it to say %q", err, want)
		}
	}
}

// TestAnswerOrRequest: while a node waits, a valid answer is taken even
// when it reads like a request, a request for another task is one, and a
// request for the running task is not taken as a free-text answer.
func TestAnswerOrRequest(t *testing.T) {
	bot := understandBot(t, "  max_node_visits: 50\n")
	tests := []struct {
		name   string
		script []string
		want   string // the last turn's texts
		task   string // the task running after it
		entity string // entities.name after it, "" for none
	}{
		{"a name", []string{"create a lead", "Ada Lovelace"}, "E-mail?", "create_lead", "Ada Lovelace"},
		{"the running task's request is no name", []string{"create a lead", "please create a lead"}, "We're already doing Create a lead. | Name?", "create_lead", ""},
		{"a paraphrase of it neither", []string{"create a lead", "I want to add a new lead"}, "We're already doing Create a lead. | Name?", "create_lead", ""},
		{"another task's training phrase", []string{"create a lead", "find a case"}, "Case number?", "find_case", ""},
		{"another task, not an e-mail", []string{"create a lead", "Ada", "can you look up a support case"}, "Case number?", "find_case", ""},
		{"digits are a try at an answer", []string{"create a lead", "Ada", "0711 12"}, "E-mail?", "create_lead", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			say, rt := converse(t, bot)
			var got string
			for _, s := range tt.script {
				got = texts(say(s))
			}
			if !strings.Contains(got, tt.want) {
				t.Errorf("last turn %q; want it to contain %q", got, tt.want)
			}
			snap, err := rt.Peek(context.Background(), "s-"+t.Name())
			if err != nil {
				t.Fatal(err)
			}
			if snap.Task != tt.task {
				t.Errorf("running task %q; want %q", snap.Task, tt.task)
			}
			if name, _ := snap.Memory.Entities["name"].(string); tt.entity != "" && name != tt.entity {
				t.Errorf("entities.name = %q; want %q", name, tt.entity)
			}
		})
	}
}

// TestClassifyIsTheRuntimesChoice: Bot.Classify gives a training phrase
// score 1 and tells the verdict the runtime acts on.
func TestClassifyIsTheRuntimesChoice(t *testing.T) {
	bot := understandBot(t, "  max_node_visits: 50\n")
	res := bot.Classify("Find a case.", "en")
	if res.Verdict != nlu.Confident || len(res.Matches) != 1 || res.Matches[0] != (nlu.Match{Intent: "find_case", Score: 1}) {
		t.Errorf("Classify(training phrase) = %+v; want find_case, confident, score 1", res)
	}
	if res := bot.Classify("qwertz uiop", "en"); res.Verdict != nlu.Unknown {
		t.Errorf("Classify(gibberish) = %+v; want unknown", res)
	}
}

// TestRequestsTellTheLanguage: a request switches the conversation to its
// language, with no task running and mid-task; an answer does not.
func TestRequestsTellTheLanguage(t *testing.T) {
	bot := understandBot(t, "  max_node_visits: 50\n")
	say, rt := converse(t, bot)
	steps := []struct{ say, lang string }{
		{"hallo", "de"},
		{"add lead", "en"},                     // no task running: typed, so detected
		{"Müller", "en"},                       // an answer to the name prompt
		{"neuen Lead anlegen bitte", "de"},     // the running task's request: not an answer
		{"can you find my support case", "en"}, // another task's request, mid-task
	}
	for _, s := range steps {
		say(s.say)
		snap, err := rt.Peek(context.Background(), "s-"+t.Name())
		if err != nil {
			t.Fatal(err)
		}
		if snap.Memory.Lang != s.lang {
			t.Errorf("after %q the language is %q; want %q", s.say, snap.Memory.Lang, s.lang)
		}
	}
}

// TestWhatCanYouDoIsHelp: asking what the bot can do is the help command,
// in each language, mid-task too (the task keeps waiting).
func TestWhatCanYouDoIsHelp(t *testing.T) {
	bot := understandBot(t, "  max_node_visits: 50\n")
	for _, tt := range []struct{ say, want string }{
		{"What can you do?", "Here is what I can do:"},
		{"Was kannst du?", "Das kann ich:"},
		{"何ができますか？", "できることは次のとおりです："},
	} {
		t.Run(tt.say, func(t *testing.T) {
			say, rt := converse(t, bot)
			say("create a lead")
			l := last(t, say(tt.say))
			if l.Text != tt.want || len(l.Buttons) != 3 {
				t.Errorf("reply %q with %d buttons; want %q with the 3 tasks", l.Text, len(l.Buttons), tt.want)
			}
			snap, err := rt.Peek(context.Background(), "s-"+t.Name())
			if err != nil {
				t.Fatal(err)
			}
			if snap.Task != "create_lead" || snap.Node != "name" {
				t.Errorf("after help the dialog is at %s/%s; want create_lead/name", snap.Task, snap.Node)
			}
		})
	}
}
