package templates

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/botforge/dialogd/dialog"
	"github.com/botforge/dialogd/internal/golden"
)

// recordAPI is a small JSON API of the shape the shipped templates expect:
// POST /records creates, GET /records?email= looks up.
type recordAPI struct {
	srv     *httptest.Server
	mu      sync.Mutex
	created []map[string]any
	queries []string // raw queries of lookups
}

func newRecordAPI(t *testing.T) *recordAPI {
	t.Helper()
	a := &recordAPI{}
	people := map[string]map[string]any{
		"jane@example.com":        {"name": "Jane Doe", "phone": "+14155550100"},
		"o'brien+tag@example.com": {"name": "Pat O'Brien"},
	}
	a.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Path != "/records" {
			w.WriteHeader(http.StatusNotFound)
			fmt.Fprint(w, `{"message":"no such collection"}`)
			return
		}
		switch r.Method {
		case http.MethodPost:
			var body map[string]any
			if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
				t.Errorf("POST body is not a JSON object: %v", err)
				w.WriteHeader(http.StatusBadRequest)
				return
			}
			if body["email"] == "fail@example.com" {
				w.WriteHeader(http.StatusUnprocessableEntity)
				fmt.Fprint(w, `{"message":"rejected"}`)
				return
			}
			a.mu.Lock()
			a.created = append(a.created, body)
			n := len(a.created)
			a.mu.Unlock()
			w.WriteHeader(http.StatusCreated)
			fmt.Fprintf(w, `{"id":"rec-%d"}`, n)
		case http.MethodGet:
			a.mu.Lock()
			a.queries = append(a.queries, r.URL.RawQuery)
			a.mu.Unlock()
			email := r.URL.Query().Get("email")
			if email == "fail@example.com" {
				w.WriteHeader(http.StatusServiceUnavailable)
				return
			}
			p, ok := people[email]
			if !ok {
				w.WriteHeader(http.StatusNotFound)
				fmt.Fprint(w, `{"message":"not found"}`)
				return
			}
			json.NewEncoder(w).Encode(p)
		default:
			w.WriteHeader(http.StatusMethodNotAllowed)
		}
	}))
	t.Cleanup(a.srv.Close)
	return a
}

