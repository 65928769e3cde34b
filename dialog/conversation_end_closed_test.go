package dialog_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/botforge/dialogd/dialog"
	"github.com/botforge/dialogd/nodes"
	"github.com/botforge/dialogd/sessions"
)

// TestClosedConversationEndRetried: a closed conversation whose handler
// failed (the CRM answered 503 when the user closed the chat) still ends
// (the session's next message begins a new conversation), and a sweep
// after the idle time-out runs the handler again on the closed
// conversation's own state, once. (It was logged and never run again: a
// conversation without its Salesforce Task.)
func TestClosedConversationEndRetried(t *testing.T) {
	eachStore(t, func(t *testing.T, open func() sessions.Store) {
		var mu sync.Mutex
		var posts []map[string]string
		api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			var body map[string]string
			b, _ := io.ReadAll(r.Body)
			_ = json.Unmarshal(b, &body)
			mu.Lock()
			posts = append(posts, body)
			first := len(posts) == 1
			mu.Unlock()
			if first {
				w.WriteHeader(http.StatusServiceUnavailable)
				return
			}
			w.Write([]byte(`{}`))
		}))
		t.Cleanup(api.Close)
		fsys := fstest.MapFS{
			"bot.yaml":        {Data: []byte("name: closer\nlanguages: [en]\nenv: {api: \"" + api.URL + "\"}\nsettings: {session_idle_ttl: 300ms}\nevents:\n  conversation_end: {task: post}\n")},
			"tasks/chat.yaml": {Data: []byte("name: chat\nnodes:\n  - {id: start, type: intent, utterances: [hello], next: keep}\n  - {id: keep, type: logic, set: [{name: topic, value: greeting}], next: hi}\n  - {id: hi, type: message, text: Hi.}\n")},
			"tasks/post.yaml": {Data: []byte("name: post\nnodes:\n  - {id: start, type: intent, utterances: [post the conversation], next: call}\n  - {id: call, type: service, method: POST, url: \"{{ env.api }}/log\", body: {c: \"{{ conversation.id }}\", topic: \"{{ conversation.topic }}\", reason: \"{{ conversation.end_reason }}\"}}\n")},
		}
		bot, err := dialog.LoadFS(fsys, "closer", nodes.Default())
		if err != nil {
			t.Fatal(err)
		}
		const hold = 300 * time.Millisecond
		rt := dialog.NewRuntime(bot, open(), dialog.Options{Logger: slog.New(slog.DiscardHandler), EndHold: hold})
		ctx := context.Background()
		if _, err := rt.Handle(ctx, "s-1", "u-1", nodes.Input{ID: "m1", Text: "hello"}); err != nil {
			t.Fatal(err)
		}
		if _, err := rt.End(ctx, "s-1", "u-1", "e1"); err != nil {
			t.Fatal(err)
		}
		time.Sleep(400 * time.Millisecond) // the closed conversation's note is due
		for range 3 {
			if _, err := rt.SweepEnds(ctx); err != nil {
				t.Fatal(err)
			}
			time.Sleep(hold + 100*time.Millisecond)
		}
		mu.Lock()
		defer mu.Unlock()
		if len(posts) != 2 {
			t.Fatalf("the CRM got %d posts %v; want 2 (the failed handler run again, once)", len(posts), posts)
		}
		first, again := posts[0], posts[1]
		if again["c"] != first["c"] || again["topic"] != "greeting" || again["reason"] != "closed" {
			t.Errorf("run again with %v; want the closed conversation %s, its topic greeting and reason closed", again, first["c"])
		}
	})
}
