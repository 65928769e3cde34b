package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/botforge/dialogd/internal/golden"
	"github.com/botforge/dialogd/templates"
)

// TestInstallAll runs botctl as the README says: init a bot, install the
// catalogue, lint it, then install again. Each case starts from a new bot
// and runs its steps in order; DIR is the bot directory.
func TestInstallAll(t *testing.T) {
	type step struct {
		args      []string
		code      int
		stdout    []string // substrings
		stderr    []string
		unchanged bool // the step leaves the bot directory as it was
	}
	salesforce := 0
	for _, info := range templates.List() {
		if strings.HasPrefix(info.Name, "salesforce_") {
			salesforce++
		}
	}
	all := len(templates.List())
	n := func(format string, k int) string { return strings.Replace(format, "N", strconv.Itoa(k), 1) }
	first := []string{
		n("Installed N tasks from the catalogue into DIR", all-2),
		"  create_lead ", "tasks/create_lead.yaml", "from salesforce_create_lead",
		"Skipped 2:", "create_record  needs api_base", "botctl install create_record DIR -p api_base=…",
		"Declared auth_profiles.salesforce in DIR/bot.yaml",
		"Next steps:", "botctl lint DIR", "botctl test DIR\n      run the conversation tests in DIR/tests"}
	if _, err := templates.Get("salesforce_log_conversation"); err == nil {
		// A conversation logger runs only once bot.yaml names it.
		first = append(first, "DIR/bot.yaml: run log_conversation when a conversation ends, or it never runs\n"+
			"      (transcript: true keeps the conversation's lines for it to log):\n"+
			"      events:\n        conversation_end:\n          task: log_conversation\n          transcript: true\n")
	}
	tests := []struct {
		name  string
		steps []step
	}{
		{name: "catalogue into a new bot, lint passes", steps: []step{
			{args: []string{"install", "--all", "DIR"}, code: 0, stdout: first},
			{args: []string{"lint", "DIR"}, code: 0, stderr: []string{n(`DIR: ok (bot "bot", N tasks)`, all-2+1)}},
		}},
		{name: "second run skips everything", steps: []step{
			{args: []string{"install", "-all", "DIR", "-p", "api_base=https://api.example.com/v1"}, code: 0,
				stdout: []string{n("Installed N tasks", all)}},
			{args: []string{"install", "-all", "DIR", "-p", "api_base=https://api.example.com/v1"}, code: 0, unchanged: true,
				stdout: []string{"Installed 0 tasks", n("Skipped N:", all), "tasks/create_lead.yaml exists (-force replaces it)"}},
			{args: []string{"install", "-all", "-force", "DIR", "-p", "api_base=https://api.example.com/v1"}, code: 0,
				stdout: []string{n("Installed N tasks", all), "(replaced)"}},
			{args: []string{"lint", "DIR"}, code: 0, stderr: []string{n(`ok (bot "bot", N tasks)`, all+1)}},
		}},
		{name: "templates install, one integration", steps: []step{
			{args: []string{"templates", "install", "--all", "--integration", "salesforce", "DIR"}, code: 0,
				stdout: []string{n("Installed N tasks from the salesforce templates into DIR", salesforce)}},
			{args: []string{"lint", "DIR"}, code: 0, stderr: []string{n(`ok (bot "bot", N tasks)`, salesforce+1)}},
		}},
		{name: "a failing render writes nothing", steps: []step{
			{args: []string{"install", "--all", "DIR", "-p", "api_base=https://api.example.com/v1", "-p", "timeout_seconds=soon", "-p", "phone_optional=maybe"},
				code: 1, unchanged: true, stderr: []string{
					"botctl install: nothing was written; the problems:\n",
					`  template create_record: parameter phone_optional: "maybe" is not true or false` + "\n",
					`  template create_record: parameter timeout_seconds: "soon" is not a number` + "\n"}},
		}},
		{name: "a bot that would not lint writes nothing", steps: []step{
			{args: []string{"install", "-all", "-integration", "salesforce", "DIR/bot.yaml"}, code: 1, unchanged: true,
				stderr: []string{"not a directory"}},
			{args: []string{"install", "-all", "-integration", "salesforce", "DIR"}, code: 1, unchanged: true,
				stderr: []string{"nothing was written", "DIR/tasks/broken.yaml:4:19: nodes.m.type: unknown node type"}},
		}},
		{name: "a single install writes its tests too", steps: []step{
			{args: []string{"install", "lookup_record", "DIR", "-p", "api_base=https://api.example.com/v1"}, code: 0,
				stdout: []string{"wrote DIR/tasks/lookup_record.yaml\nwrote DIR/tests/lookup_record.yaml"}},
			{args: []string{"install", "salesforce_create_case", "DIR"}, code: 1, unchanged: true,
				stderr: []string{`auth profile "salesforce" is not declared`, "let `botctl install -all -integration salesforce DIR` declare one"}},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "bot")
			var stdout, stderr bytes.Buffer
			if code := run([]string{"init", dir}, &stdout, &stderr); code != 0 {
				t.Fatalf("botctl init: exit %d: %s", code, &stderr)
			}
			if strings.HasPrefix(tt.name, "a bot that would not lint") {
				broken := "name: broken\nnodes:\n  - {id: start, type: intent, utterances: {en: [hi]}, next: m}\n  - {id: m, type: mesage, text: hi}\n"
				writeTestFile(t, filepath.Join(dir, "tasks", "broken.yaml"), broken)
			}
			for _, st := range tt.steps {
				args := make([]string, len(st.args))
				for i, a := range st.args {
					args[i] = strings.ReplaceAll(a, "DIR", dir)
				}
				before := golden.Tree(t, dir)
				stdout.Reset()
				stderr.Reset()
				code := run(args, &stdout, &stderr)
				if code != st.code {
					t.Errorf("botctl %q: exit %d, want %d\nstdout: %s\nstderr: %s", args, code, st.code, &stdout, &stderr)
				}
				for _, w := range st.stdout {
					if w = strings.ReplaceAll(w, "DIR", dir); !strings.Contains(stdout.String(), w) {
						t.Errorf("botctl %q: stdout lacks %q:\n%s", args, w, &stdout)
					}
				}
				for _, w := range st.stderr {
					if w = strings.ReplaceAll(w, "DIR", dir); !strings.Contains(stderr.String(), w) {
						t.Errorf("botctl %q: stderr lacks %q:\n%s", args, w, &stderr)
					}
				}
				if st.unchanged {
					if after := golden.Tree(t, dir); after != before {
						t.Errorf("botctl %q changed the bot:\nbefore:\n%s\nafter:\n%s", args, before, after)
					}
				}
				for _, line := range strings.Split(stdout.String(), "\n") {
					if strings.HasSuffix(line, " ") {
						t.Errorf("botctl %q: line %q ends in a space", args, line)
					}
				}
			}
			// Every installed task has its tests beside it.
			tasks, _ := filepath.Glob(filepath.Join(dir, "tasks", "*.yaml"))
			for _, task := range tasks {
				name := strings.TrimSuffix(filepath.Base(task), ".yaml")
				if name == "greeting" || name == "broken" {
					continue
				}
				got, err := templates.ReadTests(filepath.Join(dir, "tests", name+".yaml"))
				if err != nil {
					t.Errorf("task %s: %v", name, err)
					continue
				}
				if got.Task != name || len(got.Tests) == 0 {
					t.Errorf("tests/%s.yaml names task %q and holds %d tests", name, got.Task, len(got.Tests))
				}
			}
			if _, err := os.Stat(filepath.Join(dir, "tests", "greeting.yaml")); err == nil {
				t.Error("tests/greeting.yaml written for a task no template made")
			}
		})
	}
}
