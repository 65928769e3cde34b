package templates

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/botforge/dialogd/dialog"
	"github.com/botforge/dialogd/internal/golden"
)

// iaBotYAML is a bot.yaml as botctl init writes it: three languages, no
// auth profiles.
const iaBotYAML = `# The bot's settings.
name: "shop"
languages: [en, de, ja]
events:
  conversation_start:
    text: {en: Hi, de: Hallo, ja: こんにちは}
    show_tasks: true
`

// iaGreeting is botctl init's first task.
const iaGreeting = `name: greeting
nodes:
  - id: start
    type: intent
    utterances: {en: [hello], de: [hallo], ja: [こんにちは]}
    next: reply
  - id: reply
    type: message
    text: {en: Hello!, de: Hallo!, ja: こんにちは！}
`

// iaNewBot writes a bot directory holding files (relative paths) and
// returns it.
func iaNewBot(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "bot")
	for name, body := range files {
		path := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// iaSelected returns the catalogue's templates of integration ("" for all).
func iaSelected(t *testing.T, integration string) []*Template {
	t.Helper()
	var out []*Template
	for _, info := range List() {
		if integration == "" || strings.HasPrefix(info.Name, integration+"_") {
			tpl, err := Get(info.Name)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, tpl)
		}
	}
	return out
}

// iaCheckInstalled wants every selected template installed or skipped
// for a missing required parameter, each installed task in tasks/ with
// its template's tests in tests/, and the bot to load with all of them.
func iaCheckInstalled(t *testing.T, dir string, res *InstallAllResult, selected []*Template, params map[string]string) {
	t.Helper()
	installed := map[string]Installed{}
	for _, in := range res.Installed {
		installed[in.Template] = in
	}
	skipped := map[string]Skipped{}
	for _, s := range res.Skipped {
		skipped[s.Template] = s
	}
	for _, tpl := range selected {
		in, ok := installed[tpl.Name]
		if !ok {
			s, ok := skipped[tpl.Name]
			switch {
			case !ok:
				t.Errorf("template %s neither installed nor skipped", tpl.Name)
			case len(tpl.missing(params)) == 0:
				t.Errorf("template %s skipped: %s", tpl.Name, s.Reason)
			case len(s.Missing) == 0 || !strings.Contains(s.Reason, "needs "+s.Missing[0].Name):
				t.Errorf("template %s skipped for %q, want the missing parameter named", tpl.Name, s.Reason)
			}
			continue
		}
		if want := filepath.Join(dir, "tasks", in.Task+".yaml"); in.Path != want {
			t.Errorf("%s: task written to %s, want %s", tpl.Name, in.Path, want)
		}
		if len(tpl.Tests) == 0 {
			continue
		}
		if want := filepath.Join(dir, "tests", in.Task+".yaml"); in.TestsPath != want {
			t.Errorf("%s: tests written to %q, want %s", tpl.Name, in.TestsPath, want)
			continue
		}
		got, err := ReadTests(in.TestsPath)
		if err != nil {
			t.Errorf("%s: tests file: %v", tpl.Name, err)
			continue
		}
		if got.Template != tpl.Name || got.Task != in.Task || len(got.Tests) != len(tpl.Tests) {
			t.Errorf("%s: tests file names template %q, task %q, with %d tests; want %q, %q, %d",
				tpl.Name, got.Template, got.Task, len(got.Tests), tpl.Name, in.Task, len(tpl.Tests))
			continue
		}
		for i := range got.Tests {
			g, w := got.Tests[i], tpl.Tests[i]
			if g.Name != w.Name || len(g.Turns) != len(w.Turns) || !slices.Equal(g.Turns, w.Turns) {
				t.Errorf("%s: test %d in the tests file is %q with %d turns, want %q with %d (the same turns)",
					tpl.Name, i, g.Name, len(g.Turns), w.Name, len(w.Turns))
			}
		}
		if got.Params["task_name"] != in.Task {
			t.Errorf("%s: tests file params %v, want task_name %s", tpl.Name, got.Params, in.Task)
		}
	}
	bot, err := dialog.LoadDir(dir)
	if err != nil {
		t.Fatalf("the bot does not load (lint fails) after InstallAll: %v", err)
	}
	for _, in := range res.Installed {
		if bot.Tasks[in.Task] == nil {
			t.Errorf("the bot lacks installed task %s (from %s)", in.Task, in.Template)
		}
	}
}

