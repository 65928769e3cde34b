package main

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/botforge/dialogd/dialog"
	"github.com/botforge/dialogd/internal/golden"
	"github.com/botforge/dialogd/templates"
)

// fuzzBotYAML declares the auth profile the Salesforce templates use.
const fuzzBotYAML = `name: fuzzbot
auth_profiles:
  salesforce:
    kind: oauth2
    mode: per_user
    salesforce: {login: production}
    client_id: x
    client_secret: {env: FUZZ_SF_SECRET}
`

// taskNodeIDs returns the task name and node ids of a task file.
func taskNodeIDs(data []byte) (string, []string, error) {
	var task struct {
		Name  string `yaml:"name"`
		Nodes []struct {
			ID string `yaml:"id"`
		} `yaml:"nodes"`
	}
	if err := yaml.Unmarshal(data, &task); err != nil {
		return "", nil, err
	}
	ids := make([]string, len(task.Nodes))
	for i, n := range task.Nodes {
		ids[i] = n.ID
	}
	return task.Name, ids, nil
}

// FuzzInstallParams: botctl install with any -p parameters exits 0, 1 or
// 2 without a panic. A failed install leaves the bot directory as it was;
// a successful one writes DIR/tasks/<task_name>.yaml, with which the bot
// loads, and whose nodes are the template's own (a parameter value cannot
// add nodes or keys, only fill the places made for it), and the template's
// tests to DIR/tests/<task_name>.yaml.
func FuzzInstallParams(f *testing.F) {
	dir := filepath.Join(f.TempDir(), "bot")
	if err := os.MkdirAll(filepath.Join(dir, "tasks"), 0o755); err != nil {
		f.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "bot.yaml"), []byte(fuzzBotYAML), 0o644); err != nil {
		f.Fatal(err)
	}
	var names []string
	baseline := map[string][]string{} // template: node ids with every node kept
	for _, info := range templates.List() {
		tpl, err := templates.Get(info.Name)
		if err != nil {
			f.Fatal(err)
		}
		params := map[string]string{}
		for _, p := range info.Parameters {
			if p.Required {
				params[p.Name] = "https://api.example.com/v1" // the only required one: api_base
			}
		}
		data, err := tpl.Render(params)
		if err != nil {
			f.Fatalf("render %s: %v", info.Name, err)
		}
		_, ids, err := taskNodeIDs(data)
		if err != nil {
			f.Fatal(err)
		}
		names = append(names, info.Name)
		baseline[info.Name] = ids
	}
	f.Add(uint8(0), "api_base=https://api.example.com/v1", "record_label=contact", "task_name=new_contact")
	f.Add(uint8(0), "api_base=https://api.example.com/v1", "record_label=x\nnodes: [{id: evil, type: message, text: hi}]", "id_field=id")
	f.Add(uint8(0), "api_base=https://api.example.com/v1?x=1", "collection=../../etc", "task_name=../../escape")
	f.Add(uint8(1), "api_base=http://127.0.0.1:9000", "detail_field={{ env.secret }}", "query_param=e&x=1")
	f.Add(uint8(2), "origin=Web' OR Name != '", "api_version=60.0", "timeout_seconds=21")
	f.Add(uint8(3), "lead_source=\"}, \"Evil\": \"1", "phone_optional=false", "auth_profile=other")
	f.Add(uint8(4), "max_cases=1e9", "ask_when_anonymous=yes", "task_name=")
	f.Add(uint8(4), "=x", "novalue", "task_name=a=b")
	f.Fuzz(func(t *testing.T, which uint8, p1, p2, p3 string) {
		name := names[int(which)%len(names)]
		before := golden.Tree(t, dir)
		var stdout, stderr bytes.Buffer
		code := run([]string{"install", "-force", "-p", p1, "-p", p2, "-p", p3, name, dir}, &stdout, &stderr)
		switch code {
		case 0:
		case 1, 2:
			if after := golden.Tree(t, dir); after != before {
				t.Fatalf("install failed (exit %d: %s) but changed the bot directory:\nbefore:\n%s\nafter:\n%s", code, &stderr, before, after)
			}
			return
		default:
			t.Fatalf("install exited %d: %s", code, &stderr)
		}
		lines := strings.Split(strings.TrimSpace(stdout.String()), "\n")
		path := strings.TrimPrefix(lines[0], "wrote ")
		defer os.Remove(path)
		if len(lines) > 1 {
			tests, _, _ := strings.Cut(strings.TrimPrefix(lines[1], "wrote "), " ")
			defer os.Remove(tests)
			checkInstalledTests(t, dir, path, tests)
		}
		checkInstalled(t, dir, path, baseline[name])
	})
}

// checkInstalled wants path to be a task file directly in dir/tasks that
// loads with the bot and holds only nodes of the template.
func checkInstalled(t *testing.T, dir, path string, templateIDs []string) {
	t.Helper()
	if filepath.Dir(path) != filepath.Join(dir, "tasks") || filepath.Ext(path) != ".yaml" {
		t.Fatalf("install wrote %q, outside %s/tasks", path, dir)
	}
	if _, err := dialog.LoadDir(dir); err != nil {
		t.Fatalf("the bot does not load after a successful install: %v", err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	taskName, ids, err := taskNodeIDs(data)
	if err != nil {
		t.Fatalf("installed task does not parse: %v", err)
	}
	if want := strings.TrimSuffix(filepath.Base(path), ".yaml"); taskName != want {
		t.Fatalf("installed task is named %q in file %s", taskName, path)
	}
	for _, id := range ids {
		if !slices.Contains(templateIDs, id) {
			t.Fatalf("installed task has node %q, which the template does not have (%v)", id, templateIDs)
		}
	}
}

// checkInstalledTests wants tests to be the tests file of the task file
// path: DIR/tests/<task>.yaml, naming that task.
func checkInstalledTests(t *testing.T, dir, path, tests string) {
	t.Helper()
	task := strings.TrimSuffix(filepath.Base(path), ".yaml")
	if want := filepath.Join(dir, "tests", task+".yaml"); tests != want {
		t.Fatalf("install wrote tests to %q, want %q", tests, want)
	}
	got, err := templates.ReadTests(tests)
	if err != nil {
		t.Fatalf("tests file does not read: %v", err)
	}
	if got.Task != task || len(got.Tests) == 0 {
		t.Fatalf("tests file names task %q and has %d tests, want task %q and its template's tests", got.Task, len(got.Tests), task)
	}
}
