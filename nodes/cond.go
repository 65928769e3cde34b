package nodes

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"reflect"
	"strings"
	"unicode/utf8"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/builtin"
	"github.com/expr-lang/expr/file"
	"github.com/expr-lang/expr/vm"
	"go.yaml.in/yaml/v3"
)

// Limits on expressions, so a task file cannot make a turn expensive.
const (
	maxExprLen   = 2000    // bytes of source
	maxExprNodes = 500     // AST nodes
	exprMemory   = 100_000 // expr VM memory budget (elements allocated)
)

// Cond is a transition condition: an expr-lang expression
// (https://expr-lang.org) over the conversation [Memory] that yields true
// or false. The roots of [Memory] are variables: intent, lang, input,
// entities, conversation, user, bot, and node ids.
//
//	exists(entities.email)                     the entity is filled
//	notExists(entities.company)                it is not
//	entities.country == "JP"                   equals
//	entities.country != "JP"                   not equals
//	entities.qty > 10 && entities.qty <= 100   >, <, >=, <=
//	input contains "agent"                     contains (see below)
//	create_lead.response.status == 201         a node's stored result
//	lower(input) in ["yes", "sure"]            expr built-ins work too
//
// Rules:
//   - A path that does not exist is nil; reading further down from it is
//     nil too, never an error. Any root that is not reserved is a node id,
//     also one named like a function (len, date, count, exists, …):
//     len.response.status reads the node len, len(x) calls the built-in.
//   - exists(x) is false for nil and ""; notExists(x) is its negation.
//   - contains is case-insensitive on strings ("I want an Agent" contains
//     "agent"), and on lists it is true when an element equals the right
//     side (strings compared case-insensitively, numbers by value); on
//     maps it is true when the key exists; on nil it is false.
//   - == and != are case-sensitive; numbers compare by value (2 == 2.0).
//   - Comparing nil with > or < is an evaluation error; guard it with
//     exists(x) && x > 1.
//   - A condition that yields nil counts as false; any other non-boolean
//     result is an error.
//
// Expressions have no access to I/O, are limited to 2000 bytes and 500
// syntax nodes, and run under expr's memory budget.
type Cond struct {
	src  string
	prog *vm.Program
}

// Expr is an expr-lang expression that yields a value, for the script and
// logic nodes; the environment and rules are those of [Cond]. Results are
// converted to context values: integers become float64, and lists and maps
// become []any and map[string]any.
type Expr struct {
	src  string
	prog *vm.Program
}

// ExprError is a compile error in a condition or expression. Line and Col
// are 1-based and count characters inside the expression text.
type ExprError struct {
	Line, Col int
	Msg       string
}

func (e *ExprError) Error() string {
	if e.Line > 1 {
		return fmt.Sprintf("expression line %d column %d: %s", e.Line, e.Col, e.Msg)
	}
	return fmt.Sprintf("expression column %d: %s", e.Col, e.Msg)
}

// EvalError is a failure while evaluating a condition or expression.
type EvalError struct {
	Src string // the expression
	Err error
}

func (e *EvalError) Error() string { return fmt.Sprintf("evaluate %q: %v", e.Src, e.Err) }

// Unwrap returns the underlying error.
func (e *EvalError) Unwrap() error { return e.Err }

// CompileCond compiles a condition. Errors are *[ExprError].
func CompileCond(src string) (*Cond, error) {
	prog, err := compileExpr(src)
	if err != nil {
		return nil, err
	}
	if t := prog.Node().Type(); t != nil && t.Kind() != reflect.Bool && t.Kind() != reflect.Interface {
		return nil, &ExprError{Line: 1, Col: 1, Msg: fmt.Sprintf("condition must be true or false, but it is %s", t)}
	}
	return &Cond{src: src, prog: prog}, nil
}

// CompileExpr compiles a value expression. Errors are *[ExprError].
func CompileExpr(src string) (*Expr, error) {
	prog, err := compileExpr(src)
	if err != nil {
		return nil, err
	}
	return &Expr{src: src, prog: prog}, nil
}