func TestShippedTemplatesPassTheirTests(t *testing.T) {
	infos := List()
	if len(infos) < 2 {
		t.Fatalf("List() has %d templates, want at least 2", len(infos))
	}
	for _, info := range infos {
		t.Run(info.Name, func(t *testing.T) {
			tpl, err := Get(info.Name)
			if err != nil {
				t.Fatal(err)
			}
			if len(tpl.Tests) == 0 {
				t.Fatalf("template %s has no tests", info.Name)
			}
			var opts TestOptions
			if strings.HasPrefix(info.Name, "salesforce_") {
				opts = newSalesforce(t).options() // see salesforce_test.go
			} else {
				api := newRecordAPI(t)
				opts = TestOptions{Params: map[string]string{"api_base": api.srv.URL}}
			}
			err = tpl.RunTests(context.Background(), opts)
			if err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestCreateRecordSendsJSON(t *testing.T) {
	api := newRecordAPI(t)
	tpl, err := Get("create_record")
	if err != nil {
		t.Fatal(err)
	}
	if err := tpl.RunTests(context.Background(), TestOptions{Params: map[string]string{"api_base": api.srv.URL}}); err != nil {
		t.Fatal(err)
	}
	if len(api.created) != 1 {
		t.Fatalf("API got %d creates, want 1 (only the first test says yes and succeeds)", len(api.created))
	}
	got := api.created[0]
	want := map[string]any{"name": "Jane Doe", "email": "jane@example.com"}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("created[%s] = %v, want %v", k, got[k], v)
		}
	}
}

func TestLookupEscapesQuery(t *testing.T) {
	api := newRecordAPI(t)
	tpl, err := Get("lookup_record")
	if err != nil {
		t.Fatal(err)
	}
	if err := tpl.RunTests(context.Background(), TestOptions{Params: map[string]string{"api_base": api.srv.URL}}); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, q := range api.queries {
		if strings.Contains(q, "%2B") && strings.Contains(q, "o%27brien") {
			found = true
		}
		if strings.Contains(q, "+") {
			t.Errorf("raw query %q holds an unescaped +", q)
		}
	}
	if !found {
		t.Errorf("no lookup query escaped o'brien+tag: %q", api.queries)
	}
}

func TestRunTestsReportsFailures(t *testing.T) {
	tpl, err := Get("lookup_record")
	if err != nil {
		t.Fatal(err)
	}
	// No API listens on this port's path: every lookup fails, so "found"
	// must be reported with its turn.
	api := newRecordAPI(t)
	err = tpl.RunTests(context.Background(), TestOptions{Params: map[string]string{"api_base": api.srv.URL + "/nowhere"}})
	var tf *TestFailure
	if !errors.As(err, &tf) {
		t.Fatalf("RunTests error = %v, want a *TestFailure", err)
	}
	if tf.Test != "found" || tf.Turn != 2 {
		t.Errorf("first failure = test %q turn %d, want test \"found\" turn 2", tf.Test, tf.Turn)
	}
}

func TestRenderErrors(t *testing.T) {
	tests := []struct {
		name     string
		template string
		params   map[string]string
		want     string // substring of the error
	}{
		{"missing required", "create_record", nil, "parameter api_base: required"},
		{"empty required", "create_record", map[string]string{"api_base": ""}, "parameter api_base: required"},
		{"unknown parameter", "create_record", map[string]string{"api_base": "http://x.test", "colour": "red"}, "parameter colour: unknown parameter"},
		{"bad bool", "create_record", map[string]string{"api_base": "http://x.test", "phone_optional": "yes"}, `"yes" is not true or false`},
		{"bad number", "create_record", map[string]string{"api_base": "http://x.test", "timeout_seconds": "five"}, `"five" is not a number`},
		{"pattern", "create_record", map[string]string{"api_base": "ftp://x.test"}, "does not match"},
		{"bad task name", "lookup_record", map[string]string{"api_base": "http://x.test", "task_name": "../evil"}, "parameter task_name"},
		{"timeout out of range", "create_record", map[string]string{"api_base": "http://x.test", "timeout_seconds": "60"}, "rendered task does not load"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tpl, err := Get(tt.template)
			if err != nil {
				t.Fatal(err)
			}
			_, err = tpl.Render(tt.params)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Render(%v) error = %v, want it to contain %q", tt.params, err, tt.want)
			}
		})
	}
}

