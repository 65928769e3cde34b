package dialog_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/botforge/dialogd/dialog"
	"github.com/botforge/dialogd/internal/golden"
	"github.com/botforge/dialogd/nodes"
)

// goldenTypes are the node types the golden files are written with. The
// golden tests load with exactly these, so a node type added anywhere else
// (a new file in package nodes, another package's init) changes no output
// here.
var goldenTypes = []string{"agent_transfer", "confirmation", "entity", "intent", "logic", "message", "script", "service"}

// fixedRegistry returns a registry of goldenTypes taken from reg.
func fixedRegistry(t *testing.T, reg *nodes.Registry) *nodes.Registry {
	t.Helper()
	fixed := nodes.NewRegistry()
	for _, name := range goldenTypes {
		info, ok := reg.Lookup(name)
		if !ok {
			t.Fatalf("node type %q is not registered", name)
		}
		if err := fixed.Add(info); err != nil {
			t.Fatal(err)
		}
	}
	return fixed
}

// lintOutput loads the bot in dir with reg and returns its problems as
// botctl lint prints them.
func lintOutput(t *testing.T, dir string, reg *nodes.Registry) string {
	t.Helper()
	_, err := dialog.LoadFS(os.DirFS(dir), dir, reg)
	if err == nil {
		t.Fatal("LoadFS succeeded; want errors")
	}
	errs, ok := dialog.AsLoadErrors(err)
	if !ok {
		t.Fatalf("error is %T, want LoadErrors: %v", err, err)
	}
	for _, e := range errs {
		if e.File == "" || (e.Line == 0 && !strings.HasSuffix(e.File, "tasks")) {
			t.Errorf("error without a position: %q", e.Error())
		}
		if strings.Contains(e.Msg, "line ") {
			t.Errorf("position given twice: %q", e.Error())
		}
	}
	return err.Error() + "\n"
}

func goldenDirs(t *testing.T) []string {
	dirs, err := filepath.Glob("testdata/bad/*")
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no test bots: %v", err)
	}
	return dirs
}

// TestLoadErrors loads each broken bot under testdata/bad and compares every
// reported problem, with its position, to the bot's want.txt golden file.
// testdata/bad/causes holds typos whose consequences (nodes behind them
// looking unreachable) must not be reported, and a script error whose
// line must be given once.
func TestLoadErrors(t *testing.T) {
	for _, dir := range goldenDirs(t) {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			got := lintOutput(t, dir, fixedRegistry(t, nodes.Default()))
			golden.Check(t, filepath.Join(dir, "want.txt"), []byte(got))
		})
	}
}

// extraNode is a node type registered by TestGoldenIgnoresOtherTypes.
type extraNode struct {
	Text string `yaml:"text"`
}

func (*extraNode) Run(context.Context, *nodes.Turn) (nodes.Outcome, error) { return nodes.Next(), nil }

// TestGoldenIgnoresOtherTypes: a node type registered beside the built-in
// ones changes no golden output, though loading with that registry
// directly would list it.
func TestGoldenIgnoresOtherTypes(t *testing.T) {
	extended := nodes.Default().Clone()
	if err := extended.Add(nodes.Info{Type: "aa_extra", New: func() nodes.Node { return new(extraNode) }}); err != nil {
		t.Fatal(err)
	}
	listed := false
	for _, dir := range goldenDirs(t) {
		want, err := os.ReadFile(filepath.Join(dir, "want.txt"))
		if err != nil {
			t.Fatal(err)
		}
		if got := lintOutput(t, dir, fixedRegistry(t, extended)); got != string(want) {
			t.Errorf("%s: with an extra node type registered, errors differ from want.txt\ngot:\n%s\nwant:\n%s", dir, got, want)
		}
		listed = listed || strings.Contains(lintOutput(t, dir, extended), "aa_extra")
	}
	if !listed {
		t.Error("no golden bot lists the known node types; this test proves nothing")
	}
}

