package main

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"github.com/botforge/dialogd/dialog"
	"github.com/botforge/dialogd/internal/golden"
	"github.com/botforge/dialogd/nodes"
)

// trickyGraph is a flow whose ids and texts Mermaid would misread if
// written as they are: keywords and a dash as ids; quotes, colons,
// semicolons, markup, # and & and Japanese in texts and conditions.
func trickyGraph() []dialog.TaskNode {
	msg := func(s string) *nodes.Message { return &nodes.Message{Text: nodes.MustParseText(s)} }
	return []dialog.TaskNode{
		{ID: "start", Type: "intent", Node: &nodes.Intent{Phrases: nodes.Utterances{"ja": {"注文する"}}},
			Exits: []dialog.Exit{{Key: "next", To: "ask-email"}}},
		{ID: "ask-email", Type: "entity", Node: &nodes.Entity{EntityType: "email"},
			Exits: []dialog.Exit{
				{Key: "if", Cond: `entities.email contains "@" && x: 1`, To: "note"},
				{Key: "else", To: "state"},
				{Key: "on_fail", To: "end"},
			}},
		{ID: "note", Type: "message", Node: msg(`Say "hi": <b>bold</b>; #1 & co`), Exits: []dialog.Exit{{Key: "next", To: "default"}}},
		{ID: "state", Type: "message", Node: msg("ご注文：ありがとうございます"),
			Exits: []dialog.Exit{{Key: "retry_from", To: "ask-email", DeclaredBy: "note"}}},
		{ID: "default", Type: "agent_transfer", Node: &nodes.AgentTransfer{Reason: "a <human> asked"}},
	}
}

// trickyLabels are the texts the tricky graph's labels must show.
var trickyLabels = []string{
	"ask-email", "note", "default",
	`intent: “注文する”`, `entity: email`, `message: “Say "hi": <b>bold</b>; #1 & co”`,
	`message: “ご注文：ありがとうございます”`, `agent_transfer: a <human> asked`,
	`entities.email contains "@" && x: 1`, `else`, `retries exhausted`, `handed off`, `answered again for note`,
}

func TestFlowGolden(t *testing.T) {
	tests := []struct {
		name   string
		args   []string
		golden string
	}{
		{"create lead, with Salesforce's outcomes", []string{"flow", "../../examples/salesforce", "create_lead"}, "flow_create_lead.golden"},
		{"find open cases", []string{"flow", "../../examples/salesforce", "find_open_cases"}, "flow_find_open_cases.golden"},
		{"in Japanese", []string{"flow", "-lang", "ja", "../../examples/salesforce", "create_case"}, "flow_create_case_ja.golden"},
		{"templates show", []string{"templates", "show", "lookup_record"}, "templates_show_lookup_record.golden"},
		// retry_from: the field's node goes back to the node that asked it again.
		{"a way back after a re-ask", []string{"flow", "testdata/retrybot", "lead"}, "flow_retry_from.golden"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			if code := run(tt.args, &stdout, &stderr); code != 0 {
				t.Fatalf("botctl %s: exit %d\n%s", strings.Join(tt.args, " "), code, &stderr)
			}
			golden.Check(t, filepath.Join("testdata", tt.golden), stdout.Bytes())
		})
	}
	t.Run("ids and texts Mermaid would misread", func(t *testing.T) {
		var out bytes.Buffer
		writeMermaid(&out, trickyGraph(), "ja")
		golden.Check(t, "testdata/flow_tricky.golden", out.Bytes())
	})
}

func TestFlowErrors(t *testing.T) {
	broken := t.TempDir()
	writeTestFile(t, filepath.Join(broken, "bot.yaml"), "name: broken\n")
	writeTestFile(t, filepath.Join(broken, "tasks", "a.yaml"), "name: a\nnodes:\n  - id: start\n    type: intent\n    utterances: [a]\n    next: nowhere\n")
	tests := []struct {
		name   string
		args   []string
		code   int
		stderr string
	}{
		{"unknown task", []string{"flow", "../../examples/salesforce", "create_leads"}, 1,
			`botctl flow: no task "create_leads" in ../../examples/salesforce (did you mean "create_lead"?); its tasks are create_case, create_lead, find_open_cases`},
		{"bot that does not load", []string{"flow", broken, "a"}, 1, "botctl lint " + broken + " lists its problems"},
		{"one argument", []string{"flow", "../../examples/salesforce"}, 2, "botctl flow: want DIR TASK"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			if code := run(tt.args, &stdout, &stderr); code != tt.code {
				t.Errorf("exit %d, want %d", code, tt.code)
			}
			if !strings.Contains(stderr.String(), tt.stderr) {
				t.Errorf("stderr = %q, want it to contain %q", &stderr, tt.stderr)
			}
		})
	}
}