// compileEnv declares the reserved roots and their types; other roots are
// node ids, allowed as undefined variables.
var compileEnv = map[string]any{
	"intent": "", "lang": "", "input": "", "today": "", "now": "",
	"entities":     map[string]any{},
	"conversation": map[string]any{},
	"user":         map[string]any{},
	"bot":          map[string]any{},
}

func compileExpr(src string) (*vm.Program, error) {
	if strings.TrimSpace(src) == "" {
		return nil, &ExprError{Line: 1, Col: 1, Msg: "empty expression"}
	}
	if len(src) > maxExprLen {
		return nil, &ExprError{Line: 1, Col: 1, Msg: fmt.Sprintf("expression longer than %d bytes", maxExprLen)}
	}
	ids := &funcNamedIDs{callees: map[*ast.IdentifierNode]bool{}}
	clock := &clockCalls{}
	opts := append(exprFuncOptions(clock), // its rewrites come before calleeFinder's look
		expr.Env(compileEnv),
		expr.Patch(calleeFinder{ids}),
		expr.Patch(ids),
		expr.AllowUndefinedVariables(),
		expr.MaxNodes(maxExprNodes),
		expr.Function("exists", fnExists, new(func(any) bool)),
		expr.Function("notExists", fnNotExists, new(func(any) bool)),
		expr.Function(containsFunc, fnContains, new(func(any, any) bool)),
		expr.DisableBuiltin("now"),
		expr.Patch(optionalMembers{}),
		expr.Patch(containsOperator{}),
	)
	prog, err := expr.Compile(src, opts...)
	if clock.bad != nil {
		return nil, &ExprError{Line: 1, Col: 1 + utf8.RuneCountInString(src[:min(max(clock.bad.Location().From, 0), len(src))]),
			Msg: fmt.Sprintf("%s is a value, not a function: write %s, not %s()", clock.bad.Value, clock.bad.Value, clock.bad.Value)}
	}
	if err != nil {
		var fe *file.Error
		if errors.As(err, &fe) {
			line := fe.Line
			if line < 1 {
				line = 1
			}
			return nil, &ExprError{Line: line, Col: fe.Column + 1, Msg: fe.Message}
		}
		return nil, &ExprError{Line: 1, Col: 1, Msg: err.Error()}
	}
	var cc callCheck
	node := prog.Node()
	ast.Walk(&node, &cc)
	if cc.bad != nil {
		loc := cc.bad.Location()
		col := 1 + utf8.RuneCountInString(src[:min(max(loc.From, 0), len(src))])
		if loc.From < 0 || loc.From > len(src) {
			col = 1
		}
		return nil, &ExprError{Line: 1, Col: col, Msg: cc.msg}
	}
	return prog, nil
}

// knownFuncs are the functions an expression may call: expr's built-ins
// without now (the turn has its own clock: now and today are values), and
// ours.
var knownFuncs = func() map[string]bool {
	m := map[string]bool{"exists": true, "notExists": true, containsFunc: true, "addDays": true, e164Func: true}
	for _, n := range builtin.Names {
		m[n] = true
	}
	delete(m, "now")
	return m
}()

// callCheck finds calls of anything but a known function. Undefined
// variables are allowed (they are node ids), so expr alone would accept
// foo(1) and fail at run time.
type callCheck struct {
	bad ast.Node
	msg string
}

func (c *callCheck) Visit(node *ast.Node) {
	call, ok := (*node).(*ast.CallNode)
	if !ok || c.bad != nil {
		return
	}
	id, ok := call.Callee.(*ast.IdentifierNode)
	switch {
	case !ok:
		c.bad, c.msg = call.Callee, "only functions can be called"
	case id.Value == "e164":
		c.bad, c.msg = id, "e164 takes a text and, optionally, a region: e164(input) or e164(input, \"DE\")"
	case !knownFuncs[id.Value]:
		c.bad, c.msg = id, fmt.Sprintf("unknown function %s", id.Value)
	}
}

