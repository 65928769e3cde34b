package main

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writeBot(t *testing.T, name, greeting, profileClient string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), name)
	os.MkdirAll(filepath.Join(dir, "tasks"), 0o755)
	bot := "name: " + name + "\nevents:\n  conversation_start: {text: \"" + greeting + "\"}\n"
	if profileClient != "" {
		bot += "auth_profiles:\n  crm:\n    kind: api_key\n    header: " + profileClient + "\n    secret: {env: TENANT_TEST_KEY}\n"
	}
	os.WriteFile(filepath.Join(dir, "bot.yaml"), []byte(bot), 0o644)
	os.WriteFile(filepath.Join(dir, "tasks", "hi.yaml"), []byte("name: hi\nnodes:\n  - {id: start, type: intent, utterances: [hello], next: m}\n  - {id: m, type: message, text: \"I am "+name+"\"}\n"), 0o644)
	return dir
}

// TestTenantsAreIsolated: two bots in one botd; each answers on its own
// route, and a session id of one is never accepted by the other.
func TestTenantsAreIsolated(t *testing.T) {
	a, b := writeBot(t, "alpha", "Alpha here", ""), writeBot(t, "beta", "Beta here", "")
	in := startBotd(t, nil, "-bot", a+","+b)
	ca := dial(t, in.addr, "", 0)
	if got, _ := ca.turnEnd(); got != "Alpha here" {
		t.Fatalf("default bot greets %q", got)
	}
	if got := ca.say("hello"); got != "I am alpha" {
		t.Errorf("alpha answers %q", got)
	}
	cb := dialBot(t, in.addr, "beta", "", 0)
	if got, _ := cb.turnEnd(); got != "Beta here" {
		t.Fatalf("beta greets %q", got)
	}
	// alpha's session id presented to beta: a fresh beta session.
	cx := dialBot(t, in.addr, "beta", ca.Session, ca.LastSeq)
	if cx.Session == ca.Session {
		t.Fatalf("beta accepted alpha's session id")
	}
	if got, _ := cx.turnEnd(); got != "Beta here" {
		t.Errorf("after a foreign session id beta greets %q", got)
	}
	// A plain GET cannot tell a bot that exists from one that does not
	// (TestWSTenantProbe checks the whole answer).
	if code := getStatus(t, "http://"+in.addr+"/ws?bot=gamma"); code != 400 {
		t.Errorf("unknown bot: %d, want 400 like a known bot's plain GET", code)
	}
}

// TestSharedSettingsMustMatch: botd refuses to start when two bots share
// an auth profile name with different settings, and says which differ.
func TestSharedSettingsMustMatch(t *testing.T) {
	t.Setenv("TENANT_TEST_KEY", "k")
	a, b := writeBot(t, "alpha", "A", "X-Key-One"), writeBot(t, "beta", "B", "X-Key-Two")
	cfg, err := parseConfig([]string{"-bot", a + "," + b}, func(string) string { return "" }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	_, err = newServer(cfg, io.Discard)
	if err == nil || !strings.Contains(err.Error(), `auth profile "crm" is shared by bots "alpha" and "beta" but differs in: header`) {
		t.Errorf("newServer = %v; want the shared-settings error", err)
	}
}
