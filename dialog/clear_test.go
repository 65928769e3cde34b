package dialog_test

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/botforge/dialogd/dialog"
	"github.com/botforge/dialogd/nodes"
	"github.com/botforge/dialogd/sessions"
)

// clearBot asks for an e-mail address (taken from "subscribe
// jane@example.com" when the request holds one), confirms it, and on "no"
// clears it with a logic node and goes back to the entity node, which asks
// again; the user variable it keeps is cleared too. It says today's date
// and the date 30 days on, from the runtime's clock.
var clearBot = fstest.MapFS{
	"bot.yaml": {Data: []byte("name: clearing\nlanguages: [en]\n")},
	"tasks/subscribe.yaml": {Data: []byte(`name: subscribe
nodes:
  - {id: start, type: intent, utterances: [subscribe], next: remember}
  - {id: remember, type: logic, set: [{name: last_email, scope: user, value: "{{ user.last_email | default: \"none\" }}"}], next: email}
  - {id: email, type: entity, entity_type: email, prompt: "Your e-mail address?", next: check}
  - id: check
    type: confirmation
    prompt: "Is {{ entities.email }} right?"
    on_yes: done
    on_no: forget
  - id: forget
    type: logic
    clear: [entities.email, user.last_email]
    next: email
  - {id: done, type: message, text: "Subscribed {{ entities.email }} on {{ today }} until {{ today | add_days: 30 }} (before: {{ user.last_email | default: \"cleared\" }})"}
`)},
}

// TestClearedEntityIsAskedAgain: an entity a logic node clears is asked
// for again when the dialog comes back to its node, also when it came
// from the request that started the task.
func TestClearedEntityIsAskedAgain(t *testing.T) {
	bot, err := dialog.LoadFS(clearBot, "clearing", nodes.Default())
	if err != nil {
		t.Fatal(err)
	}
	store := sessions.NewMemory(sessions.Options{})
	defer store.Close()
	day := time.Date(2027, 2, 10, 23, 59, 0, 0, time.UTC)
	rt := dialog.NewRuntime(bot, store, dialog.Options{Logger: slog.New(slog.DiscardHandler), Now: func() time.Time { return day }})
	n := 0
	say := func(text string) string {
		t.Helper()
		n++
		frames, err := rt.Handle(context.Background(), "s1", "u1", nodes.Input{ID: fmt.Sprintf("m%d", n), Text: text})
		if err != nil {
			t.Fatal(err)
		}
		return texts(decode(t, frames))
	}
	for _, tt := range []struct{ say, want string }{
		{"subscribe jane@example.com", "Is jane@example.com right?"},
		{"no", "Your e-mail address?"},
		{"jane@example.org", "Is jane@example.org right?"},
		{"no", "Your e-mail address?"},
		{"ada@example.net", "Is ada@example.net right?"},
		{"yes", "Subscribed ada@example.net on 2027-02-10 until 2027-03-12 (before: cleared)"},
	} {
		if got := say(tt.say); !strings.Contains(got, tt.want) {
			t.Fatalf("say %q: got %q; want %q", tt.say, got, tt.want)
		}
	}
}

// TestClearUnknownPathIsALoadError: what clear names is checked when the
// bot loads, at its line.
func TestClearUnknownPathIsALoadError(t *testing.T) {
	fsys := fstest.MapFS{
		"bot.yaml": clearBot["bot.yaml"],
		"tasks/bad.yaml": {Data: []byte(`name: bad
nodes:
  - {id: start, type: intent, utterances: [bad], next: forget}
  - id: forget
    type: logic
    clear: [entitis.email]
`)},
	}
	_, err := dialog.LoadFS(fsys, "clearing", nodes.Default())
	want := `tasks/bad.yaml:6:12: nodes.forget.clear[0]: "entitis.email": want entities.<name>, conversation.<name>, user.<name> or bot.<name> (did you mean "entities"?)`
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("load: %v; want %s", err, want)
	}
}