func TestParamErrorsAreTyped(t *testing.T) {
	tpl, err := Get("create_record")
	if err != nil {
		t.Fatal(err)
	}
	_, err = tpl.Render(map[string]string{"nope": "1"})
	var pe *ParamError
	if !errors.As(err, &pe) {
		t.Fatalf("error %v is not a *ParamError", err)
	}
	// Both problems are reported at once.
	for _, want := range []string{"parameter nope", "parameter api_base"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
}

func TestGetUnknown(t *testing.T) {
	_, err := Get("delete_everything")
	if !errors.Is(err, ErrUnknownTemplate) {
		t.Fatalf("Get error = %v, want ErrUnknownTemplate", err)
	}
	if !strings.Contains(err.Error(), "create_record") {
		t.Errorf("error %q does not list the known templates", err)
	}
}

// taskValues decodes a rendered task into a generic tree.
func taskValues(t *testing.T, data []byte) map[string]any {
	t.Helper()
	var m map[string]any
	if err := yaml.Unmarshal(data, &m); err != nil {
		t.Fatalf("rendered task is not YAML: %v\n%s", err, data)
	}
	return m
}

func nodeByID(t *testing.T, task map[string]any, id string) map[string]any {
	t.Helper()
	for _, n := range task["nodes"].([]any) {
		if m := n.(map[string]any); m["id"] == id {
			return m
		}
	}
	t.Fatalf("no node %q", id)
	return nil
}

func TestInjectionStaysLiteral(t *testing.T) {
	tpl, err := Get("create_record")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		label string
	}{
		{"newline and key", "x\n  evil: 1"},
		{"list item", "x\n- id: evil\n  type: message"},
		{"quote and brace", `"}`},
		{"flow syntax", "{a: b}, [c]"},
		{"comment", "x # hidden"},
		{"yaml document", "x\n---\nname: other"},
		{"template", "{{ env.secret }}"},
		{"unicode", "レコード"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := tpl.Render(map[string]string{"api_base": "http://x.test", "record_label": tt.label})
			if err != nil {
				t.Fatalf("Render: %v", err)
			}
			task := taskValues(t, out)
			if got, want := task["title"], "Create a "+literal(tt.label); got != want {
				t.Errorf("title = %q, want %q", got, want)
			}
			if len(task) != 4 {
				t.Errorf("task has keys %v, want name, title, description, nodes", task)
			}
			if n := len(task["nodes"].([]any)); n != 9 {
				t.Errorf("task has %d nodes, want 9", n)
			}
			cancelled := nodeByID(t, task, "failed")
			if len(cancelled) != 3 {
				t.Errorf("node failed has keys %v, want id, type, text", cancelled)
			}
			if strings.Contains(tt.label, "{{") {
				// The interpolation is escaped: it renders as literal text.
				text := nodeByID(t, task, "created")["text"].(string)
				if !strings.Contains(text, `{{ "{{" }} env.secret }}`) {
					t.Errorf("created text %q does not escape the interpolation", text)
				}
			}
		})
	}
}

func TestTypedValues(t *testing.T) {
	tpl, err := Get("create_record")
	if err != nil {
		t.Fatal(err)
	}
	out, err := tpl.Render(map[string]string{"api_base": "http://x.test", "phone_optional": "false", "task_name": "t123", "record_label": "123"})
	if err != nil {
		t.Fatal(err)
	}
	task := taskValues(t, out)
	if got := nodeByID(t, task, "phone")["optional"]; got != false {
		t.Errorf("phone.optional = %#v, want bool false", got)
	}
	if got := task["name"]; got != "t123" {
		t.Errorf("name = %#v, want string t123", got)
	}
	if got := nodeByID(t, task, "create")["timeout"]; got != "5s" {
		t.Errorf("create.timeout = %#v, want 5s", got)
	}
}

func TestGolden(t *testing.T) {
	tpl, err := Get("lookup_record")
	if err != nil {
		t.Fatal(err)
	}
	got, err := tpl.Render(map[string]string{"api_base": "https://api.example.com/v1", "record_label": "contact"})
	if err != nil {
		t.Fatal(err)
	}
	golden.Check(t, goldenPath("lookup_record"), got)
}

// TestGoldenSalesforce: every Salesforce template of the catalogue renders
// with its default parameters exactly as its golden file.
func TestGoldenSalesforce(t *testing.T) {
	for _, info := range List() {
		if !strings.HasPrefix(info.Name, "salesforce_") {
			continue
		}
		t.Run(info.Name, func(t *testing.T) {
			tpl, err := Get(info.Name)
			if err != nil {
				t.Fatal(err)
			}
			got, err := tpl.Render(nil)
			if err != nil {
				t.Fatal(err)
			}
			golden.Check(t, goldenPath(info.Name), got)
		})
	}
}

// goldenPath is the golden file of a template rendered with its
// defaults (go test -update rewrites it).
func goldenPath(name string) string { return filepath.Join("testdata", name+".golden.yaml") }

