package main

import (
	"strings"
	"testing"
)

// TestInstallLogConversationHint: install -all tells a bot to run
// log_conversation when conversations end, and tells a per_user bot that
// only a pre_authorized profile logs every conversation (the designer's
// guide enables per_user, then installs the catalogue).
func TestInstallLogConversationHint(t *testing.T) {
	const caveat = "but only with a pre_authorized profile: with per_user salesforce"
	tests := []struct {
		mode       string
		wantCaveat bool
	}{
		{mode: "per_user", wantCaveat: true},
		{mode: "pre_authorized", wantCaveat: false},
	}
	for _, tt := range tests {
		t.Run(tt.mode, func(t *testing.T) {
			dir := newBot(t)
			if code, out, errOut := botctl(t, "integrations", "enable", "salesforce", dir, "-mode", tt.mode, "-login", "sfsim"); code != 0 {
				t.Fatalf("enable: exit %d: %s\n%s", code, errOut, out)
			}
			code, out, errOut := botctl(t, "install", "-all", "-integration", "salesforce", dir)
			if code != 0 {
				t.Fatalf("install: exit %d: %s\n%s", code, errOut, out)
			}
			if !strings.Contains(out, "run log_conversation when a conversation ends") {
				t.Errorf("install's next steps lack the conversation_end hint:\n%s", out)
			}
			if got := strings.Contains(out, caveat); got != tt.wantCaveat {
				t.Errorf("caveat %q shown = %v, want %v:\n%s", caveat, got, tt.wantCaveat, out)
			}
		})
	}
}