// TestInstallAll: the catalogue into a new bot, a second run, -force, and
// an integration's part of it.
func TestInstallAll(t *testing.T) {
	fresh := map[string]string{"bot.yaml": iaBotYAML, "tasks/greeting.yaml": iaGreeting}
	tests := []struct {
		name        string
		opts        InstallAllOptions
		runs        int  // InstallAll calls; the checks apply to the last
		wantSkipAll bool // the last run skips every template (their files exist)
		declares    bool // the last run declares auth_profiles.salesforce
	}{
		{name: "catalogue into a new bot", opts: InstallAllOptions{}, runs: 1, declares: true},
		{name: "with api_base nothing is skipped", opts: InstallAllOptions{Params: map[string]string{"api_base": "https://api.example.com/v1"}}, runs: 1, declares: true},
		{name: "salesforce only", opts: InstallAllOptions{Integration: "salesforce"}, runs: 1, declares: true},
		{name: "another profile name", opts: InstallAllOptions{Integration: "salesforce", Params: map[string]string{"auth_profile": "crm"}}, runs: 1, declares: true},
		{name: "second run skips everything", opts: InstallAllOptions{}, runs: 2, wantSkipAll: true},
		{name: "second run with force replaces", opts: InstallAllOptions{Overwrite: true}, runs: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := iaNewBot(t, fresh)
			selected := iaSelected(t, tt.opts.Integration)
			var res *InstallAllResult
			var before string
			for i := 0; i < tt.runs; i++ {
				if i == tt.runs-1 && tt.runs > 1 {
					// A designer's edit, which only -force replaces.
					res.iaEdit(t)
					before = golden.Tree(t, dir)
				}
				var err error
				res, err = InstallAll(dir, tt.opts)
				if err != nil {
					t.Fatalf("InstallAll run %d: %v", i+1, err)
				}
			}
			if tt.wantSkipAll {
				if len(res.Installed) != 0 || len(res.Skipped) != len(selected) {
					t.Errorf("second run installed %d and skipped %d, want 0 and %d", len(res.Installed), len(res.Skipped), len(selected))
				}
				for _, s := range res.Skipped {
					if len(s.Missing) == 0 && !strings.HasSuffix(s.Reason, ".yaml exists") {
						t.Errorf("%s skipped for %q, want its task file named as existing", s.Template, s.Reason)
					}
				}
				if after := golden.Tree(t, dir); after != before {
					t.Errorf("a run that skipped everything changed the bot:\nbefore:\n%s\nafter:\n%s", before, after)
				}
				return
			}
			iaCheckInstalled(t, dir, res, selected, tt.opts.Params)
			if tt.runs > 1 {
				for _, in := range res.Installed {
					if !in.Replaced {
						t.Errorf("%s: Replaced = false on a second run with Overwrite", in.Template)
					}
					data, _ := os.ReadFile(in.Path)
					if strings.Contains(string(data), "# edited by the designer") {
						t.Errorf("%s: Overwrite left the edited file", in.Path)
					}
				}
			}
			profile := "salesforce"
			if p := tt.opts.Params["auth_profile"]; p != "" {
				profile = p
			}
			if tt.declares != slices.Equal(res.DeclaredProfiles, []string{profile}) {
				t.Errorf("DeclaredProfiles = %v, want [%s]: %v", res.DeclaredProfiles, profile, tt.declares)
			}
			if !slices.Contains(res.Profiles, profile) {
				t.Errorf("Profiles = %v, want %s among them", res.Profiles, profile)
			}
			bot, _ := os.ReadFile(filepath.Join(dir, "bot.yaml"))
			if !strings.HasPrefix(string(bot), iaBotYAML) {
				t.Errorf("bot.yaml lost its lines:\n%s", bot)
			}
			if tt.opts.Integration != "" {
				for _, in := range res.Installed {
					if !strings.HasPrefix(in.Template, tt.opts.Integration+"_") {
						t.Errorf("integration %s installed %s", tt.opts.Integration, in.Template)
					}
				}
			}
			if log, err := Get("salesforce_log_conversation"); err == nil && len(log.missing(tt.opts.Params)) == 0 && tt.runs == 1 {
				// Its task runs only when bot.yaml names it: the result says so.
				if len(res.EndTasks) != 1 {
					t.Errorf("EndTasks = %v, want the task of salesforce_log_conversation", res.EndTasks)
				}
			}
		})
	}
}

