package main

import "testing"

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
