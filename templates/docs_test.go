package templates

import (
	"os"
	"strings"
	"testing"
)

// TestEveryTemplateDocumented keeps docs/bots.md's template table complete:
// a shipped template missing from it fails here, not in a designer's hands.
func TestEveryTemplateDocumented(t *testing.T) {
	doc, err := os.ReadFile("../docs/bots.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, info := range List() {
		if row := "| `" + info.Name + "` |"; !strings.Contains(string(doc), row) {
			t.Errorf("docs/bots.md has no template table row %q", row)
		}
	}
}
