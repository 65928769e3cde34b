package web

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"
)

var screenshot = flag.String("screenshot", "", "write screenshots of the widget to this PNG path (and a -mobile variant)")

// chromiumPath finds the browser the test drives. A missing browser is a
// failure, not a skip: the widget is not tested without it.
func chromiumPath(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if _, err := os.Stat("/usr/bin/chromium"); err == nil {
		return "/usr/bin/chromium"
	}
	t.Fatal("headless Chromium not found (looked for chromium and chromium-browser on PATH and /usr/bin/chromium); " +
		"run `make deps` (it installs the Debian package chromium)")
	return ""
}

// newBrowser starts a fresh headless Chromium with its own profile and
// returns a tab context that ends after timeout.
func newBrowser(t *testing.T, timeout time.Duration) context.Context {
	t.Helper()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromiumPath(t)),
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

// transcriptJS lists the rendered transcript as "role: text" lines; bot
// buttons are appended as [a|b], an authorize card as "authorize: text".
const transcriptJS = `(() => Array.from(document.querySelectorAll('.dlgd-log > .dlgd-msg')).map(r => {
  const role = r.classList.contains('dlgd-msg-authorize') ? 'authorize'
    : r.classList.contains('dlgd-msg-user') ? 'user'
    : r.classList.contains('dlgd-msg-bot') ? 'bot'
    : r.classList.contains('dlgd-msg-notice') ? 'notice' : 'system';
  const text = r.querySelector('.dlgd-bubble, .dlgd-card-text, .dlgd-notice, .dlgd-system');
  let line = role + ': ' + (text ? text.textContent : '');
  const btns = Array.from(r.querySelectorAll('.dlgd-buttons .dlgd-btn')).map(b => b.textContent);
  if (btns.length) line += ' [' + btns.join('|') + ']';
  return line;
}))()`

func transcript(t *testing.T, ctx context.Context) []string {
	t.Helper()
	got, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](transcriptJS))
	if err != nil {
		t.Fatalf("read transcript: %v", err)
	}
	return got
}

// waitTranscript waits until the rendered transcript is exactly want.
func waitTranscript(t *testing.T, ctx context.Context, step string, want []string) {
	t.Helper()
	js, _ := json.Marshal(want)
	_, err := chromedp.Run(ctx, chromedp.Poll[bool](
		"JSON.stringify("+transcriptJS+") === JSON.stringify("+string(js)+")",
		chromedp.WithPollingTimeout(8*time.Second), chromedp.WithPollingMutation()))
	if err != nil {
		t.Fatalf("%s: transcript =\n\t%s\nwant\n\t%s\n(%v)", step,
			strings.Join(transcript(t, ctx), "\n\t"), strings.Join(want, "\n\t"), err)
	}
}

// waitJS waits until the JavaScript expression is truthy.
func waitJS(t *testing.T, ctx context.Context, step, expr string) {
	t.Helper()
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](expr,
		chromedp.WithPollingTimeout(8*time.Second), chromedp.WithPollingInterval(20*time.Millisecond))); err != nil {
		t.Fatalf("%s: waiting for %s: %v", step, expr, err)
	}
}

// script runs JavaScript for its effect.
func script(expr string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := chromedp.Evaluate[any](expr)(ctx, t)
		return err
	})
}

func evalJS[T any](t *testing.T, ctx context.Context, expr string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		t.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

func do(t *testing.T, ctx context.Context, step string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, actions...); err != nil {
		t.Fatalf("%s: %v", step, err)
	}
}

// recv takes the next value from ch or fails the test.
func recv[T any](t *testing.T, step string, ch <-chan T) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(10 * time.Second):
		var zero T
		t.Fatalf("%s: nothing received", step)
		return zero
	}
}

// assertQuery checks the query of a WebSocket connect.
func assertQuery(t *testing.T, step string, got url.Values, want map[string]string) {
	t.Helper()
	for k, v := range want {
		if g := got.Get(k); g != v {
			t.Errorf("%s: connect query %s = %q; want %q (query %q)", step, k, g, v, got.Encode())
		}
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			t.Errorf("%s: connect query has %s=%q; want no such parameter", step, k, got.Get(k))
		}
	}
}

