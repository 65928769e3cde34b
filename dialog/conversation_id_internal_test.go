package dialog

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/botforge/dialogd/nodes"
	"github.com/botforge/dialogd/sessions"
)

// storedConversation reads the conversation id of a session's state.
func storedConversation(t *testing.T, store sessions.Store, session string) string {
	t.Helper()
	l, err := store.Acquire(context.Background(), storeKey(session))
	if err != nil {
		t.Fatal(err)
	}
	defer l.Release(context.Background())
	st, err := decodeState(l.State())
	if err != nil || st == nil {
		t.Fatalf("state of %s: %v, %v", session, st, err)
	}
	return st.ID
}

// TestConversationID: a conversation gets a UUIDv7 when its state is
// created, keeps it across turns and a restart, and the runtime's log
// lines name it (never the session id).
func TestConversationID(t *testing.T) {
	store := sessions.NewMemory(sessions.Options{})
	defer store.Close()
	bot, err := LoadDir("testdata/convend")
	if err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	rt := NewRuntime(bot, store, Options{Logger: slog.New(slog.NewJSONHandler(&logs, nil))})
	ctx := context.Background()
	say := func(session, id, text string) {
		t.Helper()
		if _, err := rt.Handle(ctx, session, "u1", nodes.Input{ID: id, Text: text}); err != nil {
			t.Fatal(err)
		}
	}
	say("s-1", "m1", "hello")
	first := storedConversation(t, store, "s-1")
	if id, err := uuid.Parse(first); err != nil || id.Version() != 7 {
		t.Fatalf("conversation id %q: %v, version %v; want a UUIDv7", first, err, id.Version())
	}
	say("s-1", "m2", "restart")
	say("s-1", "m3", "hello")
	if got := storedConversation(t, store, "s-1"); got != first {
		t.Errorf("after more turns and a restart the conversation id is %q; want %q", got, first)
	}
	say("s-2", "m1", "hello")
	if other := storedConversation(t, store, "s-2"); other == first || other == "" {
		t.Errorf("another session's conversation id is %q; want a new one (first %q)", other, first)
	}
	if _, err := rt.End(ctx, "s-1", "u1", "end-1"); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"conversation":"` + first + `"`, `"reason":"closed"`} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("logs lack %s:\n%s", want, logs.String())
		}
	}
	if strings.Contains(logs.String(), "s-1") {
		t.Errorf("logs name the session id:\n%s", logs.String())
	}
	say("s-1", "m4", "hello")
	if got := storedConversation(t, store, "s-1"); got == first || got == "" {
		t.Errorf("after the end the conversation id is %q; want a new one", got)
	}
}
