package main

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/botforge/dialogd/internal/golden"
)

// stable replaces what changes from run to run in botctl test's output:
// the embedded sfsim's port and the time taken.
func stable(s string) string {
	s = regexp.MustCompile(`http://127\.0\.0\.1:\d+`).ReplaceAllString(s, "http://127.0.0.1:PORT")
	return regexp.MustCompile(`; [0-9.]+(ms|s|µs)\n`).ReplaceAllString(s, "; TIME\n")
}

func TestBotctlTestPasses(t *testing.T) {
	code, out, errs := botctl(t, "test", "-v", "testdata/testbot")
	if code != 0 {
		t.Fatalf("botctl test testdata/testbot = exit %d, want 0\nstdout:\n%s\nstderr:\n%s", code, out, errs)
	}
	for _, want := range []string{
		"ok    add_lead  4 passed, 1 skipped            transitions 6/7 (85%)\n",
		"      PASS creates the lead\n",
		"      PASS signs in first\n", // per_user: an authorize frame, then sign_in: grant resumes
		"      PASS refuses to sign in\n",
		"      SKIP another lead source: needs the task installed with lead_source=Partner (installed: Web)\n",
		"      not taken:\n        create → failed (on_error)\n",
		"ok    bot testbot: 4 passed, 1 skipped in 1 task; transitions 6/7 (85%); ",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("stdout lacks %q:\n%s", want, out)
		}
	}
}

// TestBotctlTestFailureReport pins the report of each kind of failed
// expectation (text, kind, context, button, records) in a golden file.
func TestBotctlTestFailureReport(t *testing.T) {
	code, out, errs := botctl(t, "test", "-v", "testdata/testbot_fail")
	if code != 1 {
		t.Errorf("botctl test testdata/testbot_fail = exit %d, want 1 (stderr: %s)", code, errs)
	}
	golden.Check(t, "testdata/test_fail.golden", []byte(stable(out)))
}

func TestBotctlTestExitStatus(t *testing.T) {
	bot := t.TempDir()
	if err := os.CopyFS(bot, os.DirFS("testdata/testbot")); err != nil {
		t.Fatal(err)
	}
	writeTestFile(t, filepath.Join(bot, "tests", "nosuch.yaml"), "task: nosuch\ntests: []\n")
	writeTestFile(t, filepath.Join(bot, "tests", "other.yaml"), "tests: []\n")
	invalid := t.TempDir()
	if err := os.CopyFS(invalid, os.DirFS("testdata/testbot")); err != nil {
		t.Fatal(err)
	}
	writeTestFile(t, filepath.Join(invalid, "tests", "add_lead.yaml"), "tests:\n  - conversation:\n      - say: add a lead\n        kind: cards\n  - name: empty\n    conversation: []\n")
	tests := []struct {
		name   string
		args   []string
		code   int
		stdout string // substring
		stderr string // substring
	}{
		{"passes", []string{"testdata/testbot"}, 0, "ok    bot testbot: 4 passed, 1 skipped", ""},
		{"fails", []string{"testdata/testbot_fail"}, 1, "FAIL  bot testbot_fail: 1 passed, 5 failed", ""},
		{"-run selects task/test", []string{"-run", "add_lead/wrong (text|kind)$", "testdata/testbot_fail"}, 1,
			"FAIL  bot testbot_fail: 2 failed in 1 task", ""},
		{"-run selects passing tests only", []string{"-run", "passes", "testdata/testbot_fail"}, 0,
			"ok    bot testbot_fail: 1 passed in 1 task", ""},
		{"bad -run", []string{"-run", "(", "testdata/testbot"}, 2, "", "botctl test: -run: error parsing regexp"},
		{"no directory", []string{"testdata/nosuch"}, 1, "", "botctl test: testdata/nosuch does not load"},
		{"no argument", nil, 2, "", "botctl test: want DIR"},
		{"tests of an unknown task", []string{bot}, 1, "", "tests/nosuch.yaml:1:7: task: nosuch is not one of the bot's tasks (add_lead)\n"},
		{"tests named after an unknown task", []string{bot}, 1, "", "tests/other.yaml:1:1: task: other is not one of the bot's tasks (add_lead); the file is named after its task unless task: names it\n"},
		{"a kind that is none", []string{invalid}, 1, "", `tests/add_lead.yaml:3:9: tests[0].conversation[0]: kind "cards" is not one of message, authorize, handoff, card, buttons, quick_replies, link, error`},
		{"a test without turns", []string{invalid}, 1, "", "tests/add_lead.yaml:5:5: tests[1]: a test needs a conversation"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errs := botctl(t, append([]string{"test"}, tt.args...)...)
			if code != tt.code || !strings.Contains(out, tt.stdout) || !strings.Contains(errs, tt.stderr) {
				t.Errorf("botctl test %q = exit %d, want %d with %q in stdout and %q in stderr\nstdout:\n%s\nstderr:\n%s",
					tt.args, code, tt.code, tt.stdout, tt.stderr, out, errs)
			}
		})
	}
}

