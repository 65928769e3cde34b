package templates

import (
	"fmt"
	"regexp"

	"go.yaml.in/yaml/v3"

	"github.com/botforge/dialogd/dialog/convtest"
	"github.com/botforge/dialogd/nodes"
)

// definitionCheck collects the problems of a template definition, each at
// its place in the file (file:line:col: path: message), as the loader
// reports a bot's problems.
type definitionCheck struct {
	file string
	root *yaml.Node // the definition's root mapping
	errs nodes.ConfigErrors
}

func (c *definitionCheck) bad(at *yaml.Node, path, format string, args ...any) {
	e := nodes.ConfigError{File: c.file, Path: path, Msg: fmt.Sprintf(format, args...)}
	if at == nil {
		at = c.root
	}
	e.Line, e.Col = at.Line, at.Column
	c.errs = append(c.errs, e)
}

// item returns the i-th element of the list under key, or the key's value.
func (c *definitionCheck) item(key string, i int) *yaml.Node {
	_, list := nodes.MappingValue(c.root, key)
	if list != nil && list.Kind == yaml.SequenceNode && i < len(list.Content) {
		return list.Content[i]
	}
	return list
}

// header checks the name, title, summary and task.
func (c *definitionCheck) header(t *Template) {
	if !nameRE.MatchString(t.Name) {
		_, at := nodes.MappingValue(c.root, "name")
		c.bad(at, "name", "name %q must be lowercase letters, digits and _", t.Name)
	}
	if t.Title == "" || t.Summary == "" {
		c.bad(nil, "", "title and summary are required")
	}
	_, task := nodes.MappingValue(c.root, "task")
	if t.Task.Kind != yaml.MappingNode {
		c.bad(task, "task", "task must be a mapping (a task file body)")
	}
	if hasAlias(&t.Task) {
		c.bad(task, "task", "YAML anchors and aliases are not supported in templates")
	}
}

// parameters checks the declared parameters (defaulting their type) and
// returns their names.
func (c *definitionCheck) parameters(params []Parameter) map[string]bool {
	declared := map[string]bool{}
	for i := range params {
		p, at, path := &params[i], c.item("parameters", i), fmt.Sprintf("parameters[%d]", i)
		if !nameRE.MatchString(p.Name) {
			c.bad(at, path, "name %q must be lowercase letters, digits and _", p.Name)
			continue
		}
		if declared[p.Name] {
			c.bad(at, path, "%s is declared twice", p.Name)
		}
		declared[p.Name] = true
		if p.Type == "" {
			p.Type = TypeString
		}
		if p.Pattern != "" {
			re, err := regexp.Compile(p.Pattern)
			if err != nil {
				c.bad(at, path+".pattern", "%v", err)
			}
			p.re = re
		}
		switch p.Type {
		case TypeString, TypeNumber, TypeBool:
		default:
			c.bad(at, path+".type", "type %q is not string, number or bool", p.Type)
			continue
		}
		if p.Default == nil && !p.Required && p.Type != TypeString {
			c.bad(at, path, "an optional %s parameter needs a default", p.Type)
		}
		if p.Default != nil {
			if msg := p.check(*p.Default); msg != "" {
				c.bad(at, path+".default", "%s", msg)
			}
		}
	}
	return declared
}

// placeholders checks that every ${name} of the task is a declared
// parameter, written in a value.
func (c *definitionCheck) placeholders(task *yaml.Node, declared map[string]bool) {
	walkScalars(task, func(n *yaml.Node, isKey bool) {
		for _, m := range placeholderRE.FindAllStringSubmatch(n.Value, -1) {
			switch {
			case isKey:
				c.bad(n, "task", "placeholders are allowed in values only, not in the key %q", n.Value)
			case !declared[m[1]]:
				c.bad(n, "task", "placeholder ${%s} names no declared parameter", m[1])
			}
		}
	})
}

// tests checks the template's own conversations.
func (c *definitionCheck) tests(tests []Test, declared map[string]bool) {
	_, seq := nodes.MappingValue(c.root, "tests")
	c.errs = append(c.errs, convtest.Check(c.file, seq, "tests", tests)...) // turns as botctl test checks them
	for i, tc := range tests {
		for k := range tc.Params {
			if !declared[k] {
				c.bad(c.item("tests", i), fmt.Sprintf("tests[%d].params", i), "unknown parameter %s", k)
			}
		}
	}
}
