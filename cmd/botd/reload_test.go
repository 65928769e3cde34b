package main

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// reloadTask is a task whose texts name their version.
func reloadTask(version string) string {
	return fmt.Sprintf(`name: order
title: Order
nodes:
  - id: start
    type: intent
    utterances: [order]
    next: ask
  - id: ask
    type: entity
    entity_type: number
    prompt: "How many? (%[1]s)"
    next: done
  - id: done
    type: message
    text: "Ordered {{entities.ask}} (%[1]s)."
`, version)
}

// reloadBotDir writes a bot with the order task at version into a new
// directory.
func reloadBotDir(t *testing.T, version string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "tasks"), 0o755); err != nil {
		t.Fatal(err)
	}
	writeBotFile(t, dir, "bot.yaml", "name: vbot\nlanguages: [en]\n")
	writeBotFile(t, dir, "tasks/order.yaml", reloadTask(version))
	return dir
}

// writeBotFile saves a file as an editor that writes a new file and
// renames it over the old one does.
func writeBotFile(t *testing.T, dir, name, body string) {
	t.Helper()
	tmp := filepath.Join(dir, ".tmp-save")
	if err := os.WriteFile(tmp, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, filepath.Join(dir, name)); err != nil {
		t.Fatal(err)
	}
}

// waitReloads polls /metrics until the bot has had at least n reloads
// with result, failing after 10 s.
func waitReloads(t *testing.T, addr, result string, n int) {
	t.Helper()
	name := fmt.Sprintf(`dialogd_bot_reloads_total{bot="vbot",result=%q}`, result)
	deadline := time.Now().Add(10 * time.Second)
	for {
		got, _ := strconv.Atoi(getMetric(t, addr, name))
		if got >= n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s = %d after 10s; want at least %d", name, got, n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// readyz returns botd's /readyz status and body.
func readyz(t *testing.T, addr string) (int, string) {
	t.Helper()
	return getStatus(t, "http://"+addr+"/readyz"), getBody(t, "http://"+addr+"/readyz")
}

// TestHotReload edits a served bot's files: a valid edit serves the next
// turns without a restart while a conversation inside the task keeps the
// version it started with; an invalid edit is refused, /readyz says why
// (status 200: the instance still serves) and the last good version
// serves on; fixing the file clears it.
func TestHotReload(t *testing.T) {
	dir := reloadBotDir(t, "v1")
	in := startBotd(t, nil, "-bot", dir, "-reload-debounce", "50ms")
	before := dial(t, in.addr, "", 0)
	if got := before.say("order"); got != "How many? (v1)" {
		t.Fatalf("before the edit: got %q", got)
	}

	writeBotFile(t, dir, "tasks/order.yaml", reloadTask("v2"))
	waitReloads(t, in.addr, "applied", 1)
	after := dial(t, in.addr, "", 0)
	steps := []struct {
		who  *client
		say  string
		want string
	}{
		{after, "order", "How many? (v2)"},
		{before, "3", "Ordered 3 (v1)."}, // the version its task started with
		{before, "order", "How many? (v2)"},
		{before, "4", "Ordered 4 (v2)."},
	}
	for i, s := range steps {
		if got := s.who.say(s.say); got != s.want {
			t.Fatalf("step %d: say %q: got %q, want %q", i, s.say, got, s.want)
		}
	}

	// A typo: prompt misspelt.
	writeBotFile(t, dir, "tasks/order.yaml", strings.Replace(reloadTask("v3"), "    prompt:", "    promt:", 1))
	waitReloads(t, in.addr, "refused", 1)
	code, body := readyz(t, in.addr)
	wantLines := []string{"ok, degraded bots (reload refused): vbot", `tasks/order.yaml:11:5: nodes.ask: unknown key "promt" (did you mean "prompt"?)`}
	for _, w := range wantLines {
		if code != http.StatusOK || !strings.Contains(body, w) {
			t.Fatalf("/readyz = %d %q; want 200 with %q", code, body, w)
		}
	}
	if got := getMetric(t, in.addr, `dialogd_bot_reload_refused{bot="vbot"}`); got != "1" {
		t.Errorf("dialogd_bot_reload_refused = %s, want 1", got)
	}
	if got := dial(t, in.addr, "", 0).say("order"); got != "How many? (v2)" {
		t.Fatalf("after a refused reload: got %q, want the last good version", got)
	}

	writeBotFile(t, dir, "tasks/order.yaml", reloadTask("v4"))
	waitReloads(t, in.addr, "applied", 2)
	if code, body := readyz(t, in.addr); code != http.StatusOK || body != "ok\n" {
		t.Fatalf("/readyz after the fix = %d %q, want 200 \"ok\\n\"", code, body)
	}
	if got := dial(t, in.addr, "", 0).say("order"); got != "How many? (v4)" {
		t.Fatalf("after the fix: got %q", got)
	}
}

// TestSIGHUPReloads: with -reload=false nothing is watched, and SIGHUP
// reloads the bot (it does not end botd).
func TestSIGHUPReloads(t *testing.T) {
	dir := reloadBotDir(t, "v1")
	in := startBotd(t, nil, "-bot", dir, "-reload=false")
	writeBotFile(t, dir, "tasks/order.yaml", reloadTask("v2"))
	if err := syscall.Kill(os.Getpid(), syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	waitReloads(t, in.addr, "applied", 1)
	if got := dial(t, in.addr, "", 0).say("order"); got != "How many? (v2)" {
		t.Fatalf("after SIGHUP: got %q", got)
	}
}

// A reload that changes what botd wires only at start is refused, saying
// to restart.
func TestReloadNeedsRestart(t *testing.T) {
	dir := reloadBotDir(t, "v1")
	in := startBotd(t, nil, "-bot", dir, "-reload-debounce", "50ms")
	writeBotFile(t, dir, "bot.yaml", "name: other\nlanguages: [en]\n")
	waitReloads(t, in.addr, "refused", 1)
	if _, body := readyz(t, in.addr); !strings.Contains(body, `bot.yaml: name: changed from "vbot" to "other"; restart botd`) {
		t.Fatalf("/readyz = %q; want the rename refused", body)
	}
}