// iaEdit marks every installed task file as edited by a designer.
func (r *InstallAllResult) iaEdit(t *testing.T) {
	t.Helper()
	for _, in := range r.Installed {
		data, err := os.ReadFile(in.Path)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(in.Path, append(data, "# edited by the designer\n"...), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestInstallAllWritesNothingOnFailure: a template that does not render,
// a bot that would not load or parameters that do not fit leave the bot
// as it was, and every problem is reported at once.
func TestInstallAllWritesNothingOnFailure(t *testing.T) {
	fresh := map[string]string{"bot.yaml": iaBotYAML, "tasks/greeting.yaml": iaGreeting}
	withFiles := func(extra map[string]string) map[string]string {
		out := map[string]string{}
		for k, v := range fresh {
			out[k] = v
		}
		for k, v := range extra {
			out[k] = v
		}
		return out
	}
	tests := []struct {
		name  string
		files map[string]string
		opts  InstallAllOptions
		want  []string // substrings of the error
		// wantEvery names a parameter: every template declaring it is
		// reported.
		wantEvery string
	}{
		{name: "a value a template refuses", files: fresh,
			opts: InstallAllOptions{Params: map[string]string{"api_base": "https://api.example.com/v1", "phone_optional": "maybe"}},
			want: []string{`parameter phone_optional: "maybe" is not true or false`}},
		{name: "bad values in two templates, both reported", files: fresh,
			opts: InstallAllOptions{Params: map[string]string{"api_base": "https://api.example.com/v1", "timeout_seconds": "soon"}},
			want: []string{`template create_record: parameter timeout_seconds: "soon" is not a number`}, wantEvery: "timeout_seconds"},
		{name: "a parameter no template declares", files: fresh,
			opts: InstallAllOptions{Params: map[string]string{"colour": "red"}},
			want: []string{"parameter colour: no template being installed declares it"}},
		{name: "one task name for all", files: fresh,
			opts: InstallAllOptions{Params: map[string]string{"task_name": "x"}},
			want: []string{"parameter task_name: "}},
		{name: "unknown integration", files: fresh, opts: InstallAllOptions{Integration: "zendesk"},
			want: []string{`no template belongs to integration "zendesk" (the integrations: salesforce)`}},
		{name: "bot.yaml that does not load", files: withFiles(map[string]string{"bot.yaml": "description: no name\nlanguages: [en, de, ja]\n"}),
			opts: InstallAllOptions{Integration: "salesforce"},
			want: []string{"the bot would not load with the new tasks", "a bot needs a name"}},
		{name: "a broken task of the bot, at its place", files: withFiles(map[string]string{"tasks/mine.yaml": "name: mine\nnodes:\n  - {id: start, type: intent, utterances: {en: [hi]}, next: m}\n  - {id: m, type: mesage, text: hi}\n"}),
			opts: InstallAllOptions{Integration: "salesforce"},
			want: []string{"tasks/mine.yaml:4:19: nodes.m.type: unknown node type"}},
		{name: "auth_profiles in flow style", files: withFiles(map[string]string{"bot.yaml": iaBotYAML + "auth_profiles: {other: {kind: none}}\n"}),
			opts: InstallAllOptions{Integration: "salesforce"},
			want: []string{"bot.yaml:8:1: auth_profiles: the installed tasks call auth profile(s) salesforce", "declare them yourself"}},
		{name: "not a bot", files: map[string]string{"README": "x"}, opts: InstallAllOptions{},
			want: []string{"has no bot.yaml: not a bot directory"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := iaNewBot(t, tt.files)
			before := golden.Tree(t, dir)
			res, err := InstallAll(dir, tt.opts)
			if err == nil {
				t.Fatalf("InstallAll succeeded (%d installed), want an error", len(res.Installed))
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q:\n%v", w, err)
				}
			}
			if tt.wantEvery != "" {
				n := 0
				for _, tpl := range iaSelected(t, tt.opts.Integration) {
					if slices.Contains(tpl.paramNames(), tt.wantEvery) {
						n++
						if w := "template " + tpl.Name + ": parameter " + tt.wantEvery + ": "; !strings.Contains(err.Error(), w) {
							t.Errorf("error lacks %q:\n%v", w, err)
						}
					}
				}
				if n < 2 {
					t.Errorf("only %d templates declare %s: the case tests nothing", n, tt.wantEvery)
				}
			}
			if after := golden.Tree(t, dir); after != before {
				t.Errorf("the failed InstallAll changed the bot:\nbefore:\n%s\nafter:\n%s", before, after)
			}
		})
	}
}

// TestInstallAllSkips: a task another file defines, a tests file of the
// designer's, and a required parameter without a value each skip their
// template only; the others install.
func TestInstallAllSkips(t *testing.T) {
	mine := "name: create_lead\nnodes:\n  - {id: start, type: intent, utterances: {en: [my leads]}, next: m}\n  - {id: m, type: message, text: hi}\n"
	dir := iaNewBot(t, map[string]string{"bot.yaml": iaBotYAML, "tasks/greeting.yaml": iaGreeting,
		"tasks/leads.yaml": mine, "tests/find_contact.yaml": "# my own tests\n"})
	res, err := InstallAll(dir, InstallAllOptions{Overwrite: false})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"salesforce_create_lead":  "task create_lead is already defined in tasks/leads.yaml",
		"salesforce_find_contact": "tests/find_contact.yaml exists",
		"create_record":           "needs api_base (",
		"lookup_record":           "needs api_base (",
	}
	got := map[string]string{}
	for _, s := range res.Skipped {
		got[s.Template] = s.Reason
	}
	for tpl, reason := range want {
		if _, err := Get(tpl); err != nil {
			continue
		}
		if !strings.Contains(got[tpl], reason) {
			t.Errorf("%s: skipped for %q, want %q", tpl, got[tpl], reason)
		}
	}
	if len(res.Skipped) != len(want) {
		t.Errorf("skipped %v, want only %v", got, want)
	}
	if len(res.Installed) != len(List())-len(want) {
		t.Errorf("installed %d, want %d", len(res.Installed), len(List())-len(want))
	}
	if data, _ := os.ReadFile(filepath.Join(dir, "tests", "find_contact.yaml")); string(data) != "# my own tests\n" {
		t.Errorf("the designer's tests file was replaced:\n%s", data)
	}
	if _, err := dialog.LoadDir(dir); err != nil {
		t.Fatalf("the bot does not load: %v", err)
	}
	// With Overwrite the tests file is replaced, and a task another file
	// defines is still left alone.
	res, err = InstallAll(dir, InstallAllOptions{Overwrite: true, Integration: "salesforce"})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Skipped) != 1 || res.Skipped[0].Template != "salesforce_create_lead" {
		t.Errorf("skipped %+v, want only salesforce_create_lead", res.Skipped)
	}
	if tests, err := ReadTests(filepath.Join(dir, "tests", "find_contact.yaml")); err != nil || tests.Task != "find_contact" {
		t.Errorf("tests/find_contact.yaml after Overwrite: %+v, %v", tests, err)
	}
}

