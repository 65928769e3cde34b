package dialog

import (
	"strings"
	"testing"
)

// TestTrimTranscript keeps the newest whole lines within maxTranscript.
func TestTrimTranscript(t *testing.T) {
	line := "User: " + strings.Repeat("x", 994) // 1000 bytes
	long := strings.Repeat(line+"\n", 20) + "Bot: last"
	got := trimTranscript(long)
	if len(got) > maxTranscript || !strings.HasSuffix(got, "Bot: last") || !strings.HasPrefix(got, "User: ") {
		t.Errorf("trimmed to %d bytes, starting %q; want at most %d, whole lines, the newest kept", len(got), got[:10], maxTranscript)
	}
	if s := "User: hi\nBot: hello"; trimTranscript(s) != s {
		t.Errorf("a short transcript changed")
	}
}
