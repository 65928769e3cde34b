package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/botforge/dialogd/sessions/redistest"
)

func writeAuthBot(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{
		"bot.yaml": `name: crmbot
auth_profiles:
  api:
    kind: api_key
    secret: {env: TEST_API_KEY}
  crm:
    kind: oauth2
    mode: pre_authorized
    client_id: demo-client
    client_secret: {env: TEST_CLIENT_SECRET}
    authorization_url: https://login.example.com/authorize
    token_url: https://login.example.com/token
    scopes: [api, refresh_token]
  mine:
    kind: oauth2
    mode: per_user
    client_id: demo-client
    client_secret: {env: TEST_CLIENT_SECRET}
    authorization_url: https://login.example.com/authorize
    token_url: https://login.example.com/token
`,
		"tasks/hello.yaml": `name: hello
nodes:
  - id: start
    type: intent
    utterances: [hello]
    next: hi
  - id: hi
    type: message
    text: Hi
`,
	}
	for name, body := range files {
		p := filepath.Join(dir, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestAuthCommands(t *testing.T) {
	rs := redistest.Start(t)
	dir := writeAuthBot(t)
	t.Setenv("TEST_API_KEY", "k-123")
	t.Setenv("TEST_CLIENT_SECRET", "super-secret-value")
	env := map[string]string{"BOT_SECRET_KEY": "0123456789abcdef0123", "REDIS_URL": rs.URL(), "PUBLIC_URL": "http://127.0.0.1:8080"}
	getenv := func(k string) string { return env[k] }
	tests := []struct {
		name       string
		args       []string
		env        map[string]string
		code       int
		wantOut    []string
		wantErr    string
		notInClear []string
	}{
		{name: "status", args: []string{"status", "-bot", dir}, code: 0,
			wantOut: []string{"api ", "api_key", "crm ", "not_connected", "mine ", "per_user"}, notInClear: []string{"k-123", "super-secret-value"}},
		{name: "login oauth2 prints the link", args: []string{"login", "-bot", dir, "-open=false", "-wait", "1s", "crm"}, code: 1,
			wantOut: []string{"http://127.0.0.1:8080/oauth/start?state="}, // botd's hop binds the link to the admin's browser, then redirects to the provider
			wantErr: "was not connected within 1s"},
		{name: "login static", args: []string{"login", "-bot", dir, "api"}, code: 0, wantOut: []string{"needs no sign-in"}},
		{name: "login unknown", args: []string{"login", "-bot", dir, "nope"}, code: 1, wantErr: `no auth profile "nope"`},
		{name: "no secret key", args: []string{"status", "-bot", dir}, env: map[string]string{"BOT_SECRET_KEY": ""}, code: 2, wantErr: "BOT_SECRET_KEY must be set"},
		{name: "no redis", args: []string{"status", "-bot", dir}, env: map[string]string{"REDIS_URL": ""}, code: 2, wantErr: "-bot and -redis (or BOT_DIR and REDIS_URL) are required"},
		{name: "status takes -public-url", args: []string{"status", "-bot", dir, "-public-url", "http://127.0.0.1:9999"}, env: map[string]string{"PUBLIC_URL": ""}, code: 0,
			wantOut: []string{"crm "}},
		{name: "status without a public URL", args: []string{"status", "-bot", dir}, env: map[string]string{"PUBLIC_URL": ""}, code: 1,
			wantErr: "the public URL is required for oauth2 profiles"},
		{name: "bot from BOT_DIR", args: []string{"status"}, env: map[string]string{"BOT_DIR": dir}, code: 0, wantOut: []string{"crm "}},
		{name: "unknown sub", args: []string{"frobnicate", "-bot", dir}, code: 2, wantErr: "unknown command"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ge := getenv
			if tt.env != nil {
				ge = func(k string) string {
					if v, ok := tt.env[k]; ok {
						return v
					}
					return env[k]
				}
			}
			var out, errb bytes.Buffer
			code := runEnv(append([]string{"auth"}, tt.args...), ge, &out, &errb)
			if code != tt.code {
				t.Errorf("exit %d, want %d\nstdout: %s\nstderr: %s", code, tt.code, out.String(), errb.String())
			}
			for _, w := range tt.wantOut {
				if !strings.Contains(out.String(), w) {
					t.Errorf("stdout lacks %q:\n%s", w, out.String())
				}
			}
			if tt.wantErr != "" && !strings.Contains(errb.String(), tt.wantErr) {
				t.Errorf("stderr lacks %q:\n%s", tt.wantErr, errb.String())
			}
			for _, s := range tt.notInClear {
				if strings.Contains(out.String()+errb.String(), s) {
					t.Errorf("output contains the secret %q", s)
				}
			}
		})
	}
}
