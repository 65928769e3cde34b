package main

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"

	"github.com/botforge/dialogd/auth"
	"github.com/botforge/dialogd/web/browsertest"
)

// TestBrowserAuthorizeCard drives the real widget in headless Chromium
// through a per-user Salesforce bot: the task reaches the service node, the
// widget shows the authorize card, its button opens a popup on sfsim's
// login page (through botd's /oauth/start hop, which binds the link to the
// browser), the test signs in and approves inside that popup, botd's
// callback page closes the popup by itself, and the widget shows the
// resumed task's message without the user typing anything.
func TestBrowserAuthorizeCard(t *testing.T) {
	ctx := browsertest.New(t, 45*time.Second)
	ln := reservePort(t)
	base := lnURL(ln)
	sf := startSF(t, sfConfig{callbacks: []string{base + auth.CallbackPath}})
	bd := startAuthBotd(t, ln, botdOptions{args: []string{"-bot", writeAuthBot(t, "sales", sf.perUser())}})

	browsertest.Do(t, ctx, "load page", chromedp.Navigate(base+"/"))
	browsertest.WaitJS(t, ctx, "connect", `document.querySelector('.dlgd-root').dataset.state === 'connected'`)
	want := []string{"bot: Hi, I create leads in Salesforce."}
	browsertest.WaitTranscript(t, ctx, "greeting", want)
	steps := []struct{ say, reply string }{
		{"create a lead", "Last name of the lead?"},
		{"Lovelace", "Which company?"},
		{"Analytical Engines", "Create a lead for Lovelace at Analytical Engines?"},
	}
	for _, s := range steps {
		browsertest.Do(t, ctx, "type "+s.say, chromedp.SendKeys(chromedp.CSS(".dlgd-input"), s.say+"\n"))
		want = append(want, "user: "+s.say, "bot: "+s.reply)
		browsertest.WaitTranscript(t, ctx, "reply to "+s.say, want)
	}
	browsertest.Do(t, ctx, "type yes", chromedp.SendKeys(chromedp.CSS(".dlgd-input"), "yes\n"))
	want = append(want, "user: yes")

	// The turn ends with the authorize card: its text and a sign-in button.
	browsertest.WaitJS(t, ctx, "authorize card", `(() => { const l = `+browsertest.TranscriptJS+`;
		return l.length === `+strconv.Itoa(len(want)+1)+` && l[l.length-1].startsWith('authorize: ') && l[l.length-1].length > 'authorize: '.length; })()`)
	card := browsertest.Transcript(t, ctx)
	if got := strings.Join(card[:len(want)], "\n"); got != strings.Join(want, "\n") {
		t.Fatalf("transcript =\n\t%s\nwant it to begin\n\t%s", strings.Join(card, "\n\t"), strings.Join(want, "\n\t"))
	}
	want = card
	if n := browsertest.EvalJS[int](t, ctx, `document.querySelectorAll('.dlgd-authorize-btn').length`); n != 1 {
		t.Fatalf("%d sign-in buttons on the card; want 1", n)
	}

	// Clicking the button opens sfsim's authorize page in a popup: log in
	// as the demo user, then allow access.
	popupID := signInOnPopup(t, ctx, sf.srv.URL, demoUser, sf.passwords[demoUser], true)

	// botd's callback page says so and closes the popup by itself.
	waitTargetGone(t, ctx, popupID)

	// The widget shows the resumed task without any input.
	browsertest.WaitJS(t, ctx, "resumed message", `(() => { const l = `+browsertest.TranscriptJS+`;
		return l.length === `+strconv.Itoa(len(want)+1)+` && l[l.length-1].startsWith('bot: Created lead'); })()`)
	got := browsertest.Transcript(t, ctx)
	if strings.Join(got[:len(want)], "\n") != strings.Join(want, "\n") {
		t.Errorf("transcript =\n\t%s\nwant it to begin\n\t%s", strings.Join(got, "\n\t"), strings.Join(want, "\n\t"))
	}
	id := wantCreated(t, strings.TrimPrefix(got[len(got)-1], "bot: "), "Lovelace")
	if lead := sf.lead(t, "Lovelace"); lead["Id"] != id {
		t.Errorf("lead in sfsim = %v; want id %s", lead, id)
	}
	// The popup went through botd's hop (the card's link), which bound
	// the link to this browser: its callback carried the cookie.
	for _, m := range []struct{ name, want string }{
		{`dialogd_oauth_refused_total{endpoint="callback",reason="unbound"}`, "0"},
		{`dialogd_oauth_refused_total{endpoint="start",reason="opened_elsewhere"}`, "0"},
		{"dialogd_oauth_resumed_total", "1"},
	} {
		if got := getMetric(t, bd.addr, m.name); got != m.want {
			t.Errorf("%s = %s; want %s", m.name, got, m.want)
		}
	}
}

// signInOnPopup clicks the authorize card's button, signs in on sfsim's
// login page in the popup it opens and, when approve is set, allows access
// on the consent page. It returns the popup's target id.
func signInOnPopup(t *testing.T, ctx context.Context, sfURL, user, password string, approve bool) target.ID {
	t.Helper()
	popup := chromedp.WaitNewTarget(ctx, func(info *target.Info) bool {
		return strings.HasPrefix(info.URL, sfURL+"/services/oauth2/authorize")
	})
	browsertest.Do(t, ctx, "click sign in", chromedp.Click(chromedp.CSS(".dlgd-authorize-btn")))
	var popupID target.ID
	select {
	case popupID = <-popup:
	case <-time.After(10 * time.Second):
		t.Fatal("click sign in: no popup opened on sfsim's authorize page")
	}
	// Canceling a tab's context closes the tab: the popup must live on
	// until the callback page closes it.
	pctx, pcancel := chromedp.NewContext(ctx, chromedp.WithTargetID(popupID))
	t.Cleanup(pcancel)
	browsertest.Do(t, pctx, "log in on sfsim",
		chromedp.WaitVisible(chromedp.CSS("#username")),
		chromedp.SendKeys(chromedp.CSS("#username"), user),
		chromedp.SendKeys(chromedp.CSS("#password"), password),
		chromedp.Click(chromedp.CSS("#Login")))
	if approve {
		browsertest.Do(t, pctx, "approve on sfsim",
			chromedp.WaitVisible(chromedp.CSS("#oaapprove")),
			chromedp.Click(chromedp.CSS("#oaapprove")))
	}
	return popupID
}

// waitTargetGone waits until the browser no longer has the target id (a
// window that closed itself), failing after 10 s.
func waitTargetGone(t *testing.T, ctx context.Context, id target.ID) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		infos, err := chromedp.Targets(ctx)
		if err != nil {
			t.Fatalf("list browser targets: %v", err)
		}
		open := false
		var urls []string
		for _, in := range infos {
			if in.TargetID == id {
				open = true
				urls = append(urls, in.URL)
			}
		}
		if !open {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the popup is still open after 10s (at %v); want botd's callback page to close it", urls)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
