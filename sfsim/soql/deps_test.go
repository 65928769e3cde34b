package soql

import (
	"encoding/json"
	"os/exec"
	"strings"
	"testing"
)

// TestDependencies keeps the engine free of the emulator and of every
// other package of this module, so sfsim can import it and nothing leaks
// the other way.
func TestDependencies(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "-json", ".").Output()
	if err != nil {
		t.Skipf("go list: %v", err)
	}
	dec := json.NewDecoder(strings.NewReader(string(out)))
	for dec.More() {
		var pkg struct {
			ImportPath string
			Standard   bool
		}
		if err := dec.Decode(&pkg); err != nil {
			t.Fatal(err)
		}
		if !pkg.Standard && pkg.ImportPath != "github.com/botforge/dialogd/sfsim/soql" {
			t.Errorf("package %q is not allowed as a dependency; reason: soql uses the standard library only", pkg.ImportPath)
		}
	}
}
