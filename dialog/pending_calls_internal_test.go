package dialog

import (
	"fmt"
	"slices"
	"testing"
)

// TestPendingKeysKeepTheCurrentCall: however many calls a turn makes, the
// one about to be sent is recorded (earlier runs' keys make room).
func TestPendingKeysKeepTheCurrentCall(t *testing.T) {
	var now, earlier []string
	for i := range maxPendingCalls + 1 {
		now = append(now, fmt.Sprintf("k%d", i))
		earlier = append(earlier, fmt.Sprintf("e%d", i))
	}
	for _, tt := range []struct {
		name          string
		earlier, now  []string
		mustHave      string
		wantAtMostLen int
	}{
		{"17 calls", nil, now, now[len(now)-1], len(now)},
		{"one call after a full earlier run", earlier, now[:1], now[0], maxPendingCalls},
	} {
		got := pendingKeys(tt.earlier, tt.now)
		if !slices.Contains(got, tt.mustHave) || len(got) > tt.wantAtMostLen {
			t.Errorf("%s: pendingKeys = %d keys %v; want %s among at most %d", tt.name, len(got), got, tt.mustHave, tt.wantAtMostLen)
		}
	}
}
