package channels_test

import (
	"fmt"
	"log/slog"
	"net/http/httptest"
	"testing"
	"testing/fstest"
	"time"

	"github.com/botforge/dialogd/channels"
	"github.com/botforge/dialogd/channels/wstest"
	"github.com/botforge/dialogd/dialog"
	"github.com/botforge/dialogd/nodes"
	"github.com/botforge/dialogd/sessions"
)

// TestSeqGoesOnAfterIdleTimeout: a tab whose socket stays open while its
// conversation idles out gets the next conversation's frames numbered
// after the ones it has; they used to start again at 1, which a client
// that drops frames it has seen would drop.
func TestSeqGoesOnAfterIdleTimeout(t *testing.T) {
	const ttl = 300 * time.Millisecond
	fsys := fstest.MapFS{
		"bot.yaml":        {Data: []byte(fmt.Sprintf("name: idlebot\nlanguages: [en]\nsettings: {session_idle_ttl: %s}\n", ttl))},
		"tasks/chat.yaml": {Data: []byte(replayTasks)},
	}
	bot, err := dialog.LoadFS(fsys, "idlebot", nodes.Default())
	if err != nil {
		t.Fatal(err)
	}
	store := sessions.NewMemory(sessions.Options{})
	t.Cleanup(func() { store.Close() })
	log := slog.New(slog.DiscardHandler)
	ws := channels.New(dialog.NewRuntime(bot, store, dialog.Options{Logger: log}), channels.Options{Secret: []byte("0123456789abcdef-idle-secret"), Logger: log})
	hs := httptest.NewServer(ws)
	t.Cleanup(hs.Close)

	c := wstest.DialSession(t, wstest.URL(hs.URL, nil), nil)
	c.SendMessage("m1", "hello")
	_, first := c.ReadTurn()
	time.Sleep(ttl + 200*time.Millisecond) // the state idles out; the socket stays
	c.SendMessage("m2", "hello")
	_, second := c.ReadTurn()
	if second.Text != "Hi there." || second.Seq <= first.Seq {
		t.Errorf("after the idle time-out the reply is %s; want Hi there. numbered after seq %d", second.Raw, first.Seq)
	}
}
