package main

import (
	"context"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/botforge/dialogd/sfsim"
	"github.com/botforge/dialogd/web/browsertest"
)

// startDemoSF serves sfsim's built-in demo org on a free port, with
// callbacks added as sfsim -callback-url adds them, and returns the
// server and its base URL.
func startDemoSF(t *testing.T, callbacks ...string) (*sfsim.Server, string) {
	t.Helper()
	sim, err := sfsim.New(sfsim.WithCallbackURLs(callbacks...))
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: sim, ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
	})
	return sim, "http://" + ln.Addr().String()
}

// TestBrowserSalesforceExample runs examples/salesforce the way its README
// says, with sfsim and botd on free ports that are not their defaults:
// sfsim allows botd's callback URL (-callback-url), the bot finds sfsim
// through SF_LOGIN_URL, and a visitor creates a lead in the widget,
// signing in on sfsim's login page in the popup. The lead is in sfsim
// afterwards.
func TestBrowserSalesforceExample(t *testing.T) {
	ctx := browsertest.New(t, 60*time.Second)
	addr := freeAddr(t)
	base := "http://" + addr
	sim, sfURL := startDemoSF(t, base+"/oauth/callback")
	creds, err := sim.Credentials()
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("SF_LOGIN_URL", sfURL)
	t.Setenv("SF_CLIENT_SECRET", creds.ClientSecret)
	startUserBotd(t, map[string]string{"ADDR": addr}, "-bot", "../../examples/salesforce")

	browsertest.Do(t, ctx, "load page", chromedp.Navigate(base+"/"))
	browsertest.WaitJS(t, ctx, "connect", `document.querySelector('.dlgd-root').dataset.state === 'connected'`)
	want := []string{"bot: Hi! I can create a lead in Salesforce, open a support case or show your open cases. [Open a case|Create a lead|My open cases]"}
	browsertest.WaitTranscript(t, ctx, "greeting", want)
	clickButton(t, ctx, "click Create a lead", ".dlgd-buttons .dlgd-btn", "Create a lead")
	want = append(want, "user: Create a lead", "bot: What is the lead's first name?")
	browsertest.WaitTranscript(t, ctx, "first question", want)
	steps := []struct{ say, reply string }{
		{"Ada", "And their last name?"},
		{"Byron", "Which company do they work for?"},
		{"Analytical Engines", "What is their e-mail address? (you may skip this)"},
		{"ada@engines.example", "A phone number? (you may skip this)"},
		{"+44 20 7946 0018", "Create a lead for Ada Byron at Analytical Engines? {Ada Byron}"},
	}
	for _, s := range steps {
		browsertest.Do(t, ctx, "type "+s.say, chromedp.SendKeys(chromedp.CSS(".dlgd-input"), s.say+"\n"))
		want = append(want, "user: "+s.say, "bot: "+s.reply)
		browsertest.WaitTranscript(t, ctx, "reply to "+s.say, want)
	}
	clickButton(t, ctx, "click Yes", ".dlgd-quick .dlgd-btn", "Yes")
	want = append(want, "user: Yes")
	browsertest.WaitJS(t, ctx, "authorize card", `(() => { const l = `+browsertest.TranscriptJS+`;
		return l.length === `+strconv.Itoa(len(want)+1)+` && l[l.length-1].startsWith('authorize: '); })()`)
	want = browsertest.Transcript(t, ctx)

	// The card's button opens sfsim's login page in a popup; the demo user
	// is pre-approved, so signing in is all it takes.
	popupID := signInOnPopup(t, ctx, sfURL, creds.Username, creds.Password, false)
	waitTargetGone(t, ctx, popupID)

	browsertest.WaitJS(t, ctx, "lead created", `(() => { const l = `+browsertest.TranscriptJS+`;
		return l.length === `+strconv.Itoa(len(want)+1)+` && l[l.length-1] === 'bot: Done. I created the lead Ada Byron in Salesforce. {Ada Byron}'; })()`)
	got := browsertest.Transcript(t, ctx)
	if strings.Join(got[:len(want)], "\n") != strings.Join(want, "\n") {
		t.Errorf("transcript =\n\t%s\nwant it to begin\n\t%s", strings.Join(got, "\n\t"), strings.Join(want, "\n\t"))
	}
	res, err := sim.RunQuery("SELECT Id, Name, Company, Email, Phone FROM Lead WHERE Email = 'ada@engines.example'", false)
	if err != nil {
		t.Fatalf("query sfsim: %v", err)
	}
	if len(res.Records) != 1 {
		t.Fatalf("sfsim has %d leads with ada@engines.example; want 1: %v", len(res.Records), res.Records)
	}
	lead := res.Records[0]
	id, _ := lead["Id"].(string)
	// The lead's card links to the record in the org (sfsim's instance).
	link := browsertest.EvalJS[string](t, ctx, `(() => { const a = Array.from(document.querySelectorAll('.dlgd-record .dlgd-link')).pop(); return a ? a.textContent + ' ' + a.href + ' ' + a.target : ''; })()`)
	if want := "View Lead " + sfURL + "/lightning/r/Lead/" + id + "/view _blank"; id == "" || link != want {
		t.Errorf("the card's link = %q; want %q", link, want)
	}
	if path := os.Getenv("SCREENSHOT"); path != "" {
		png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
		if err != nil {
			t.Fatalf("screenshot: %v", err)
		}
		if err := os.WriteFile(path, png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if lead["Name"] != "Ada Byron" || lead["Company"] != "Analytical Engines" {
		t.Errorf("lead in sfsim = %v; want Ada Byron at Analytical Engines", lead)
	}
}