// funcNamedIDs lets a node whose id is also a function name be read by its
// id: every use of such a name that is not a call (len.response.status,
// exists(count)) becomes $env["len"]. Calls of expr's built-ins are parsed
// as their own node kind, so a remaining identifier with a function's name
// is a value unless calleeFinder saw it called (exists, notExists). (expr
// refuses let declarations of function names, so no variable is hidden.)
type funcNamedIDs struct {
	callees map[*ast.IdentifierNode]bool
}

func (f *funcNamedIDs) Visit(node *ast.Node) {
	id, ok := (*node).(*ast.IdentifierNode)
	if !ok || !knownFuncs[id.Value] || f.callees[id] {
		return
	}
	ast.Patch(node, &ast.MemberNode{
		Node:     &ast.IdentifierNode{Value: "$env"},
		Property: &ast.StringNode{Value: id.Value},
	})
}

// calleeFinder records, before funcNamedIDs runs, the identifiers that are
// called.
type calleeFinder struct{ ids *funcNamedIDs }

func (c calleeFinder) Visit(node *ast.Node) {
	if call, ok := (*node).(*ast.CallNode); ok {
		if id, ok := call.Callee.(*ast.IdentifierNode); ok {
			c.ids.callees[id] = true
		}
	}
}

// optionalMembers turns every member access a.b into a?.b, so reading
// below a missing path gives nil instead of an error.
type optionalMembers struct{}

func (optionalMembers) Visit(node *ast.Node) {
	m, ok := (*node).(*ast.MemberNode)
	if !ok || m.Method || m.Optional {
		return
	}
	m.Optional = true
	chain := &ast.ChainNode{Node: m}
	chain.SetLocation(m.Location())
	*node = chain
}

// containsFunc is the function the contains operator is rewritten to.
const containsFunc = "__contains"

// containsOperator rewrites a contains b into __contains(a, b).
type containsOperator struct{}

func (containsOperator) Visit(node *ast.Node) {
	b, ok := (*node).(*ast.BinaryNode)
	if !ok || b.Operator != "contains" {
		return
	}
	call := &ast.CallNode{
		Callee:    &ast.IdentifierNode{Value: containsFunc},
		Arguments: []ast.Node{b.Left, b.Right},
	}
	call.SetLocation(b.Location())
	call.Callee.SetLocation(b.Location())
	*node = call
}

func present(v any) bool {
	if v == nil {
		return false
	}
	if s, ok := v.(string); ok && s == "" {
		return false
	}
	return true
}

func fnExists(params ...any) (any, error)    { return present(params[0]), nil }
func fnNotExists(params ...any) (any, error) { return !present(params[0]), nil }

func fnContains(params ...any) (any, error) {
	hay, needle := params[0], params[1]
	switch h := hay.(type) {
	case nil:
		return false, nil
	case string:
		n, ok := needle.(string)
		if !ok {
			if needle == nil {
				return false, nil
			}
			s, err := formatValue(needle)
			if err != nil {
				return false, err
			}
			n = s
		}
		return strings.Contains(strings.ToLower(h), strings.ToLower(n)), nil
	case []any:
		for _, e := range h {
			if looseEqual(e, needle) {
				return true, nil
			}
		}
		return false, nil
	case map[string]any:
		k, ok := needle.(string)
		if !ok {
			return false, nil
		}
		_, has := h[k]
		return has, nil
	}
	rv := reflect.ValueOf(hay)
	if rv.Kind() == reflect.Slice || rv.Kind() == reflect.Array {
		for i := 0; i < rv.Len(); i++ {
			if looseEqual(rv.Index(i).Interface(), needle) {
				return true, nil
			}
		}
		return false, nil
	}
	return nil, fmt.Errorf("contains: cannot look inside %T", hay)
}

// looseEqual compares list elements for contains.
func looseEqual(a, b any) bool {
	if as, ok := a.(string); ok {
		bs, ok := b.(string)
		return ok && strings.EqualFold(as, bs)
	}
	if af, ok := toFloat(a); ok {
		bf, ok := toFloat(b)
		return ok && af == bf
	}
	return a == b || reflect.DeepEqual(a, b)
}

