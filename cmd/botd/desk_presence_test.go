package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestDeskPresenceInBotd: botd runs a desk's presence sync on the desk's
// pre-authorized profile: an agent going available in the desk shows in
// Omni-Channel, a status set in Omni-Channel shows on the desk, and while
// Salesforce is down /readyz says the sync is behind.
func TestDeskPresenceInBotd(t *testing.T) {
	if testing.Short() {
		t.Skip("starts botd and sfsim")
	}
	sf := startSF(t, sfConfig{})
	t.Setenv("DESK_TEST_PASSWORD", deskTestPassword)
	dir := t.TempDir()
	if err := os.CopyFS(dir, os.DirFS("testdata/deskbot")); err != nil {
		t.Fatal(err)
	}
	profile := "    " + strings.ReplaceAll(sf.password(), "\n", "\n    ")
	bot := `name: presencebot
languages: [en]
auth_profiles:
  salesforce:
` + profile + `
desk:
  salesforce: salesforce
  teams: [{name: support}]
  queues: [{name: support, teams: [support]}]
  agents:
    - {id: alice, name: Alice Adams, password: {env: DESK_TEST_PASSWORD}, teams: [support], salesforce_user: ` + integUser + `}
  presence:
    poll_every: 1s
    rules:
      - name: everyone
        teams: [support]
        publish: {available: Available, busy: Busy, unavailable: Busy, offline: Offline}
        subscribe: {Available: available, Busy: unavailable/other, Offline: offline}
`
	if err := os.WriteFile(filepath.Join(dir, "bot.yaml"), []byte(bot), 0o644); err != nil {
		t.Fatal(err)
	}
	in := startBotd(t, nil, "-bot", dir)
	alice := signInAgent(t, in.addr, "presencebot", "alice")
	// The desk links salesforce_user when it starts: the hello frame
	// names the User, or comes again once the link is made.
	linked := func(hello map[string]any) bool { return strings.Contains(fmtJSON(hello), `"salesforce_user":"005`) }
	if !linked(alice.hello) {
		alice.expect("hello", linked)
	}
	alice.setState("alice", "available", "")
	waitFor(t, "Omni-Channel shows Available", func() bool {
		p, _ := sf.sim.CurrentPresence(integUser)
		return p.Status == "Available"
	}, nil)

	if _, err := sf.sim.SetPresence(integUser, "Busy"); err != nil {
		t.Fatal(err)
	}
	alice.expect("board", func(f map[string]any) bool { return agentState(f, "alice") == "unavailable" })

	sf.sim.SetDown(true)
	waitFor(t, "/readyz says the presence sync is behind", func() bool {
		return strings.Contains(readyBody(t, in.addr), "presence sync behind: presencebot")
	}, nil)
	sf.sim.SetDown(false)
	waitFor(t, "/readyz is clear again", func() bool {
		return !strings.Contains(readyBody(t, in.addr), "presence")
	}, nil)
}

// waitFor polls ok (calling poke before each try, when set) for up to 20s.
func waitFor(t *testing.T, what string, ok func() bool, poke func()) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if poke != nil {
			poke()
		}
		if ok() {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("timed out waiting until %s", what)
}

func readyBody(t *testing.T, addr string) string {
	t.Helper()
	_, body := readyz(t, addr)
	return body
}
