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

// TestWithPendingKeys: the saved state is the stored one with the keys
// (and the run's conversation ids), whatever else it holds.
func TestWithPendingKeys(t *testing.T) {
	orig := &state{V: stateVersion, ID: "c-1", User: "u-1", Seq: 7, Task: "order", Node: "place", Lang: "de"}
	orig.Memory.SetEntity("email", "ada@example.com")
	began, err := orig.encode()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		began  []byte
		wantID string
	}{{"stored state", began, "c-1"}, {"no state yet", nil, "c-new"}} {
		st := &state{ID: tc.wantID, User: "u-1", Lang: "de"}
		data, err := withPendingKeys(tc.began, st, []string{"k1", "k2"})
		if err != nil {
			t.Fatal(err)
		}
		got, err := decodeState(data)
		if err != nil || got == nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if got.ID != tc.wantID || got.User != "u-1" || !slices.Equal(got.Calls, []string{"k1", "k2"}) {
			t.Errorf("%s: id %q user %q calls %v; want %s, u-1 and the keys", tc.name, got.ID, got.User, got.Calls, tc.wantID)
		}
		if tc.began != nil && (got.Seq != 7 || got.Task != "order" || got.Memory.Entities["email"] != "ada@example.com") {
			t.Errorf("%s: the rest of the state changed: %+v", tc.name, got)
		}
	}
}
