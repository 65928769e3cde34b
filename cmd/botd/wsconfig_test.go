package main

import (
	"io"
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
		{"defaults", nil, nil, wsConfig{channels.DefaultConnTurnRate, channels.DefaultConnTurnBurst, channels.DefaultSessionTurnRate, channels.DefaultSessionTurnBurst}, false},
		{"flags", []string{"-ws-turn-rate", "0.5", "-ws-turn-burst", "3", "-ws-session-turn-rate", "2", "-ws-session-turn-burst", "6"}, nil, wsConfig{0.5, 3, 2, 6}, false},
		{"env", nil, map[string]string{"WS_TURN_RATE": "1", "WS_SESSION_TURN_BURST": "9"}, wsConfig{1, channels.DefaultConnTurnBurst, channels.DefaultSessionTurnRate, 9}, false},
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
