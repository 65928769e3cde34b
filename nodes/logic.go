package nodes

import (
	"context"
	"errors"
	"fmt"
	"time"
)

func init() {
	Register(Info{
		Type:    "logic",
		New:     func() Node { return new(Logic) },
		Summary: "Set conversation, user or bot variables, then follow the transitions.",
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
type Logic struct {
	// Set lists the variables to set, in order.
	Set []LogicSet `yaml:"set"`
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

// Validate checks each item.
func (n *Logic) Validate() error {
	if len(n.Set) == 0 {
		return errors.New("set: at least one variable is required")
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

// Run sets the variables and follows the transitions.
func (n *Logic) Run(ctx context.Context, t *Turn) (Outcome, error) {
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
