package main

import (
	"bytes"
	"encoding/json"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/botforge/dialogd/sessions/redistest"
	"github.com/botforge/dialogd/sfsim"
)

// writeDirectoryBot writes a bot whose directory imports Contacts from
// the emulated org at login.
func writeDirectoryBot(t *testing.T, login, clientID, username string) string {
	t.Helper()
	dir := t.TempDir()
	bot := `name: dirbot
auth_profiles:
  salesforce_admin:
    kind: oauth2_password
    salesforce: {login: "` + login + `"}
    client_id: ` + clientID + `
    client_secret: {env: TEST_SF_SECRET}
    username: ` + username + `
    password: {env: TEST_SF_PASSWORD}
    security_token: {env: TEST_SF_TOKEN}
directory:
  salesforce: salesforce_admin
  object: Contact
  every: 12h
`
	task := "name: hello\nnodes:\n  - id: start\n    type: intent\n    utterances: [hello]\n    next: hi\n  - id: hi\n    type: message\n    text: Hi\n"
	os.MkdirAll(filepath.Join(dir, "tasks"), 0o755)
	for name, body := range map[string]string{"bot.yaml": bot, "tasks/hello.yaml": task} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestDirectoryCommands(t *testing.T) {
	rs := redistest.Start(t)
	sim, err := sfsim.New()
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(sim)
	t.Cleanup(srv.Close)
	creds, err := sim.Credentials()
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("TEST_SF_SECRET", creds.ClientSecret)
	t.Setenv("TEST_SF_PASSWORD", creds.Password)
	t.Setenv("TEST_SF_TOKEN", creds.SecurityToken)
	now := time.Now()
	if _, err := sim.SeedRecords("Contact", []map[string]any{
		{"FirstName": "Aiko", "LastName": "Mori", "Email": "aiko@example.com"},
		{"FirstName": "Ben", "LastName": "Stone", "Email": "ben@example.com"},
		{"LastName": sfsim.NamePlaceholder, "Email": "anon@example.com"},
	}, now.AddDate(0, 0, -3)); err != nil {
		t.Fatal(err)
	}
	dir := writeDirectoryBot(t, srv.URL, creds.ClientID, creds.Username)
	env := map[string]string{"BOT_SECRET_KEY": "0123456789abcdef0123", "REDIS_URL": rs.URL()}
	getenv := func(k string) string { return env[k] }
	botctl := func(args ...string) (int, string, string) {
		var out, errb bytes.Buffer
		code := runEnv(args, getenv, &out, &errb)
		for _, secret := range []string{creds.ClientSecret, creds.Password, creds.SecurityToken} {
			if strings.Contains(out.String()+errb.String(), secret) {
				t.Errorf("botctl %v printed a secret", args)
			}
		}
		return code, out.String(), errb.String()
	}

	code, out, errOut := botctl("directory", "status", "-bot", dir)
	if code != 0 || !strings.Contains(out, "records        0") || !strings.Contains(out, "last run       never") {
		t.Errorf("status before a sync: code %d\n%s%s", code, out, errOut)
	}
	// The demo org's own Contacts are new too: 2 + the 2 seeded.
	code, out, errOut = botctl("directory", "sync", "-bot", dir)
	if code != 0 || !strings.Contains(out, "synced Contact: 4 imported, 0 removed (lost their name), 1 left out (no name)") {
		t.Errorf("sync: code %d\n%s%s", code, out, errOut)
	}
	code, out, errOut = botctl("directory", "status", "-bot", dir, "-json")
	var st struct {
		Records   int       `json:"records"`
		Runs      int       `json:"runs"`
		LastRun   time.Time `json:"last_run"`
		NextRun   time.Time `json:"next_run"`
		LastError string    `json:"last_error"`
	}
	if err := json.Unmarshal([]byte(out), &st); err != nil || code != 0 {
		t.Fatalf("status -json: code %d, %v\n%s%s", code, err, out, errOut)
	}
	if st.Records != 4 || st.Runs != 1 || st.LastError != "" || !st.NextRun.Equal(st.LastRun.Add(12*time.Hour)) {
		t.Errorf("status after a sync: got %+v, want 4 records, 1 run, the next 12h after", st)
	}
	noDir := writeDirectoryBot(t, srv.URL, creds.ClientID, creds.Username)
	raw, _ := os.ReadFile(filepath.Join(noDir, "bot.yaml"))
	before, _, _ := strings.Cut(string(raw), "directory:")
	if err := os.WriteFile(filepath.Join(noDir, "bot.yaml"), []byte(before), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, errOut = botctl("directory", "sync", "-bot", noDir)
	if code != 1 || !strings.Contains(errOut, "has no directory: section") {
		t.Errorf("a bot without a directory: code %d, %q", code, errOut)
	}
	delete(env, "BOT_SECRET_KEY")
	if code, _, errOut = botctl("directory", "sync", "-bot", dir); code != 2 || !strings.Contains(errOut, "BOT_SECRET_KEY") {
		t.Errorf("without BOT_SECRET_KEY: code %d, %q", code, errOut)
	}
}
