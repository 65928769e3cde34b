package deprules

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os/exec"
	"strings"
	"testing"
)

// TestModuleDependencies checks every package of the module against Rules.
func TestModuleDependencies(t *testing.T) {
	pkgs := goList(t)
	ours := 0
	for _, p := range pkgs {
		if strings.HasPrefix(p.ImportPath, Module) {
			ours++
		}
	}
	if ours < len(Rules) {
		t.Fatalf("go list printed %d packages of this module; want at least %d (one per rule): is it seeing the module?", ours, len(Rules))
	}
	for _, problem := range Check(pkgs, Rules) {
		t.Error(problem)
	}
}

// goList runs `go list -deps -json` over the whole module once.
func goList(t *testing.T) []Package {
	t.Helper()
	cmd := exec.Command("go", "list", "-deps", "-json=ImportPath,Standard,Deps", Module+"...")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.String())
	}
	var pkgs []Package
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p Package
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			return pkgs
		} else if err != nil {
			t.Fatalf("decode go list output: %v", err)
		}
		pkgs = append(pkgs, p)
	}
}

// TestCheckCatchesViolations runs Check on made-up packages: each case
// must yield exactly the problems listed.
func TestCheckCatchesViolations(t *testing.T) {
	rules := []Rule{
		{Dir: "low", Why: "low is a leaf", Forbidden: map[string]string{"net/http": "no HTTP"}},
		{Dir: "low/pure", StdlibOnly: true, Why: "pure is stdlib only"},
		{Dir: "mid", Allow: []string{"low"}, Why: "mid may use low"},
		{Dir: "cmd", AnyModule: true, Why: "commands"},
	}
	std := []Package{{ImportPath: "fmt", Standard: true}, {ImportPath: "net/http", Standard: true}}
	tests := []struct {
		name string
		pkgs []Package
		want []string
	}{
		{"all allowed", []Package{
			{ImportPath: Module + "low", Deps: []string{"fmt", Module + "low/pure", "example.com/x"}},
			{ImportPath: Module + "low/pure", Deps: []string{"fmt"}},
			{ImportPath: Module + "mid", Deps: []string{Module + "low", Module + "low/pure"}},
			{ImportPath: Module + "cmd/a", Deps: []string{Module + "mid", "example.com/x"}},
		}, nil},
		{"upward import", []Package{
			{ImportPath: Module + "low", Deps: []string{Module + "mid"}},
			{ImportPath: Module + "low/pure"}, {ImportPath: Module + "mid"}, {ImportPath: Module + "cmd/a"},
		}, []string{"package " + Module + "low depends on " + Module + "mid, which is not allowed; reason: low is a leaf"}},
		{"forbidden and non-stdlib", []Package{
			{ImportPath: Module + "low", Deps: []string{"net/http"}},
			{ImportPath: Module + "low/pure", Deps: []string{"example.com/x"}},
			{ImportPath: Module + "mid"}, {ImportPath: Module + "cmd/a"},
		}, []string{
			"package " + Module + "low depends on net/http, which is not allowed; reason: no HTTP",
			"package " + Module + "low/pure depends on example.com/x, which is not allowed; reason: pure is stdlib only",
		}},
		{"no rule, unused rule", []Package{
			{ImportPath: Module + "low"}, {ImportPath: Module + "low/pure"}, {ImportPath: Module + "mid"},
			{ImportPath: Module + "new"},
		}, []string{
			"package " + Module + "new has no dependency rule; add a row for its directory to deprules.Rules",
			`rule for "cmd" covers no package; remove or fix the row`,
		}},
		{"prefix is not a directory", []Package{
			{ImportPath: Module + "low"}, {ImportPath: Module + "low/pure"}, {ImportPath: Module + "cmd/a"},
			{ImportPath: Module + "mid", Deps: []string{Module + "lowish"}},
			{ImportPath: Module + "lowish"},
		}, []string{
			"package " + Module + "mid depends on " + Module + "lowish, which is not allowed; reason: mid may use low",
			"package " + Module + "lowish has no dependency rule; add a row for its directory to deprules.Rules",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Check(append(tt.pkgs, std...), rules)
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("Check =\n\t%s\nwant\n\t%s", strings.Join(got, "\n\t"), strings.Join(tt.want, "\n\t"))
			}
		})
	}
}
