package templates

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing/fstest"

	"go.yaml.in/yaml/v3"

	"github.com/botforge/dialogd/dialog"
	"github.com/botforge/dialogd/nodes"
)

// ErrNotABot is wrapped by Install when the target directory does not
// exist, is not a directory or has no bot.yaml.
var ErrNotABot = errors.New("not a bot directory")

// Install renders template name and writes it to botDir/tasks/<task
// name>.yaml (and its tests to botDir/tests/<task name>.yaml), refusing to
// replace an existing file. See [Template.Install].
func Install(botDir, name string, params map[string]string) (string, error) {
	t, err := Get(name)
	if err != nil {
		return "", err
	}
	return t.Install(botDir, params, false)
}

// Install writes the rendered task to botDir/tasks/<task name>.yaml and
// returns the path; see [Template.InstallTask], which also says where the
// template's tests go.
func (t *Template) Install(botDir string, params map[string]string, overwrite bool) (string, error) {
	in, err := t.InstallTask(botDir, params, overwrite)
	if err != nil {
		return "", err
	}
	return in.Path, nil
}

// Installed is one task written by an install.
type Installed struct {
	Template string
	Task     string
	// Path is the task file, TestsPath the file of the template's
	// conversation tests ("" when the template has none).
	Path, TestsPath string
	// Replaced: the task file existed and was overwritten.
	Replaced bool
}

// InstallTask writes the rendered task to botDir/tasks/<task name>.yaml
// and the template's conversation tests beside it, to
// botDir/[TestsFile](task). botDir must be a bot directory (it holds
// bot.yaml); an existing task or tests file is replaced only with
// overwrite. The whole bot is loaded, with the new task, before anything
// is written: a failed install writes nothing (not even an empty tasks/
// directory), and the load errors (a task name another file uses, a
// bot.yaml problem, an auth profile the bot lacks) are returned.
func (t *Template) InstallTask(botDir string, params map[string]string, overwrite bool) (*Installed, error) {
	if err := checkBotDir(botDir); err != nil {
		return nil, fmt.Errorf("template %s: %w", t.Name, err)
	}
	vals, err := t.Resolve(params)
	if err != nil {
		return nil, err
	}
	name, data, err := t.render(params)
	if err != nil {
		return nil, err
	}
	rel, testsRel := "tasks/"+name+".yaml", TestsFile(name)
	replaced := false
	for _, r := range []string{rel, testsRel} {
		path := filepath.Join(botDir, filepath.FromSlash(r))
		exists, err := fileExists(path)
		switch {
		case err != nil:
			return nil, fmt.Errorf("template %s: %w", t.Name, err)
		case exists && !overwrite:
			return nil, fmt.Errorf("template %s: %s: %w (pass overwrite to replace it)", t.Name, path, ErrExists)
		case exists && r == rel:
			replaced = true
		}
	}
	files := map[string][]byte{rel: data}
	tests, err := t.testsFile(name, vals)
	if err != nil {
		return nil, err
	}
	if tests != nil {
		files[testsRel] = tests
	}
	if _, err := LoadWith(botDir, files); err != nil {
		return nil, fmt.Errorf("template %s: the bot would not load with the new task (nothing was written): %w", t.Name, err)
	}
	if err := WriteFiles(botDir, files); err != nil {
		return nil, fmt.Errorf("template %s: %w", t.Name, err)
	}
	in := &Installed{Template: t.Name, Task: name, Path: filepath.Join(botDir, filepath.FromSlash(rel)), Replaced: replaced}
	if tests != nil {
		in.TestsPath = filepath.Join(botDir, filepath.FromSlash(testsRel))
	}
	return in, nil
}

// fileExists says whether path exists (as anything: a directory in the
// way counts).
func fileExists(path string) (bool, error) {
	_, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	return err == nil, err
}

// checkBotDir says why dir is not a bot directory, or returns nil.
func checkBotDir(dir string) error {
	info, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("%s does not exist: %w", dir, ErrNotABot)
	case err != nil:
		return err
	case !info.IsDir():
		return fmt.Errorf("%s is not a directory: %w", dir, ErrNotABot)
	}
	_, err = os.Stat(filepath.Join(dir, "bot.yaml"))
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%s has no bot.yaml: %w", dir, ErrNotABot)
	}
	return err
}

