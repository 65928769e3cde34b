package nodes

import (
	"os"
	"strings"
	"testing"
)

// TestNodeTypesDocumented: every registered node type has its section
// under "Node types" in docs/bots.md, as docs/node-types.md asks.
func TestNodeTypesDocumented(t *testing.T) {
	data, err := os.ReadFile("../docs/bots.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(data), "\n## Node types\n")
	if !ok {
		t.Fatal(`docs/bots.md has no "## Node types" section`)
	}
	if end := strings.Index(section, "\n## "); end >= 0 {
		section = section[:end]
	}
	documented := map[string]bool{}
	for _, line := range strings.Split(section, "\n") {
		if name, ok := strings.CutPrefix(line, "### "); ok {
			documented[strings.TrimSpace(name)] = true
		}
	}
	for _, typ := range Default().Types() {
		if !documented[typ] {
			t.Errorf("node type %q has no \"### %s\" section under Node types in docs/bots.md", typ, typ)
		}
	}
}
