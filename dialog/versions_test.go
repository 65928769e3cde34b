package dialog_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/botforge/dialogd/dialog"
	"github.com/botforge/dialogd/nodes"
	"github.com/botforge/dialogd/sessions"
)

// orderTask is a task whose texts say which version they come from; ask
// is the id of the node that asks (renaming it removes the node a
// conversation may wait at).
func orderTask(version, ask string) string {
	return fmt.Sprintf(`name: order
title: Order
nodes:
  - id: start
    type: intent
    utterances: [order]
    next: %[2]s
  - id: %[2]s
    type: entity
    entity_type: number
    prompt: "How many? (%[1]s)"
    next: done
  - id: done
    type: message
    text: "Ordered {{entities.%[2]s}} (%[1]s)."
`, version, ask)
}

// versionedBot writes a bot with the order task into a new directory and
// loads it as botd does.
func versionedBot(t *testing.T, task string) *dialog.Bot {
	t.Helper()
	return botFromFiles(t, map[string]string{"bot.yaml": "name: vbot\nlanguages: [en]\n", "tasks/order.yaml": task})
}

// botFromFiles writes files into a new bot directory and loads it.
func botFromFiles(t *testing.T, files map[string]string) *dialog.Bot {
	t.Helper()
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "tasks"), 0o755); err != nil {
		t.Fatal(err)
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	b, err := dialog.LoadDir(dir)
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	return b
}

type handler interface {
	Handle(ctx context.Context, sessionID, userID string, in nodes.Input) ([][]byte, error)
}

var versionMsg int

// sayTo sends text to session sid and returns the texts of the turn.
func sayTo(t *testing.T, h handler, sid, text string) string {
	t.Helper()
	versionMsg++
	frames, err := h.Handle(context.Background(), sid, "u-"+sid, nodes.Input{ID: fmt.Sprintf("v%d", versionMsg), Text: text})
	if err != nil {
		t.Fatalf("Handle(%q): %v", text, err)
	}
	return texts(decode(t, frames))
}

// A conversation inside a task when the bot is swapped goes on with the
// version it started with until the task ends; a new conversation, and the
// next task of the old one, run on the new version.
func TestConversationKeepsTaskVersionAcrossSwap(t *testing.T) {
	v1, v2 := versionedBot(t, orderTask("v1", "ask")), versionedBot(t, orderTask("v2", "ask"))
	if v1.Tasks["order"].Version == v2.Tasks["order"].Version || v1.Tasks["order"].Version == "" {
		t.Fatalf("versions %q and %q: want two different content hashes", v1.Tasks["order"].Version, v2.Tasks["order"].Version)
	}
	live := dialog.NewLive(v1, sessions.NewMemory(sessions.Options{}), dialog.Options{})
	steps := []struct {
		sid, say, swap, want string
	}{
		{sid: "old", say: "order", want: "How many? (v1)"},
		{swap: "v2"},
		{sid: "new", say: "order", want: "How many? (v2)"},
		{sid: "old", say: "3", want: "Ordered 3 (v1)."},
		{sid: "old", say: "order", want: "How many? (v2)"},
		{sid: "old", say: "4", want: "Ordered 4 (v2)."},
		{sid: "new", say: "5", want: "Ordered 5 (v2)."},
	}
	for i, s := range steps {
		if s.swap != "" {
			live.Swap(v2)
			continue
		}
		if got := sayTo(t, live, s.sid, s.say); got != s.want {
			t.Fatalf("step %d: %s says %q: got %q, want %q", i, s.sid, s.say, got, s.want)
		}
	}
}

// A conversation whose task version this process does not keep (another
// instance loaded it, or botd restarted) goes on with the current version
// when the node it waits at is still there, and is told the task stopped
// when it is not.
func TestUnknownTaskVersion(t *testing.T) {
	tests := []struct {
		name    string
		current string
		want    string
	}{
		{"node still there", orderTask("v2", "ask"), "Ordered 3 (v2)."},
		{"node gone", orderTask("v2", "count"), "I was updated while we were doing Order, so I stopped it. Please start it again:"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			store := sessions.NewMemory(sessions.Options{})
			before := dialog.NewLive(versionedBot(t, orderTask("v1", "ask")), store, dialog.Options{})
			if got := sayTo(t, before, "s", "order"); got != "How many? (v1)" {
				t.Fatalf("first turn: got %q", got)
			}
			// A new process on the same store that never saw v1.
			after := dialog.NewLive(versionedBot(t, tc.current), store, dialog.Options{})
			if got := sayTo(t, after, "s", "3"); got != tc.want {
				t.Fatalf("after the change: got %q, want %q", got, tc.want)
			}
			if got := sayTo(t, after, "s", "order"); got != "How many? (v2)" {
				t.Fatalf("starting again: got %q, want the current version's prompt", got)
			}
		})
	}
}

