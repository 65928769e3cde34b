package salesforce_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/botforge/dialogd/dialog"
	"github.com/botforge/dialogd/internal/salesforcetest"
	"github.com/botforge/dialogd/nodes"
	_ "github.com/botforge/dialogd/nodes/salesforce"
	"github.com/botforge/dialogd/sessions"
	"github.com/botforge/dialogd/sessions/storetest"
)

// chat is one conversation with a test bot whose tasks use the salesforce
// node, against sfsim.
type chat struct {
	t     *testing.T
	org   *salesforcetest.Org
	rt    *dialog.Runtime
	store *storetest.LostCommits
	n     int
}

// newChat loads a bot of the given task files (name → YAML) with a
// salesforce profile, against a fresh sfsim org.
func newChat(t *testing.T, tasks map[string]string) *chat {
	t.Helper()
	return newChatWithBot(t, "name: sfbot\nauth_profiles:\n  salesforce:\n    kind: bearer\n    secret: {env: UNUSED_SF_TOKEN}\n", tasks)
}

// newChatWithBot is newChat with the bot's own bot.yaml (which must name
// a profile salesforce; the runtime's authorizer is sfsim's all the same).
func newChatWithBot(t *testing.T, botYAML string, tasks map[string]string) *chat {
	t.Helper()
	org := salesforcetest.Start(t, "sfbot")
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "tasks"), 0o755); err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(dir, "bot.yaml"), botYAML)
	for name, src := range tasks {
		write(t, filepath.Join(dir, "tasks", name+".yaml"), src)
	}
	bot, err := dialog.LoadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	mem := sessions.NewMemory(sessions.Options{})
	t.Cleanup(func() { mem.Close() })
	store := &storetest.LostCommits{Store: mem}
	rt := dialog.NewRuntime(bot, store, dialog.Options{Auth: org.Auth, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	return &chat{t: t, org: org, rt: rt, store: store}
}

func write(t *testing.T, path, src string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
}

// reply is the part of a frame the tests read.
type reply struct {
	Type         string         `json:"type"`
	Text         string         `json:"text"`
	Buttons      []nodes.Button `json:"buttons"`
	QuickReplies []nodes.Button `json:"quick_replies"`
}

// say sends text (a new message) and returns the bot's replies.
func (c *chat) say(text string) []reply {
	c.t.Helper()
	c.n++
	return c.send(nodes.Input{ID: fmt.Sprintf("m%d", c.n), Text: text})
}

func (c *chat) send(in nodes.Input) []reply {
	c.t.Helper()
	frames, err := c.rt.Handle(context.Background(), "s-1", "u-1", in)
	if err != nil {
		c.t.Fatalf("say %q: %v", in.Text, err)
	}
	var out []reply
	for _, f := range frames {
		var r reply
		if err := json.Unmarshal(f, &r); err != nil {
			c.t.Fatal(err)
		}
		if r.Text != "" || len(r.Buttons) > 0 {
			out = append(out, r)
		}
	}
	return out
}

// texts joins the replies' texts.
func texts(rs []reply) string {
	var s []string
	for _, r := range rs {
		s = append(s, r.Text)
	}
	return strings.Join(s, " | ")
}

// expect sends text and fails unless the replies contain want.
func (c *chat) expect(text, want string) []reply {
	c.t.Helper()
	rs := c.say(text)
	if got := texts(rs); !strings.Contains(got, want) {
		c.t.Fatalf("say %q: got %q; want it to contain %q", text, got, want)
	}
	return rs
}

// count is the number of records a SOQL COUNT() query finds in the org.
func (c *chat) count(soql string) int {
	c.t.Helper()
	res, err := c.org.Sim.RunQuery(soql, false)
	if err != nil {
		c.t.Fatalf("%s: %v", soql, err)
	}
	return res.TotalSize
}

// create makes a record in the org as the demo user.
func (c *chat) create(object string, fields map[string]any) {
	c.t.Helper()
	if _, err := c.org.Records(c.t).Create(context.Background(), object, fields); err != nil {
		c.t.Fatal(err)
	}
}