// TestDeclareProfiles: the profile goes into bot.yaml without touching
// its other lines, wherever auth_profiles stands and however it is
// indented.
func TestDeclareProfiles(t *testing.T) {
	tests := []struct {
		name    string
		botYAML string
		want    string // a substring of the result
		err     string
	}{
		{name: "no auth_profiles", botYAML: "name: b\nlanguages: [en, de, ja]\n",
			want: "languages: [en, de, ja]\nauth_profiles:\n  # Declared by botctl install"},
		{name: "no final newline", botYAML: "name: b\nlanguages: [en, de, ja]",
			want: "languages: [en, de, ja]\nauth_profiles:\n"},
		{name: "empty auth_profiles", botYAML: "name: b\nauth_profiles:\nlanguages: [en, de, ja]\n",
			want: "auth_profiles:\n  # Declared"},
		{name: "other profiles, four spaces", botYAML: "name: b\nauth_profiles:   # the credentials\n    search:\n        kind: api_key\n        secret: {env: K}\nlanguages: [en, de, ja]\n",
			want: "auth_profiles:   # the credentials\n    # Declared by botctl install"},
		{name: "flow style", botYAML: "name: b\nauth_profiles: {}\nlanguages: [en, de, ja]\n",
			err: "bot.yaml:2:1: auth_profiles: the installed tasks call auth profile(s) salesforce"},
		{name: "explicit null", botYAML: "name: b\nauth_profiles: null\nlanguages: [en, de, ja]\n",
			err: "declare them yourself"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := iaNewBot(t, map[string]string{"bot.yaml": tt.botYAML, "tasks/greeting.yaml": iaGreeting})
			res, err := InstallAll(dir, InstallAllOptions{Integration: "salesforce"})
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("error = %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			data, _ := os.ReadFile(filepath.Join(dir, "bot.yaml"))
			if !strings.Contains(string(data), tt.want) {
				t.Errorf("bot.yaml lacks %q:\n%s", tt.want, data)
			}
			// Every line of the old file is still there, in order.
			at := 0
			for _, line := range strings.Split(strings.TrimSuffix(tt.botYAML, "\n"), "\n") {
				i := strings.Index(string(data[at:]), line)
				if i < 0 {
					t.Errorf("bot.yaml lost line %q:\n%s", line, data)
					break
				}
				at += i + len(line)
			}
			if !slices.Equal(res.DeclaredProfiles, []string{"salesforce"}) {
				t.Errorf("DeclaredProfiles = %v", res.DeclaredProfiles)
			}
			bot, err := dialog.LoadDir(dir)
			if err != nil {
				t.Fatalf("the bot does not load: %v", err)
			}
			if p := bot.Config.AuthProfiles["salesforce"]; p == nil {
				t.Errorf("bot.yaml does not declare salesforce:\n%s", data)
			}
		})
	}
}

