package nodes

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

// condTurn returns a turn over a context with a little of everything.
func condTurn() *Turn {
	c := &Memory{Intent: "create_lead", Lang: "en", Input: "I want an Agent please"}
	c.SetEntity("email", "ada@example.com")
	c.SetEntity("qty", 12.0)
	c.SetEntity("empty", "")
	c.SetEntity("tags", []any{"VIP", "new", 3.0})
	c.SetEntity("address", map[string]any{"city": "Tokyo", "zip": "100-0001"})
	c.SetNode("create_lead", map[string]any{"response": map[string]any{
		"status": 201.0, "body": map[string]any{"id": "00Q5g00000A1b2CEAR", "success": true},
	}})
	now := time.Unix(1_700_000_000, 0)
	c.SetVar(ScopeConversation, "total", 24.0, 0)
	c.SetVar(ScopeConversation, "gone", "x", now.Unix()-1)
	c.SetVar(ScopeUser, "tier", "gold", 0)
	return &Turn{Memory: c, Lang: "en", Now: now}
}

func TestCondEval(t *testing.T) {
	tests := []struct {
		src  string
		want bool
	}{
		// exists / not exists
		{`exists(entities.email)`, true},
		{`exists(entities.phone)`, false},
		{`exists(entities.empty)`, false},
		{`notExists(entities.phone)`, true},
		{`notExists(entities.email)`, false},
		{`exists(conversation.gone)`, false}, // expired
		{`exists(conversation.total)`, true},
		{`exists(missing_node.response.body.id)`, false},
		{`exists(create_lead.response.body.id)`, true},
		{`exists(entities.address.street.line1)`, false},
		// equals / not equals
		{`entities.email == "ada@example.com"`, true},
		{`entities.email == "ADA@example.com"`, false},
		{`entities.email != "bob@example.com"`, true},
		{`create_lead.response.status == 201`, true},
		{`entities.qty == 12.0`, true},
		{`entities.phone == nil`, true},
		{`user.tier == "gold"`, true},
		{`intent == "create_lead"`, true},
		{`lang != "ja"`, true},
		{`create_lead.response.body.success`, true},
		{`create_lead.response.body.success == false`, false},
		// ordering
		{`entities.qty > 10`, true},
		{`entities.qty < 10`, false},
		{`entities.qty >= 12`, true},
		{`entities.qty <= 11.5`, false},
		{`conversation.total >= entities.qty * 2`, true},
		{`exists(entities.phone) && entities.phone > 3`, false},
		// contains
		{`input contains "agent"`, true},
		{`input contains "AGENT PLEASE"`, true},
		{`input contains "human"`, false},
		{`entities.tags contains "vip"`, true},
		{`entities.tags contains 3`, true},
		{`entities.tags contains "old"`, false},
		{`entities.address contains "city"`, true},
		{`entities.phone contains "x"`, false},
		{`not (input contains "agent")`, false},
		// built-ins and nil
		{`lower(entities.address.city) in ["tokyo", "osaka"]`, true},
		{`entities.phone`, false}, // nil counts as false
		{`len(entities.tags) == 3`, true},
	}
	turn := condTurn()
	for _, tt := range tests {
		t.Run(tt.src, func(t *testing.T) {
			c, err := CompileCond(tt.src)
			if err != nil {
				t.Fatalf("CompileCond(%q) error: %v", tt.src, err)
			}
			got, err := c.Eval(turn)
			if err != nil {
				t.Fatalf("Eval(%q) error: %v", tt.src, err)
			}
			if got != tt.want {
				t.Errorf("Eval(%q) = %v; want %v", tt.src, got, tt.want)
			}
		})
	}
}

func TestCompileCondErrors(t *testing.T) {
	tests := []struct {
		src     string
		wantCol int
		wantMsg string
	}{
		{``, 1, "empty expression"},
		{`entities.qty >`, 14, "unexpected token EOF"},
		{`input > 5`, 7, "invalid operation"},
		{`1 + 2`, 1, "must be true or false"},
		{`"a" + "b"`, 1, "must be true or false"},
		{`entities.x == (`, 15, "unexpected token"},
		{`foo(1)`, 1, "unknown function foo"},
		{`now() > 0`, 1, "now is a value, not a function: write now, not now()"},
		{`entities.d < today()`, 14, "today is a value, not a function"},
		{`e164() == ""`, 1, "e164 takes a text and, optionally, a region"},
		{`addDays(today) == ""`, 1, "not enough arguments"},
		{`exists(x) && entities.f(1)`, 23, "only functions"},
		{strings.Repeat("1+", 1001) + "1 > 0", 1, "longer than"},
		{strings.Repeat("a&&", 300) + "a", 752, "exceeds maximum allowed nodes"},
	}
	for _, tt := range tests {
		name := tt.src
		if len(name) > 40 {
			name = name[:40]
		}
		t.Run(name, func(t *testing.T) {
			_, err := CompileCond(tt.src)
			var ee *ExprError
			if !errors.As(err, &ee) {
				t.Fatalf("CompileCond(%q) error = %v; want *ExprError", tt.src, err)
			}
			if ee.Col != tt.wantCol || !strings.Contains(ee.Msg, tt.wantMsg) {
				t.Errorf("CompileCond(%q) = col %d %q; want col %d containing %q", tt.src, ee.Col, ee.Msg, tt.wantCol, tt.wantMsg)
			}
		})
	}
}

