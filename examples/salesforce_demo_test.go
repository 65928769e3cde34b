package examples_test

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/botforge/dialogd/examples"
	"github.com/botforge/dialogd/templates"
)

// TestSalesforceDemoIsTheCatalogue checks that examples/salesforce_demo
// holds exactly what `botctl install -all -integration salesforce` writes
// into its bot.yaml today: every task and tests file, nothing more, so the
// bot `make run` serves follows the templates.
func TestSalesforceDemoIsTheCatalogue(t *testing.T) {
	dir := t.TempDir()
	botYAML, err := os.ReadFile(filepath.Join("salesforce_demo", "bot.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "bot.yaml"), botYAML, 0o644); err != nil {
		t.Fatal(err)
	}
	res, err := templates.InstallAll(dir, templates.InstallAllOptions{Integration: "salesforce"})
	if err != nil {
		t.Fatalf("install the catalogue: %v", err)
	}
	if len(res.Installed) == 0 || len(res.DeclaredProfiles) != 0 {
		t.Fatalf("installed %d tasks, declared profiles %v; want the catalogue and bot.yaml's own profile", len(res.Installed), res.DeclaredProfiles)
	}
	const fix = "go run ./cmd/botctl install -all -force -integration salesforce examples/salesforce_demo"
	want := readTree(t, os.DirFS(dir))
	got := readTree(t, examples.SalesforceDemo())
	for name, w := range want {
		if g, ok := got[name]; !ok {
			t.Errorf("examples/salesforce_demo lacks %s; reinstall the catalogue: %s", name, fix)
		} else if !bytes.Equal(g, w) {
			t.Errorf("examples/salesforce_demo/%s differs from what botctl install writes; reinstall the catalogue: %s", name, fix)
		}
	}
	for name := range got {
		if _, ok := want[name]; !ok {
			t.Errorf("examples/salesforce_demo/%s is not from the catalogue", name)
		}
	}
}

// readTree reads every file of fsys by its slash path.
func readTree(t *testing.T, fsys fs.FS) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	err := fs.WalkDir(fsys, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(fsys, path)
		files[path] = b
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}