// TestInstallWritesTests: a single install writes the template's tests
// beside the task too, and refuses to replace a tests file without
// overwrite.
func TestInstallWritesTests(t *testing.T) {
	dir := iaNewBot(t, map[string]string{"bot.yaml": iaBotYAML, "tasks/greeting.yaml": iaGreeting})
	tpl, err := Get("lookup_record")
	if err != nil {
		t.Fatal(err)
	}
	params := map[string]string{"api_base": "https://api.example.com/v1", "task_name": "find_customer"}
	in, err := tpl.InstallTask(dir, params, false)
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(dir, "tests", "find_customer.yaml"); in.TestsPath != want {
		t.Fatalf("TestsPath = %q, want %q", in.TestsPath, want)
	}
	got, err := ReadTests(in.TestsPath)
	if err != nil {
		t.Fatal(err)
	}
	if got.Task != "find_customer" || got.Params["api_base"] != "https://api.example.com/v1" || len(got.Tests) != len(tpl.Tests) {
		t.Errorf("tests file = %+v", got)
	}
	if err := os.Remove(in.Path); err != nil {
		t.Fatal(err)
	}
	if _, err := tpl.InstallTask(dir, params, false); !errors.Is(err, ErrExists) || !strings.Contains(err.Error(), "tests") {
		t.Errorf("install over a tests file: error %v, want ErrExists naming it", err)
	}
	if _, err := tpl.InstallTask(dir, params, true); err != nil {
		t.Errorf("install with overwrite: %v", err)
	}
}

// TestInstallAllIntoAnEnglishOnlyBot: the trilingual catalogue installs
// into a bot that speaks English only (the other languages' phrases are
// dropped when it loads), and the bot loads.
func TestInstallAllIntoAnEnglishOnlyBot(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "tasks"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "bot.yaml"), []byte("name: en_only\nlanguages: [en]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	res, err := InstallAll(dir, InstallAllOptions{Integration: "salesforce"})
	if err != nil || len(res.Installed) < 20 {
		t.Fatalf("InstallAll = %d installed, %v; want the Salesforce catalogue", len(res.Installed), err)
	}
	if _, err := dialog.LoadDir(dir); err != nil {
		t.Errorf("the bot does not load: %v", err)
	}
}