func assertFrame(t *testing.T, step string, got clientFrame, wantType, wantText, wantPayload string) {
	t.Helper()
	if got.Type != wantType || got.Text != wantText || got.Payload != wantPayload {
		t.Errorf("%s: client frame = {type %q text %q payload %q}; want {type %q text %q payload %q}",
			step, got.Type, got.Text, got.Payload, wantType, wantText, wantPayload)
	}
	if !regexp.MustCompile(`^[0-9a-f]{32}$`).MatchString(got.ID) {
		t.Errorf("%s: client id %q; want 32 random hex digits", step, got.ID)
	}
}

func TestWidgetBrowser(t *testing.T) {
	ctx := newBrowser(t, 60*time.Second)

	bot := newScriptedBot(t)
	mux := http.NewServeMux()
	mux.Handle("/ws", bot)
	mux.HandleFunc("/auth/start", func(w http.ResponseWriter, r *http.Request) {
		bot.authHits <- r
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, "<!doctype html><title>sign in</title><p>Salesforce sign-in stand-in</p>")
	})
	mux.Handle("/", Handler())
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	t.Cleanup(func() { bot.kill("", nil) })
	bot.origin = srv.URL

	// 1. The demo page opens the widget (data-open="true") and connects
	// without a session.
	do(t, ctx, "load demo page", chromedp.Navigate(srv.URL+"/"))
	if title := evalJS[string](t, ctx, `document.title`); title != "dialogd demo" {
		t.Errorf("page title = %q; want %q", title, "dialogd demo")
	}
	waitJS(t, ctx, "first connect", `document.querySelector('.dlgd-root').dataset.state === 'connected'`)
	assertQuery(t, "first connect", recv(t, "first connect", bot.connects), map[string]string{})
	sid := evalJS[string](t, ctx, `JSON.parse(localStorage.getItem(Object.keys(localStorage).find(k => k.startsWith('dialogd:')))).sid`)
	if len(sid) != 32 {
		t.Fatalf("stored session id = %q; want the id of the session frame", sid)
	}

	// 2. Type, press Enter, see the reply with its button.
	do(t, ctx, "type hello", chromedp.SendKeys(chromedp.CSS(".dlgd-input"), "hello\n"))
	assertFrame(t, "type hello", recv(t, "type hello", bot.received), "message", "hello", "")
	want := []string{"user: hello", "bot: Hi! What can I do? [Create a lead]"}
	waitTranscript(t, ctx, "reply to hello", want)
	if v := evalJS[string](t, ctx, `document.querySelector('.dlgd-input').value`); v != "" {
		t.Errorf("input after send = %q; want it cleared", v)
	}

	// 3. Click the button: a postback with the button's payload and title;
	// the typing indicator shows until the next numbered frame.
	do(t, ctx, "click button", chromedp.Click(chromedp.CSS(".dlgd-buttons .dlgd-btn")))
	assertFrame(t, "click button", recv(t, "click button", bot.received), "postback", "Create a lead", "create_lead")
	waitJS(t, ctx, "typing shown", `!document.querySelector('.dlgd-typing').hidden`)
	bot.release <- struct{}{}
	want = append(want, "user: Create a lead", "bot: What's the first name?")
	waitTranscript(t, ctx, "reply to postback", want)
	waitJS(t, ctx, "typing hidden", `document.querySelector('.dlgd-typing').hidden`)

	// 4. A reply with markup is shown as text; the turn ends in an
	// authorize card whose button opens the URL in a real popup.
	do(t, ctx, "type name", chromedp.SendKeys(chromedp.CSS(".dlgd-input"), "Ada\n"))
	assertFrame(t, "type name", recv(t, "type name", bot.received), "message", "Ada", "")
	want = append(want, "user: Ada",
		`bot: <img src=x onerror="window.__xss=1"> Nice to meet you, Ada`,
		"authorize: Please sign in to Salesforce.")
	waitTranscript(t, ctx, "authorize card", want)
	if n := evalJS[int](t, ctx, `document.querySelectorAll('.dlgd-root img').length + (window.__xss ? 100 : 0)`); n != 0 {
		t.Errorf("bot text was parsed as HTML (img elements + xss flag = %d); want plain text", n)
	}
	popup := chromedp.WaitNewTarget(ctx, func(info *target.Info) bool {
		return strings.Contains(info.URL, "/auth/start")
	})
	do(t, ctx, "click sign in", chromedp.Click(chromedp.CSS(".dlgd-authorize-btn")))
	var popupID target.ID
	select {
	case popupID = <-popup:
	case <-time.After(10 * time.Second):
		t.Fatal("click sign in: no popup target opened")
	}
	if r := recv(t, "popup loads", bot.authHits); r.URL.Query().Get("state") != "abc" {
		t.Errorf("popup request = %s; want the authorize URL with state=abc", r.URL)
	}
	pctx, pcancel := chromedp.NewContext(ctx, chromedp.WithTargetID(popupID))
	loc, err := chromedp.Run(pctx, chromedp.Location())
	if err != nil || !strings.HasPrefix(loc, srv.URL+"/auth/start") {
		t.Errorf("popup location = %q, %v; want %s/auth/start…", loc, err, srv.URL)
	}
	if opener, err := chromedp.Run(pctx, chromedp.Evaluate[bool](`window.opener === null`)); err != nil || !opener {
		t.Errorf("popup window.opener === null: %v, %v; want true", opener, err)
	}
	pcancel() // closes the popup tab

	// 5. Reload: the transcript comes back from localStorage, the socket
	// resumes with the session and the highest seq, and the frame the
	// server re-sends is not shown twice.
	seq := bot.lastSeq(sid)
	do(t, ctx, "reload", chromedp.Reload())
	waitJS(t, ctx, "reconnect after reload", `document.querySelector('.dlgd-root').dataset.state === 'connected'`)
	assertQuery(t, "reload", recv(t, "reload", bot.connects),
		map[string]string{"session": sid, "last_seq": strconv.Itoa(seq)})
	waitTranscript(t, ctx, "transcript after reload", want)

	// 6. A blocked popup (window.open spy returning null) falls back to a
	// normal link.
	do(t, ctx, "spy window.open",
		script(`window.__opened = []; window.open = (u, n, f) => { window.__opened.push([u, n, f]); return null; }; 0`))
	do(t, ctx, "click blocked sign in", chromedp.Click(chromedp.CSS(".dlgd-authorize-btn")))
	waitJS(t, ctx, "fallback link", `!!document.querySelector('.dlgd-authorize-link')`)
	link := evalJS[map[string]string](t, ctx, `(() => { const a = document.querySelector('.dlgd-authorize-link'); const o = window.__opened[0];
		return {href: a.href, target: a.target, rel: a.rel, url: o[0], name: o[1], features: o[2]}; })()`)
	wantURL := srv.URL + "/auth/start?state=abc"
	if link["href"] != wantURL || link["target"] != "_blank" || !strings.Contains(link["rel"], "noopener") {
		t.Errorf("fallback link = %v; want href %s, target _blank, rel noopener", link, wantURL)
	}
	if link["url"] != wantURL || link["name"] == "" || !strings.Contains(link["features"], "width=") {
		t.Errorf("window.open(%q, %q, %q); want the URL, a window name and a size", link["url"], link["name"], link["features"])
	}

	// 7. The server drops the socket and refuses to reconnect for a while.
	// A message typed meanwhile is shown at once as pending and sent,
	// with the same id, once the widget is back.
	bot.setRefuse(true)
	bot.kill(sid, nil)
	recv(t, "refused reconnect", bot.refused)
	waitJS(t, ctx, "offline state", `document.querySelector('.dlgd-root').dataset.state === 'offline'`)
	do(t, ctx, "type while offline", chromedp.SendKeys(chromedp.CSS(".dlgd-input"), "are you there?\n"))
	want = append(want, "user: are you there?")
	waitTranscript(t, ctx, "queued message", want)
	queuedID := evalJS[string](t, ctx, `document.querySelector('.dlgd-msg-user.dlgd-msg-pending').dataset.id`)
	seq = bot.lastSeq(sid)
	bot.setRefuse(false)
	assertQuery(t, "reconnect", recv(t, "reconnect", bot.connects),
		map[string]string{"session": sid, "last_seq": strconv.Itoa(seq)})
	got := recv(t, "queued message sent", bot.received)
	assertFrame(t, "queued message sent", got, "message", "are you there?", "")
	if got.ID != queuedID {
		t.Errorf("queued message id = %q; want the id shown while offline, %q", got.ID, queuedID)
	}
	want = append(want, "bot: Still here.")
	waitTranscript(t, ctx, "reply to queued message", want)
	waitJS(t, ctx, "pending cleared", `!document.querySelector('.dlgd-msg-pending')`)

	// 8. Quick replies: chips under the last message; a chip sends a
	// postback and disappears.
	chips := evalJS[[]string](t, ctx, `Array.from(document.querySelectorAll('.dlgd-quick .dlgd-btn')).map(b => b.textContent)`)
	if !slices.Equal(chips, []string{"Yes", "No"}) {
		t.Errorf("quick replies = %q; want %q", chips, []string{"Yes", "No"})
	}
	do(t, ctx, "click chip", chromedp.Click(chromedp.CSS(".dlgd-quick .dlgd-btn")))
	assertFrame(t, "click chip", recv(t, "click chip", bot.received), "postback", "Yes", "yes")
	want = append(want, "user: Yes", "bot: Great.")
	waitTranscript(t, ctx, "reply to chip", want)
	if hidden := evalJS[bool](t, ctx, `document.querySelector('.dlgd-quick').hidden && !document.querySelector('.dlgd-quick .dlgd-btn')`); !hidden {
		t.Error("quick replies still shown after use; want them gone")
	}

	// 9. The server drops the socket and a frame is produced while the
	// widget is away: it arrives exactly once after the reconnect.
	seq = bot.lastSeq(sid)
	bot.kill(sid, map[string]any{"type": "handoff", "text": "An agent will join shortly.", "reason": "requested"})
	assertQuery(t, "resume after drop", recv(t, "resume after drop", bot.connects),
		map[string]string{"session": sid, "last_seq": strconv.Itoa(seq)})
	want = append(want, "notice: An agent will join shortly.")
	waitTranscript(t, ctx, "missed frame", want)

	// 10. The identity hook reconnects with ?identity=; error frames are a
	// system line. A last round trip proves nothing replayed was rendered
	// twice: the server writes in order, so duplicates would show first.
	do(t, ctx, "set identity",
		script(`window.DialogdWidget.setIdentity('signed.token-1'); 0`))
	assertQuery(t, "identity", recv(t, "identity", bot.connects),
		map[string]string{"session": sid, "last_seq": strconv.Itoa(seq + 1), "identity": "signed.token-1"})
	waitJS(t, ctx, "connected with identity", `document.querySelector('.dlgd-root').dataset.state === 'connected'`)
	do(t, ctx, "api send", script(`window.DialogdWidget.send('fail'); 0`))
	assertFrame(t, "api send", recv(t, "api send", bot.received), "message", "fail", "")
	do(t, ctx, "type bye", chromedp.SendKeys(chromedp.CSS(".dlgd-input"), "bye\n"))
	assertFrame(t, "type bye", recv(t, "type bye", bot.received), "message", "bye", "")
	want = append(want, "user: fail", "system: The bot is busy.", "user: bye", "bot: Sorry?")
	waitTranscript(t, ctx, "final transcript", want)

	// 11. close() and open() from the host page.
	do(t, ctx, "close", script(`window.DialogdWidget.close(); 0`))
	if s := evalJS[string](t, ctx, `document.querySelector('.dlgd-panel').hidden + ' ' + document.querySelector('.dlgd-launcher').getAttribute('aria-expanded')`); s != "true false" {
		t.Errorf("after close(): panel hidden, aria-expanded = %s; want true false", s)
	}
	do(t, ctx, "open", script(`window.DialogdWidget.open(); 0`))
	if s := evalJS[string](t, ctx, `document.querySelector('.dlgd-panel').hidden + ' ' + document.querySelector('.dlgd-launcher').getAttribute('aria-expanded')`); s != "false true" {
		t.Errorf("after open(): panel hidden, aria-expanded = %s; want false true", s)
	}

	// 12. The server no longer knows the session: the widget takes the new
	// session id and starts counting seq again, so seq 1 is not mistaken
	// for a frame it has seen.
	bot.forget(sid)
	bot.kill(sid, nil)
	assertQuery(t, "refused session", recv(t, "refused session", bot.connects),
		map[string]string{"session": sid, "last_seq": strconv.Itoa(seq + 2), "identity": "signed.token-1"})
	want = append(want, "system: A new conversation started.")
	waitTranscript(t, ctx, "new session notice", want)
	newSid := evalJS[string](t, ctx, `JSON.parse(localStorage.getItem(Object.keys(localStorage).find(k => k.startsWith('dialogd:')))).sid`)
	if newSid == sid || len(newSid) != 32 {
		t.Errorf("session id after refusal = %q; want a new id (old %q)", newSid, sid)
	}
	do(t, ctx, "hello again", chromedp.SendKeys(chromedp.CSS(".dlgd-input"), "hello\n"))
	assertFrame(t, "hello again", recv(t, "hello again", bot.received), "message", "hello", "")
	want = append(want, "user: hello", "bot: Hi! What can I do? [Create a lead]")
	waitTranscript(t, ctx, "first frame of the new session", want)
	if got := evalJS[int](t, ctx, `+document.querySelector('.dlgd-log > .dlgd-msg:last-child').dataset.seq`); got != 1 {
		t.Errorf("seq of the new session's first frame = %d; want 1", got)
	}

	if *screenshot != "" {
		takeScreenshots(t, ctx, *screenshot)
	}
}

