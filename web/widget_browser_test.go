package web

import (
	"context"
	"flag"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"

	"github.com/botforge/dialogd/web/browsertest"
)

var screenshot = flag.String("screenshot", "", "write screenshots of the widget to this PNG path (and a -mobile variant)")

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
	ctx := browsertest.New(t, 60*time.Second)

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
	browsertest.Do(t, ctx, "load demo page", chromedp.Navigate(srv.URL+"/"))
	if title := browsertest.EvalJS[string](t, ctx, `document.title`); title != "Chat · dialogd demo" {
		t.Errorf("page title = %q; want %q", title, "Chat · dialogd demo")
	}
	browsertest.WaitJS(t, ctx, "first connect", `document.querySelector('.dlgd-root').dataset.state === 'connected'`)
	assertQuery(t, "first connect", recv(t, "first connect", bot.connects), map[string]string{})
	sid := storedState(t, ctx, "sid")
	if len(sid) != 32 {
		t.Fatalf("stored session id = %q; want the id of the session frame", sid)
	}
	// The session frame's user_id is kept and sent back on every connect.
	user := storedState(t, ctx, "user")
	if !strings.HasPrefix(user, "u-") || len(user) != 34 {
		t.Fatalf("stored user id = %q; want the user_id of the session frame", user)
	}

	// 2. Type, press Enter, see the reply with its button.
	browsertest.Do(t, ctx, "type hello", chromedp.SendKeys(chromedp.CSS(".dlgd-input"), "hello\n"))
	assertFrame(t, "type hello", recv(t, "type hello", bot.received), "message", "hello", "")
	want := []string{"user: hello", "bot: Hi! What can I do? [Create a lead]"}
	browsertest.WaitTranscript(t, ctx, "reply to hello", want)
	if v := browsertest.EvalJS[string](t, ctx, `document.querySelector('.dlgd-input').value`); v != "" {
		t.Errorf("input after send = %q; want it cleared", v)
	}

	// 3. Click the button: a postback with the button's payload and title;
	// the typing indicator shows until the next numbered frame.
	browsertest.Do(t, ctx, "click button", chromedp.Click(chromedp.CSS(".dlgd-buttons .dlgd-btn")))
	assertFrame(t, "click button", recv(t, "click button", bot.received), "postback", "Create a lead", "create_lead")
	browsertest.WaitJS(t, ctx, "typing shown", `!document.querySelector('.dlgd-typing').hidden`)
	bot.release <- struct{}{}
	want = append(want, "user: Create a lead", "bot: What's the first name?")
	browsertest.WaitTranscript(t, ctx, "reply to postback", want)
	browsertest.WaitJS(t, ctx, "typing hidden", `document.querySelector('.dlgd-typing').hidden`)

	// 4. A reply with markup is shown as text; the turn ends in an
	// authorize card whose button opens the URL in a real popup.
	browsertest.Do(t, ctx, "type name", chromedp.SendKeys(chromedp.CSS(".dlgd-input"), "Ada\n"))
	assertFrame(t, "type name", recv(t, "type name", bot.received), "message", "Ada", "")
	want = append(want, "user: Ada",
		`bot: <img src=x onerror="window.__xss=1"> Nice to meet you, Ada`,
		"authorize: Please sign in to Salesforce.")
	browsertest.WaitTranscript(t, ctx, "authorize card", want)
	if n := browsertest.EvalJS[int](t, ctx, `document.querySelectorAll('.dlgd-root img').length + (window.__xss ? 100 : 0)`); n != 0 {
		t.Errorf("bot text was parsed as HTML (img elements + xss flag = %d); want plain text", n)
	}
	popup := chromedp.WaitNewTarget(ctx, func(info *target.Info) bool {
		return strings.Contains(info.URL, "/auth/start")
	})
	browsertest.Do(t, ctx, "click sign in", chromedp.Click(chromedp.CSS(".dlgd-authorize-btn")))
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
	browsertest.Do(t, ctx, "reload", chromedp.Reload())
	browsertest.WaitJS(t, ctx, "reconnect after reload", `document.querySelector('.dlgd-root').dataset.state === 'connected'`)
	assertQuery(t, "reload", recv(t, "reload", bot.connects),
		map[string]string{"session": sid, "last_seq": strconv.Itoa(seq), "user": user})
	browsertest.WaitTranscript(t, ctx, "transcript after reload", want)

	// 6. A blocked popup (window.open spy returning null) falls back to a
	// normal link.
	browsertest.Do(t, ctx, "spy window.open",
		browsertest.Script(`window.__opened = []; window.open = (u, n, f) => { window.__opened.push([u, n, f]); return null; }; 0`))
	browsertest.Do(t, ctx, "click blocked sign in", chromedp.Click(chromedp.CSS(".dlgd-authorize-btn")))
	browsertest.WaitJS(t, ctx, "fallback link", `!!document.querySelector('.dlgd-authorize-link')`)
	link := browsertest.EvalJS[map[string]string](t, ctx, `(() => { const a = document.querySelector('.dlgd-authorize-link'); const o = window.__opened[0];
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
	browsertest.WaitJS(t, ctx, "offline state", `document.querySelector('.dlgd-root').dataset.state === 'offline'`)
	browsertest.Do(t, ctx, "type while offline", chromedp.SendKeys(chromedp.CSS(".dlgd-input"), "are you there?\n"))
	want = append(want, "user: are you there?")
	browsertest.WaitTranscript(t, ctx, "queued message", want)
	queuedID := browsertest.EvalJS[string](t, ctx, `document.querySelector('.dlgd-msg-user.dlgd-msg-pending').dataset.id`)
	seq = bot.lastSeq(sid)
	bot.setRefuse(false)
	assertQuery(t, "reconnect", recv(t, "reconnect", bot.connects),
		map[string]string{"session": sid, "last_seq": strconv.Itoa(seq), "user": user})
	got := recv(t, "queued message sent", bot.received)
	assertFrame(t, "queued message sent", got, "message", "are you there?", "")
	if got.ID != queuedID {
		t.Errorf("queued message id = %q; want the id shown while offline, %q", got.ID, queuedID)
	}
	want = append(want, "bot: Still here.")
	browsertest.WaitTranscript(t, ctx, "reply to queued message", want)
	browsertest.WaitJS(t, ctx, "pending cleared", `!document.querySelector('.dlgd-msg-pending')`)

	// 8. Quick replies: chips under the last message; a chip sends a
	// postback and disappears.
	chips := browsertest.EvalJS[[]string](t, ctx, `Array.from(document.querySelectorAll('.dlgd-quick .dlgd-btn')).map(b => b.textContent)`)
	if !slices.Equal(chips, []string{"Yes", "No"}) {
		t.Errorf("quick replies = %q; want %q", chips, []string{"Yes", "No"})
	}
	browsertest.Do(t, ctx, "click chip", chromedp.Click(chromedp.CSS(".dlgd-quick .dlgd-btn")))
	assertFrame(t, "click chip", recv(t, "click chip", bot.received), "postback", "Yes", "yes")
	want = append(want, "user: Yes", "bot: Great.")
	browsertest.WaitTranscript(t, ctx, "reply to chip", want)
	if hidden := browsertest.EvalJS[bool](t, ctx, `document.querySelector('.dlgd-quick').hidden && !document.querySelector('.dlgd-quick .dlgd-btn')`); !hidden {
		t.Error("quick replies still shown after use; want them gone")
	}

	// 9. The server drops the socket and a frame is produced while the
	// widget is away: it arrives exactly once after the reconnect.
	seq = bot.lastSeq(sid)
	bot.kill(sid, map[string]any{"type": "handoff", "text": "An agent will join shortly.", "reason": "requested"})
	assertQuery(t, "resume after drop", recv(t, "resume after drop", bot.connects),
		map[string]string{"session": sid, "last_seq": strconv.Itoa(seq), "user": user})
	want = append(want, "notice: An agent will join shortly.")
	browsertest.WaitTranscript(t, ctx, "missed frame", want)

	// 10. The identity hook reconnects with ?identity=; error frames are a
	// system line. A last round trip proves nothing replayed was rendered
	// twice: the server writes in order, so duplicates would show first.
	browsertest.Do(t, ctx, "set identity",
		browsertest.Script(`window.DialogdWidget.setIdentity('signed.token-1'); 0`))
	assertQuery(t, "identity", recv(t, "identity", bot.connects),
		map[string]string{"session": sid, "last_seq": strconv.Itoa(seq + 1), "user": user, "identity": "signed.token-1"})
	browsertest.WaitJS(t, ctx, "connected with identity", `document.querySelector('.dlgd-root').dataset.state === 'connected'`)
	// The server named the verified user; the widget keeps what it says.
	if got := storedState(t, ctx, "user"); got != "id:tester" {
		t.Errorf("stored user id with identity = %q; want %q", got, "id:tester")
	}
	browsertest.Do(t, ctx, "api send", browsertest.Script(`window.DialogdWidget.send('fail'); 0`))
	assertFrame(t, "api send", recv(t, "api send", bot.received), "message", "fail", "")
	browsertest.Do(t, ctx, "type bye", chromedp.SendKeys(chromedp.CSS(".dlgd-input"), "bye\n"))
	assertFrame(t, "type bye", recv(t, "type bye", bot.received), "message", "bye", "")
	want = append(want, "user: fail", "system: The bot is busy.", "user: bye", "bot: Sorry?")
	browsertest.WaitTranscript(t, ctx, "final transcript", want)

	// 11. close() and open() from the host page.
	browsertest.Do(t, ctx, "close", browsertest.Script(`window.DialogdWidget.close(); 0`))
	if s := browsertest.EvalJS[string](t, ctx, `document.querySelector('.dlgd-panel').hidden + ' ' + document.querySelector('.dlgd-launcher').getAttribute('aria-expanded')`); s != "true false" {
		t.Errorf("after close(): panel hidden, aria-expanded = %s; want true false", s)
	}
	browsertest.Do(t, ctx, "open", browsertest.Script(`window.DialogdWidget.open(); 0`))
	if s := browsertest.EvalJS[string](t, ctx, `document.querySelector('.dlgd-panel').hidden + ' ' + document.querySelector('.dlgd-launcher').getAttribute('aria-expanded')`); s != "false true" {
		t.Errorf("after open(): panel hidden, aria-expanded = %s; want false true", s)
	}

	// 12. The server no longer knows the session: the widget takes the new
	// session id and starts counting seq again, so seq 1 is not mistaken
	// for a frame it has seen.
	bot.forget(sid)
	bot.kill(sid, nil)
	assertQuery(t, "refused session", recv(t, "refused session", bot.connects),
		map[string]string{"session": sid, "last_seq": strconv.Itoa(seq + 2), "user": "id:tester", "identity": "signed.token-1"})
	want = append(want, "system: A new conversation started.")
	browsertest.WaitTranscript(t, ctx, "new session notice", want)
	newSid := storedState(t, ctx, "sid")
	if newSid == sid || len(newSid) != 32 {
		t.Errorf("session id after refusal = %q; want a new id (old %q)", newSid, sid)
	}
	browsertest.Do(t, ctx, "hello again", chromedp.SendKeys(chromedp.CSS(".dlgd-input"), "hello\n"))
	assertFrame(t, "hello again", recv(t, "hello again", bot.received), "message", "hello", "")
	want = append(want, "user: hello", "bot: Hi! What can I do? [Create a lead]")
	browsertest.WaitTranscript(t, ctx, "first frame of the new session", want)
	if got := browsertest.EvalJS[int](t, ctx, `+document.querySelector('.dlgd-log > .dlgd-msg:last-child').dataset.seq`); got != 1 {
		t.Errorf("seq of the new session's first frame = %d; want 1", got)
	}

	// 13. A refused identity token: the error frame shows as a system line
	// and the widget stops reconnecting with the same token (state idle,
	// not offline); the next connect is the one setIdentity asks for.
	newSeq := bot.lastSeq(newSid)
	browsertest.Do(t, ctx, "bad identity",
		browsertest.Script(`window.DialogdWidget.setIdentity('`+badIdentity+`'); 0`))
	assertQuery(t, "bad identity", recv(t, "bad identity", bot.connects),
		map[string]string{"session": newSid, "last_seq": strconv.Itoa(newSeq), "user": "id:tester", "identity": badIdentity})
	want = append(want, "system: identity token has expired")
	browsertest.WaitTranscript(t, ctx, "bad identity notice", want)
	browsertest.WaitJS(t, ctx, "no reconnect after bad identity", `document.querySelector('.dlgd-root').dataset.state === 'idle'`)
	browsertest.Do(t, ctx, "new identity",
		browsertest.Script(`window.DialogdWidget.setIdentity('signed.token-2'); 0`))
	assertQuery(t, "new identity", recv(t, "new identity", bot.connects),
		map[string]string{"session": newSid, "last_seq": strconv.Itoa(newSeq), "user": "id:tester", "identity": "signed.token-2"})
	browsertest.WaitJS(t, ctx, "connected with the new identity", `document.querySelector('.dlgd-root').dataset.state === 'connected'`)

	if *screenshot != "" {
		takeScreenshots(t, ctx, *screenshot)
	}
}

// storedState reads one field of the widget's state in localStorage.
func storedState(t *testing.T, ctx context.Context, field string) string {
	t.Helper()
	return browsertest.EvalJS[string](t, ctx, `JSON.parse(localStorage.getItem(Object.keys(localStorage).find(k => k.startsWith('dialogd:'))))[`+strconv.Quote(field)+`]`)
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
	browsertest.Do(t, ctx, "mobile viewport", chromedp.EmulateViewport(390, 760, chromedp.EmulateScale(1)))
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
	ctx := browsertest.New(t, 30*time.Second)

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
		query     map[string]string // of the first connect
	}{
		{"script origin", `<script src="` + botSrv.URL + `/widget.js" data-title="Shop help" async></script>`, map[string]string{}},
		{"data-bot-url", `<script src="` + hostSrv.URL + `/widget.js" data-bot-url="` + botSrv.URL + `" data-title="Shop help" async></script>`, map[string]string{}},
		{"data-lang", `<script src="` + botSrv.URL + `/widget.js" data-lang="de" data-title="Shop help" async></script>`, map[string]string{"lang": "de"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			page = `<!doctype html><title>shop</title><h1>A shop</h1>` + tt.tag
			// Start without a stored session: clear the host origin's
			// storage from a page that has no widget on it.
			browsertest.Do(t, ctx, "load host page", chromedp.Navigate(hostSrv.URL+"/demo.css"),
				browsertest.Script(`localStorage.clear(); 0`), chromedp.Navigate(hostSrv.URL+"/shop"))
			browsertest.Do(t, ctx, "open from launcher", chromedp.Click(chromedp.CSS(".dlgd-launcher")))
			browsertest.WaitJS(t, ctx, "connect", `document.querySelector('.dlgd-root').dataset.state === 'connected'`)
			assertQuery(t, "connect", recv(t, "connect", bot.connects), tt.query)
			browsertest.Do(t, ctx, "type hello", chromedp.SendKeys(chromedp.CSS(".dlgd-input"), "hello\n"))
			assertFrame(t, "type hello", recv(t, "type hello", bot.received), "message", "hello", "")
			browsertest.WaitTranscript(t, ctx, "reply", []string{"user: hello", "bot: Hi! What can I do? [Create a lead]"})
			got := browsertest.EvalJS[string](t, ctx, `getComputedStyle(document.querySelector('.dlgd-root')).position + ' ' +
				document.querySelector('.dlgd-title').textContent + ' ' + document.activeElement.className`)
			if want := "fixed Shop help dlgd-input"; got != want {
				t.Errorf("root position, title, focused element = %q; want %q (widget.css loaded, launcher focuses input)", got, want)
			}
		})
	}
}
