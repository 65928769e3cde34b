package dialog_test

import (
	"strings"
	"testing"

	"github.com/botforge/dialogd/dialog"
	"github.com/botforge/dialogd/nodes"
	"github.com/botforge/dialogd/sessions"
)

// newSmallTalkChat is a conversation with testdata/smalltalk, a bot that
// speaks English, German and Japanese and overrides the English answer
// to thanks.
func newSmallTalkChat(t *testing.T) *chat {
	t.Helper()
	bot, err := dialog.LoadDir("testdata/smalltalk")
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	return &chat{t: t, rt: dialog.NewRuntime(bot, sessions.NewMemory(sessions.Options{}), dialog.Options{}), sid: "s-" + t.Name()}
}

// overriddenThanks is testdata/smalltalk's English answer to thanks.
const overriddenThanks = "My pleasure!"

// Small talk with no task running is answered in the language it was in;
// a greeting or a question about the bot shows the tasks, as the welcome
// does.
func TestSmallTalkWithoutTask(t *testing.T) {
	tests := []struct {
		say, want string
		buttons   bool
	}{
		{"Hello!", nodes.BuiltinPhrase("en", "small_talk.greeting"), true},
		{"are you a bot?", nodes.BuiltinPhrase("en", "small_talk.are_you_a_bot"), true},
		{"thanks!", overriddenThanks, false},
		{"Danke dir", nodes.BuiltinPhrase("de", "small_talk.thanks"), false},
		{"Wer bist du?", nodes.BuiltinPhrase("de", "small_talk.who_are_you"), true},
		{"tschüss", nodes.BuiltinPhrase("de", "small_talk.goodbye"), false},
		{"こんにちは！", nodes.BuiltinPhrase("ja", "small_talk.greeting"), true},
		{"ありがとうございます！", nodes.BuiltinPhrase("ja", "small_talk.thanks"), false},
		{"How are you?", nodes.BuiltinPhrase("en", "small_talk.how_are_you"), true},
		{"thank you kindly", overriddenThanks, false}, // read by the small-talk model
	}
	c := newSmallTalkChat(t)
	for _, tc := range tests {
		l := last(t, c.say(tc.say))
		if l.Text != tc.want {
			t.Errorf("say %q: got %q; want %q", tc.say, l.Text, tc.want)
		}
		if got := len(l.Buttons) > 0 && l.Buttons[0].Payload == "lead"; got != tc.buttons {
			t.Errorf("say %q: task buttons %v; want %v", tc.say, l.Buttons, tc.buttons)
		}
	}
}

// Small talk in the middle of a task is answered in its language, the
// waiting question is asked again, and the next answer is taken: the task
// goes on as if nothing had been said.
func TestSmallTalkMidTaskThenTaskGoesOn(t *testing.T) {
	tests := []struct {
		lang, start, atName, atEmail, done string
	}{
		{"en", "create a lead", "hi there", "thanks!", "Saved Ada Lovelace <ada@example.com>."},
		{"de", "Lead anlegen", "Hallo, wie geht's?", "Danke schön", "Gespeichert: Ada Lovelace <ada@example.com>."},
		{"ja", "リードを作成", "こんにちは", "ありがとうございます！", "保存しました：Ada Lovelace <ada@example.com>"},
	}
	prompts := map[string][2]string{
		"en": {"Name?", "E-mail?"}, "de": {"Name?", "E-Mail-Adresse?"}, "ja": {"お名前は？", "メールアドレスは？"},
	}
	for _, tc := range tests {
		t.Run(tc.lang, func(t *testing.T) {
			c := newSmallTalkChat(t)
			name, email := prompts[tc.lang][0], prompts[tc.lang][1]
			if got := texts(c.say(tc.start)); got != name {
				t.Fatalf("say %q: got %q; want %q", tc.start, got, name)
			}
			rs := c.say(tc.atName)
			if got := texts(rs); !strings.HasSuffix(got, " | "+name) || len(rs) != 2 {
				t.Errorf("say %q at the name prompt: got %q; want an answer, then %q again", tc.atName, got, name)
			}
			if got := texts(c.say("Ada Lovelace")); got != email {
				t.Fatalf("say the name after small talk: got %q; want %q (the name taken)", got, email)
			}
			wantThanks := nodes.BuiltinPhrase(tc.lang, "small_talk.thanks")
			if tc.lang == "en" {
				wantThanks = overriddenThanks
			}
			if got, want := texts(c.say(tc.atEmail)), wantThanks+" | "+email; got != want {
				t.Errorf("say %q at the e-mail prompt: got %q; want %q", tc.atEmail, got, want)
			}
			if got := texts(c.say("ada@example.com")); got != tc.done {
				t.Errorf("say the e-mail after small talk: got %q; want %q", got, tc.done)
			}
		})
	}
}

// A greeting or goodbye mid-task names the task; a name that starts with
// a greeting is a name.
func TestSmallTalkMidTaskNamesTheTask(t *testing.T) {
	c := newSmallTalkChat(t)
	c.say("create a lead")
	tests := []struct{ say, want string }{
		{"hello again", nodes.BuiltinPhrase("en", "small_talk.greeting.in_task", "Create a lead") + " | Name?"},
		{"bye", nodes.BuiltinPhrase("en", "small_talk.goodbye.in_task", "Create a lead") + " | Name?"},
		{"Hi Ada", "E-mail?"},
		// Not an e-mail address, so the small-talk model may read it.
		{"thank you kindly", overriddenThanks + " | E-mail?"},
	}
	for _, tc := range tests {
		if got := texts(c.say(tc.say)); got != tc.want {
			t.Errorf("say %q: got %q; want %q", tc.say, got, tc.want)
		}
	}
}
