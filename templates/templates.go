package templates

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing/fstest"

	"go.yaml.in/yaml/v3"

	"github.com/botforge/dialogd/dialog"
	"github.com/botforge/dialogd/dialog/convtest"
	"github.com/botforge/dialogd/nodes"
)

//go:embed *.yaml
var files embed.FS

// Parameter types.
const (
	TypeString = "string"
	TypeNumber = "number"
	TypeBool   = "bool"
)

// Parameter is one value a template asks for when it is installed.
type Parameter struct {
	// Name is what ${name} placeholders in the task refer to.
	Name        string `yaml:"name"`
	Description string `yaml:"description"`
	// Type is string (the default), number or bool.
	Type string `yaml:"type"`
	// Default is used when no value is given. A parameter with a default
	// is never missing.
	Default *string `yaml:"default"`
	// Required parameters without a default must be given.
	Required bool `yaml:"required"`
	// Pattern, when set, is a regular expression a string value must match
	// (for values that become part of a context path, say).
	Pattern string `yaml:"pattern"`

	re *regexp.Regexp
}

// Info summarises a template for listings.
type Info struct {
	Name       string
	Title      string
	Summary    string
	Parameters []Parameter
}

// Template is one installable dialog task.
type Template struct {
	Name        string      `yaml:"name"`
	Title       string      `yaml:"title"`
	Summary     string      `yaml:"summary"`
	Description string      `yaml:"description"`
	Parameters  []Parameter `yaml:"parameters"`
	// Task is the task file body with ${param} placeholders.
	Task yaml.Node `yaml:"task"`
	// Tests are conversations run against the installed task.
	Tests []Test `yaml:"tests"`

	file string
}

// Test is one conversation of a template's tests, Turn one of its turns
// and TestIdentity who the tester is: the schema of dialog/convtest,
// which runs them (RunTests), as botctl test runs a bot's tests/.
type (
	Test         = convtest.Test
	Turn         = convtest.Turn
	TestIdentity = convtest.Identity
)

// ErrUnknownTemplate is wrapped by Get and Install for a name no template
// has.
var ErrUnknownTemplate = errors.New("unknown template")

// ErrExists is wrapped by Install when the task file is already there and
// overwriting was not asked for.
var ErrExists = errors.New("task file already exists")

// ParamError is a problem with the parameter values given to Render or
// Install.
type ParamError struct {
	Template string
	Param    string
	Msg      string
}

func (e *ParamError) Error() string {
	return fmt.Sprintf("template %s: parameter %s: %s", e.Template, e.Param, e.Msg)
}

var (
	nameRE        = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)
	placeholderRE = regexp.MustCompile(`\$\{([^}]*)\}`)
)

// catalogue is parsed once; a broken embedded template is a build bug
// reported by every call (and by the package's tests).
var catalogue = sync.OnceValue(loadAll)

type parsed struct {
	byName map[string]*Template
	order  []string
	err    error
}

func loadAll() parsed {
	p := parsed{byName: map[string]*Template{}}
	names, _ := fs.Glob(files, "*.yaml")
	var errs []error
	for _, n := range names {
		data, err := files.ReadFile(n)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		t, err := Parse(n, data)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if _, dup := p.byName[t.Name]; dup {
			errs = append(errs, fmt.Errorf("%s: template %q defined twice", n, t.Name))
			continue
		}
		p.byName[t.Name] = t
		p.order = append(p.order, t.Name)
	}
	sort.Strings(p.order)
	p.err = errors.Join(errs...)
	return p
}

// Parse reads a template definition; file names it in errors. It checks
// the definition itself (names, types, defaults, that every placeholder
// is a declared parameter), not that the task renders.
func Parse(file string, data []byte) (*Template, error) {
	root, err := nodes.ParseYAML(file, data)
	if err != nil {
		return nil, err
	}
	var t Template
	if errs := nodes.DecodeYAML(file, root, "", &t); len(errs) > 0 {
		return nil, errs // file:line:col: path: message, as for a bot's files
	}
	t.file = file
	if root == nil {
		root = &yaml.Node{Kind: yaml.MappingNode, Line: 1, Column: 1}
	}
	c := definitionCheck{file: file, root: root}
	c.header(&t)
	declared := c.parameters(t.Parameters)
	c.placeholders(&t.Task, declared)
	c.tests(t.Tests, declared)
	if len(c.errs) > 0 {
		c.errs.Sort()
		return nil, c.errs
	}
	return &t, nil
}

// check returns why v is not a valid value of p, or "".
func (p *Parameter) check(v string) string {
	switch p.Type {
	case TypeNumber:
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || f != f || f > 1e300 || f < -1e300 {
			return fmt.Sprintf("%q is not a number", v)
		}
	case TypeBool:
		if v != "true" && v != "false" {
			return fmt.Sprintf("%q is not true or false", v)
		}
	}
	if p.re != nil && !p.re.MatchString(v) {
		return fmt.Sprintf("%q does not match %s", v, p.Pattern)
	}
	return ""
}

