package nodes

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

func init() {
	Register(Info{
		Type:    "logic",
		New:     func() Node { return new(Logic) },
		Summary: "Set or clear conversation, user or bot variables and clear entities, then follow the transitions.",
	})
}

// Logic sets variables and follows its transitions, which may branch on
// the new values.
//
//	type: logic
//	set:
//	  - {name: greeted, value: true}
//	  - {name: last_lead, scope: user, value: "{{ create_lead.response.body.id }}", ttl: 720h}
//	  - {name: total, expr: "entities.qty * entities.price"}
//
// A value is any YAML value whose strings are templates (see [Body]: a
// string that is one interpolation keeps the value's type); expr is an
// expr-lang expression instead (see [Expr]). Items are set in order, so
// later items see earlier ones.
//
//	type: logic
//	clear: [entities.email, conversation.total]
//
// clear removes entities and variables before the items are set: an
// entity node whose entity was cleared asks for it again when the dialog
// comes to it.
type Logic struct {
	// Set lists the variables to set, in order.
	Set []LogicSet `yaml:"set"`
	// Clear lists what to remove first: entities.<name>,
	// conversation.<name>, user.<name> or bot.<name>.
	Clear ClearList `yaml:"clear"`
}

// ClearList is the checked list of a logic node's clear.
type ClearList []clearPath

// clearPath is one checked item of clear.
type clearPath struct {
	root, name string
}

// LogicSet is one variable assignment of a logic node.
type LogicSet struct {
	// Name is the variable name (no dots).
	Name string `yaml:"name"`
	// Scope is conversation (the default), user or bot.
	Scope Scope `yaml:"scope"`
	// Value is the value; strings are templates.
	Value *Body `yaml:"value"`
	// Expr computes the value instead of Value.
	Expr *Expr `yaml:"expr"`
	// TTL makes the variable expire; 0 keeps it as long as its scope.
	TTL time.Duration `yaml:"ttl"`
}

// Provision fills in the default scope.
func (n *Logic) Provision(h *Host) error {
	for i := range n.Set {
		if n.Set[i].Scope == "" {
			n.Set[i].Scope = ScopeConversation
		}
	}
	return nil
}

// UnmarshalYAML reads and checks a list of paths; a problem is placed at
// its item.
func (l *ClearList) UnmarshalYAML(value *yaml.Node) error {
	if value.Kind != yaml.SequenceNode {
		return fmt.Errorf("clear: line %d: want a list of paths such as [entities.email], got %s", value.Line, kindName(value))
	}
	out := make(ClearList, 0, len(value.Content))
	for i, item := range value.Content {
		if item.Kind != yaml.ScalarNode {
			return fmt.Errorf("clear: line %d: clear[%d]: want a path such as entities.email, got %s", item.Line, i, kindName(item))
		}
		c, err := parseClearPath(item.Value)
		if err != nil {
			return fmt.Errorf("clear: line %d: clear[%d]: %w", item.Line, i, err)
		}
		if j := slices.Index(out, c); j >= 0 {
			return fmt.Errorf("clear: line %d: clear[%d]: %s is already cleared by clear[%d]", item.Line, i, item.Value, j)
		}
		out = append(out, c)
	}
	*l = out
	return nil
}

// clearRoots are the roots clear may name.
var clearRoots = []string{"entities", "conversation", "user", "bot"}

// parseClearPath checks an item of clear: a root and a name.
func parseClearPath(p string) (clearPath, error) {
	root, name, ok := strings.Cut(p, ".")
	if !slices.Contains(clearRoots, root) {
		return clearPath{}, fmt.Errorf("%q: want entities.<name>, conversation.<name>, user.<name> or bot.<name>%s", p, DidYouMean(root, clearRoots))
	}
	if !ok || name == "" {
		return clearPath{}, fmt.Errorf("%q: name what to clear, as in %s.email", p, root)
	}
	if err := validVarName(name); err != nil {
		return clearPath{}, fmt.Errorf("%q: only a whole entity or variable can be cleared: name %w", p, err)
	}
	return clearPath{root: root, name: name}, nil
}

// Validate checks each item.
func (n *Logic) Validate() error {
	if len(n.Set) == 0 && len(n.Clear) == 0 {
		return errors.New("set: at least one variable is required (or something to clear)")
	}
	for i, s := range n.Set {
		if err := validVarName(s.Name); err != nil {
			return fmt.Errorf("set[%d].name: %w", i, err)
		}
		switch s.Scope {
		case "", ScopeConversation, ScopeUser, ScopeBot:
		default:
			return fmt.Errorf("set[%d].scope: %q is not conversation, user or bot", i, s.Scope)
		}
		if (s.Value == nil) == (s.Expr == nil) {
			return fmt.Errorf("set[%d]: give exactly one of value and expr", i)
		}
		if s.TTL < 0 {
			return fmt.Errorf("set[%d].ttl: must not be negative", i)
		}
	}
	return nil
}

// Run clears, sets the variables and follows the transitions.
func (n *Logic) Run(ctx context.Context, t *Turn) (Outcome, error) {
	for _, c := range n.Clear {
		if c.root == "entities" {
			t.Memory.ClearEntity(c.name)
			continue
		}
		t.Memory.ClearVar(Scope(c.root), c.name)
	}
	for i, s := range n.Set {
		var (
			v   any
			err error
		)
		if s.Expr != nil {
			v, err = s.Expr.Eval(t)
		} else if v, err = s.Value.Value(t); err == nil {
			v, err = toContextValue(v, 0) // copy, so the variable shares nothing
		}
		if err != nil {
			return failGeneric(t, "logic", fmt.Sprintf("set[%d]", i), err), nil
		}
		var exp int64
		if s.TTL > 0 {
			exp = t.Now.Add(s.TTL).Unix()
		}
		scope := s.Scope
		if scope == "" {
			scope = ScopeConversation
		}
		t.Memory.SetVar(scope, s.Name, v, exp)
	}
	return Next(), nil
}

// validVarName checks a variable name: letters, digits, _ and -, no dots.
func validVarName(name string) error {
	if name == "" {
		return errors.New("is required")
	}
	for _, r := range name {
		if !isNameRune(r) {
			return fmt.Errorf("%q may only hold letters, digits, _ and -", name)
		}
	}
	return nil
}

var (
	_ Node        = (*Logic)(nil)
	_ Provisioner = (*Logic)(nil)
	_ Validator   = (*Logic)(nil)
)
