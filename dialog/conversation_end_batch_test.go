package dialog_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/botforge/dialogd/dialog"
	"github.com/botforge/dialogd/nodes"
	"github.com/botforge/dialogd/sessions"
)

// TestConversationEndBatchRunsSideBySide: the handlers of the notes one
// sweep claims run at the same time, so that the batch ends within one
// handler's time, inside the claim. (They ran one after the other: with a
// slow API the last ones outlived the claim, and another process ran them
// a second time, concurrently: a second Task in Salesforce.)
func TestConversationEndBatchRunsSideBySide(t *testing.T) {
	const conversations = 4
	entered, release := make(chan struct{}, conversations), make(chan struct{})
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		entered <- struct{}{}
		<-release
		w.Write([]byte(`{}`))
	}))
	t.Cleanup(api.Close)
	const ttl = time.Millisecond
	store := sessions.NewMemory(sessions.Options{})
	t.Cleanup(func() { store.Close() })
	rt := dialog.NewRuntime(postBot(t, api.URL, ttl), store, dialog.Options{Logger: slog.New(slog.DiscardHandler), EndHold: time.Minute})
	ctx := context.Background()
	for i := range conversations {
		s := strconv.Itoa(i)
		if _, err := rt.Handle(ctx, "s-"+s, "u-"+s, nodes.Input{ID: "m1", Text: "hello"}); err != nil {
			t.Fatal(err)
		}
	}
	// Every conversation is due ttl after its commit, by the clock the
	// store reads too.
	time.Sleep(ttl)
	swept := make(chan int, 1)
	go func() {
		n, err := rt.SweepEnds(ctx)
		if err != nil {
			t.Errorf("SweepEnds: %v", err)
		}
		swept <- n
	}()
	inCall := 0
	for wait := time.After(endWait); inCall < conversations; {
		select {
		case <-entered:
			inCall++
		case <-wait:
			close(release)
			<-swept
			t.Fatalf("handlers in their call at once: got %d; want %d (the whole batch)", inCall, conversations)
		}
	}
	close(release)
	if n := <-swept; n != conversations {
		t.Errorf("sweep ran %d handlers; want %d", n, conversations)
	}
}