func toFloat(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, true
	case float32:
		return float64(x), true
	case int:
		return float64(x), true
	case int64:
		return float64(x), true
	case int32:
		return float64(x), true
	case uint:
		return float64(x), true
	case uint64:
		return float64(x), true
	}
	return 0, false
}

// String returns the condition's source.
func (c *Cond) String() string {
	if c == nil {
		return ""
	}
	return c.src
}

// Eval evaluates the condition for a turn.
func (c *Cond) Eval(t *Turn) (bool, error) {
	return c.EvalEnv(turnEnv(t))
}

// EvalEnv evaluates the condition over an environment from [Memory.Map],
// so several conditions of one turn can share it.
func (c *Cond) EvalEnv(env map[string]any) (bool, error) {
	out, err := runProgram(c.prog, env)
	if err != nil {
		return false, &EvalError{Src: c.src, Err: err}
	}
	switch v := out.(type) {
	case bool:
		return v, nil
	case nil:
		return false, nil
	}
	return false, &EvalError{Src: c.src, Err: fmt.Errorf("condition gave %T, want true or false", out)}
}

// UnmarshalYAML compiles a condition from a YAML string.
func (c *Cond) UnmarshalYAML(value *yaml.Node) error {
	if value.Kind != yaml.ScalarNode {
		return fmt.Errorf("condition: expected a string, got %s", kindName(value))
	}
	nc, err := CompileCond(value.Value)
	if err != nil {
		return err
	}
	*c = *nc
	return nil
}

// String returns the expression's source.
func (e *Expr) String() string {
	if e == nil {
		return ""
	}
	return e.src
}

// Eval evaluates the expression for a turn and returns a context value.
func (e *Expr) Eval(t *Turn) (any, error) {
	return e.EvalEnv(turnEnv(t))
}

// EvalEnv evaluates the expression over an environment from [Memory.Map].
func (e *Expr) EvalEnv(env map[string]any) (any, error) {
	out, err := runProgram(e.prog, env)
	if err != nil {
		return nil, &EvalError{Src: e.src, Err: err}
	}
	v, err := toContextValue(out, 0)
	if err != nil {
		return nil, &EvalError{Src: e.src, Err: err}
	}
	return v, nil
}

// UnmarshalYAML compiles an expression from a YAML string.
func (e *Expr) UnmarshalYAML(value *yaml.Node) error {
	if value.Kind != yaml.ScalarNode {
		return fmt.Errorf("expression: expected a string, got %s", kindName(value))
	}
	ne, err := CompileExpr(value.Value)
	if err != nil {
		return err
	}
	*e = *ne
	return nil
}

func runProgram(p *vm.Program, env map[string]any) (any, error) {
	m := vm.VM{MemoryBudget: exprMemory}
	return m.Run(p, env)
}

func turnEnv(t *Turn) map[string]any {
	if t == nil || t.Memory == nil {
		return (&Memory{}).Map(0)
	}
	return t.Memory.Map(t.Now.Unix())
}

// toContextValue converts an expression result to a JSON-shaped value.
func toContextValue(v any, depth int) (any, error) {
	if depth > maxBodyDepth {
		return nil, errors.New("value nested too deeply")
	}
	switch x := v.(type) {
	case nil, string, bool:
		return x, nil
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return nil, fmt.Errorf("result %v is not a number a context can hold", x)
		}
		return x, nil
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			c, err := toContextValue(e, depth+1)
			if err != nil {
				return nil, err
			}
			out[i] = c
		}
		return out, nil
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			c, err := toContextValue(e, depth+1)
			if err != nil {
				return nil, err
			}
			out[k] = c
		}
		return out, nil
	}
	if f, ok := toFloat(v); ok {
		return toContextValue(f, depth)
	}
	// Anything else (typed slices, durations, …) goes through JSON.
	data, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("result of type %T cannot be stored: %w", v, err)
	}
	var out any
	if err := json.Unmarshal(data, &out); err != nil {
		return nil, fmt.Errorf("result of type %T cannot be stored: %w", v, err)
	}
	return out, nil
}
