package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/botforge/dialogd/dialog"
)

func TestRun(t *testing.T) {
	dir := newBot(t)
	tests := []struct {
		name       string
		args       []string // "DIR" is replaced by the bot directory
		code       int
		stdout     string // substring
		stderr     string // substring
		wantFile   string // relative to DIR, must exist afterwards
		wantAbsent string // relative to DIR, must not exist afterwards
	}{
		{name: "no args", args: nil, code: 2, stderr: "usage"},
		{name: "unknown command", args: []string{"frobnicate"}, code: 2, stderr: `unknown command "frobnicate"`},
		{name: "help", args: []string{"help"}, code: 0, stdout: "botctl install"},
		{name: "types", args: []string{"types"}, code: 0, stdout: "service"},
		{name: "templates", args: []string{"templates"}, code: 0, stdout: "create_record"},
		{name: "templates shows parameters", args: []string{"templates"}, code: 0, stdout: "-p api_base=...\tbase URL of the JSON API, e.g. https://api.example.com/v1 (required)"},
		{name: "install missing args", args: []string{"install", "create_record"}, code: 2, stderr: "botctl install: want TEMPLATE DIR"},
		{name: "install unknown template", args: []string{"install", "nope", "DIR"}, code: 1, stderr: `no template "nope"`},
		{name: "install missing parameter", args: []string{"install", "create_record", "DIR"}, code: 1, stderr: "parameter api_base: required", wantAbsent: "tasks/create_record.yaml"},
		{name: "install unknown parameter", args: []string{"install", "create_record", "DIR", "-p", "api_base=http://x.test", "-p", "color=red"}, code: 1, stderr: "parameter color: unknown parameter", wantAbsent: "tasks/create_record.yaml"},
		{name: "install bad type", args: []string{"install", "create_record", "DIR", "-p", "api_base=http://x.test", "-p", "phone_optional=maybe"}, code: 1, stderr: `"maybe" is not true or false`},
		{name: "install bad flag value", args: []string{"install", "create_record", "DIR", "-p", "api_base"}, code: 2, stderr: "want key=value"},
		{name: "install", args: []string{"install", "create_record", "DIR", "-p", "api_base=http://127.0.0.1:9/api", "-p", "record_label=lead"}, code: 0, stdout: "wrote ", wantFile: "tasks/create_record.yaml"},
		{name: "install again refuses", args: []string{"install", "create_record", "DIR", "-p", "api_base=http://127.0.0.1:9/api"}, code: 1, stderr: "use -force"},
		{name: "install again with force", args: []string{"install", "-force", "create_record", "DIR", "-p", "api_base=http://127.0.0.1:9/api"}, code: 0, wantFile: "tasks/create_record.yaml"},
		{name: "install flags first", args: []string{"install", "-p", "api_base=http://127.0.0.1:9/api", "-p", "task_name=find_lead", "lookup_record", "DIR"}, code: 0, wantFile: "tasks/find_lead.yaml"},
		{name: "lint the result", args: []string{"lint", "DIR"}, code: 0, stderr: "ok (bot \"mybot\", 3 tasks)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := make([]string, len(tt.args))
			for i, a := range tt.args {
				args[i] = strings.ReplaceAll(a, "DIR", dir)
			}
			var stdout, stderr bytes.Buffer
			code := run(args, &stdout, &stderr)
			if code != tt.code {
				t.Errorf("run(%q) = %d, want %d\nstdout: %s\nstderr: %s", args, code, tt.code, &stdout, &stderr)
			}
			if !strings.Contains(stdout.String(), tt.stdout) {
				t.Errorf("stdout = %q, want it to contain %q", &stdout, tt.stdout)
			}
			if !strings.Contains(stderr.String(), tt.stderr) {
				t.Errorf("stderr = %q, want it to contain %q", &stderr, tt.stderr)
			}
			if tt.wantFile != "" {
				if _, err := os.Stat(filepath.Join(dir, tt.wantFile)); err != nil {
					t.Errorf("want %s: %v", tt.wantFile, err)
				}
			}
			if tt.wantAbsent != "" {
				if _, err := os.Stat(filepath.Join(dir, tt.wantAbsent)); err == nil {
					t.Errorf("%s exists, want it absent", tt.wantAbsent)
				}
			}
		})
	}
	// Both installed tasks load together.
	bot, err := dialog.LoadDir(dir)
	if err != nil {
		t.Fatalf("bot does not load: %v", err)
	}
	if got := bot.TaskNames(); len(got) != 3 || got[0] != "create_record" || got[1] != "find_lead" || got[2] != "greeting" {
		t.Errorf("tasks = %v, want [create_record find_lead greeting]", got)
	}
}
