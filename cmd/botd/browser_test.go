package main

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserDemoLead drives the real widget, served by botd at /, in
// headless Chromium through the embedded demo bot: it creates a lead by
// clicking and typing the way a visitor would, then reloads the page and
// checks the conversation survives and goes on.
func TestBrowserDemoLead(t *testing.T) {
	ctx := browser(t, 45*time.Second)
	in := startBotd(t, nil)
	base := "http://" + in.addr

	// The page opens the widget, connects, and the bot greets with the
	// task buttons.
	browse(t, ctx, "load page", chromedp.Navigate(base+"/"))
	waitFor(t, ctx, "connect", `document.querySelector('.dlgd-root').dataset.state === 'connected'`)
	welcome := "bot: Hi! I'm the demo bot. I can create a lead or book a product demo. [Book a demo|Create a lead]"
	want := []string{welcome}
	waitLog(t, ctx, "welcome", want)

	// Clicking a task button starts the task.
	clickButton(t, ctx, "click Create a lead", ".dlgd-buttons .dlgd-btn", "Create a lead")
	want = append(want, "user: Create a lead", "bot: What's the first name?")
	waitLog(t, ctx, "first prompt", want)

	steps := []struct{ say, reply string }{
		{"Jane", "And the last name?"},
		{"Doe", "Which company?"},
		{"Acme Corp", "What's their e-mail address?"},
		{"jane@example", "That doesn't look like an e-mail address. Try again?"},
		{"jane@example.com", "Create a lead for Jane Doe at Acme Corp (jane@example.com)?"},
	}
	for _, s := range steps {
		browse(t, ctx, "type "+s.say, chromedp.SendKeys(chromedp.CSS(".dlgd-input"), s.say+"\n"))
		want = append(want, "user: "+s.say, "bot: "+s.reply)
		waitLog(t, ctx, "reply to "+s.say, want)
	}

	// The confirmation offers Yes/No quick replies; Yes creates the lead.
	waitFor(t, ctx, "quick replies", `document.querySelectorAll('.dlgd-quick .dlgd-btn').length === 2`)
	if chips := readJS[[]string](t, ctx, `Array.from(document.querySelectorAll('.dlgd-quick .dlgd-btn')).map(b => b.textContent)`); strings.Join(chips, "|") != "Yes|No" {
		t.Fatalf("confirmation quick replies = %q; want [Yes No]", chips)
	}
	clickButton(t, ctx, "click Yes", ".dlgd-quick .dlgd-btn", "Yes")
	want = append(want, "user: Yes")
	waitFor(t, ctx, "lead created", `(() => { const l = `+logJS+`; return l.length === `+strconv.Itoa(len(want)+1)+` && l[l.length-1].startsWith('bot: Created lead 00Q'); })()`)
	got := readLog(t, ctx)
	if strings.Join(got[:len(want)], "\n") != strings.Join(want, "\n") {
		t.Fatalf("transcript =\n\t%s\nwant it to begin\n\t%s", strings.Join(got, "\n\t"), strings.Join(want, "\n\t"))
	}
	created := got[len(got)-1]
	if !leadReply.MatchString(created) {
		t.Errorf("final reply = %q; want \"Created lead <18-character 00Q id> for Jane Doe.\"", created)
	}
	want = got
	if n := readJS[int](t, ctx, `document.querySelectorAll('.dlgd-quick .dlgd-btn').length`); n != 0 {
		t.Errorf("%d quick replies still shown after the answer; want none", n)
	}

	// Reload: the transcript comes back and the conversation goes on.
	browse(t, ctx, "reload", chromedp.Reload())
	waitFor(t, ctx, "reconnect", `document.querySelector('.dlgd-root').dataset.state === 'connected'`)
	waitLog(t, ctx, "transcript after reload", want)
	browse(t, ctx, "type help", chromedp.SendKeys(chromedp.CSS(".dlgd-input"), "help\n"))
	want = append(want, "user: help", "bot: Here is what I can do: [Book a demo|Create a lead]")
	waitLog(t, ctx, "reply to help", want)
}

var leadReply = regexp.MustCompile(`^bot: Created lead 00Q[0-9A-Za-z]{15} for Jane Doe\.$`)