func TestCondEvalErrors(t *testing.T) {
	tests := []string{
		`entities.phone > 3`,        // nil compared with >
		`entities.email > 3`,        // string compared with number
		`entities.qty`,              // number, not a condition
		`entities.tags[7] == "x"`,   // index out of range
		`entities.qty contains "1"`, /* not a container */
	}
	turn := condTurn()
	for _, src := range tests {
		t.Run(src, func(t *testing.T) {
			c, err := CompileCond(src)
			if err != nil {
				t.Fatalf("CompileCond(%q) error: %v", src, err)
			}
			got, err := c.Eval(turn)
			var ee *EvalError
			if !errors.As(err, &ee) || got {
				t.Errorf("Eval(%q) = %v, %v; want false and *EvalError", src, got, err)
			}
		})
	}
}

func TestExprEval(t *testing.T) {
	tests := []struct {
		src  string
		want any
	}{
		{`entities.qty * 2`, 24.0},
		{`1 + 2`, 3.0},
		{`upper(entities.address.city)`, "TOKYO"},
		{`entities.email + "!"`, "ada@example.com!"},
		{`[1, "a", true]`, []any{1.0, "a", true}},
		{`{"n": 1, "s": [2]}`, map[string]any{"n": 1.0, "s": []any{2.0}}},
		{`missing.path`, nil},
		{`entities.qty > 3 ? "big" : "small"`, "big"},
		{`map([1, 2], # * 10)`, []any{10.0, 20.0}},
	}
	turn := condTurn()
	for _, tt := range tests {
		t.Run(tt.src, func(t *testing.T) {
			e, err := CompileExpr(tt.src)
			if err != nil {
				t.Fatalf("CompileExpr(%q) error: %v", tt.src, err)
			}
			got, err := e.Eval(turn)
			if err != nil {
				t.Fatalf("Eval(%q) error: %v", tt.src, err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Eval(%q) = %#v; want %#v", tt.src, got, tt.want)
			}
		})
	}
}

func TestExprMemoryBudget(t *testing.T) {
	e, err := CompileExpr(`map(1..1000000, [#, #, #])`)
	if err != nil {
		t.Fatalf("CompileExpr error: %v", err)
	}
	if _, err := e.Eval(condTurn()); err == nil {
		t.Errorf("Eval of a huge list succeeded; want a memory budget error")
	}
}

func FuzzCompileCond(f *testing.F) {
	for _, s := range []string{
		`exists(entities.email)`, `entities.qty > 10 && input contains "x"`,
		`a.b.c[0] == nil`, `(`, `"`, `1..1000000`, `entities.tags contains 3`,
		`create_lead.response.status in [200, 201]`, `let x = 1; x > 0`,
	} {
		f.Add(s)
	}
	turn := condTurn()
	f.Fuzz(func(t *testing.T, src string) {
		c, err := CompileCond(src)
		if err != nil {
			var ee *ExprError
			if !errors.As(err, &ee) {
				t.Fatalf("CompileCond(%q) error %v is not *ExprError", src, err)
			}
			return
		}
		if c.String() != src {
			t.Fatalf("String() = %q; want %q", c.String(), src)
		}
		_, _ = c.Eval(turn) // must not panic
	})
}

func BenchmarkCondEval(b *testing.B) {
	c, err := CompileCond(`exists(entities.email) && entities.qty > 10 && create_lead.response.status == 201`)
	if err != nil {
		b.Fatal(err)
	}
	turn := condTurn()
	b.ReportAllocs()
	for b.Loop() {
		ok, err := c.Eval(turn)
		if err != nil || !ok {
			b.Fatalf("Eval = %v, %v", ok, err)
		}
	}
}

func BenchmarkCondEvalSharedEnv(b *testing.B) {
	c, err := CompileCond(`exists(entities.email) && entities.qty > 10 && create_lead.response.status == 201`)
	if err != nil {
		b.Fatal(err)
	}
	turn := condTurn()
	env := turn.Memory.Map(turn.Now.Unix())
	b.ReportAllocs()
	for b.Loop() {
		ok, err := c.EvalEnv(env)
		if err != nil || !ok {
			b.Fatalf("Eval = %v, %v", ok, err)
		}
	}
}

func TestCondNodeNamedLikeBuiltin(t *testing.T) {
	turn := condTurn()
	turn.Memory.SetNode("count", map[string]any{"n": 2.0})
	c, err := CompileCond(`$env["count"].n == 2`)
	if err != nil {
		t.Fatalf("CompileCond error: %v", err)
	}
	if ok, err := c.Eval(turn); !ok || err != nil {
		t.Errorf("Eval = %v, %v; want true", ok, err)
	}
}
