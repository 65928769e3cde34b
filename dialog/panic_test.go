package dialog_test

import (
	"context"
	"log/slog"
	"testing"
	"testing/fstest"
	"time"

	"github.com/botforge/dialogd/dialog"
	"github.com/botforge/dialogd/nodes"
	"github.com/botforge/dialogd/sessions"
)

// panicNode is a node type with a bug: it panics.
type panicNode struct{ _ int }

func (*panicNode) Run(context.Context, *nodes.Turn) (nodes.Outcome, error) { panic("node bug") }

// TestPanickingTurnFreesTheSession: a turn that panics (the channel
// recovers it) frees its session at once, so the user's next message is
// answered without waiting for the lease to lapse. It used to wait.
func TestPanickingTurnFreesTheSession(t *testing.T) {
	reg := nodes.Default().Clone()
	if err := reg.Add(nodes.Info{Type: "buggy", New: func() nodes.Node { return new(panicNode) }, Summary: "panics"}); err != nil {
		t.Fatal(err)
	}
	fsys := fstest.MapFS{
		"bot.yaml": {Data: []byte("name: buggy\n")},
		"tasks/crash.yaml": {Data: []byte(`name: crash
nodes:
  - {id: start, type: intent, utterances: [crash], next: boom}
  - {id: boom, type: buggy}
`)},
	}
	bot, err := dialog.LoadFS(fsys, "bot", reg)
	if err != nil {
		t.Fatal(err)
	}
	store := sessions.NewMemory(sessions.Options{LockTTL: 10 * time.Second})
	t.Cleanup(func() { store.Close() })
	rt := dialog.NewRuntime(bot, store, dialog.Options{Logger: slog.New(slog.DiscardHandler)})
	func() {
		defer func() {
			if p := recover(); p != "node bug" {
				t.Errorf("recovered %v; want the node's panic to go on", p)
			}
		}()
		_, _ = rt.Handle(context.Background(), "s-1", "u1", nodes.Input{ID: "m1", Text: "crash"})
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if _, err := rt.Handle(ctx, "s-1", "u1", nodes.Input{ID: "m2", Text: "hello"}); err != nil {
		t.Errorf("next message after a panicking turn: %v; want an answer (the session freed)", err)
	}
}
