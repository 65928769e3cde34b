package main

import (
	"io"
	"testing"
	"time"
)

// TestLeaseTTLConfig: the session lease length is a flag with an
// environment fallback; values too short to renew in time are refused.
func TestLeaseTTLConfig(t *testing.T) {
	for _, tc := range []struct {
		args    []string
		env     string
		want    time.Duration
		wantErr bool
	}{
		{want: 3 * time.Second},
		{args: []string{"-lease-ttl", "5s"}, want: 5 * time.Second},
		{env: "1500ms", want: 1500 * time.Millisecond},
		{args: []string{"-lease-ttl", "2s"}, env: "9s", want: 2 * time.Second},
		{args: []string{"-lease-ttl", "100ms"}, wantErr: true},
		{env: "soon", wantErr: true},
	} {
		getenv := func(k string) string {
			if k == "LEASE_TTL" {
				return tc.env
			}
			return ""
		}
		cfg, err := parseConfig(tc.args, getenv, io.Discard)
		if tc.wantErr {
			if err == nil {
				t.Errorf("args %q, LEASE_TTL=%q: got lease %v; want an error", tc.args, tc.env, cfg.LeaseTTL)
			}
			continue
		}
		if err != nil || cfg.LeaseTTL != tc.want {
			t.Errorf("args %q, LEASE_TTL=%q: got %v, %v; want %v", tc.args, tc.env, cfg.LeaseTTL, err, tc.want)
		}
	}
}