// TestLoadExamples checks the shipped bots load cleanly.
func TestLoadExamples(t *testing.T) {
	for _, dir := range []string{"../examples/demo", "../examples/bench"} {
		bot, err := dialog.LoadDir(dir)
		if err != nil {
			t.Fatalf("LoadDir(%s):\n%v", dir, err)
		}
		if len(bot.Tasks) == 0 {
			t.Errorf("LoadDir(%s) has no tasks", dir)
		}
	}
}

// TestAuthProfileEnvExpansion: plain profile settings take ${VAR} and
// ${VAR:-default}; secrets stay references.
func TestAuthProfileEnvExpansion(t *testing.T) {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "tasks"), 0o755)
	os.WriteFile(filepath.Join(dir, "bot.yaml"), []byte(`name: sf
auth_profiles:
  salesforce:
    kind: oauth2
    mode: per_user
    salesforce: {login: "${TEST_SF_LOGIN:-http://127.0.0.1:8787}"}
    client_id: ${TEST_SF_CLIENT}
    client_secret: {env: TEST_SF_SECRET}
`), 0o644)
	os.WriteFile(filepath.Join(dir, "tasks", "t.yaml"), []byte("name: t\nnodes:\n  - {id: start, type: intent, utterances: [hi], next: m}\n  - {id: m, type: message, text: hi}\n"), 0o644)
	t.Setenv("TEST_SF_CLIENT", "3MVGtest")
	bot, err := dialog.LoadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	p := bot.Config.AuthProfiles["salesforce"]
	if p.Salesforce.Login != "http://127.0.0.1:8787" || p.ClientID != "3MVGtest" || p.ClientSecret.Env != "TEST_SF_SECRET" {
		t.Errorf("profile = login %q, client %q, secret %+v", p.Salesforce.Login, p.ClientID, p.ClientSecret)
	}
	t.Setenv("TEST_SF_LOGIN", "http://127.0.0.1:9999")
	if bot, err = dialog.LoadDir(dir); err != nil || bot.Config.AuthProfiles["salesforce"].Salesforce.Login != "http://127.0.0.1:9999" {
		t.Errorf("with TEST_SF_LOGIN set: %v %+v", err, bot)
	}
}