// browser starts a fresh headless Chromium with its own profile, the way
// the widget's own browser test does, and returns a tab context that ends
// after timeout. A missing browser fails the test.
func browser(t *testing.T, timeout time.Duration) context.Context {
	t.Helper()
	path := ""
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			path = p
			break
		}
	}
	if path == "" {
		if _, err := os.Stat("/usr/bin/chromium"); err != nil {
			t.Fatal("headless Chromium not found (looked for chromium and chromium-browser on PATH and /usr/bin/chromium); " +
				"run `make deps` (it installs the Debian package chromium)")
		}
		path = "/usr/bin/chromium"
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
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
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1024, 760),
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	t.Cleanup(cancel)
	actx, acancel := chromedp.NewExecAllocator(ctx, opts...)
	t.Cleanup(acancel)
	bctx, bcancel := chromedp.NewContext(actx)
	t.Cleanup(bcancel)
	if err := chromedp.Do(bctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return bctx
}

// logJS lists the rendered transcript as "role: text" lines, with a bot
// message's buttons appended as [a|b].
const logJS = `Array.from(document.querySelectorAll('.dlgd-log > .dlgd-msg')).map(r => {
  const role = r.classList.contains('dlgd-msg-user') ? 'user'
    : r.classList.contains('dlgd-msg-bot') ? 'bot'
    : r.classList.contains('dlgd-msg-authorize') ? 'authorize'
    : r.classList.contains('dlgd-msg-notice') ? 'notice' : 'system';
  const text = r.querySelector('.dlgd-bubble, .dlgd-card-text, .dlgd-notice, .dlgd-system');
  let line = role + ': ' + (text ? text.textContent : '');
  const btns = Array.from(r.querySelectorAll('.dlgd-buttons .dlgd-btn')).map(b => b.textContent);
  if (btns.length) line += ' [' + btns.join('|') + ']';
  return line;
})`

func readLog(t *testing.T, ctx context.Context) []string {
	t.Helper()
	return readJS[[]string](t, ctx, logJS)
}

// waitLog waits until the rendered transcript is exactly want.
func waitLog(t *testing.T, ctx context.Context, step string, want []string) {
	t.Helper()
	js, _ := json.Marshal(want)
	_, err := chromedp.Run(ctx, chromedp.Poll[bool](
		"JSON.stringify("+logJS+") === JSON.stringify("+string(js)+")",
		chromedp.WithPollingTimeout(10*time.Second), chromedp.WithPollingMutation()))
	if err != nil {
		t.Fatalf("%s: transcript =\n\t%s\nwant\n\t%s\n(%v)", step,
			strings.Join(readLog(t, ctx), "\n\t"), strings.Join(want, "\n\t"), err)
	}
}

// waitFor waits until the JavaScript expression is truthy.
func waitFor(t *testing.T, ctx context.Context, step, expr string) {
	t.Helper()
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](expr,
		chromedp.WithPollingTimeout(10*time.Second), chromedp.WithPollingInterval(20*time.Millisecond))); err != nil {
		t.Fatalf("%s: waiting for %s: %v\ntranscript:\n\t%s", step, expr, err, strings.Join(readLog(t, ctx), "\n\t"))
	}
}

// clickButton clicks the button matching sel whose label is title.
func clickButton(t *testing.T, ctx context.Context, step, sel, title string) {
	t.Helper()
	js, _ := json.Marshal(title)
	find := `Array.from(document.querySelectorAll('` + sel + `')).find(b => b.textContent === ` + string(js) + `)`
	waitFor(t, ctx, step, "!!"+find)
	// Tag the button, then click it with the mouse like a visitor.
	browse(t, ctx, step, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := chromedp.Evaluate[any](`document.querySelectorAll('[data-test-click]').forEach(b => b.removeAttribute('data-test-click')); `+
			find+`.dataset.testClick = '1'; 0`)(ctx, tg)
		return err
	}), chromedp.Click(chromedp.CSS(`[data-test-click]`)))
}

func readJS[T any](t *testing.T, ctx context.Context, expr string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		t.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

func browse(t *testing.T, ctx context.Context, step string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, actions...); err != nil {
		t.Fatalf("%s: %v", step, err)
	}
}
