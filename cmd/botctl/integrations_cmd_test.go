package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/botforge/dialogd/auth"
	"github.com/botforge/dialogd/dialog"
	"github.com/botforge/dialogd/templates"
)

func salesforceTemplates(t *testing.T) int {
	t.Helper()
	n := 0
	for _, info := range templates.List() {
		if strings.HasPrefix(info.Name, "salesforce_") {
			n++
		}
	}
	if n == 0 {
		t.Fatal("the catalogue has no salesforce templates")
	}
	return n
}

func TestIntegrationsList(t *testing.T) {
	n := salesforceTemplates(t)
	code, out, _ := botctl(t, "integrations")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	for _, want := range []string{fmt.Sprintf("salesforce   %d ", n), "http         2 ", "INTEGRATION  TEMPLATES  WHAT"} {
		if !strings.Contains(out, want) {
			t.Errorf("botctl integrations lacks %q:\n%s", want, out)
		}
	}
	dir := newBot(t)
	code, out, _ = botctl(t, "integrations", dir)
	for _, want := range []string{
		fmt.Sprintf("salesforce   not enabled  none           0 of %d", n),
		"http         built in     none           0 of 2",
		"next: enable salesforce: botctl integrations enable salesforce " + dir + " -mode per_user",
	} {
		if code != 0 || !strings.Contains(out, want) {
			t.Errorf("exit %d; botctl integrations DIR lacks %q:\n%s", code, want, out)
		}
	}
	if code, _, errOut := botctl(t, "integrations", t.TempDir()); code != 1 || !strings.Contains(errOut, "is not a bot") {
		t.Errorf("a directory without bot.yaml: exit %d, stderr %q", code, errOut)
	}
}

func TestIntegrationsEnableSalesforce(t *testing.T) {
	dir := newBot(t)
	code, out, errOut := botctl(t, "integrations", "enable", "salesforce", dir, "--mode", "per_user", "-login", "sfsim")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{
		"wrote " + filepath.Join(dir, "bot.yaml") + ": auth profile salesforce (oauth2, per_user)",
		"NOTE: this profile signs in to sfsim, the local Salesforce emulator at http://127.0.0.1:8787",
		"Client secret      env:SF_CLIENT_SECRET",
		"Authorization URL  http://127.0.0.1:8787/services/oauth2/authorize",
		"Callback URL       http://localhost:8080/oauth/callback",
		"next: install the whole Salesforce catalogue: botctl install -all -integration salesforce " + dir,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("stdout lacks %q:\n%s", want, out)
		}
	}
	want := auth.Profile{Kind: "oauth2", Mode: "per_user", IdentityProvider: "Salesforce",
		ClientID: "3MVG9dialogdDemoConsumerKey.sfsim", ClientSecret: auth.SecretRef{Env: "SF_CLIENT_SECRET"},
		AuthorizationURL: "http://127.0.0.1:8787/services/oauth2/authorize",
		TokenURL:         "http://127.0.0.1:8787/services/oauth2/token", RefreshTokenURL: "http://127.0.0.1:8787/services/oauth2/token",
		Scopes: auth.Scopes{"api", "refresh_token"}, Salesforce: &auth.SalesforcePreset{Login: "http://127.0.0.1:8787"}}
	checkProfile(t, dir, want)
	if data, _ := os.ReadFile(filepath.Join(dir, "bot.yaml")); !strings.Contains(string(data), `client_secret: {env: "SF_CLIENT_SECRET"}`) {
		t.Errorf("the env: reference is not quoted as file: ones are:\n%s", data)
	}

	before, _ := os.ReadFile(filepath.Join(dir, "bot.yaml"))
	code, _, errOut = botctl(t, "integrations", "enable", "salesforce", dir, "--mode", "pre_authorized", "-login", "sfsim")
	if after, _ := os.ReadFile(filepath.Join(dir, "bot.yaml")); code != 1 || !bytes.Equal(before, after) ||
		!strings.Contains(errOut, "auth_profiles.salesforce: auth profile already declared; -force replaces it") {
		t.Errorf("enable over an existing profile: exit %d, stderr %q, bot.yaml changed: %v", code, errOut, !bytes.Equal(before, after))
	}

	code, out, errOut = botctl(t, "integrations", "enable", "salesforce", dir, "-mode", "pre_authorized", "-force",
		"-login", "production", "-client-id", "3MVG9real", "-client-secret", "file:/etc/dialogd/sf_secret")
	if code != 0 {
		t.Fatalf("-force: exit %d: %s", code, errOut)
	}
	if strings.Contains(out, "sfsim") {
		t.Errorf("a production profile mentions sfsim:\n%s", out)
	}
	if !strings.Contains(out, "next: sign the bot in once: BOT_SECRET_KEY=... botctl auth login -bot "+dir+" salesforce") {
		t.Errorf("pre_authorized does not say how to sign in:\n%s", out)
	}
	want.Mode, want.ClientID, want.ClientSecret = "pre_authorized", "3MVG9real", auth.SecretRef{File: "/etc/dialogd/sf_secret"}
	want.AuthorizationURL = "https://login.salesforce.com/services/oauth2/authorize"
	want.TokenURL, want.RefreshTokenURL = "https://login.salesforce.com/services/oauth2/token", "https://login.salesforce.com/services/oauth2/token"
	want.Salesforce = &auth.SalesforcePreset{Login: "production"}
	checkProfile(t, dir, want)
	data, _ := os.ReadFile(filepath.Join(dir, "bot.yaml"))
	if n := strings.Count(string(data), "# Salesforce, by botctl integrations enable salesforce"); n != 1 {
		t.Errorf("bot.yaml holds the profile's comment %d times after -force:\n%s", n, data)
	}
	code, out, _ = botctl(t, "integrations", dir)
	if code != 0 || !strings.Contains(out, "salesforce   enabled   salesforce (oauth2, pre_authorized, login production)") {
		t.Errorf("integrations DIR after enable: exit %d\n%s", code, out)
	}
	// A secret from an unset variable is said (here, for a profile that reads its secret from the environment).
	botctl(t, "integrations", "enable", "salesforce", dir, "-force", "-login", "sfsim")
	var stdout, stderr bytes.Buffer
	noEnv := func(string) string { return "" }
	if code := runEnv([]string{"integrations", dir}, noEnv, &stdout, &stderr); code != 0 ||
		!strings.Contains(stdout.String(), "salesforce (oauth2, per_user, login http://127.0.0.1:8787, SF_CLIENT_SECRET not set)") {
		t.Errorf("an unset secret variable is not said: exit %d\n%s", code, &stdout)
	}
}