func TestBotctlTestCatalogue(t *testing.T) {
	dir := newBot(t, "-all", "-integration", "salesforce")
	code, out, errs := botctl(t, "test", dir)
	if code != 0 || strings.Contains(out, "FAIL") {
		t.Fatalf("botctl test on the whole catalogue = exit %d, want 0 and no failure\nstdout:\n%s\nstderr:\n%s", code, out, errs)
	}
	// Every installed task has tests and a coverage figure.
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		if strings.HasPrefix(line, "?") && !strings.Contains(line, "greeting") {
			t.Errorf("a catalogue task without tests: %s", line)
		}
		if !regexp.MustCompile(`transitions \d+/\d+ \(\d+%\)`).MatchString(line) {
			t.Errorf("line without a coverage figure: %s", line)
		}
	}
}

// BenchmarkBotctlTestCatalogue measures botctl test on the whole
// catalogue: loading the bot and its tests, the embedded sfsim and every
// conversation (go test -bench BotctlTestCatalogue -run ^$ ./cmd/botctl).
func BenchmarkBotctlTestCatalogue(b *testing.B) {
	dir := newBot(b, "-all", "-integration", "salesforce")
	for b.Loop() {
		var out bytes.Buffer
		if code := run([]string{"test", dir}, &out, &out); code != 0 {
			b.Fatalf("exit %d:\n%s", code, out.String())
		}
	}
}

// TestBotctlTestAppliesOtherProfiles runs a bot whose service node calls
// an API through an api_key profile: botctl test applies it as botd
// does (the key from the environment), beside the Salesforce ones.
func TestBotctlTestAppliesOtherProfiles(t *testing.T) {
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-API-Key") != "k-123" {
			http.Error(w, `{"error":"no key"}`, http.StatusUnauthorized)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"status":"shipped"}`)
	}))
	defer api.Close()
	t.Setenv("ORDERS_API_KEY", "k-123")
	bot := t.TempDir()
	writeTestFile(t, filepath.Join(bot, "bot.yaml"), "name: orders\nlanguages: [en]\nauth_profiles:\n  orders:\n    kind: api_key\n    base_url: "+api.URL+"\n    secret: {env: ORDERS_API_KEY}\n")
	if err := os.MkdirAll(filepath.Join(bot, "tasks"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(bot, "tests"), 0o755); err != nil {
		t.Fatal(err)
	}
	writeTestFile(t, filepath.Join(bot, "tasks", "order.yaml"), `name: order
nodes:
  - {id: start, type: intent, utterances: [where is my order], next: call}
  - {id: call, type: service, url: "`+api.URL+`/orders/1", auth: orders, next: said, on_error: failed}
  - {id: said, type: message, text: "Your order is {{ call.response.body.status }}."}
  - {id: failed, type: message, text: "The order service said {{ call.response.status }}."}
`)
	writeTestFile(t, filepath.Join(bot, "tests", "order.yaml"), "tests:\n  - conversation:\n      - {say: where is my order, expect: Your order is shipped.}\n")
	code, out, errs := botctl(t, "test", bot)
	if code != 0 || !strings.Contains(out, "ok    order  1 passed") {
		t.Fatalf("botctl test = exit %d, want 0 and the order test passed\nstdout:\n%s\nstderr:\n%s", code, out, errs)
	}
}
