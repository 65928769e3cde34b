package main

import (
	"io"
	"strings"
	"testing"
	"time"
)

// TestEndRetryMaxAgeConfig: how long a closed conversation's failed
// conversation_end is run again is a flag with an environment fallback;
// a value too short is refused by name.
func TestEndRetryMaxAgeConfig(t *testing.T) {
	for _, tc := range []struct {
		args          []string
		env           map[string]string
		want          time.Duration
		wantErrPrefix string
	}{
		{want: 24 * time.Hour},
		{args: []string{"-end-retry-max-age", "6h"}, want: 6 * time.Hour},
		{env: map[string]string{"END_RETRY_MAX_AGE": "48h"}, want: 48 * time.Hour},
		{args: []string{"-end-retry-max-age", "2h"}, env: map[string]string{"END_RETRY_MAX_AGE": "48h"}, want: 2 * time.Hour},
		{args: []string{"-end-retry-max-age", "30s"}, wantErrPrefix: "-end-retry-max-age:"},
		{env: map[string]string{"END_RETRY_MAX_AGE": "a day"}, wantErrPrefix: "-end-retry-max-age:"},
	} {
		cfg, err := parseConfig(tc.args, func(k string) string { return tc.env[k] }, io.Discard)
		if tc.wantErrPrefix != "" {
			if err == nil || !strings.HasPrefix(err.Error(), tc.wantErrPrefix) {
				t.Errorf("args %q, env %v: got %v; want an error starting %q", tc.args, tc.env, err, tc.wantErrPrefix)
			}
			continue
		}
		if err != nil || cfg.EndRetryMaxAge != tc.want {
			t.Errorf("args %q, env %v: got %v, %v; want %v", tc.args, tc.env, cfg.EndRetryMaxAge, err, tc.want)
		}
	}
}
