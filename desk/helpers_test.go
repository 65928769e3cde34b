package desk

import (
	"context"
	"sync"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/botforge/dialogd/sessions/redistest"
)

// usersLog records what a desk tells its users: a stand-in for the dialog
// runtime, whose side cmd/botd's end-to-end tests cover.
type usersLog struct {
	mu     sync.Mutex
	events []UserEvent
}

func (u *usersLog) AgentEvent(_ context.Context, session, user string, ev UserEvent) error {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.events = append(u.events, ev)
	return nil
}

func (u *usersLog) AgentTyping(context.Context, string, string) error { return nil }

// clock is a settable clock.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// mustDecode decodes a desk: section from YAML text.
func mustDecode(t testing.TB, src string) *Config {
	t.Helper()
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(src), &doc); err != nil {
		t.Fatal(err)
	}
	cfg, err := Decode("bot.yaml", doc.Content[0])
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// stores are the stores every desk test runs on: memory, and a real
// redis-server (skipped under -short).
func stores(t *testing.T) map[string]func(t *testing.T) Store {
	return map[string]func(t *testing.T) Store{
		"memory": func(*testing.T) Store { return NewMemoryStore() },
		"redis": func(t *testing.T) Store {
			redistest.SkipShort(t)
			rs := redistest.Start(t)
			return NewRedisStore(rs.Client(t), "testbot")
		},
	}
}

const testDesk = `
teams: [{name: support}, {name: sales}]
queues:
  - {name: support, teams: [support]}
  - {name: sales, teams: [sales]}
agents:
  - {id: ann, name: Ann, password: {env: DESK_PW}, teams: [support], capacity: 2}
  - {id: ben, name: Ben, password: {env: DESK_PW}, teams: [support]}
  - {id: cid, name: Cid, password: {env: DESK_PW}, teams: [sales, support]}
`

func newTestDesk(t *testing.T, store Store, clk *clock) (*Desk, *usersLog) {
	t.Helper()
	t.Setenv("DESK_PW", "pw-123456")
	u := &usersLog{}
	d, err := New("testbot", mustDecode(t, testDesk), store, u, Options{Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	return d, u
}
