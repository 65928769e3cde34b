package browsertest_test

import (
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/botforge/dialogd/web/browsertest"
)

// TestNewStartsChromium starts a browser and evaluates a script in it.
func TestNewStartsChromium(t *testing.T) {
	ctx := browsertest.New(t, 30*time.Second)
	if got := browsertest.EvalJS[int](t, ctx, "6 * 7"); got != 42 {
		t.Errorf("EvalJS(6 * 7) = %d; want 42", got)
	}
}

// TestNewSkipsUnderShort runs TestNewStartsChromium again in a child test
// process with -test.short: New must skip it, saying why, before it looks
// for a browser.
func TestNewSkipsUnderShort(t *testing.T) {
	if testing.Short() {
		t.Skip("checks what -short does from a child process; nothing to check inside one")
	}
	cmd := exec.Command(os.Args[0], "-test.short", "-test.v", "-test.run=^TestNewStartsChromium$")
	cmd.Env = append(os.Environ(), "PATH=") // no chromium on PATH: a skip must not depend on it
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("child test process: %v\n%s", err, out)
	}
	for _, want := range []string{"--- SKIP: TestNewStartsChromium", "skipped in the -short tier"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("child output lacks %q:\n%s", want, out)
		}
	}
}
