package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/botforge/dialogd/internal/golden"
)

// TestInstallWritesNothingOnFailure: an install that fails leaves the
// directory as it was. Before, install into a directory without bot.yaml
// failed and left an empty tasks/ behind (and created a missing DIR).
func TestInstallWritesNothingOnFailure(t *testing.T) {
	const otherTask = "name: create_record\nnodes:\n  - {id: start, type: intent, utterances: {en: [hello]}, next: m}\n  - {id: m, type: message, text: hi}\n"
	tests := []struct {
		name   string
		files  map[string]string // the directory before; nil: it does not exist
		args   []string          // after "install"; DIR is the directory
		stderr []string
	}{
		{name: "missing directory", files: nil, args: []string{"create_record", "DIR", "-p", "api_base=http://x.test"},
			stderr: []string{"DIR does not exist: not a bot directory", "run `botctl init DIR` first"}},
		{name: "empty directory", files: map[string]string{}, args: []string{"create_record", "DIR", "-p", "api_base=http://x.test"},
			stderr: []string{"DIR has no bot.yaml: not a bot directory", "run `botctl init DIR` first"}},
		{name: "a file, not a directory", files: map[string]string{"file": "x"}, args: []string{"create_record", "DIR/file", "-p", "api_base=http://x.test"},
			stderr: []string{"not a directory"}},
		{name: "bot.yaml does not load", files: map[string]string{"bot.yaml": "description: no name\n"},
			args:   []string{"create_record", "DIR", "-p", "api_base=http://x.test"},
			stderr: []string{"the bot would not load with the new task (nothing was written)", "a bot needs a name"}},
		{name: "task name taken", files: map[string]string{"bot.yaml": "name: b\n", "tasks/other.yaml": otherTask},
			args:   []string{"create_record", "DIR", "-p", "api_base=http://x.test"},
			stderr: []string{`task "create_record" is already defined in`}},
		{name: "missing auth profile", files: map[string]string{"bot.yaml": "name: b\n"},
			args:   []string{"salesforce_create_lead", "DIR"},
			stderr: []string{`auth profile "salesforce" is not declared`}},
		{name: "missing parameter", files: map[string]string{"bot.yaml": "name: b\n"}, args: []string{"create_record", "DIR"},
			stderr: []string{"parameter api_base: required"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "bot")
			if tt.files != nil {
				if err := os.Mkdir(dir, 0o755); err != nil {
					t.Fatal(err)
				}
			}
			for name, body := range tt.files {
				writeTestFile(t, filepath.Join(dir, name), body)
			}
			before := golden.Tree(t, filepath.Dir(dir))
			args := []string{"install"}
			for _, a := range tt.args {
				args = append(args, strings.ReplaceAll(a, "DIR", dir))
			}
			var stdout, stderr bytes.Buffer
			if code := run(args, &stdout, &stderr); code != 1 {
				t.Errorf("exit %d, want 1\nstderr: %s", code, &stderr)
			}
			for _, want := range tt.stderr {
				if want = strings.ReplaceAll(want, "DIR", dir); !strings.Contains(stderr.String(), want) {
					t.Errorf("stderr = %q, want it to contain %q", &stderr, want)
				}
			}
			if after := golden.Tree(t, filepath.Dir(dir)); after != before {
				t.Errorf("the failed install changed the directory:\nbefore:\n%s\nafter:\n%s", before, after)
			}
		})
	}
}
