package main

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/botforge/dialogd/sessions/redistest"
)

// Sizes of TestDeskLoad.
const (
	loadAgents   = 20
	loadUsers    = 200
	loadMessages = 5 // each way, per conversation
)

// TestDeskLoad holds 200 handed-off conversations at once with 20 agents
// (capacity 10 each) over two botd instances sharing Redis: users on one,
// agents on the other. Every user writes loadMessages messages, each after
// the agent answered the one before, and every agent answers each at
// once; it checks that every message arrives exactly once
// and logs the relay latency each way (not asserted: the figure is this
// machine's).
func TestDeskLoad(t *testing.T) {
	redistest.SkipShort(t)
	t.Setenv("DESK_TEST_PASSWORD", deskTestPassword)
	dir := writeLoadBot(t)
	rs := redistest.Start(t)
	unlimited := []string{"-redis", rs.URL(), "-bot", dir, "-ws-turn-rate", "1e6", "-ws-turn-burst", "1000000",
		"-ws-session-turn-rate", "1e6", "-ws-session-turn-burst", "1000000", "-ws-ip-turn-rate", "1e6",
		"-ws-ip-turn-burst", "1000000", "-max-conns-per-ip", "0"}
	a := startBotd(t, nil, unlimited...)
	b := startBotd(t, nil, unlimited...)

	rec := newRelayLog()
	pages := make([]*agentPage, loadAgents)
	for i := range pages {
		id := fmt.Sprintf("agent%02d", i)
		pages[i] = signInAgent(t, b.addr, "loadbot", id)
		pages[i].setState(id, "available", "")
	}
	var agentsDone sync.WaitGroup
	for _, p := range pages {
		agentsDone.Go(func() { answerAll(p, rec) })
	}

	users := make([]*client, loadUsers)
	var wg sync.WaitGroup
	for i := range users {
		wg.Go(func() {
			c := dialBot(t, a.addr, "loadbot", "", 0)
			users[i] = c
			c.SendMessage("h", "I want to talk to a human")
			c.readUntil("agent_joined")
			// A conversation: each message waits for the agent's answer;
			// the 200 conversations run at once.
			for m := range loadMessages {
				text := fmt.Sprintf("u%03d-m%d", i, m)
				rec.sent(text)
				c.SendMessage(text, text)
				for {
					f := c.Read()
					if f.Type == "agent_message" {
						rec.received(f.Text)
						break
					}
				}
			}
		})
	}
	wg.Wait()
	for _, p := range pages {
		p.ws.Close()
	}
	agentsDone.Wait()
	// A duplicate would arrive after its original: give one the time.
	time.Sleep(200 * time.Millisecond)
	toAgent, toUser, lost, dup := rec.report("")
	t.Logf("%d conversations, %d agents, %d messages each way: to the agent p50 %v p99 %v max %v; to the user p50 %v p99 %v max %v",
		loadUsers, loadAgents, loadUsers*loadMessages, pct(toAgent, 50), pct(toAgent, 99), pct(toAgent, 100),
		pct(toUser, 50), pct(toUser, 99), pct(toUser, 100))
	// The first message of each conversation is sent while the other
	// conversations are still being handed over; the later ones are the
	// steady state.
	laterAgent, laterUser, _, _ := rec.report("-m0")
	t.Logf("without each conversation's first message: to the agent p50 %v p99 %v; to the user p50 %v p99 %v",
		pct(laterAgent, 50), pct(laterAgent, 99), pct(laterUser, 50), pct(laterUser, 99))
	if lost != 0 || dup != 0 {
		t.Errorf("%d messages lost, %d duplicated; want none", lost, dup)
	}
	if len(toAgent) != loadUsers*loadMessages || len(toUser) != loadUsers*loadMessages {
		t.Errorf("relayed %d to agents and %d to users; want %d each way", len(toAgent), len(toUser), loadUsers*loadMessages)
	}
}

// answerAll answers every user message on an agent's page with "re: "
// and the text, until the page closes.
func answerAll(p *agentPage, rec *relayLog) {
	n := 0
	for f := range p.frames {
		if f["type"] != "user_message" {
			continue
		}
		text, _ := f["text"].(string)
		if !strings.HasPrefix(text, "u") {
			continue
		}
		rec.received(text)
		reply := "re: " + text
		rec.sent(reply)
		n++
		p.send(map[string]any{"type": "message", "conversation": f["conversation"], "id": fmt.Sprint("a", n), "text": reply})
	}
}

// relayLog times each message from sending to receiving and counts how
// often each arrives.
type relayLog struct {
	mu    sync.Mutex
	sent0 map[string]time.Time
	got   map[string][]time.Time
}

func newRelayLog() *relayLog {
	return &relayLog{sent0: map[string]time.Time{}, got: map[string][]time.Time{}}
}

func (r *relayLog) sent(text string) {
	r.mu.Lock()
	r.sent0[text] = time.Now()
	r.mu.Unlock()
}

func (r *relayLog) received(text string) {
	r.mu.Lock()
	r.got[text] = append(r.got[text], time.Now())
	r.mu.Unlock()
}

// report returns the latencies to agents and to users, and how many
// messages were lost or arrived more than once; the latencies leave out
// the messages whose text ends with skip (none when skip is "").
func (r *relayLog) report(skip string) (toAgent, toUser []time.Duration, lost, dup int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for text, at := range r.sent0 {
		if skip != "" && strings.HasSuffix(text, skip) {
			continue
		}
		got := r.got[text]
		switch {
		case len(got) == 0:
			lost++
			continue
		case len(got) > 1:
			dup += len(got) - 1
		}
		d := got[0].Sub(at)
		if strings.HasPrefix(text, "re: ") {
			toUser = append(toUser, d)
		} else {
			toAgent = append(toAgent, d)
		}
	}
	for text := range r.got {
		if _, ok := r.sent0[text]; !ok {
			dup++ // never sent: counted as a stray
		}
	}
	return toAgent, toUser, lost, dup
}

// pct is the p-th percentile of ds (100: the largest).
func pct(ds []time.Duration, p int) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	i := (len(s)*p + 99) / 100
	return s[min(max(i-1, 0), len(s)-1)].Round(100 * time.Microsecond)
}

// writeLoadBot writes testdata/deskbot's tasks with a desk of loadAgents
// agents (capacity 10) into a temporary bot directory.
func writeLoadBot(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.CopyFS(dir, os.DirFS("testdata/deskbot")); err != nil {
		t.Fatal(err)
	}
	var agents strings.Builder
	for i := range loadAgents {
		fmt.Fprintf(&agents, "    - {id: agent%02d, name: Agent %d, password: {env: DESK_TEST_PASSWORD}, teams: [support], capacity: 10}\n", i, i)
	}
	bot := "name: loadbot\nlanguages: [en]\ndesk:\n  teams: [{name: support}]\n  queues: [{name: support, teams: [support]}]\n  agents:\n" + agents.String()
	if err := os.WriteFile(filepath.Join(dir, "bot.yaml"), []byte(bot), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}