// checkProfile loads the bot as botd does and compares its salesforce
// profile with want.
func checkProfile(t *testing.T, dir string, want auth.Profile) {
	t.Helper()
	bot, err := dialog.LoadDir(dir)
	if err != nil {
		t.Fatalf("the bot does not load: %v", err)
	}
	got := bot.Config.AuthProfiles["salesforce"]
	if got == nil {
		t.Fatalf("no salesforce profile; profiles: %v", bot.Config.AuthProfiles)
	}
	if !reflect.DeepEqual(*got, want) {
		g, w := *got, want
		g.Salesforce, w.Salesforce = nil, nil
		t.Errorf("profile\n got %+v %+v\nwant %+v %+v", g, got.Salesforce, w, want.Salesforce)
	}
}

func TestIntegrationsEnableRefuses(t *testing.T) {
	dir := newBot(t)
	before, _ := os.ReadFile(filepath.Join(dir, "bot.yaml"))
	tests := []struct {
		name   string
		args   []string
		code   int
		stderr string
	}{
		{"a literal secret", []string{"-client-secret", "hunter2"}, 2, "-client-secret: want env:VAR or file:PATH, a reference to the secret, never the secret itself"},
		{"an unknown mode", []string{"-mode", "shared"}, 2, `-mode "shared": want per_user or pre_authorized`},
		{"a login Salesforce does not have", []string{"-login", "https://evil.example.com", "-client-id", "3MVGx"}, 1, "nothing was written"},
		// Before, no flags wrote sfsim's demo client id and address into the bot.
		{"no client id for production", nil, 2, "-client-id: required for -login production (the connected app's consumer key); -login sfsim writes the local emulator's demo values instead"},
		{"no client id for a sandbox", []string{"-login", "sandbox"}, 2, "-client-id: required for -login sandbox"},
		{"no client id for an org's URL", []string{"-login", "https://acme.my.salesforce.com"}, 2, "-client-id: required for -login https://acme.my.salesforce.com"},
		{"no client id for plain http off loopback", []string{"-login", "http://10.0.0.8:8787"}, 2, "-client-id: required for -login http://10.0.0.8:8787"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, errOut := botctl(t, append([]string{"integrations", "enable", "salesforce", dir}, tt.args...)...)
			if code != tt.code || !strings.Contains(errOut, tt.stderr) {
				t.Errorf("exit %d, want %d; stderr %q, want it to contain %q", code, tt.code, errOut, tt.stderr)
			}
			if strings.Contains(errOut, "hunter2") {
				t.Errorf("stderr repeats the secret: %q", errOut)
			}
			if after, _ := os.ReadFile(filepath.Join(dir, "bot.yaml")); !bytes.Equal(before, after) {
				t.Errorf("bot.yaml changed:\n%s", after)
			}
		})
	}
	for _, tt := range []struct{ name, stderr string }{
		{"http", "http needs no enabling"},
		{"salesfroce", `no integration "salesfroce" (did you mean "salesforce"?)`},
	} {
		if code, _, errOut := botctl(t, "integrations", "enable", tt.name, dir); code == 0 || !strings.Contains(errOut, tt.stderr) {
			t.Errorf("enable %s: exit %d, stderr %q, want it to contain %q", tt.name, code, errOut, tt.stderr)
		}
	}
}

