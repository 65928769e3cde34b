package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/botforge/dialogd/sfsim"
	"github.com/botforge/dialogd/web/browsertest"
)

// TestBrowserMakeRunSalesforce is issue 13's "make run on any port": botd
// started as `make run` starts it (no flags, no bot, no Salesforce; only
// ADDR, here a random port) serves the Salesforce demo page, and a visitor
// completes "create a lead" (signing in to the embedded org in the popup
// with the credentials the page shows, to the lead's card and its View
// Lead link), "my open cases" and "convert a lead" in the widget. The org
// has the lead and the conversion afterwards. SCREENSHOT_DIR keeps a
// screenshot of each.
func TestBrowserMakeRunSalesforce(t *testing.T) {
	ctx, base, _, user, password := openSFDemo(t, 120*time.Second)

	sfDemoCreateLead(t, ctx, base, user, password)
	sfDemoScreenshot(t, ctx, "create-lead.png")
	sfDemoOpenCases(t, ctx)
	sfDemoScreenshot(t, ctx, "open-cases.png")
	sfDemoConvertLead(t, ctx)
	sfDemoScreenshot(t, ctx, "convert-lead.png")

	// The org botd embeds has what the chat said.
	checks := []struct {
		soql string
		want map[string]any
	}{
		{"SELECT Name, Company FROM Lead WHERE Email = 'ada@engines.example'", map[string]any{"Name": "Ada Byron", "Company": "Analytical Engines"}},
		{"SELECT IsConverted, Status FROM Lead WHERE Email = 'grace@hopper.example'", map[string]any{"IsConverted": true, "Status": "Closed - Converted"}},
		{"SELECT Name FROM Account WHERE Name = 'Hopper Analytics'", map[string]any{"Name": "Hopper Analytics"}},
	}
	for _, c := range checks {
		records := sfDemoQuery(t, base, c.soql)
		if len(records) != 1 {
			t.Errorf("%s: %d records; want 1: %v", c.soql, len(records), records)
			continue
		}
		for field, want := range c.want {
			if got := records[0][field]; got != want {
				t.Errorf("%s: %s = %v; want %v", c.soql, field, got, want)
			}
		}
	}
}

