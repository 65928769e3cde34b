package dialog_test

import (
	"encoding/json"
	"io"
	"os/exec"
	"strings"
	"testing"
)

// TestDependencyDirection keeps the module's packages pointing one way:
// nodes and sessions at the bottom, dialog and channels above them, the
// commands on top. It reads `go list` so a new import shows up here.
func TestDependencyDirection(t *testing.T) {
	const mod = "github.com/botforge/dialogd/"
	// package (prefix) → packages of ours it may import (prefixes); its own subtree is always allowed.
	allowed := map[string][]string{
		"nodes":    {},
		"sessions": {},
		"web":      {},
		"sfsim":    {},
		"channels": {"nodes"},
		"dialog":   {"nodes", "sessions", "auth"},
		"auth":     {"nodes", "sessions"},
	}
	cmd := exec.Command("go", "list", "-json", mod+"...")
	cmd.Dir = ".."
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	dec := json.NewDecoder(strings.NewReader(string(out)))
	checked := 0
	for {
		var p struct {
			ImportPath string
			Imports    []string
		}
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		rel := strings.TrimPrefix(p.ImportPath, mod)
		top, _, _ := strings.Cut(rel, "/")
		rules, ok := allowed[top]
		if !ok {
			continue
		}
		checked++
		for _, imp := range p.Imports {
			if !strings.HasPrefix(imp, mod) {
				continue
			}
			impTop, _, _ := strings.Cut(strings.TrimPrefix(imp, mod), "/")
			if impTop == top || contains(rules, impTop) {
				continue
			}
			t.Errorf("package %s imports %s; %s may import only %v of this module", p.ImportPath, imp, top, rules)
		}
	}
	if checked < 4 {
		t.Fatalf("checked only %d packages; is go list seeing the module?", checked)
	}
}

func contains(xs []string, s string) bool {
	for _, x := range xs {
		if x == s {
			return true
		}
	}
	return false
}