// newBot writes a minimal bot directory.
func newBot(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "bot.yaml"), []byte("name: installed\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestInstall(t *testing.T) {
	dir := newBot(t)
	params := map[string]string{"api_base": "http://127.0.0.1:1/api"}
	path, err := Install(dir, "lookup_record", params)
	if err != nil {
		t.Fatalf("Install: %v", err)
	}
	if want := filepath.Join(dir, "tasks", "lookup_record.yaml"); path != want {
		t.Errorf("path = %q, want %q", path, want)
	}
	bot, err := dialog.LoadDir(dir)
	if err != nil {
		t.Fatalf("installed bot does not load: %v", err)
	}
	if bot.Tasks["lookup_record"] == nil {
		t.Errorf("bot tasks %v lack lookup_record", bot.TaskNames())
	}
	// A second install of the same task refuses and leaves the file alone.
	before, _ := os.ReadFile(path)
	_, err = Install(dir, "lookup_record", map[string]string{"api_base": "http://other.test"})
	if !errors.Is(err, ErrExists) {
		t.Fatalf("second Install error = %v, want ErrExists", err)
	}
	after, _ := os.ReadFile(path)
	if !bytes.Equal(before, after) {
		t.Error("refused install changed the file")
	}
	// Overwrite replaces it.
	tpl, _ := Get("lookup_record")
	if _, err := tpl.Install(dir, map[string]string{"api_base": "http://other.test"}, true); err != nil {
		t.Fatalf("overwrite: %v", err)
	}
	after, _ = os.ReadFile(path)
	if !bytes.Contains(after, []byte("http://other.test/records")) {
		t.Errorf("overwritten file does not use the new api_base:\n%s", after)
	}
}

func TestInstallErrors(t *testing.T) {
	tests := []struct {
		name     string
		setup    func(t *testing.T, dir string)
		template string
		params   map[string]string
		want     string
	}{
		{"unknown template", nil, "nope", nil, "unknown template"},
		{"missing parameter", nil, "create_record", nil, "required"},
		{"task name taken by another file", func(t *testing.T, dir string) {
			os.MkdirAll(filepath.Join(dir, "tasks"), 0o755)
			other := "name: create_record\nnodes:\n  - {id: start, type: intent, utterances: {en: [hello]}, next: m}\n  - {id: m, type: message, text: hi}\n"
			if err := os.WriteFile(filepath.Join(dir, "tasks", "other.yaml"), []byte(other), 0o644); err != nil {
				t.Fatal(err)
			}
		}, "create_record", map[string]string{"api_base": "http://x.test"}, "already defined"},
		{"broken bot", func(t *testing.T, dir string) {
			os.WriteFile(filepath.Join(dir, "bot.yaml"), []byte("description: no name\n"), 0o644)
		}, "create_record", map[string]string{"api_base": "http://x.test"}, "a bot needs a name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := newBot(t)
			if tt.setup != nil {
				tt.setup(t, dir)
			}
			_, err := Install(dir, tt.template, tt.params)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Install error = %v, want it to contain %q", err, tt.want)
			}
			if _, statErr := os.Stat(filepath.Join(dir, "tasks", tt.template+".yaml")); statErr == nil {
				t.Errorf("failed install left tasks/%s.yaml behind", tt.template)
			}
		})
	}
}

