package sessions_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestDeps keeps the package's dependency rules: sessions is a leaf of this
// module and has no business with HTTP.
func TestDeps(t *testing.T) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("go tool not on PATH: %v", err)
	}
	out, err := exec.Command(goBin, "list", "-deps", ".").Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	bad := map[string]string{
		"net/http": "sessions talks to Redis only; HTTP belongs to channels and services",
	}
	for _, p := range strings.Fields(string(out)) {
		if why, ok := bad[p]; ok {
			t.Errorf("package %q is not allowed as a dependency; reason: %s", p, why)
		}
		if strings.HasPrefix(p, "github.com/botforge/dialogd/") && p != "github.com/botforge/dialogd/sessions" {
			t.Errorf("package %q is not allowed as a dependency; reason: sessions imports nothing else of this module", p)
		}
	}
}
