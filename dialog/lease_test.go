package dialog_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/botforge/dialogd/dialog"
	"github.com/botforge/dialogd/nodes"
	"github.com/botforge/dialogd/sessions"
)

// slowServiceBot returns a runtime whose "call" task posts to an API that
// answers only when proceed is closed, and a channel that receives once
// per call when the API has the request.
func slowServiceBot(t *testing.T, proceed <-chan struct{}) (*dialog.Runtime, <-chan struct{}) {
	t.Helper()
	started := make(chan struct{}, 4)
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		started <- struct{}{}
		<-proceed
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusCreated)
		_, _ = w.Write([]byte(`{"id":"L1"}`))
	}))
	t.Cleanup(api.Close)
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "tasks"), 0o755); err != nil {
		t.Fatal(err)
	}
	task := `
name: call
nodes:
  - {id: start, type: intent, utterances: [call], next: call}
  - {id: call, type: service, method: POST, url: "` + api.URL + `/leads", body: {a: b}, next: done}
  - {id: done, type: message, text: "Created."}
`
	if err := os.WriteFile(filepath.Join(dir, "bot.yaml"), []byte("name: leasebot\nlanguages: [en]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "tasks", "call.yaml"), []byte(task), 0o644); err != nil {
		t.Fatal(err)
	}
	bot, err := dialog.LoadDir(dir)
	if err != nil {
		t.Fatalf("load the bot: %v", err)
	}
	store := sessions.NewMemory(sessions.Options{})
	t.Cleanup(func() { store.Close() })
	return dialog.NewRuntime(bot, store, dialog.Options{}), started
}

type turnResult struct {
	frames [][]byte
	err    error
}

// TestClientGoneStopsWaitNotTurn: when the client goes away (its context
// is cancelled), a turn that holds the session finishes its service call
// and commits, while a turn still waiting for the session stops at once.
func TestClientGoneStopsWaitNotTurn(t *testing.T) {
	proceed := make(chan struct{})
	rt, started := slowServiceBot(t, proceed)
	running, cancelRunning := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancelRunning()
	first := make(chan turnResult, 1)
	go func() {
		f, err := rt.Handle(running, "s-1", "u-1", nodes.Input{ID: "m-1", Text: "call"})
		first <- turnResult{f, err}
	}()
	<-started // the first turn holds the session and waits for the API

	waiting, cancelWaiting := context.WithCancel(context.Background())
	second := make(chan error, 1)
	go func() {
		_, err := rt.Handle(waiting, "s-1", "u-1", nodes.Input{ID: "m-2", Text: "hello"})
		second <- err
	}()
	cancelWaiting()
	select {
	case err := <-second:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("waiting turn after its client went away = %v; want context.Canceled", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the waiting turn did not stop when its client went away")
	}

	cancelRunning() // the first client goes away mid-call
	close(proceed)
	res := <-first
	if res.err != nil {
		t.Fatalf("running turn after its client went away: %v; want it finished", res.err)
	}
	all := string(joinFrames(res.frames))
	if !strings.Contains(all, "Created.") {
		t.Errorf("running turn's frames = %s; want the service call's success (Created.)", all)
	}
	// The turn was stored: the same message id is answered from the outbox.
	again, err := rt.Handle(context.Background(), "s-1", "u-1", nodes.Input{ID: "m-1", Text: "call"})
	if err != nil || string(joinFrames(again)) != all {
		t.Errorf("re-sent m-1 = %s, %v; want the stored replies %s", joinFrames(again), err, all)
	}
}

func joinFrames(fs [][]byte) []byte {
	var b []byte
	for _, f := range fs {
		b = append(b, f...)
		b = append(b, '\n')
	}
	return b
}
