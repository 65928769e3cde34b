package auth

import (
	"os/exec"
	"strings"
	"testing"
)

// TestDependencies keeps auth off the rest of the module: it may use nodes
// and sessions only (sfsim and redistest in tests).
func TestDependencies(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	const mod = "github.com/botforge/dialogd/"
	allowed := map[string]bool{mod + "auth": true, mod + "nodes": true, mod + "sessions": true}
	for _, p := range strings.Fields(string(out)) {
		if strings.HasPrefix(p, mod) && !allowed[p] {
			t.Errorf("package %q is not allowed as a dependency; reason: auth may import only nodes and sessions of this module", p)
		}
	}
}