// LoadWith loads the bot in botDir as it would be with files (paths
// relative to botDir, with slashes) added or replaced, without writing
// anything. botDir need not exist. Install checks a task with it before
// writing; botctl init checks a new bot with it.
func LoadWith(botDir string, files map[string][]byte) (*dialog.Bot, error) {
	added := fstest.MapFS{}
	for name, data := range files {
		added[name] = &fstest.MapFile{Data: data, Mode: 0o644}
	}
	return dialog.LoadFS(overlayFS{base: os.DirFS(botDir), added: added}, botDir, nodes.Default())
}

// WriteFiles writes files (paths relative to dir, with slashes) into dir,
// creating the directories they need. Each file is replaced through a
// temporary file, so a reader sees the old or the new file, never half of
// one. On an error the directories it created are removed again when
// they are still empty.
func WriteFiles(dir string, files map[string][]byte) error {
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	sort.Strings(names)
	var created []string
	for _, name := range names {
		path := filepath.Join(dir, filepath.FromSlash(name))
		made, err := mkdirAll(filepath.Dir(path))
		created = append(created, made...)
		if err == nil {
			err = writeFile(path, files[name])
		}
		if err != nil {
			for i := len(created) - 1; i >= 0; i-- {
				_ = os.Remove(created[i]) // fails, as wanted, when not empty
			}
			return err
		}
	}
	return nil
}

// mkdirAll is os.MkdirAll that returns the directories it created,
// outermost first.
func mkdirAll(dir string) ([]string, error) {
	var missing []string
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(d); err == nil || filepath.Dir(d) == d {
			break
		}
		missing = append([]string{d}, missing...)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	return missing, nil
}

// writeFile replaces path through a temporary file in the same directory.
func writeFile(path string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), ".install-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp, 0o644)
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		_ = os.Remove(tmp)
	}
	return err
}

// overlayFS is base with the files of added on top: added files replace
// base files of the same name, and directory listings show both.
type overlayFS struct {
	base  fs.FS
	added fstest.MapFS
}

func (o overlayFS) Open(name string) (fs.File, error) {
	if f, ok := o.added[name]; ok && !f.Mode.IsDir() {
		return o.added.Open(name)
	}
	file, err := o.base.Open(name)
	if errors.Is(err, fs.ErrNotExist) {
		// A directory that exists only through added files.
		if added, addErr := o.added.Open(name); addErr == nil {
			return added, nil
		}
	}
	return file, err
}

func (o overlayFS) ReadDir(name string) ([]fs.DirEntry, error) {
	base, baseErr := fs.ReadDir(o.base, name)
	added, addErr := fs.ReadDir(o.added, name)
	if baseErr != nil && addErr != nil {
		return nil, baseErr
	}
	byName := map[string]fs.DirEntry{}
	for _, e := range base {
		byName[e.Name()] = e
	}
	for _, e := range added {
		byName[e.Name()] = e
	}
	out := make([]fs.DirEntry, 0, len(byName))
	for _, e := range byName {
		out = append(out, e)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name() < out[j].Name() })
	return out, nil
}

// TestsFile is where an install writes the conversation tests of task,
// relative to the bot directory: tests/<task>.yaml. The loader reads only
// bot.yaml and tasks/, so the tests never change what the bot does, and
// the bot loads and lints as before.
func TestsFile(task string) string { return "tests/" + task + ".yaml" }

// InstalledTests is a tests file: the conversation tests of the template
// a task was installed from, with the parameter values it was installed
// with. Each test is a [Test], as in the template.
type InstalledTests struct {
	Template string            `yaml:"template"`
	Task     string            `yaml:"task"`
	Params   map[string]string `yaml:"params"`
	Tests    []Test            `yaml:"tests"`
}

