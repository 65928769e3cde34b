package dialog_test

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/botforge/dialogd/dialog"
	"github.com/botforge/dialogd/nodes"
	"github.com/botforge/dialogd/sessions"
)

// fallbackLang tells the language of a fallback reply, by its first words.
func fallbackLang(text string) string {
	switch {
	case strings.HasPrefix(text, "Sorry"):
		return "en"
	case strings.HasPrefix(text, "Entschuldigung"):
		return "de"
	case strings.HasPrefix(text, "すみません"):
		return "ja"
	}
	return "?"
}

// restartLang tells the language of the restart command's reply.
func restartLang(text string) string {
	switch text {
	case "Okay, let's start over.":
		return "en"
	case "Okay, wir fangen von vorne an.":
		return "de"
	case "最初からやり直しましょう。":
		return "ja"
	}
	return "?"
}

// TestReplyLanguageFollowsEachMessage: each message's language picks the
// reply language, and short ambiguous input keeps it. An English "restart"
// after a German turn used to be answered in German.
func TestReplyLanguageFollowsEachMessage(t *testing.T) {
	store := sessions.NewMemory(sessions.Options{})
	defer store.Close()
	c := newChat(t, store)
	steps := []struct {
		say  string
		lang func(string) string // reads the language of the first reply
		want string
	}{
		{"Entschuldigung, wo bin ich?", fallbackLang, "de"},
		{"restart", restartLang, "en"},
		{"neu starten", restartLang, "de"},
		{"ok", fallbackLang, "de"},
		{"start over", restartLang, "en"},
		{"ja", fallbackLang, "en"},
		{"Jürgen Müller", fallbackLang, "en"},
		{"最初から", restartLang, "ja"},
		{"42", fallbackLang, "ja"},
		{"reset", restartLang, "en"},
		{"was ist das?", fallbackLang, "de"},
		{"jane@example.com", fallbackLang, "de"},
		{"what is this?", fallbackLang, "en"},
	}
	for _, s := range steps {
		rs := c.say(s.say)
		if got := s.lang(rs[0].Text); got != s.want {
			t.Errorf("%q was answered %q, in %q; want %q", s.say, rs[0].Text, got, s.want)
		}
	}
}

// TestFixedReplyLanguage: a language fixed by the channel (the widget's
// lang parameter, the identity's locale) holds whatever the user types.
func TestFixedReplyLanguage(t *testing.T) {
	store := sessions.NewMemory(sessions.Options{})
	defer store.Close()
	c := newChat(t, store)
	ctx := nodes.WithIdentity(context.Background(), nodes.Identity{UserID: "u1", Lang: "de"})
	for i, text := range []string{"restart", "what is this?", "最初から", "neu starten"} {
		frames, err := c.rt.Handle(ctx, c.sid, "u1", nodes.Input{ID: "f" + string(rune('0'+i)), Text: text})
		if err != nil {
			t.Fatalf("Handle(%q): %v", text, err)
		}
		rs := decode(t, frames)
		got := restartLang(rs[0].Text)
		if got == "?" {
			got = fallbackLang(rs[0].Text)
		}
		if got != "de" {
			t.Errorf("%q was answered %q, in %q; want de (fixed)", text, rs[0].Text, got)
		}
	}
}

// TestAnswersKeepTheLanguage: an answer to a question (a name that looks
// English) and a button's label (the bot's words) do not switch the reply
// language; only what the user writes of their own accord does.
func TestAnswersKeepTheLanguage(t *testing.T) {
	store := sessions.NewMemory(sessions.Options{})
	defer store.Close()
	c := newChat(t, store)
	if rs := c.say("リードを作成"); rs[0].Text != "お名前は？" {
		t.Fatalf("start in Japanese: %q; want お名前は？", rs[0].Text)
	}
	if rs := c.say("Hello Kitty"); rs[0].Text != "メールは？" {
		t.Errorf("a name answered was followed by %q; want メールは？ (still Japanese)", rs[0].Text)
	}
	c.say("cancel")
	c.say("最初から")
	// A button's English title, pressed in a Japanese conversation.
	if rs := c.send(nodes.Input{ID: "b1", Text: "Create a lead", Payload: "lead"}); rs[0].Text != "お名前は？" {
		t.Errorf("the Create a lead button was answered %q; want お名前は？ (still Japanese)", rs[0].Text)
	}
}

// TestLangInTheContext: {{ lang }} reads the turn's language (it used to
// be empty).
func TestLangInTheContext(t *testing.T) {
	fsys := fstest.MapFS{
		"bot.yaml": {Data: []byte("name: langs\nlanguages: [en, de, ja]\n")},
		"tasks/which.yaml": {Data: []byte(`name: which
nodes:
  - {id: start, type: intent, utterances: {en: [which language is this], de: [welche sprache ist das], ja: [これは何語ですか]}, next: say}
  - {id: say, type: message, text: "lang={{ lang }}"}
`)},
	}
	bot, err := dialog.LoadFS(fsys, "langs", nodes.Default())
	if err != nil {
		t.Fatal(err)
	}
	store := sessions.NewMemory(sessions.Options{})
	defer store.Close()
	rt := dialog.NewRuntime(bot, store, dialog.Options{Logger: slog.New(slog.DiscardHandler)})
	for i, tc := range []struct{ say, want string }{
		{"which language is this", "lang=en"}, {"welche sprache ist das", "lang=de"}, {"これは何語ですか", "lang=ja"},
	} {
		frames, err := rt.Handle(context.Background(), "s-1", "u-1", nodes.Input{ID: fmt.Sprint(i), Text: tc.say})
		if err != nil {
			t.Fatal(err)
		}
		if rs := decode(t, frames); len(rs) == 0 || rs[0].Text != tc.want {
			t.Errorf("%q: replies %+v; want %s", tc.say, rs, tc.want)
		}
	}
}