func TestParseRejectsBadDefinitions(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want string
	}{
		{"undeclared placeholder", "name: a\ntitle: A\nsummary: s\ntask: {name: \"${nope}\"}\n", "${nope} names no declared parameter"},
		{"placeholder in key", "name: a\ntitle: A\nsummary: s\nparameters: [{name: k, default: x}]\ntask: {\"${k}\": 1}\n", "values only"},
		{"bad type", "name: a\ntitle: A\nsummary: s\nparameters: [{name: k, type: list}]\ntask: {name: x}\n", `type "list"`},
		{"bad default", "name: a\ntitle: A\nsummary: s\nparameters: [{name: k, type: number, default: x}]\ntask: {name: x}\n", "is not a number"},
		{"optional bool without default", "name: a\ntitle: A\nsummary: s\nparameters: [{name: k, type: bool}]\ntask: {name: x}\n", "needs a default"},
		{"duplicate parameter", "name: a\ntitle: A\nsummary: s\nparameters: [{name: k}, {name: k}]\ntask: {name: x}\n", "declared twice"},
		{"unknown key", "name: a\ntitle: A\nsummary: s\nfields: []\ntask: {name: x}\n", `t.yaml:4:1: unknown key "fields"`},
		{"alias", "name: a\ntitle: A\nsummary: s\ntask: {name: &n x, title: *n}\n", "aliases"},
		{"bad expect", "name: a\ntitle: A\nsummary: s\ntask: {name: x}\ntests: [{conversation: [{say: hi, expect: '/(/'}]}]\n", "expect /(/"},
		{"no title", "name: a\nsummary: s\ntask: {name: x}\n", "title and summary"},
		{"say and click", "name: a\ntitle: A\nsummary: s\ntask: {name: x}\ntests: [{conversation: [{say: hi, click: Yes, expect: x}]}]\n", "either says something or clicks a button"},
		{"neither say nor click", "name: a\ntitle: A\nsummary: s\ntask: {name: x}\ntests: [{conversation: [{expect: x}]}]\n", "either says something or clicks a button"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("t.yaml", []byte(tt.src))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Parse error = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

// TestClickPressesButtons: a test turn can press a button or quick reply
// of the previous replies by its title (its payload is sent); a title the
// replies did not offer fails the test, naming what they offered.
func TestClickPressesButtons(t *testing.T) {
	const src = `name: ask
title: Ask
summary: asks a question
task:
  name: ask
  nodes:
    - {id: start, type: intent, utterances: [ask me], next: q}
    - {id: q, type: confirmation, prompt: "Sure?", on_yes: yes, on_no: no}
    - {id: "yes", type: message, text: Confirmed.}
    - {id: "no", type: message, text: Dropped.}
tests:
  - name: clicks
    conversation:
      - {say: ask me, expect: "Sure?"}
      - {click: "Yes", expect: Confirmed.}
  - name: missing button
    conversation:
      - {say: ask me, expect: "Sure?"}
      - {click: Maybe, expect: Confirmed.}
`
	tpl, err := Parse("ask.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	err = tpl.RunTests(context.Background(), TestOptions{})
	var tf *TestFailure
	if !errors.As(err, &tf) || tf.Test != "missing button" || !strings.Contains(tf.Msg, `no such button (the replies offered "Yes", "No")`) {
		t.Fatalf("RunTests = %v; want only the missing button test to fail, naming the offered buttons", err)
	}
	if strings.Contains(err.Error(), `"clicks"`) {
		t.Errorf("RunTests = %v; the clicks test should pass", err)
	}
}

// FuzzRender checks that no parameter value changes the task's structure:
// the rendered file either loads with the value intact or is refused.
func FuzzRender(f *testing.F) {
	for _, s := range []string{"contact", "x\n  evil: 1", `"}`, "{{ env.x }}", "a: b", "- c", "'", "\\", "\x00", "&a *a", "!!int 3"} {
		f.Add(s)
	}
	tpl, err := Get("create_record")
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, label string) {
		out, err := tpl.Render(map[string]string{"api_base": "http://x.test", "record_label": label})
		if err != nil {
			return // refused (e.g. text the loader rejects) is fine
		}
		task := taskValues(t, out)
		if got, want := task["title"], "Create a "+literal(label); got != want {
			t.Errorf("title = %q, want %q", got, want)
		}
		if n := len(task["nodes"].([]any)); n != 9 {
			t.Errorf("task has %d nodes, want 9", n)
		}
	})
}

func BenchmarkRender(b *testing.B) {
	tpl, err := Get("create_record")
	if err != nil {
		b.Fatal(err)
	}
	params := map[string]string{"api_base": "http://x.test"}
	var size int
	for b.Loop() {
		out, err := tpl.Render(params)
		if err != nil {
			b.Fatal(err)
		}
		size = len(out)
	}
	b.ReportMetric(float64(size), "bytes/task")
}
