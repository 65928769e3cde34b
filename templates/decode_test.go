package templates

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/botforge/dialogd/dialog"
	"github.com/botforge/dialogd/nodes"
)

// lead is a task body with one mistake, indented by indent.
func lead(indent, retries string) string {
	return indent + "name: lead\n" +
		indent + "nodes:\n" +
		indent + "  - {id: start, type: intent, utterances: [new lead], next: ask}\n" +
		indent + "  - id: ask\n" +
		indent + "    type: entity\n" +
		indent + "    entity_type: email\n" +
		indent + "    prompt: E-mail?\n" +
		indent + "    retries: " + retries + "\n"
}

// TestSameMistakeSameMessage: a mistake reads the same in a bot's files
// and in a template, file:line:col: path: message, at its place in the
// file that holds it.
func TestSameMistakeSameMessage(t *testing.T) {
	tests := []struct {
		name                  string
		botFile, botText      string
		templateText          string
		wantBot, wantTemplate string
	}{{
		name:    "misspelt key",
		botFile: "bot.yaml", botText: "name: b\nlanguges: [en]\n",
		templateText: "name: t\ntitel: T\nsummary: S\ntask:\n" + lead("  ", "3"),
		wantBot:      "bot.yaml:2:1: unknown key \"languges\" (did you mean \"languages\"?)",
		wantTemplate: "t.yaml:2:1: unknown key \"titel\" (did you mean \"title\"?)",
	}, {
		name:    "wrong type in a node",
		botFile: "tasks/lead.yaml", botText: lead("", "five"),
		templateText: "name: t\ntitle: T\nsummary: S\ntask:\n" + lead("  ", "five"),
		wantBot:      "tasks/lead.yaml:8:14: nodes.ask.retries: want a whole number, got the text \"five\"",
		wantTemplate: "t.yaml:12:16: task.nodes.ask.retries: want a whole number, got the text \"five\"",
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			files := map[string]string{"bot.yaml": "name: b\n", "tasks/lead.yaml": lead("", "3")}
			files[tt.botFile] = tt.botText
			for name, text := range files {
				os.MkdirAll(filepath.Join(dir, filepath.Dir(name)), 0o755)
				os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644)
			}
			_, err := dialog.LoadFS(os.DirFS(dir), "", nodes.Default())
			if got := onlyProblem(t, err); got != tt.wantBot {
				t.Errorf("bot: got  %s\nwant %s", got, tt.wantBot)
			}
			tmpl, err := Parse("t.yaml", []byte(tt.templateText))
			if err == nil {
				_, err = tmpl.Render(nil)
			}
			if got := onlyProblem(t, err); got != tt.wantTemplate {
				t.Errorf("template: got  %s\nwant %s", got, tt.wantTemplate)
			}
		})
	}
}

// onlyProblem returns the one configuration problem in err.
func onlyProblem(t *testing.T, err error) string {
	t.Helper()
	var errs nodes.ConfigErrors
	if !errors.As(err, &errs) || len(errs) != 1 {
		t.Fatalf("want one positioned problem, got %v", err)
	}
	return errs[0].Error()
}

// TestDefinitionProblemsArePositioned: every problem of a template
// definition names its place in the file.
func TestDefinitionProblemsArePositioned(t *testing.T) {
	tests := []struct{ src, want string }{
		{"name: a\ntitle: A\nsummary: s\ntask: {name: \"${nope}\"}\n",
			"t.yaml:4:14: task: placeholder ${nope} names no declared parameter"},
		{"name: a\ntitle: A\nsummary: s\nparameters:\n  - {name: k}\n  - {name: k, type: list}\ntask: {name: x}\n",
			"t.yaml:6:5: parameters[1]: k is declared twice\nt.yaml:6:5: parameters[1].type: type \"list\" is not string, number or bool"},
		{"name: A\ntitle: A\nsummary: s\ntask: {name: x}\n",
			"t.yaml:1:7: name: name \"A\" must be lowercase letters, digits and _"},
		{"name: a\ntitle: A\nsummary: s\ntask: {name: x}\ntests:\n  - name: empty\n",
			"t.yaml:6:5: tests[0]: a test needs a conversation"},
	}
	for _, tt := range tests {
		_, err := Parse("t.yaml", []byte(tt.src))
		if err == nil || err.Error() != tt.want {
			t.Errorf("Parse(%q):\ngot  %v\nwant %s", tt.src, err, tt.want)
		}
	}
}