// TestNodeIDNamedLikeBuiltin: a node may be called like an expression
// built-in (len, date, …) and its result read by that id in conditions.
func TestNodeIDNamedLikeBuiltin(t *testing.T) {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "tasks"), 0o755)
	os.WriteFile(filepath.Join(dir, "bot.yaml"), []byte("name: b\nenv: {api: \"http://127.0.0.1:1\"}\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "tasks", "t.yaml"), []byte(`name: t
nodes:
  - {id: start, type: intent, utterances: [hi], next: date}
  - {id: date, type: entity, entity_type: date, prompt: "When?", next: len}
  - id: len
    type: service
    url: "{{env.api}}/x"
    on_error: failed
    transitions:
      - if: "len.response.status == 200 && len(entities.date) > 0"
        to: ok
      - else: failed
  - {id: ok, type: message, text: "{{ len.response.status }}"}
  - {id: failed, type: message, text: "no"}
`), 0o644)
	if _, err := dialog.LoadFS(os.DirFS(dir), dir, fixedRegistry(t, nodes.Default())); err != nil {
		t.Errorf("a node called len: %v", err)
	}
}

// TestBotSettingsChecked: bot.yaml's events name existing tasks and its
// durations are positive; each mistake is reported at its path.
func TestBotSettingsChecked(t *testing.T) {
	tests := []struct{ name, botYAML, want string }{
		{"conversation_end task", "name: b\nevents:\n  conversation_end: {task: wrap_up}\n",
			`events.conversation_end.task: no task named "wrap_up"`},
		{"conversation_start task", "name: b\nevents:\n  conversation_start: {task: hello}\n",
			`events.conversation_start.task: no task named "hello"`},
		{"negative idle ttl", "name: b\nsettings: {session_idle_ttl: -5m}\n",
			"settings.session_idle_ttl: must be positive"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			os.MkdirAll(filepath.Join(dir, "tasks"), 0o755)
			os.WriteFile(filepath.Join(dir, "bot.yaml"), []byte(tt.botYAML), 0o644)
			os.WriteFile(filepath.Join(dir, "tasks", "t.yaml"), []byte("name: t\nnodes:\n  - {id: start, type: intent, utterances: [hi], next: m}\n  - {id: m, type: message, text: hi}\n"), 0o644)
			_, err := dialog.LoadFS(os.DirFS(dir), dir, fixedRegistry(t, nodes.Default()))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("LoadFS error = %v; want one containing %q", err, tt.want)
			}
		})
	}
}

// aliasBomb writes levels anchored lists under indent, each of ten
// aliases of the one before: 10^levels scalars in a few hundred bytes.
func aliasBomb(indent string, levels int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%sl0: &l0 [%s]\n", indent, strings.TrimSuffix(strings.Repeat("lol,", 10), ","))
	for i := 1; i < levels; i++ {
		fmt.Fprintf(&b, "%sl%d: &l%d [%s]\n", indent, i, i, strings.TrimSuffix(strings.Repeat(fmt.Sprintf("*l%d,", i-1), 10), ","))
	}
	return b.String()
}

// writeBot writes files (path → content) into a new bot directory.
func writeBot(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// utteranceTask is a task file of n utterances, about 40 bytes each.
func utteranceTask(n int) string {
	var b strings.Builder
	b.WriteString("name: big\nnodes:\n  - id: start\n    type: intent\n    next: done\n    utterances:\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "      - please book a demo for me, number %d\n", i)
	}
	b.WriteString("  - {id: done, type: message, text: ok}\n")
	return b.String()
}

const (
	okTask      = "name: t\nnodes:\n  - {id: start, type: intent, utterances: [hi], next: m}\n  - {id: m, type: message, text: hi}\n"
	brokenTask  = "name: other\nnodes:\n  - {id: start, type: intent, utterances: [hi], next: m}\n  - {id: m, type: mesage, text: hi}\n"
	bombLimit   = "alias *l2 takes the nodes reached through aliases past 10000, the limit for a designer file; write the values out or share less"
	allocBudget = 32 << 20 // bytes a refused bot may allocate, whatever it holds
)

// TestLoadRefusesCostlyFiles: an alias bomb in a service body or a logic
// set value and a 50 MB task file are refused at their file:line:col,
// with the other files' problems, allocating a bounded amount (on main
// before the limits, the bombs took gigabytes and the big file a minute).
func TestLoadRefusesCostlyFiles(t *testing.T) {
	bodyBomb := "name: t\nnodes:\n  - {id: start, type: intent, utterances: [hi], next: call}\n  - id: call\n    type: service\n" +
		"    method: POST\n    url: http://127.0.0.1:1/x\n    next: done\n    body:\n" + aliasBomb("      ", 9) + "  - {id: done, type: message, text: ok}\n"
	setBomb := "name: t\nnodes:\n  - {id: start, type: intent, utterances: [hi], next: set}\n  - id: set\n    type: logic\n    next: done\n" +
		"    set:\n      - name: x\n        value:\n" + aliasBomb("          ", 9) + "  - {id: done, type: message, text: ok}\n"
	tests := []struct {
		name  string
		files map[string]string
		want  []string // lines of the error, DIR/ prefixed
	}{
		{"alias bomb in a service body", map[string]string{"tasks/t.yaml": bodyBomb, "tasks/u.yaml": brokenTask},
			[]string{"tasks/t.yaml:13:44: nodes[1].body.l3[7]: " + bombLimit,
				`tasks/u.yaml:4:19: nodes.m.type: unknown node type "mesage" (known: agent_transfer, confirmation, entity, intent, logic, message, script, service)`}},
		{"alias bomb in a logic set value", map[string]string{"tasks/t.yaml": setBomb},
			[]string{"tasks/t.yaml:13:48: nodes[1].set[0].value.l3[7]: " + bombLimit}},
		{"50 MB task file of utterances", map[string]string{"tasks/big.yaml": utteranceTask(1_250_000), "tasks/t.yaml": okTask},
			[]string{"tasks/big.yaml:22082:8: file is larger than 1 MiB, the limit for a designer file; split it or shorten it"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.files["bot.yaml"] = "name: b\n"
			dir := writeBot(t, tt.files)
			for name, content := range tt.files {
				// Guard: on code without limits the parser accepts a bomb and
				// loading it would take the machine's memory.
				if _, err := nodes.ParseYAML(name, []byte(content)); err == nil && strings.Contains(content, "&l8") {
					t.Fatalf("ParseYAML accepted the alias bomb in %s", name)
				}
			}
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			_, err := dialog.LoadFS(os.DirFS(dir), dir, fixedRegistry(t, nodes.Default()))
			runtime.ReadMemStats(&after)
			want := dir + "/" + strings.Join(tt.want, "\n"+dir+"/")
			if err == nil || err.Error() != want {
				t.Errorf("LoadFS error:\ngot  %v\nwant %s", err, want)
			}
			alloc := after.TotalAlloc - before.TotalAlloc
			if alloc > allocBudget {
				t.Errorf("LoadFS allocated %d MB; want at most %d MB", alloc>>20, allocBudget>>20)
			}
			t.Logf("LoadFS allocated %d KB", alloc>>10)
		})
	}
}

// TestLoadBoundsTheWholeBot: a bot is held to a number of task files, a
// total size and a number of utterances, each reported once.
func TestLoadBoundsTheWholeBot(t *testing.T) {
	files := map[string]string{"bot.yaml": "name: b\n"}
	for i := 0; i < 3; i++ {
		files[fmt.Sprintf("tasks/t%d.yaml", i)] = strings.Replace(okTask, "name: t", fmt.Sprintf("name: t%d", i), 1)
	}
	dir := writeBot(t, files)
	tests := []struct {
		name string
		lim  dialog.LoadLimits
		want string
	}{
		{"task files", dialog.LoadLimits{YAML: nodes.DefaultYAMLLimits, MaxTaskFiles: 2, MaxBotBytes: 1 << 20, MaxUtterances: 10},
			dir + "/tasks: 3 task files, more than 2, the limit for a bot"},
		{"total size", dialog.LoadLimits{YAML: nodes.DefaultYAMLLimits, MaxTaskFiles: 10, MaxBotBytes: 8 + 2*(len(okTask)+1), MaxUtterances: 10},
			dir + "/tasks/t2.yaml: the bot's files are larger than " + fmt.Sprint(8+2*(len(okTask)+1)) + " bytes together, the limit for a bot"},
		{"utterances", dialog.LoadLimits{YAML: nodes.DefaultYAMLLimits, MaxTaskFiles: 10, MaxBotBytes: 1 << 20, MaxUtterances: 1},
			dir + "/tasks/t1.yaml:3:5: nodes.start.utterances: the bot's tasks have more than 1 utterances together, the limit for a bot"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := dialog.LoadFSLimited(os.DirFS(dir), dir, fixedRegistry(t, nodes.Default()), tt.lim)
			if err == nil || err.Error() != tt.want {
				t.Errorf("LoadFSLimited error:\ngot  %v\nwant %s", err, tt.want)
			}
		})
	}
	if _, err := dialog.LoadFSLimited(os.DirFS(dir), dir, fixedRegistry(t, nodes.Default()), dialog.DefaultLoadLimits); err != nil {
		t.Errorf("within the default limits: %v", err)
	}
}