// sfDemoQuery runs soql on the org botd serves at base, as the demo user
// (the password flow of the demo app), and returns the records.
func sfDemoQuery(t *testing.T, base, soql string) []map[string]any {
	t.Helper()
	fx, err := sfsim.DemoFixture()
	if err != nil {
		t.Fatal(err)
	}
	c, err := fx.Credentials()
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.PostForm(base+"/services/oauth2/token", url.Values{"grant_type": {"password"},
		"client_id": {c.ClientID}, "client_secret": {c.ClientSecret}, "username": {c.Username}, "password": {c.Password + c.SecurityToken}})
	if err != nil {
		t.Fatal(err)
	}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	err = json.NewDecoder(resp.Body).Decode(&tok)
	resp.Body.Close()
	if err != nil || tok.AccessToken == "" {
		t.Fatalf("password flow on the embedded org: %d %v", resp.StatusCode, err)
	}
	req, _ := http.NewRequest(http.MethodGet, base+"/services/data/v60.0/query?q="+url.QueryEscape(soql), nil)
	req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var res struct {
		Records []map[string]any `json:"records"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&res); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("query %s: %d %v", soql, resp.StatusCode, err)
	}
	return res.Records
}

// sayAndWait types text into the widget and waits for the bot's reply
// containing want.
func sayAndWait(t *testing.T, ctx context.Context, text, want string) string {
	t.Helper()
	browsertest.Do(t, ctx, "type "+text, chromedp.SendKeys(chromedp.CSS(".dlgd-input"), text+"\n"))
	return waitLastBot(t, ctx, "reply to "+text, want)
}

// sfDemoCreateLead creates Ada Byron's lead, signing in on the popup as
// user, and checks the lead's card links to the record in the org.
func sfDemoCreateLead(t *testing.T, ctx context.Context, base, user, password string) {
	t.Helper()
	sayAndWait(t, ctx, "create a lead", "first name?")
	sayAndWait(t, ctx, "Ada", "last name?")
	sayAndWait(t, ctx, "Byron", "Which company")
	sayAndWait(t, ctx, "Analytical Engines", "e-mail address?")
	sayAndWait(t, ctx, "ada@engines.example", "phone number?")
	sayAndWait(t, ctx, "+44 20 7946 0018", "Create a lead for Ada Byron at Analytical Engines?")
	clickButton(t, ctx, "click Yes", ".dlgd-quick .dlgd-btn", "Yes")
	browsertest.WaitJS(t, ctx, "authorize card", `(() => { const l = `+browsertest.TranscriptJS+`; return l[l.length-1].startsWith('authorize: '); })()`)
	popupID := signInOnPopup(t, ctx, base, user, password, false)
	waitTargetGone(t, ctx, popupID)
	waitLastBot(t, ctx, "lead created", "I created the lead Ada Byron")
	link := browsertest.EvalJS[string](t, ctx, `(() => { const a = Array.from(document.querySelectorAll('.dlgd-record .dlgd-link')).pop(); return a ? a.textContent + ' ' + a.href : ''; })()`)
	want := "View Lead " + base + "/lightning/r/Lead/00Q"
	if !strings.HasPrefix(link, want) {
		t.Fatalf("the lead card's link = %q; want it to begin %q", link, want)
	}
	// The link shows the lead: the org's stand-in for its Lightning page.
	resp, err := http.Get(strings.TrimPrefix(link, "View Lead "))
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, w := range []string{"<h1>Ada Byron</h1>", "<th scope=\"row\">Company</th><td>Analytical Engines</td>", "<th scope=\"row\">Lead Status</th><td>Open - Not Contacted</td>"} {
		if resp.StatusCode != http.StatusOK || !strings.Contains(string(page), w) {
			t.Errorf("GET %s = %d; want %q in:\n%s", link, resp.StatusCode, w, page)
		}
	}
}

// sfDemoOpenCases lists the open cases of the demo user's contact: the
// two open ones, not the closed one.
func sfDemoOpenCases(t *testing.T, ctx context.Context) {
	t.Helper()
	sayAndWait(t, ctx, "my open cases", "e-mail address?")
	got := sayAndWait(t, ctx, "demo@dialogd.example", "Open cases for demo@dialogd.example")
	for _, want := range []string{"Invoice shows the wrong address (New)", "Cannot reset my password (Working)"} {
		if !strings.Contains(got, want) {
			t.Errorf("open cases reply %q; want it to list %q", got, want)
		}
	}
	if strings.Contains(got, "Delivery arrived late") {
		t.Errorf("open cases reply %q lists the closed case", got)
	}
}

// sfDemoConvertLead converts Grace Hopper's lead into a new account,
// contact and opportunity, shown as cards with View links.
func sfDemoConvertLead(t *testing.T, ctx context.Context) {
	t.Helper()
	sayAndWait(t, ctx, "convert a lead", "Which lead shall I convert?")
	sayAndWait(t, ctx, "grace@hopper.example", "Should Grace Hopper join an existing account?")
	clickButton(t, ctx, "click Skip", ".dlgd-btn", "Skip")
	waitLastBot(t, ctx, "confirm conversion", "Convert this lead into an account, a contact and an opportunity?")
	clickButton(t, ctx, "click Yes", ".dlgd-quick .dlgd-btn", "Yes")
	// The reply, then one card per new record.
	browsertest.WaitJS(t, ctx, "converted", `(() => { const l = `+browsertest.TranscriptJS+`;
		const i = l.findIndex(s => s.startsWith('bot: Done, Grace Hopper is converted.'));
		return i >= 0 && l.length === i + 4; })()`)
	links := browsertest.EvalJS[string](t, ctx, `Array.from(document.querySelectorAll('.dlgd-record .dlgd-link')).slice(-3).map(a => a.textContent).join(',')`)
	if want := "View Account,View Contact,View Opportunity"; links != want {
		t.Errorf("the conversion's card links = %q; want %q", links, want)
	}
}

// sfDemoScreenshot writes the page to SCREENSHOT_DIR/name when it is set.
func sfDemoScreenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	dir := os.Getenv("SCREENSHOT_DIR")
	if dir == "" {
		return
	}
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.WriteFile(filepath.Join(dir, name), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

// openSFDemo starts botd as make run does (the Salesforce demo with its
// emulated org) and opens its Salesforce page in headless Chromium, within
// timeout: the browser, botd's base URL, the greeting and the demo org's
// credentials the page shows.
func openSFDemo(t *testing.T, timeout time.Duration) (ctx context.Context, base, greeting, user, password string) {
	t.Helper()
	ctx = browsertest.New(t, timeout)
	t.Setenv(sfDemoLoginEnv, "") // restored when the test ends; botd sets it
	t.Setenv(sfDemoSecretEnv, "")
	t.Setenv(sfDemoIntegrationPassEnv, "")
	t.Setenv(sfDemoIntegrationTokenEnv, "")
	addr := freeAddr(t)
	base = "http://" + addr
	startUserBotd(t, map[string]string{"ADDR": addr})

	browsertest.Do(t, ctx, "load the Salesforce page", chromedp.Navigate(base+sfDemoPagePath))
	browsertest.WaitJS(t, ctx, "connect", `document.querySelector('.dlgd-root').dataset.state === 'connected'`)
	greeting = waitLastBot(t, ctx, "greeting", "demo Salesforce org with the whole task catalogue")
	user = browsertest.EvalJS[string](t, ctx, `document.getElementById('demo-username').textContent`)
	password = browsertest.EvalJS[string](t, ctx, `document.getElementById('demo-password').textContent`)
	return ctx, base, greeting, user, password
}
