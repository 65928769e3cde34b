package nodes

import "testing"

// TestNodeIDsNamedLikeFunctions: a node whose id is an expression
// built-in (len, date, count, …) or one of ours (exists) is read by its id
// in conditions and expressions, while calls keep calling the function.
func TestNodeIDsNamedLikeFunctions(t *testing.T) {
	env := (&Memory{}).Map(0)
	env["len"] = map[string]any{"response": map[string]any{"status": 201.0}}
	env["date"] = map[string]any{"value": "2026-12-06"}
	env["count"] = 3.0
	env["exists"] = map[string]any{"ok": true}
	env["entities"] = map[string]any{"items": []any{"a", "b"}}
	tests := []struct {
		src  string
		want bool
	}{
		{`len.response.status == 201`, true},
		{`len.response.status == 201 && len(entities.items) == 2`, true},
		{`date.value == "2026-12-06"`, true},
		{`count > 2 && count([1, 2, 3], # > 1) == 2`, true},
		{`exists(exists.ok) && exists.ok`, true},
		{`exists(len.response.missing)`, false},
		{`$env["len"].response.status == 201`, true},
	}
	for _, tt := range tests {
		c, err := CompileCond(tt.src)
		if err != nil {
			t.Errorf("CompileCond(%q): %v", tt.src, err)
			continue
		}
		got, err := c.EvalEnv(env)
		if err != nil || got != tt.want {
			t.Errorf("%q = %v, %v; want %v", tt.src, got, err, tt.want)
		}
	}
	e, err := CompileExpr(`len.response.status + count`)
	if err != nil {
		t.Fatalf("CompileExpr: %v", err)
	}
	if got, err := e.EvalEnv(env); err != nil || got != 204.0 {
		t.Errorf("len.response.status + count = %v, %v; want 204", got, err)
	}
}