// ReadTests reads a tests file written by an install, strictly (an
// unknown key is an error, reported as file:line:col: path: message).
func ReadTests(path string) (*InstalledTests, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var out InstalledTests
	if err := nodes.UnmarshalStrict(path, data, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// testsFile returns the tests file of the task installed as task with the
// parameter values vals, or nil when the template has no tests. The tests
// are copied from the template's own file, comments and all, when it is
// an embedded one.
func (t *Template) testsFile(task string, vals map[string]string) ([]byte, error) {
	if len(t.Tests) == 0 {
		return nil, nil
	}
	var tests *yaml.Node
	if src, err := files.ReadFile(t.file); err == nil {
		if root, err := nodes.ParseYAML(t.file, src); err == nil {
			_, tests = nodes.MappingValue(root, "tests")
		}
	}
	if tests == nil || tests.Kind != yaml.SequenceNode || hasAlias(tests) {
		tests = &yaml.Node{}
		if err := tests.Encode(testsForFile(t.Tests)); err != nil {
			return nil, fmt.Errorf("template %s: encode tests: %w", t.Name, err)
		}
	}
	params := &yaml.Node{}
	if err := params.Encode(vals); err != nil {
		return nil, fmt.Errorf("template %s: encode tests: %w", t.Name, err)
	}
	str := func(s string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s} }
	doc := &yaml.Node{Kind: yaml.MappingNode, Content: []*yaml.Node{
		str("template"), str(t.Name), str("task"), str(task), str("params"), params, str("tests"), tests,
	}}
	var buf bytes.Buffer
	fmt.Fprintf(&buf, "# The conversation tests of task %s (tasks/%s.yaml), copied from\n", task, task)
	fmt.Fprintf(&buf, "# template %s; params are the values the task was installed with.\n", t.Name)
	fmt.Fprintf(&buf, "# botd does not read tests/: keep them in step with the task as you edit it.\n")
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(doc); err != nil {
		return nil, fmt.Errorf("template %s: encode tests: %w", t.Name, err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("template %s: encode tests: %w", t.Name, err)
	}
	return buf.Bytes(), nil
}

// testsForFile is what a tests file holds under tests: the tests
// themselves, whose schema (dialog/convtest) leaves empty keys out.
func testsForFile(tests []Test) any { return tests }

// InstallAllOptions tune [InstallAll].
type InstallAllOptions struct {
	// Integration, when set, selects the templates of that integration:
	// those named <integration>_… (salesforce_create_lead is one of
	// salesforce's). Empty selects the whole catalogue.
	Integration string
	// Params are parameter values, each given to every selected template
	// that declares the parameter. A name no selected template declares
	// is an error, and so is task_name when several templates declare it.
	Params map[string]string
	// Overwrite replaces existing task and tests files.
	Overwrite bool
}

// Skipped is a template [InstallAll] left out, and why.
type Skipped struct {
	Template string
	Task     string // "" when it was not rendered
	Reason   string
	// Missing are the required parameters without a value, when that is
	// the reason.
	Missing []Parameter
}

// InstallAllResult says what [InstallAll] did.
type InstallAllResult struct {
	Installed []Installed
	Skipped   []Skipped
	// Profiles are the auth profiles the installed tasks call, sorted.
	Profiles []string
	// DeclaredProfiles are those of Profiles that bot.yaml lacked and
	// InstallAll declared there (see [InstallAll]).
	DeclaredProfiles []string
	// EndTasks are installed tasks meant to run when a conversation ends
	// (from the *_log_conversation templates) that bot.yaml's
	// events.conversation_end.task does not name yet.
	EndTasks []string
}

// InstallAll installs every template of the catalogue (or of
// opts.Integration) into the bot at botDir, as [Template.InstallTask]
// installs one, with the default parameters and opts.Params:
//
//   - A template whose task file (or tests file) exists is skipped unless
//     opts.Overwrite, and so is one whose task name another file of the
//     bot already defines; a template with a required parameter that has
//     no value (create_record's api_base, say) is skipped too. Skipped
//     templates are listed in the result with the reason.
//   - An auth profile the installed tasks call and bot.yaml lacks is
//     declared in bot.yaml when the integration has a standard one (for
//     salesforce: per_user OAuth on the salesforce preset, pointing at
//     sfsim unless SF_LOGIN_URL says otherwise); bot.yaml's other lines
//     are kept as they are.
//   - Nothing at all is written unless every selected template renders
//     and the bot loads with all the new files. The returned error then
//     holds every problem, joined (those of a task as file:line:col: path:
//     message).
func InstallAll(botDir string, opts InstallAllOptions) (*InstallAllResult, error) {
	if err := checkBotDir(botDir); err != nil {
		return nil, err
	}
	c := catalogue()
	if c.err != nil {
		return nil, fmt.Errorf("embedded templates: %w", c.err)
	}
	var selected []*Template
	for _, n := range c.order {
		if opts.Integration == "" || strings.HasPrefix(n, opts.Integration+"_") {
			selected = append(selected, c.byName[n])
		}
	}
	if len(selected) == 0 {
		return nil, fmt.Errorf("no template belongs to integration %q (the integrations: %s)",
			opts.Integration, strings.Join(Integrations(), ", "))
	}
	if err := checkSharedParams(selected, opts.Params); err != nil {
		return nil, err
	}
	botFile := filepath.Join(botDir, "bot.yaml")
	botData, err := os.ReadFile(botFile)
	if err != nil {
		return nil, err
	}
	botRoot, _ := nodes.ParseYAML(botFile, botData) // a broken bot.yaml is the load's to report
	defined := definedTasks(botDir)

	res := &InstallAllResult{}
	files := map[string][]byte{}
	var errs []error
	taskOf := map[string]string{}            // task name: template
	profileUsers := map[string][]*Template{} // auth profile: templates calling it
	for _, t := range selected {
		params := map[string]string{}
		for _, p := range t.Parameters {
			if v, ok := opts.Params[p.Name]; ok {
				params[p.Name] = v
			}
		}
		if missing := t.missing(params); len(missing) > 0 {
			var names []string
			for _, p := range missing {
				names = append(names, p.Name+" ("+p.Description+")")
			}
			res.Skipped = append(res.Skipped, Skipped{Template: t.Name, Missing: missing,
				Reason: "needs " + strings.Join(names, ", ")})
			continue
		}
		vals, err := t.Resolve(params)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		name, data, err := t.render(params)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if other, dup := taskOf[name]; dup {
			errs = append(errs, fmt.Errorf("templates %s and %s both install task %s: install one of them by itself with another -p task_name", other, t.Name, name))
			continue
		}
		taskOf[name] = t.Name
		rel, testsRel := "tasks/"+name+".yaml", TestsFile(name)
		if f, ok := defined[name]; ok && f != rel {
			res.Skipped = append(res.Skipped, Skipped{Template: t.Name, Task: name,
				Reason: fmt.Sprintf("task %s is already defined in %s", name, f)})
			continue
		}
		taskExists, err := fileExists(filepath.Join(botDir, filepath.FromSlash(rel)))
		if err != nil {
			errs = append(errs, err)
			continue
		}
		testsExists, err := fileExists(filepath.Join(botDir, filepath.FromSlash(testsRel)))
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if !opts.Overwrite && (taskExists || testsExists) {
			what := rel
			if !taskExists {
				what = testsRel
			}
			res.Skipped = append(res.Skipped, Skipped{Template: t.Name, Task: name, Reason: what + " exists"})
			continue
		}
		tests, err := t.testsFile(name, vals)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		in := Installed{Template: t.Name, Task: name, Path: filepath.Join(botDir, filepath.FromSlash(rel)), Replaced: taskExists}
		files[rel] = data
		if tests != nil {
			files[testsRel] = tests
			in.TestsPath = filepath.Join(botDir, filepath.FromSlash(testsRel))
		}
		res.Installed = append(res.Installed, in)
		for _, p := range authProfiles(data) {
			profileUsers[p] = append(profileUsers[p], t)
		}
	}

	declared := map[string]bool{}
	_, ap := nodes.MappingValue(botRoot, "auth_profiles")
	if ap != nil && ap.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(ap.Content); i += 2 {
			declared[ap.Content[i].Value] = true
		}
	}
	var toDeclare []profileStub
	for p, users := range profileUsers {
		res.Profiles = append(res.Profiles, p)
		if declared[p] {
			continue
		}
		// A profile is declared only when every template calling it
		// belongs to an integration with a standard profile; otherwise the
		// load below says it is missing.
		integ := ""
		for _, u := range users {
			i := u.Integration()
			if _, ok := standardProfiles[i]; !ok || (integ != "" && i != integ) {
				integ = ""
				break
			}
			integ = i
		}
		if integ != "" {
			toDeclare = append(toDeclare, profileStub{name: p, integration: integ})
		}
	}
	sort.Strings(res.Profiles)
	sort.Slice(toDeclare, func(i, j int) bool { return toDeclare[i].name < toDeclare[j].name })
	if len(toDeclare) > 0 {
		data, err := declareProfiles(botData, botRoot, toDeclare)
		if err != nil {
			errs = append(errs, err)
		} else {
			files["bot.yaml"] = data
			for _, p := range toDeclare {
				res.DeclaredProfiles = append(res.DeclaredProfiles, p.name)
			}
		}
	}
	if len(files) > 0 {
		if _, err := LoadWith(botDir, files); err != nil {
			errs = append(errs, fmt.Errorf("the bot would not load with the new tasks:\n%w", err))
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	if err := WriteFiles(botDir, files); err != nil {
		return nil, err
	}
	endTask := ""
	_, events := nodes.MappingValue(botRoot, "events")
	_, end := nodes.MappingValue(events, "conversation_end")
	if _, task := nodes.MappingValue(end, "task"); task != nil {
		endTask = task.Value
	}
	for _, in := range res.Installed {
		if strings.HasSuffix(in.Template, "_log_conversation") && in.Task != endTask {
			res.EndTasks = append(res.EndTasks, in.Task)
		}
	}
	return res, nil
}

// Integration returns the integration the template belongs to, the part
// of its name before the first _ when that names a registered node type
// (salesforce_create_lead: salesforce), or "".
func (t *Template) Integration() string {
	prefix, _, ok := strings.Cut(t.Name, "_")
	if !ok {
		return ""
	}
	if _, ok := nodes.Default().Lookup(prefix); !ok {
		return ""
	}
	return prefix
}

// Integrations returns the integrations of the catalogue's templates,
// sorted.
func Integrations() []string {
	c := catalogue()
	var out []string
	for _, n := range c.order {
		if i := c.byName[n].Integration(); i != "" && !slices.Contains(out, i) {
			out = append(out, i)
		}
	}
	sort.Strings(out)
	return out
}

// missing returns the required parameters params gives no value and that
// have no default.
func (t *Template) missing(params map[string]string) []Parameter {
	var out []Parameter
	for _, p := range t.Parameters {
		if p.Required && p.Default == nil && params[p.Name] == "" {
			out = append(out, p)
		}
	}
	return out
}

// checkSharedParams refuses parameters no selected template declares, and
// a task_name several would share.
func checkSharedParams(selected []*Template, params map[string]string) error {
	keys := make([]string, 0, len(params))
	for k := range params {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var errs []error
	for _, k := range keys {
		var users []string
		for _, t := range selected {
			if slices.Contains(t.paramNames(), k) {
				users = append(users, t.Name)
			}
		}
		switch {
		case len(users) == 0:
			errs = append(errs, fmt.Errorf("parameter %s: no template being installed declares it", k))
		case k == "task_name" && len(users) > 1:
			errs = append(errs, fmt.Errorf("parameter task_name: %d templates would install a task of that one name; with -all each keeps its own (one template installs under another name with botctl install TEMPLATE DIR -p task_name=NAME)", len(users)))
		}
	}
	return errors.Join(errs...)
}

// definedTasks returns the task names the bot's task files define, each
// with its file (relative, with slashes). Files that do not parse are
// left to the load to report.
func definedTasks(botDir string) map[string]string {
	out := map[string]string{}
	for _, pattern := range []string{"*.yaml", "*.yml"} {
		paths, _ := filepath.Glob(filepath.Join(botDir, "tasks", pattern))
		for _, p := range paths {
			data, err := os.ReadFile(p)
			if err != nil {
				continue
			}
			if name, err := taskName(data); err == nil {
				if _, dup := out[name]; !dup {
					out[name] = "tasks/" + filepath.Base(p)
				}
			}
		}
	}
	return out
}

// profileStub is an auth profile InstallAll declares: its name and the
// integration whose standard profile it is, or its own lines.
type profileStub struct {
	name, integration string
	lines             []string // unindented, comments first; nil: standardProfiles[integration]
}

// standardProfiles are the auth profile declarations InstallAll adds to
// bot.yaml for an integration's templates, by integration: the lines under
// the profile's name, unindented.
var standardProfiles = map[string][]string{
	"salesforce": {
		"# Declared by botctl install for the salesforce_* templates: every end",
		"# user signs in to Salesforce in the chat. As written it talks to sfsim",
		"# (go run ./cmd/sfsim) on its default address with its demo app; for",
		"# an org, set SF_LOGIN_URL (production, sandbox or",
		"# https://NAME.my.salesforce.com) and client_id to your connected",
		"# app's consumer key, and SF_CLIENT_SECRET. See docs/auth.md.",
		"kind: oauth2",
		"mode: per_user",
		`salesforce: {login: "${SF_LOGIN_URL:-http://127.0.0.1:8787}"}`,
		"client_id: 3MVG9dialogdDemoConsumerKey.sfsim",
		"client_secret: {env: SF_CLIENT_SECRET}",
		"scopes: [api, refresh_token]",
	},
}

// declareProfiles returns bot.yaml (data, parsed as root) with the
// profiles added under auth_profiles: appended at the end when the file
// has no auth_profiles, else inserted as its first entries, indented as
// the others. Every other line stays as it was.
func declareProfiles(data []byte, root *yaml.Node, stubs []profileStub) ([]byte, error) {
	block := func(indent string) string {
		var b strings.Builder
		for _, s := range stubs {
			lines := s.lines
			if lines == nil {
				lines = standardProfiles[s.integration]
			}
			for _, l := range lines {
				if strings.HasPrefix(l, "#") {
					b.WriteString(indent + l + "\n")
				}
			}
			b.WriteString(indent + s.name + ":\n")
			for _, l := range lines {
				if !strings.HasPrefix(l, "#") {
					b.WriteString(indent + "  " + l + "\n")
				}
			}
		}
		return b.String()
	}
	key, ap := nodes.MappingValue(root, "auth_profiles")
	if key == nil {
		out := append([]byte(nil), data...)
		if len(out) > 0 && out[len(out)-1] != '\n' {
			out = append(out, '\n')
		}
		return append(out, "auth_profiles:\n"+block("  ")...), nil
	}
	var indent string
	switch {
	case ap.Kind == yaml.ScalarNode && ap.Tag == "!!null" && ap.Value == "":
		indent = strings.Repeat(" ", key.Column+1)
	case ap.Kind == yaml.MappingNode && ap.Style&yaml.FlowStyle == 0 && len(ap.Content) > 0 && ap.Content[0].Line > key.Line:
		indent = strings.Repeat(" ", ap.Content[0].Column-1)
	default:
		var names []string
		for _, s := range stubs {
			names = append(names, s.name)
		}
		return nil, fmt.Errorf("bot.yaml:%d:%d: auth_profiles: the installed tasks call auth profile(s) %s, which bot.yaml does not declare, and botctl adds profiles only to a block mapping: declare them yourself (docs/auth.md)",
			key.Line, key.Column, strings.Join(names, ", "))
	}
	lines := strings.SplitAfter(string(data), "\n")
	if key.Line > len(lines) {
		return nil, fmt.Errorf("bot.yaml: auth_profiles at line %d, past the end", key.Line)
	}
	if !strings.HasSuffix(lines[key.Line-1], "\n") {
		lines[key.Line-1] += "\n"
	}
	out := strings.Join(lines[:key.Line], "") + block(indent) + strings.Join(lines[key.Line:], "")
	return []byte(out), nil
}
