package main

import (
	"io"
	"strings"
	"testing"
	"time"
)

// TestConversationEndConfig: how often conversations that idled out are
// looked for, and how long an instance's claim on one lasts, are flags
// with environment fallbacks; values too short are refused by name.
func TestConversationEndConfig(t *testing.T) {
	for _, tc := range []struct {
		args          []string
		env           map[string]string
		every, hold   time.Duration
		wantErrPrefix string
	}{
		{every: 10 * time.Second, hold: time.Minute},
		{args: []string{"-end-sweep-every", "250ms", "-end-hold", "5s"}, every: 250 * time.Millisecond, hold: 5 * time.Second},
		{env: map[string]string{"END_SWEEP_EVERY": "2s", "END_HOLD": "90s"}, every: 2 * time.Second, hold: 90 * time.Second},
		{args: []string{"-end-hold", "2m"}, env: map[string]string{"END_HOLD": "3s"}, every: 10 * time.Second, hold: 2 * time.Minute},
		{args: []string{"-end-sweep-every", "10ms"}, wantErrPrefix: "-end-sweep-every:"},
		{env: map[string]string{"END_SWEEP_EVERY": "often"}, wantErrPrefix: "-end-sweep-every:"},
		{args: []string{"-end-hold", "500ms"}, wantErrPrefix: "-end-hold:"},
		{env: map[string]string{"END_HOLD": "-1m"}, wantErrPrefix: "-end-hold:"},
	} {
		cfg, err := parseConfig(tc.args, func(k string) string { return tc.env[k] }, io.Discard)
		if tc.wantErrPrefix != "" {
			if err == nil || !strings.HasPrefix(err.Error(), tc.wantErrPrefix) {
				t.Errorf("args %q, env %v: got %v; want an error starting %q", tc.args, tc.env, err, tc.wantErrPrefix)
			}
			continue
		}
		if err != nil || cfg.EndSweepEvery != tc.every || cfg.EndHold != tc.hold {
			t.Errorf("args %q, env %v: got every %v, hold %v, %v; want %v, %v", tc.args, tc.env, cfg.EndSweepEvery, cfg.EndHold, err, tc.every, tc.hold)
		}
	}
}
