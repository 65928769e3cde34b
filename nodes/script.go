package nodes

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"go.yaml.in/yaml/v3"
)

func init() {
	Register(Info{
		Type:    "script",
		New:     func() Node { return new(Script) },
		Summary: "Compute values with expressions and store them in the context.",
	})
}

// Script assigns the results of expr-lang expressions (see [Expr]) to
// context paths, in the order written:
//
//	type: script
//	set:
//	  entities.email: "lower(trim(entities.email))"
//	  conversation.total: "entities.qty * 2"
//	  user.vip: "conversation.total > 100"
//
// Keys are conversation.<name>, user.<name>, bot.<name> or
// entities.<name>. Expressions run sandboxed: no I/O, at most 2000 bytes
// and 500 syntax nodes each, within expr's memory budget. If one fails the
// task ends as failed (a script_error); the error is logged without
// context values.
type Script struct {
	// Set maps a context path to the expression whose value it receives.
	Set ScriptSet `yaml:"set"`
}

// ScriptSet is the ordered assignment list of a script node.
type ScriptSet []ScriptAssign

// ScriptAssign is one assignment: Root.Name = Expr.
type ScriptAssign struct {
	Root string // conversation, user, bot or entities
	Name string
	Expr *Expr
}

// Target returns the assigned path, e.g. "conversation.total".
func (a ScriptAssign) Target() string { return a.Root + "." + a.Name }

// UnmarshalYAML decodes a map of path to expression, keeping its order.
func (s *ScriptSet) UnmarshalYAML(value *yaml.Node) error {
	if value.Kind != yaml.MappingNode {
		return fmt.Errorf("set: expected a map of path to expression, got %s", kindName(value))
	}
	out := make(ScriptSet, 0, len(value.Content)/2)
	for i := 0; i+1 < len(value.Content); i += 2 {
		k, v := value.Content[i], value.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			return fmt.Errorf("set: line %d: keys must be paths such as conversation.total", k.Line)
		}
		root, name, err := splitAssignTarget(k.Value)
		if err != nil {
			return fmt.Errorf("set: line %d: %w", k.Line, err)
		}
		for _, a := range out {
			if a.Root == root && a.Name == name {
				return fmt.Errorf("set: line %d: %s is assigned twice", k.Line, k.Value)
			}
		}
		if v.Kind != yaml.ScalarNode {
			return fmt.Errorf("set.%s: line %d: expected an expression string, got %s", k.Value, v.Line, kindName(v))
		}
		e, err := CompileExpr(v.Value)
		if err != nil {
			return fmt.Errorf("set.%s: line %d: %w", k.Value, v.Line, err)
		}
		out = append(out, ScriptAssign{Root: root, Name: name, Expr: e})
	}
	*s = out
	return nil
}

// splitAssignTarget splits and checks an assignment key.
func splitAssignTarget(key string) (root, name string, err error) {
	root, name, ok := strings.Cut(key, ".")
	switch {
	case !ok:
		return "", "", fmt.Errorf("%q: want conversation.<name>, user.<name>, bot.<name> or entities.<name>", key)
	case root != "conversation" && root != "user" && root != "bot" && root != "entities":
		return "", "", fmt.Errorf("%q: only conversation, user, bot and entities can be assigned", key)
	}
	if err := validVarName(name); err != nil {
		return "", "", fmt.Errorf("%q: name %w", key, err)
	}
	return root, name, nil
}

// Validate requires at least one assignment.
func (n *Script) Validate() error {
	if len(n.Set) == 0 {
		return errors.New("set: at least one assignment is required")
	}
	return nil
}

// Run evaluates and assigns in order; each expression sees the results of
// the ones before it.
func (n *Script) Run(ctx context.Context, t *Turn) (Outcome, error) {
	for _, a := range n.Set {
		v, err := a.Expr.Eval(t)
		if err != nil {
			return failGeneric(t, "script", a.Target(), err), nil
		}
		if a.Root == "entities" {
			t.Memory.SetEntity(a.Name, v)
			continue
		}
		t.Memory.SetVar(Scope(a.Root), a.Name, v, 0)
	}
	return Next(), nil
}

// failGeneric logs a node's evaluation error and fails the task as a
// script_error, whose text the host chooses. Evaluation errors can quote
// values, so their text is logged at debug level only.
func failGeneric(t *Turn, kind, what string, err error) Outcome {
	log := turnLog(t)
	log.Warn("node evaluation failed", "type", kind, "node", t.NodeID, "item", what)
	log.Debug("node evaluation error", "type", kind, "node", t.NodeID, "item", what, "err", err)
	return FailWith(FailScript, "")
}

// turnLog returns the turn's logger, or one that discards.
func turnLog(t *Turn) *slog.Logger {
	if t != nil && t.Env != nil && t.Env.Log != nil {
		return t.Env.Log
	}
	return slog.New(slog.DiscardHandler)
}

var (
	_ Node      = (*Script)(nil)
	_ Validator = (*Script)(nil)
)
