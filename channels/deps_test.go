package channels

import (
	"encoding/json"
	"os/exec"
	"strings"
	"testing"
)

// TestDependencies keeps the channel away from storage and dialog
// internals: it talks to the runtime only through Conversations.
func TestDependencies(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go list")
	}
	out, err := exec.Command("go", "list", "-deps", "-json=ImportPath", ".").Output()
	if err != nil {
		t.Skipf("go list: %v", err)
	}
	bad := map[string]string{
		"github.com/botforge/dialogd/sessions":  "sessions are reached through Conversations",
		"github.com/botforge/dialogd/templates": "templates are loaded by the runtime",
		"github.com/redis/go-redis/v9":          "the channel holds no state of its own",
	}
	seen := 0
	dec := json.NewDecoder(strings.NewReader(string(out)))
	for dec.More() {
		var p struct{ ImportPath string }
		if err := dec.Decode(&p); err != nil {
			t.Fatal(err)
		}
		if p.ImportPath == "github.com/gorilla/websocket" {
			seen++
		}
		if why, ok := bad[p.ImportPath]; ok {
			t.Errorf("package %q is not allowed as a dependency; reason: %s", p.ImportPath, why)
		}
	}
	if seen != 1 {
		t.Errorf("go list output lacks github.com/gorilla/websocket; the check read nothing useful")
	}
}