// TaskVersions keeps the last N versions of each task; one added again
// becomes the newest.
func TestTaskVersionsBound(t *testing.T) {
	var bots []*dialog.Bot
	for i := range 4 {
		bots = append(bots, versionedBot(t, orderTask(fmt.Sprintf("v%d", i), "ask")))
	}
	version := func(i int) string { return bots[i].Tasks["order"].Version }
	kept := dialog.NewTaskVersions(2)
	for _, i := range []int{0, 1, 0, 2} {
		kept.Add(bots[i])
	}
	for i, want := range []bool{true, false, true, false} {
		if got := kept.Lookup("order", version(i)) != nil; got != want {
			t.Errorf("version %d kept = %v, want %v", i, got, want)
		}
	}
	if n := kept.Count("order"); n != 2 {
		t.Errorf("Count = %d, want 2", n)
	}
	if got := strings.Count(version(0), ""); got != 13 {
		t.Errorf("version %q: want 12 hex digits", version(0))
	}
}

// Turns running while the bot is swapped again and again each run on one
// version, whole: an order's question and its answer come from the same
// version (run with -race).
func TestSwapDuringTurns(t *testing.T) {
	bots := []*dialog.Bot{versionedBot(t, orderTask("v1", "ask")), versionedBot(t, orderTask("v2", "ask"))}
	live := dialog.NewLive(bots[0], sessions.NewMemory(sessions.Options{}), dialog.Options{})
	var wg sync.WaitGroup
	wg.Go(func() {
		for i := range 200 {
			live.Swap(bots[i%2])
		}
	})
	for g := range 4 {
		wg.Go(func() {
			for i := range 25 {
				sid := fmt.Sprintf("g%d-%d", g, i)
				ask, err1 := live.Handle(context.Background(), sid, "u", nodes.Input{ID: "1", Text: "order"})
				answer, err2 := live.Handle(context.Background(), sid, "u", nodes.Input{ID: "2", Text: "7"})
				if err := errors.Join(err1, err2); err != nil {
					t.Errorf("%s: %v", sid, err)
					return
				}
				a, b := texts(decode(t, ask)), texts(decode(t, answer))
				v := strings.TrimSuffix(strings.TrimPrefix(a, "How many? ("), ")")
				if want := "Ordered 7 (" + v + ")."; b != want {
					t.Errorf("%s: asked %q, then %q; want %q", sid, a, b, want)
					return
				}
			}
		})
	}
	wg.Wait()
}

// parkedBot is a bot whose lead task waits for the user's authorization at
// the node named call.
func parkedBot(t *testing.T, call string) *dialog.Bot {
	t.Helper()
	return botFromFiles(t, map[string]string{
		"bot.yaml": "name: pbot\nlanguages: [en]\nauth_profiles:\n  crm:\n    kind: bearer\n    secret: {env: TEST_CRM_TOKEN}\n",
		"tasks/lead.yaml": fmt.Sprintf(`name: lead
title: Create a lead
nodes:
  - id: start
    type: intent
    utterances: [create a lead]
    next: %[1]s
  - id: %[1]s
    type: service
    method: POST
    url: "http://127.0.0.1:1/leads"
    auth: crm
    body: {Name: "x"}
`, call),
	})
}

// A conversation waiting for an authorization in a task whose node is gone
// from the current version (and whose own version is not kept) is told the
// task stopped, whether the authorization arrives or the user writes.
func TestParkedTaskChanged(t *testing.T) {
	const want = "I was updated while we were doing Create a lead, so I stopped it. Please start it again:"
	tests := []struct {
		name string
		next func(l *dialog.Live, sid string) ([][]byte, error)
	}{
		{"authorization arrives", func(l *dialog.Live, sid string) ([][]byte, error) {
			return l.Resume(context.Background(), sid, "u")
		}},
		{"user writes", func(l *dialog.Live, sid string) ([][]byte, error) {
			return l.Handle(context.Background(), sid, "u", nodes.Input{ID: "2", Text: "hello?"})
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			store := sessions.NewMemory(sessions.Options{})
			before := dialog.NewLive(parkedBot(t, "call"), store, dialog.Options{Auth: &gate{}})
			frames, err := before.Handle(context.Background(), "s", "u", nodes.Input{ID: "1", Text: "create a lead"})
			if err != nil {
				t.Fatal(err)
			}
			if rs := decode(t, frames); rs[len(rs)-1].Type != nodes.ReplyAuthorize {
				t.Fatalf("first turn %+v: want an authorize frame", rs)
			}
			after := dialog.NewLive(parkedBot(t, "call_crm"), store, dialog.Options{Auth: &gate{}})
			frames, err = tc.next(after, "s")
			if err != nil {
				t.Fatal(err)
			}
			if got := texts(decode(t, frames)); got != want {
				t.Fatalf("got %q, want %q", got, want)
			}
		})
	}
}
