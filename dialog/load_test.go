package dialog_test

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/botforge/dialogd/dialog"
)

var update = flag.Bool("update", false, "rewrite golden files")

// TestLoadErrors loads each broken bot under testdata/bad and compares every
// reported problem, with its position, to the bot's want.txt golden file.
func TestLoadErrors(t *testing.T) {
	dirs, err := filepath.Glob("testdata/bad/*")
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no test bots: %v", err)
	}
	for _, dir := range dirs {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			_, err := dialog.LoadDir(dir)
			if err == nil {
				t.Fatal("LoadDir succeeded; want errors")
			}
			errs, ok := dialog.AsLoadErrors(err)
			if !ok {
				t.Fatalf("error is %T, want LoadErrors: %v", err, err)
			}
			for _, e := range errs {
				if e.File == "" || (e.Line == 0 && !strings.HasSuffix(e.File, "tasks")) {
					t.Errorf("error without a position: %q", e.Error())
				}
			}
			got := err.Error() + "\n"
			golden := filepath.Join(dir, "want.txt")
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if got != string(want) {
				t.Errorf("errors differ from %s\ngot:\n%s\nwant:\n%s", golden, got, want)
			}
		})
	}
}

// TestLoadExamples checks the shipped bots load cleanly.
func TestLoadExamples(t *testing.T) {
	for _, dir := range []string{"../examples/demo", "../examples/bench"} {
		bot, err := dialog.LoadDir(dir)
		if err != nil {
			t.Fatalf("LoadDir(%s):\n%v", dir, err)
		}
		if len(bot.Tasks) == 0 {
			t.Errorf("LoadDir(%s) has no tasks", dir)
		}
	}
}

// TestAuthProfileEnvExpansion: plain profile settings take ${VAR} and
// ${VAR:-default}; secrets stay references.
func TestAuthProfileEnvExpansion(t *testing.T) {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "tasks"), 0o755)
	os.WriteFile(filepath.Join(dir, "bot.yaml"), []byte(`name: sf
auth_profiles:
  salesforce:
    kind: oauth2
    mode: per_user
    salesforce: {login: "${TEST_SF_LOGIN:-http://127.0.0.1:8787}"}
    client_id: ${TEST_SF_CLIENT}
    client_secret: {env: TEST_SF_SECRET}
`), 0o644)
	os.WriteFile(filepath.Join(dir, "tasks", "t.yaml"), []byte("name: t\nnodes:\n  - {id: start, type: intent, utterances: [hi], next: m}\n  - {id: m, type: message, text: hi}\n"), 0o644)
	t.Setenv("TEST_SF_CLIENT", "3MVGtest")
	bot, err := dialog.LoadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	p := bot.Config.AuthProfiles["salesforce"]
	if p.Salesforce.Login != "http://127.0.0.1:8787" || p.ClientID != "3MVGtest" || p.ClientSecret.Env != "TEST_SF_SECRET" {
		t.Errorf("profile = login %q, client %q, secret %+v", p.Salesforce.Login, p.ClientID, p.ClientSecret)
	}
	t.Setenv("TEST_SF_LOGIN", "http://127.0.0.1:9999")
	if bot, err = dialog.LoadDir(dir); err != nil || bot.Config.AuthProfiles["salesforce"].Salesforce.Login != "http://127.0.0.1:9999" {
		t.Errorf("with TEST_SF_LOGIN set: %v %+v", err, bot)
	}
}
