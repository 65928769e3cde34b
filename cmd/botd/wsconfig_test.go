package main

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/botforge/dialogd/channels"
)

func TestWSConfigFlags(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		env     map[string]string
		want    wsConfig
		wantErr bool
	}{
		{"defaults", nil, nil, wsConfig{channels.DefaultConnTurnRate, channels.DefaultConnTurnBurst, channels.DefaultSessionTurnRate, channels.DefaultSessionTurnBurst, channels.DefaultIPTurnRate, channels.DefaultIPTurnBurst}, false},
		{"flags", []string{"-ws-turn-rate", "0.5", "-ws-turn-burst", "3", "-ws-session-turn-rate", "2", "-ws-session-turn-burst", "6", "-ws-ip-turn-rate", "7", "-ws-ip-turn-burst", "8"}, nil, wsConfig{0.5, 3, 2, 6, 7, 8}, false},
		{"env", nil, map[string]string{"WS_TURN_RATE": "1", "WS_SESSION_TURN_BURST": "9"}, wsConfig{1, channels.DefaultConnTurnBurst, channels.DefaultSessionTurnRate, 9, channels.DefaultIPTurnRate, channels.DefaultIPTurnBurst}, false},
		{"zero rate", []string{"-ws-turn-rate", "0"}, nil, wsConfig{}, true},
		{"negative burst", []string{"-ws-turn-burst", "-1"}, nil, wsConfig{}, true},
		{"fractional burst", []string{"-ws-session-turn-burst", "2.5"}, nil, wsConfig{}, true},
		{"not a number", []string{"-ws-session-turn-rate", "fast"}, nil, wsConfig{}, true},
		{"NaN", []string{"-ws-turn-rate", "NaN"}, nil, wsConfig{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := parseConfig(tt.args, func(k string) string { return tt.env[k] }, io.Discard)
			if (err != nil) != tt.wantErr {
				t.Fatalf("parseConfig(%q) error = %v; want error %v", tt.args, err, tt.wantErr)
			}
			if err == nil && cfg.WS != tt.want {
				t.Errorf("parseConfig(%q).WS = %+v; want %+v", tt.args, cfg.WS, tt.want)
			}
		})
	}
}

func TestWSClientIP(t *testing.T) {
	e := &edgeConfig{ClientIPHeader: "X-Forwarded-For"}
	var err error
	if e.TrustedProxies, err = parsePrefixes([]string{"10.0.0.0/8"}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, peer, header, want string
	}{
		{"direct client", "192.0.2.7:4444", "", "192.0.2.7:4444"},
		{"direct client's header is ignored", "192.0.2.7:4444", "198.51.100.1", "192.0.2.7:4444"},
		{"trusted proxy names the client", "10.1.2.3:80", "198.51.100.1", "198.51.100.1"},
		{"forged hops left of the client", "10.1.2.3:80", "203.0.113.9, 198.51.100.1", "198.51.100.1"},
		{"trusted proxy names nobody: the proxy counts", "10.1.2.3:80", "", "10.1.2.3"},
		{"trusted proxy names garbage: the proxy counts", "10.1.2.3:80", "unknown", "10.1.2.3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodGet, "/ws", nil)
			r.RemoteAddr = tt.peer
			if tt.header != "" {
				r.Header.Set("X-Forwarded-For", tt.header)
			}
			if got := wsClientIP(e)(r); got != tt.want {
				t.Errorf("wsClientIP(peer %s, header %q) = %q; want %q", tt.peer, tt.header, got, tt.want)
			}
		})
	}
}
