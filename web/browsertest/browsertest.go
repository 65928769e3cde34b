package browsertest

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// PollTimeout bounds each wait of WaitTranscript and WaitJS.
const PollTimeout = 10 * time.Second

// ChromiumPath finds the browser to drive: chromium or chromium-browser
// on PATH, else /usr/bin/chromium. A missing browser fails tb, naming
// `make deps`.
func ChromiumPath(tb testing.TB) string {
	tb.Helper()
	SkipShort(tb)
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if _, err := os.Stat("/usr/bin/chromium"); err == nil {
		return "/usr/bin/chromium"
	}
	tb.Fatal("headless Chromium not found (looked for chromium and chromium-browser on PATH and /usr/bin/chromium); " +
		"run `make deps` (it installs the Debian package chromium)")
	return ""
}

// SkipShort skips the test under `go test -short`, the fast tier that runs
// without a browser. New and ChromiumPath call it; a test that prepares
// other slow things (servers, bots) before it starts the browser calls it
// first.
func SkipShort(tb testing.TB) {
	tb.Helper()
	if testing.Short() {
		tb.Skip("browsertest: needs headless Chromium; skipped in the -short tier (run `make test` for the full suite)")
	}
}

// New starts a fresh headless Chromium with its own profile in a
// temporary directory and returns a tab context that ends after timeout.
// The browser is shut down when tb's test ends.
func New(tb testing.TB, timeout time.Duration) context.Context {
	tb.Helper()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(ChromiumPath(tb)),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("lang", "en-US"),
		chromedp.UserDataDir(tb.TempDir()),
		chromedp.WindowSize(1024, 760),
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	tb.Cleanup(cancel)
	actx, acancel := chromedp.NewExecAllocator(ctx, opts...)
	tb.Cleanup(acancel)
	bctx, bcancel := chromedp.NewContext(actx)
	tb.Cleanup(bcancel)
	if err := chromedp.Do(bctx); err != nil {
		tb.Fatalf("start chromium: %v", err)
	}
	return bctx
}

// TranscriptJS is a JavaScript expression listing the widget's rendered
// transcript as "role: text" lines, role being user, bot, authorize,
// notice or system, or "agent <name>" for a human agent's message. A bot
// message's record card is appended as {title}, its buttons as [a|b].
const TranscriptJS = `(() => Array.from(document.querySelectorAll('.dlgd-log > .dlgd-msg')).map(r => {
  const role = r.classList.contains('dlgd-msg-authorize') ? 'authorize'
    : r.classList.contains('dlgd-msg-user') ? 'user'
    : r.classList.contains('dlgd-msg-agent') ? 'agent ' + r.querySelector('.dlgd-agent-name').textContent
    : r.classList.contains('dlgd-msg-bot') ? 'bot'
    : r.classList.contains('dlgd-msg-notice') ? 'notice' : 'system';
  const text = r.querySelector('.dlgd-bubble, .dlgd-card-text, .dlgd-notice, .dlgd-system');
  let line = role + ': ' + (text ? text.textContent : '');
  const card = r.querySelector('.dlgd-record-title');
  if (card) line += ' {' + card.textContent + '}';
  const btns = Array.from(r.querySelectorAll('.dlgd-buttons .dlgd-btn')).map(b => b.textContent);
  if (btns.length) line += ' [' + btns.join('|') + ']';
  return line;
}))()`

// Transcript reads the rendered transcript (see TranscriptJS).
func Transcript(tb testing.TB, ctx context.Context) []string {
	tb.Helper()
	got, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](TranscriptJS))
	if err != nil {
		tb.Fatalf("read transcript: %v", err)
	}
	return got
}

// WaitTranscript waits until the rendered transcript is exactly want and
// fails tb, showing what is rendered, when it does not get there within
// PollTimeout.
func WaitTranscript(tb testing.TB, ctx context.Context, step string, want []string) {
	tb.Helper()
	js, _ := json.Marshal(want)
	_, err := chromedp.Run(ctx, chromedp.Poll[bool](
		"JSON.stringify("+TranscriptJS+") === JSON.stringify("+string(js)+")",
		chromedp.WithPollingTimeout(PollTimeout), chromedp.WithPollingMutation()))
	if err != nil {
		tb.Fatalf("%s: transcript =\n\t%s\nwant\n\t%s\n(%v)", step,
			shownTranscript(ctx), strings.Join(want, "\n\t"), err)
	}
}

// WaitJS waits until the JavaScript expression is truthy and fails tb,
// showing the rendered transcript, when it is not within PollTimeout.
func WaitJS(tb testing.TB, ctx context.Context, step, expr string) {
	tb.Helper()
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](expr,
		chromedp.WithPollingTimeout(PollTimeout), chromedp.WithPollingInterval(20*time.Millisecond))); err != nil {
		tb.Fatalf("%s: waiting for %s: %v\ntranscript:\n\t%s", step, expr, err, shownTranscript(ctx))
	}
}

// shownTranscript formats the rendered transcript for a failure message;
// it does not fail the test itself, so the caller's message survives a
// browser that no longer answers.
func shownTranscript(ctx context.Context) string {
	got, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](TranscriptJS))
	if err != nil {
		return fmt.Sprintf("(unreadable: %v)", err)
	}
	return strings.Join(got, "\n\t")
}

// EvalJS evaluates the JavaScript expression and returns its value as T.
func EvalJS[T any](tb testing.TB, ctx context.Context, expr string) T {
	tb.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		tb.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

// Script is an action that runs JavaScript for its effect.
func Script(expr string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := chromedp.Evaluate[any](expr)(ctx, t)
		return err
	})
}

// Do runs the actions in order and fails tb with step's name on the
// first error.
func Do(tb testing.TB, ctx context.Context, step string, actions ...chromedp.Action[chromedp.Void]) {
	tb.Helper()
	if err := chromedp.Do(ctx, actions...); err != nil {
		tb.Fatalf("%s: %v", step, err)
	}
}
