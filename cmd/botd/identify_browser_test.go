package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/botforge/dialogd/templates"
	"github.com/botforge/dialogd/web/browsertest"
)

// waitLastBot waits until the transcript's last line is the bot's and
// contains want, and returns it.
func waitLastBot(t *testing.T, ctx context.Context, step, want string) string {
	t.Helper()
	js, _ := json.Marshal(want)
	browsertest.WaitJS(t, ctx, step, `(() => { const l = `+browsertest.TranscriptJS+`;
		return l.length > 0 && l[l.length-1].startsWith('bot: ') && l[l.length-1].includes(`+string(js)+`); })()`)
	l := browsertest.Transcript(t, ctx)
	return l[len(l)-1]
}

// TestBrowserIdentifyThenCreateCase: the catalogue's "identify the
// customer" task installed into a per-user Salesforce bot, in the widget:
// the visitor gives their e-mail, signs in to Salesforce in the popup, is
// greeted by name with their open case, presses "Create a case", and ends
// with the new case's card and its View Case link. The case is in sfsim,
// linked to the contact.
func TestBrowserIdentifyThenCreateCase(t *testing.T) {
	ctx := browsertest.New(t, 90*time.Second)
	addr := freeAddr(t)
	base := "http://" + addr
	sim, sfURL := startDemoSF(t, base+"/oauth/callback")
	creds, err := sim.Credentials()
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("SF_LOGIN_URL", sfURL)
	t.Setenv("SF_CLIENT_SECRET", creds.ClientSecret)
	dir := t.TempDir()
	botYAML, err := os.ReadFile("../../examples/salesforce/bot.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(dir, "tasks"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "bot.yaml"), botYAML, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := templates.Install(dir, "salesforce_identify_customer", nil); err != nil {
		t.Fatal(err)
	}
	startUserBotd(t, map[string]string{"ADDR": addr}, "-bot", dir)

	browsertest.Do(t, ctx, "load page", chromedp.Navigate(base+"/"))
	browsertest.WaitJS(t, ctx, "connect", `document.querySelector('.dlgd-root').dataset.state === 'connected'`)
	browsertest.Do(t, ctx, "ask", chromedp.SendKeys(chromedp.CSS(".dlgd-input"), "identify me\n"))
	waitLastBot(t, ctx, "asked for an e-mail", "what is your e-mail address or phone number?")
	browsertest.Do(t, ctx, "e-mail", chromedp.SendKeys(chromedp.CSS(".dlgd-input"), "jane.doe@acme.example\n"))
	browsertest.WaitJS(t, ctx, "authorize card", `(() => { const l = `+browsertest.TranscriptJS+`; return l[l.length-1].startsWith('authorize: '); })()`)
	popupID := signInOnPopup(t, ctx, sfURL, creds.Username, creds.Password, false)
	waitTargetGone(t, ctx, popupID)
	waitLastBot(t, ctx, "open cases", "Widget arrived broken")
	if got := strings.Join(browsertest.Transcript(t, ctx), "\n"); !strings.Contains(got, "Hello Jane Doe") {
		t.Errorf("transcript\n%s\nwant the greeting by name", got)
	}
	clickButton(t, ctx, "click Create a case", ".dlgd-btn", "Create a case")
	waitLastBot(t, ctx, "subject", "in a few words")
	browsertest.Do(t, ctx, "subject", chromedp.SendKeys(chromedp.CSS(".dlgd-input"), "Second widget rattles\n"))
	waitLastBot(t, ctx, "details", "Anything to add?")
	browsertest.Do(t, ctx, "details", chromedp.SendKeys(chromedp.CSS(".dlgd-input"), "It rattles when it starts.\n"))
	waitLastBot(t, ctx, "confirm", `Shall I open the case "Second widget rattles" for you?`)
	clickButton(t, ctx, "click Yes", ".dlgd-quick .dlgd-btn", "Yes")
	last := waitLastBot(t, ctx, "created", "is open.")
	if !strings.HasSuffix(last, "{Case") && !strings.Contains(last, "{Case ") {
		t.Errorf("last reply %q; want the case's card", last)
	}
	res, err := sim.RunQuery("SELECT Id, CaseNumber, Contact.Email FROM Case WHERE Subject = 'Second widget rattles'", false)
	if err != nil || len(res.Records) != 1 {
		t.Fatalf("cases in sfsim: %v %+v; want 1", err, res)
	}
	id := res.Records[0]["Id"].(string)
	link := browsertest.EvalJS[string](t, ctx, `(() => { const a = Array.from(document.querySelectorAll('.dlgd-record .dlgd-link')).pop(); return a ? a.textContent + ' ' + a.href : ''; })()`)
	if want := "View Case " + sfURL + "/lightning/r/Case/" + id + "/view"; link != want {
		t.Errorf("the card's link = %q; want %q", link, want)
	}
	if c, _ := res.Records[0]["Contact"].(map[string]any); c == nil || c["Email"] != "jane.doe@acme.example" {
		t.Errorf("case %v; want it linked to Jane Doe's contact", res.Records[0])
	}
	if path := os.Getenv("SCREENSHOT"); path != "" {
		png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
		if err != nil {
			t.Fatal(err)
		}
		_ = os.WriteFile(path, png, 0o644)
	}
}