func takeScreenshots(t *testing.T, ctx context.Context, path string) {
	t.Helper()
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
	do(t, ctx, "mobile viewport", chromedp.EmulateViewport(390, 760, chromedp.EmulateScale(1)))
	if png, err = chromedp.Run(ctx, chromedp.CaptureScreenshot()); err != nil {
		t.Fatalf("mobile screenshot: %v", err)
	}
	mobile := strings.TrimSuffix(path, ".png") + "-mobile.png"
	if err := os.WriteFile(mobile, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshots: %s %s", path, mobile)
}

// TestWidgetBrowserCrossOrigin embeds the widget in a page of another
// origin, the way a customer's site does, and checks where the socket
// goes: to data-bot-url when given, else to the script's own origin.
func TestWidgetBrowserCrossOrigin(t *testing.T) {
	ctx := newBrowser(t, 30*time.Second)

	bot := newScriptedBot(t)
	botMux := http.NewServeMux()
	botMux.Handle("/ws", bot)
	botMux.Handle("/", Handler())
	botSrv := httptest.NewServer(botMux)
	t.Cleanup(botSrv.Close)
	t.Cleanup(func() { bot.kill("", nil) })

	// The host site also serves a copy of widget.js, for the case where
	// the script and the bot live on different origins.
	var page string
	hostMux := http.NewServeMux()
	hostMux.HandleFunc("/shop", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, page)
	})
	hostMux.Handle("/", Handler())
	hostSrv := httptest.NewServer(hostMux)
	t.Cleanup(hostSrv.Close)
	bot.origin = hostSrv.URL

	tests := []struct {
		name, tag string
	}{
		{"script origin", `<script src="` + botSrv.URL + `/widget.js" data-title="Shop help" async></script>`},
		{"data-bot-url", `<script src="` + hostSrv.URL + `/widget.js" data-bot-url="` + botSrv.URL + `" data-title="Shop help" async></script>`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			page = `<!doctype html><title>shop</title><h1>A shop</h1>` + tt.tag
			// Start without a stored session: clear the host origin's
			// storage from a page that has no widget on it.
			do(t, ctx, "load host page", chromedp.Navigate(hostSrv.URL+"/demo.css"),
				script(`localStorage.clear(); 0`), chromedp.Navigate(hostSrv.URL+"/shop"))
			do(t, ctx, "open from launcher", chromedp.Click(chromedp.CSS(".dlgd-launcher")))
			waitJS(t, ctx, "connect", `document.querySelector('.dlgd-root').dataset.state === 'connected'`)
			assertQuery(t, "connect", recv(t, "connect", bot.connects), map[string]string{})
			do(t, ctx, "type hello", chromedp.SendKeys(chromedp.CSS(".dlgd-input"), "hello\n"))
			assertFrame(t, "type hello", recv(t, "type hello", bot.received), "message", "hello", "")
			waitTranscript(t, ctx, "reply", []string{"user: hello", "bot: Hi! What can I do? [Create a lead]"})
			got := evalJS[string](t, ctx, `getComputedStyle(document.querySelector('.dlgd-root')).position + ' ' +
				document.querySelector('.dlgd-title').textContent + ' ' + document.activeElement.className`)
			if want := "fixed Shop help dlgd-input"; got != want {
				t.Errorf("root position, title, focused element = %q; want %q (widget.css loaded, launcher focuses input)", got, want)
			}
		})
	}
}