// List describes every embedded template, sorted by name.
func List() []Info {
	c := catalogue()
	out := make([]Info, 0, len(c.order))
	for _, n := range c.order {
		t := c.byName[n]
		out = append(out, t.Info())
	}
	return out
}

// Info returns the template's summary.
func (t *Template) Info() Info {
	return Info{Name: t.Name, Title: t.Title, Summary: t.Summary, Parameters: append([]Parameter(nil), t.Parameters...)}
}

// Get returns the embedded template called name.
func Get(name string) (*Template, error) {
	c := catalogue()
	if c.err != nil {
		return nil, fmt.Errorf("embedded templates: %w", c.err)
	}
	t, ok := c.byName[name]
	if !ok {
		return nil, fmt.Errorf("%w %q (known: %s)", ErrUnknownTemplate, name, strings.Join(c.order, ", "))
	}
	return t, nil
}

// Resolve merges params with the defaults and checks them: every name
// must be a declared parameter, every required one must have a value, and
// values must fit their type. Errors are *ParamError, joined.
func (t *Template) Resolve(params map[string]string) (map[string]string, error) {
	var errs []error
	bad := func(p, format string, args ...any) {
		errs = append(errs, &ParamError{Template: t.Name, Param: p, Msg: fmt.Sprintf(format, args...)})
	}
	known := map[string]*Parameter{}
	for i := range t.Parameters {
		known[t.Parameters[i].Name] = &t.Parameters[i]
	}
	keys := make([]string, 0, len(params))
	for k := range params {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if known[k] == nil {
			bad(k, "unknown parameter (known: %s)", strings.Join(t.paramNames(), ", "))
		}
	}
	out := map[string]string{}
	for _, p := range t.Parameters {
		v, given := params[p.Name]
		if !given && p.Default != nil {
			v, given = *p.Default, true
		}
		switch {
		case p.Required && v == "":
			bad(p.Name, "required: %s", p.Description)
			continue
		case !given:
			// Optional string without a default (Parse refuses optional
			// numbers and bools without one).
			out[p.Name] = ""
			continue
		}
		if msg := p.check(v); msg != "" {
			bad(p.Name, "%s", msg)
			continue
		}
		out[p.Name] = v
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return out, nil
}

func (t *Template) paramNames() []string {
	n := make([]string, len(t.Parameters))
	for i, p := range t.Parameters {
		n[i] = p.Name
	}
	return n
}

// Render returns the task file for params, checked by loading it with a
// minimal bot.
func (t *Template) Render(params map[string]string) ([]byte, error) {
	_, out, err := t.render(params)
	return out, err
}

// render returns the task name and file.
func (t *Template) render(params map[string]string) (string, []byte, error) {
	vals, err := t.Resolve(params)
	if err != nil {
		return "", nil, err
	}
	types := map[string]string{}
	for _, p := range t.Parameters {
		types[p.Name] = p.Type
	}
	task := deepCopy(&t.Task)
	walkScalars(task, func(n *yaml.Node, isKey bool) {
		if isKey || !strings.Contains(n.Value, "${") {
			return
		}
		if m := placeholderRE.FindStringSubmatch(n.Value); m != nil && m[0] == n.Value {
			// The whole scalar is one value: it keeps its parameter's type.
			n.Value = literal(vals[m[1]])
			switch types[m[1]] {
			case TypeNumber:
				n.Tag = "!!float"
				if _, err := strconv.ParseInt(n.Value, 10, 64); err == nil {
					n.Tag = "!!int"
				}
			case TypeBool:
				n.Tag = "!!bool"
			default:
				n.Tag = "!!str"
			}
		} else {
			n.Value = placeholderRE.ReplaceAllStringFunc(n.Value, func(s string) string {
				return literal(vals[s[2:len(s)-1]])
			})
			n.Tag = "!!str"
		}
		// Let the encoder choose a style that holds the value exactly.
		n.Style = 0
	})
	var buf bytes.Buffer
	fmt.Fprintf(&buf, "# Installed from template %s. Edit freely: it is a plain task file.\n", t.Name)
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(task); err != nil {
		return "", nil, fmt.Errorf("template %s: encode task: %w", t.Name, err)
	}
	if err := enc.Close(); err != nil {
		return "", nil, fmt.Errorf("template %s: encode task: %w", t.Name, err)
	}
	name, err := taskName(buf.Bytes())
	if err != nil {
		return "", nil, fmt.Errorf("template %s: %w", t.Name, err)
	}
	if err := checkTask(t.file, task, buf.Bytes()); err != nil {
		return "", nil, fmt.Errorf("template %s: rendered task does not load:\n%w", t.Name, err)
	}
	if _, err := loadWith(name, buf.Bytes()); err != nil {
		return "", nil, fmt.Errorf("template %s: rendered task does not load: %w", t.Name, err)
	}
	return name, buf.Bytes(), nil
}

// checkLanguages are the languages of minimalBot.
var checkLanguages = []string{"en", "ja", "de"}

// checkTask loads the filled-in task tree, whose nodes keep their
// positions in the template file, so that a problem reads as it would in
// a bot's task file, at its place in the template:
// file:line:col: task.nodes.ID.key: message.
func checkTask(file string, task *yaml.Node, rendered []byte) error {
	host := nodes.Host{Bot: "template_check", Languages: checkLanguages, AuthProfiles: map[string]bool{}}
	for _, p := range authProfiles(rendered) {
		host.AuthProfiles[p] = true
	}
	_, err := dialog.LoadTask(file, task, nodes.Default(), host)
	errs, ok := dialog.AsLoadErrors(err)
	if !ok {
		return err
	}
	for i := range errs {
		errs[i].Path = strings.TrimSuffix("task."+errs[i].Path, ".")
	}
	return errs
}

// literal makes a parameter value inert inside a context template: "{{"
// is written as the template syntax's quoted literal.
func literal(v string) string {
	return strings.ReplaceAll(v, "{{", `{{ "{{" }}`)
}

var taskNameRE = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]*$`)

func taskName(file []byte) (string, error) {
	var head struct {
		Name string `yaml:"name"`
	}
	if err := yaml.Unmarshal(file, &head); err != nil {
		return "", fmt.Errorf("read task name: %w", err)
	}
	if !taskNameRE.MatchString(head.Name) {
		return "", fmt.Errorf("task name %q must start with a letter and hold only letters, digits and _", head.Name)
	}
	return head.Name, nil
}

// minimalBot is the bot a rendered task is checked and tested with.
const minimalBot = "name: template_check\nlanguages: [en, ja, de]\n"

// loadWith loads task with the minimal bot. Every auth profile the task's
// nodes name (auth: NAME) is declared in that bot as a profile of kind
// none, so a task written for a bot's Salesforce profile is checked
// without credentials; the credentials themselves come from the bot the
// task is installed in, or from TestOptions.Auth in RunTests.
func loadWith(name string, task []byte) (*dialog.Bot, error) {
	bot := minimalBot
	if profiles := authProfiles(task); len(profiles) > 0 {
		stubs := map[string]map[string]string{}
		for _, p := range profiles {
			stubs[p] = map[string]string{"kind": "none"}
		}
		out, err := yaml.Marshal(map[string]any{"auth_profiles": stubs})
		if err != nil {
			return nil, fmt.Errorf("declare auth profiles: %w", err)
		}
		bot += string(out)
	}
	fsys := fstest.MapFS{
		"bot.yaml":                {Data: []byte(bot)},
		"tasks/" + name + ".yaml": {Data: task},
	}
	return dialog.LoadFS(fsys, "template", nodes.Default())
}

// authProfiles returns the distinct, sorted names in the auth: keys of a
// task file's nodes. A file that does not decode has none: the loader
// reports its problems.
func authProfiles(task []byte) []string {
	var file struct {
		Nodes []struct {
			Auth any `yaml:"auth"`
		} `yaml:"nodes"`
	}
	if err := yaml.Unmarshal(task, &file); err != nil {
		return nil
	}
	var names []string
	for _, n := range file.Nodes {
		if s, ok := n.Auth.(string); ok && s != "" && !slices.Contains(names, s) {
			names = append(names, s)
		}
	}
	sort.Strings(names)
	return names
}

func walkScalars(n *yaml.Node, f func(n *yaml.Node, isKey bool)) {
	switch n.Kind {
	case yaml.ScalarNode:
		f(n, false)
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Kind == yaml.ScalarNode {
				f(n.Content[i], true)
			} else {
				walkScalars(n.Content[i], f)
			}
			walkScalars(n.Content[i+1], f)
		}
	default:
		for _, c := range n.Content {
			walkScalars(c, f)
		}
	}
}

func deepCopy(n *yaml.Node) *yaml.Node {
	c := *n
	if n.Content != nil {
		c.Content = make([]*yaml.Node, len(n.Content))
		for i, k := range n.Content {
			c.Content[i] = deepCopy(k)
		}
	}
	return &c
}

func hasAlias(n *yaml.Node) bool {
	if n.Kind == yaml.AliasNode || n.Anchor != "" {
		return true
	}
	for _, c := range n.Content {
		if hasAlias(c) {
			return true
		}
	}
	return false
}
