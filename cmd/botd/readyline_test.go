package main

import (
	"strings"
	"testing"
	"time"
)

// TestReadyLine: /readyz's first line lists degraded auth profiles and
// bots whose reload was refused together; neither hides the other.
func TestReadyLine(t *testing.T) {
	tests := []struct {
		name           string
		profiles, bots []string
		want           string
	}{
		{"all well", nil, nil, "ok\n"},
		{"a profile", []string{"b/sf", "a/sf"}, nil, "ok, degraded auth profiles: a/sf, b/sf\n"},
		{"a bot", nil, []string{"vbot"}, "ok, degraded bots (reload refused): vbot\n"},
		{"both", []string{"a/sf"}, []string{"vbot"}, "ok, degraded auth profiles: a/sf; degraded bots (reload refused): vbot\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := readyLine(tt.profiles, tt.bots); got != tt.want {
				t.Errorf("readyLine(%q, %q) = %q; want %q", tt.profiles, tt.bots, got, tt.want)
			}
		})
	}
}

// TestReadyzProblemsOnlyWhereTrusted: a refused reload's problems quote the
// bot's files, so /readyz lists them only on the admin address or a public
// address on loopback; elsewhere it says how many there are and where.
func TestReadyzProblemsOnlyWhereTrusted(t *testing.T) {
	for _, tt := range []struct {
		addr string
		want bool
	}{
		{"127.0.0.1:8080", true}, {"[::1]:8080", true}, {"localhost:8080", true},
		{":8080", false}, {"0.0.0.0:8080", false}, {"[::]:8080", false}, {"192.0.2.1:8080", false}, {"example.com:80", false}, {"nonsense", false},
	} {
		if got := loopbackOnly(tt.addr); got != tt.want {
			t.Errorf("loopbackOnly(%q) = %v; want %v", tt.addr, got, tt.want)
		}
	}
	secret := `bot.yaml:3:30: settings.session_idle_ttl: invalid duration "hunter2-secret"`
	bot := &reloadBot{name: "vbot"}
	bot.problem.Store(&reloadProblem{at: time.Date(2026, 12, 7, 1, 0, 0, 0, time.UTC), errs: []string{secret}})
	rl := &reloader{bots: []*reloadBot{bot}}
	names, public := rl.degraded(false)
	if len(names) != 1 || strings.Contains(public, "hunter2") || !strings.Contains(public, "with 1 problems") {
		t.Errorf("public detail = %v %q; want the bot named, the count, no problem text", names, public)
	}
	if _, admin := rl.degraded(true); !strings.Contains(admin, secret) {
		t.Errorf("admin detail = %q; want the problem %q", admin, secret)
	}
}
