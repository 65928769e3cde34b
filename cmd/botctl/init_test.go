package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/botforge/dialogd/dialog"
	"github.com/botforge/dialogd/internal/golden"
	"github.com/botforge/dialogd/nodes"
	"github.com/botforge/dialogd/sessions"
)

// TestInitStartsABot: `botctl init DIR` writes a bot that loads as botd
// loads -bot DIR, lints clean, and greets, answers hello and falls back.
func TestInitStartsABot(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "Acme Support")
	var stdout, stderr bytes.Buffer
	if code := run([]string{"init", dir}, &stdout, &stderr); code != 0 {
		t.Fatalf("botctl init: exit %d\nstderr: %s", code, &stderr)
	}
	for _, want := range []string{`Created bot "acme_support"`, "botctl lint " + dir, "botctl install lookup_record " + dir, "botctl install -all " + dir, "botctl integrations enable salesforce " + dir + " -mode per_user -login sfsim", "botctl test " + dir, "botd -bot " + dir} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("stdout lacks the next step %q:\n%s", want, &stdout)
		}
	}
	bot, err := dialog.LoadDir(dir) // what botd -bot DIR does
	if err != nil {
		t.Fatalf("the new bot does not load: %v", err)
	}
	if got, want := bot.Config.Languages, []string{"en", "de", "ja"}; !slices.Equal(got, want) {
		t.Errorf("languages = %v, want %v", got, want)
	}
	if got := bot.TaskNames(); !slices.Equal(got, []string{"greeting"}) {
		t.Errorf("tasks = %v, want [greeting]", got)
	}
	stdout.Reset()
	stderr.Reset()
	if code := run([]string{"lint", dir}, &stdout, &stderr); code != 0 || stdout.Len() != 0 {
		t.Errorf("botctl lint: exit %d, stdout %q, want 0 and no problems", code, &stdout)
	}

	store := sessions.NewMemory(sessions.Options{})
	defer store.Close()
	rt := dialog.NewRuntime(bot, store, dialog.Options{})
	ctx := context.Background()
	frames, err := rt.Start(ctx, "s1", "u1")
	if err != nil {
		t.Fatal(err)
	}
	turns := []struct{ say, want string }{
		{"", "Hi! I'm acme_support."},
		{"hello", "Hello! Nice to meet you."},
		{"what is the weather", "Sorry, I did not understand that."},
	}
	for i, turn := range turns {
		if turn.say != "" {
			frames, err = rt.Handle(ctx, "s1", "u1", nodes.Input{ID: turn.say, Text: turn.say})
			if err != nil {
				t.Fatal(err)
			}
		}
		if got := texts(t, frames); !strings.Contains(got, turn.want) {
			t.Errorf("turn %d (%q): bot said %q, want %q in it", i, turn.say, got, turn.want)
		}
	}
}

func texts(t *testing.T, frames [][]byte) string {
	t.Helper()
	var out []string
	for _, f := range frames {
		var r struct {
			Text string `json:"text"`
		}
		if err := json.Unmarshal(f, &r); err != nil {
			t.Fatalf("frame %s: %v", f, err)
		}
		out = append(out, r.Text)
	}
	return strings.Join(out, "\n")
}

func TestInitRefusals(t *testing.T) {
	const greetingElsewhere = "name: greeting\nnodes:\n  - {id: start, type: intent, utterances: {en: [hey]}, next: m}\n  - {id: m, type: message, text: hey}\n"
	tests := []struct {
		name   string
		files  map[string]string // in DIR before
		args   []string          // after "init"; DIR is the directory
		code   int
		stderr string
		loads  bool // DIR holds a loadable bot afterwards
	}{
		{name: "only dot files count as empty", files: map[string]string{".git/HEAD": "ref: x\n"}, args: []string{"DIR"}, code: 0, loads: true},
		{name: "not empty", files: map[string]string{"notes.txt": "mine"}, args: []string{"DIR"}, code: 1,
			stderr: "DIR is not empty (notes.txt): choose a new directory, or use -force"},
		{name: "an existing bot", files: map[string]string{"bot.yaml": "name: old\n"}, args: []string{"DIR"}, code: 1, stderr: "is not empty (bot.yaml)"},
		{name: "force", files: map[string]string{"notes.txt": "mine"}, args: []string{"-force", "DIR"}, code: 0, loads: true},
		{name: "force, but the result would not load", files: map[string]string{"tasks/hello.yaml": greetingElsewhere},
			args: []string{"DIR", "-force"}, code: 1, stderr: `the bot would not load (nothing was written)`},
		{name: "bad name", args: []string{"-name", "Acme Bot", "DIR"}, code: 2, stderr: `bot name "Acme Bot": use lowercase letters, digits, _ and -`},
		{name: "given name", args: []string{"-name", "acme-bot", "DIR"}, code: 0, loads: true},
		{name: "two directories", args: []string{"DIR", "DIR"}, code: 2, stderr: "got 2 arguments"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "bot")
			for name, body := range tt.files {
				writeTestFile(t, filepath.Join(dir, name), body)
			}
			before := ""
			if tt.code != 0 {
				before = golden.Tree(t, filepath.Dir(dir))
			}
			args := []string{"init"}
			for _, a := range tt.args {
				args = append(args, strings.ReplaceAll(a, "DIR", dir))
			}
			var stdout, stderr bytes.Buffer
			if code := run(args, &stdout, &stderr); code != tt.code {
				t.Errorf("exit %d, want %d\nstderr: %s", code, tt.code, &stderr)
			}
			if want := strings.ReplaceAll(tt.stderr, "DIR", dir); !strings.Contains(stderr.String(), want) {
				t.Errorf("stderr = %q, want it to contain %q", &stderr, want)
			}
			if tt.code != 0 {
				if after := golden.Tree(t, filepath.Dir(dir)); after != before {
					t.Errorf("a refused init changed the directory:\nbefore:\n%s\nafter:\n%s", before, after)
				}
			}
			if _, err := dialog.LoadDir(dir); (err == nil) != tt.loads {
				t.Errorf("bot loads afterwards: %v, want %v (error: %v)", err == nil, tt.loads, err)
			}
			for name, body := range tt.files {
				if data, _ := os.ReadFile(filepath.Join(dir, name)); name != "bot.yaml" && string(data) != body {
					t.Errorf("%s changed to %q", name, data)
				}
			}
		})
	}
}
