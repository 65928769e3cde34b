package web

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/botforge/dialogd/web/browsertest"
)

// TestWidgetAuthorizeCardDone is issue 9 bug 10 (the authorize card): once
// the server pushes the parked dialog's continuation, the card's "Sign in"
// is disabled and says the sign-in is complete, also after a reload, and
// clicking it opens nothing.
func TestWidgetAuthorizeCardDone(t *testing.T) {
	ctx := browsertest.New(t, 45*time.Second)
	bot := newScriptedBot(t)
	mux := http.NewServeMux()
	mux.Handle("/ws", bot)
	mux.Handle("/", Handler())
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	t.Cleanup(func() { bot.kill("", nil) })
	bot.origin = srv.URL

	browsertest.Do(t, ctx, "load demo page", chromedp.Navigate(srv.URL+"/"))
	browsertest.WaitJS(t, ctx, "connect", `document.querySelector('.dlgd-root').dataset.state === 'connected'`)
	recv(t, "connect", bot.connects)
	sid := storedState(t, ctx, "sid")
	browsertest.Do(t, ctx, "type name", chromedp.SendKeys(chromedp.CSS(".dlgd-input"), "Ada\n"))
	recv(t, "type name", bot.received)
	want := []string{"user: Ada", `bot: <img src=x onerror="window.__xss=1"> Nice to meet you, Ada`, "authorize: Please sign in to Salesforce."}
	browsertest.WaitTranscript(t, ctx, "authorize card", want)

	const button = `(() => { const b = document.querySelector('.dlgd-authorize .dlgd-btn'); return b.textContent + '|' + b.disabled; })()`
	if got := browsertest.EvalJS[string](t, ctx, button); got != "Sign in|false" {
		t.Fatalf("card button before the sign-in = %q; want %q", got, "Sign in|false")
	}

	// The user signed in elsewhere; the server pushes the continuation.
	bot.push(sid, map[string]any{"type": "message", "text": "Thanks, you are signed in.", "input": "accepting"})
	want = append(want, "bot: Thanks, you are signed in.")
	browsertest.WaitTranscript(t, ctx, "pushed continuation", want)
	const done = "\u2713 Sign-in complete|true"
	if got := browsertest.EvalJS[string](t, ctx, button); got != done {
		t.Errorf("card button after the sign-in = %q; want %q", got, done)
	}
	browsertest.Do(t, ctx, "spy window.open and click the card",
		browsertest.Script(`window.__opened = 0; window.open = () => { window.__opened++; return null; }; document.querySelector('.dlgd-authorize .dlgd-btn').click(); 0`))
	if n := browsertest.EvalJS[int](t, ctx, `window.__opened + document.querySelectorAll('.dlgd-authorize-link').length`); n != 0 {
		t.Errorf("clicking the finished card opened %d windows or links; want none", n)
	}

	browsertest.Do(t, ctx, "reload", chromedp.Reload())
	browsertest.WaitJS(t, ctx, "reconnect", `document.querySelector('.dlgd-root').dataset.state === 'connected'`)
	browsertest.WaitTranscript(t, ctx, "transcript after reload", want)
	if got := browsertest.EvalJS[string](t, ctx, button); got != done {
		t.Errorf("card button after a reload = %q; want %q", got, done)
	}
}