func TestIntegrationsEnableInstall(t *testing.T) {
	n := salesforceTemplates(t)
	dir := newBot(t)
	code, out, errOut := botctl(t, "integrations", "enable", "salesforce", dir, "-install", "-login", "sfsim")
	if code != 0 {
		t.Fatalf("exit %d: %s\n%s", code, errOut, out)
	}
	if strings.Contains(out, "next: install the whole") {
		t.Errorf("with -install it still offers to install:\n%s", out)
	}
	code, out, _ = botctl(t, "integrations", dir)
	if want := fmt.Sprintf("%d of %d", n, n); code != 0 || !strings.Contains(out, want) || strings.Contains(out, "install the rest") {
		t.Errorf("after -install, integrations DIR should say %s installed:\n%s", want, out)
	}
}

// TestIntegrationsReadsProfilesAsTheLoader: botctl integrations DIR reads
// the auth profiles as botd does (${VAR} expanded) and, for a bot with a
// broken task, strictly from bot.yaml with lint's wording. Before, a plain
// yaml.Unmarshal took a misspelt key silently and showed ${VAR} as written.
func TestIntegrationsReadsProfilesAsTheLoader(t *testing.T) {
	const profile = "auth_profiles:\n  salesforce:\n    kind: oauth2\n    mode: per_user\n    salesforce: {login: \"${H10_SF_LOGIN:-sandbox}\"}\n    client_id: \"3MVGx\"\n    client_secret: {env: \"SF_CLIENT_SECRET\"}\n"
	const brokenTask = "name: broken\nnodes:\n  - {id: start, type: intent, utterances: [hi], next: nowhere}\n"
	const goodTask = "name: hello\nnodes:\n  - {id: start, type: intent, utterances: [hi], next: m}\n  - {id: m, type: message, text: hi}\n"
	tests := []struct {
		name, botYAML, task string
		code                int
		stdout, stderr      string
	}{
		{"a bot that loads: ${VAR} expanded", "name: b\n" + profile, goodTask, 0, "salesforce (oauth2, per_user, login sandbox", ""},
		{"a broken task: the profiles as written", "name: b\n" + profile, brokenTask, 0, "login ${H10_SF_LOGIN:-sandbox}", ""},
		{"a broken task and a misspelt key", "name: b\n" + profile + "    client_idd: x\n", brokenTask, 1, "",
			`bot.yaml:9:5: auth_profiles.salesforce: unknown key "client_idd"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			writeTestFile(t, filepath.Join(dir, "bot.yaml"), tt.botYAML)
			if tt.task != "" {
				writeTestFile(t, filepath.Join(dir, "tasks", "task.yaml"), tt.task)
			}
			code, out, errOut := botctl(t, "integrations", dir)
			if code != tt.code || !strings.Contains(out, tt.stdout) || !strings.Contains(errOut, tt.stderr) {
				t.Errorf("exit %d, want %d; stdout %q, want %q in it; stderr %q, want %q in it", code, tt.code, out, tt.stdout, errOut, tt.stderr)
			}
		})
	}
}

// TestIntegrationsEnableSfsimElsewhere: an sfsim on another loopback port
// gets the demo client id and the NOTE as -login sfsim does.
func TestIntegrationsEnableSfsimElsewhere(t *testing.T) {
	tests := []struct{ login, clientID string }{
		{"http://127.0.0.1:9787", "3MVG9dialogdDemoConsumerKey.sfsim"},
		{"http://localhost:9788", "3MVG9dialogdDemoConsumerKey.sfsim"},
		{"http://127.0.0.1:9789", "3MVG9other"}, // an sfsim started with another client id
	}
	for _, tt := range tests {
		t.Run(tt.login, func(t *testing.T) {
			dir := newBot(t)
			args := []string{"integrations", "enable", "salesforce", dir, "-login", tt.login}
			if !strings.HasSuffix(tt.clientID, ".sfsim") {
				args = append(args, "-client-id", tt.clientID)
			}
			code, out, errOut := botctl(t, args...)
			note := "NOTE: this profile signs in to sfsim, the local Salesforce emulator at " + tt.login + " (go run ./cmd/sfsim),\n      with client id " + tt.clientID + ": it reaches no real Salesforce org."
			if code != 0 || !strings.Contains(out, note) {
				t.Errorf("exit %d, stderr %q; stdout lacks %q:\n%s", code, errOut, note, out)
			}
		})
	}
}
