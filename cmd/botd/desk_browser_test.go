package main

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/botforge/dialogd/web/browsertest"
)

// TestDeskBrowserSideBySide runs the widget and the agent desk side by
// side in headless Chromium, each on its own botd of a pair sharing Redis
// (testdata/deskbot): the agent signs in; the user asks for a human while
// nobody is available, chooses to wait and sees their place in the queue,
// which the desk shows too; the agent goes available and gets the
// conversation with what was said to the bot, they write to each other
// (typing shown to the user), the agent ends it and the bot answers
// again. SCREENSHOT_DIR keeps both pages.
func TestDeskBrowserSideBySide(t *testing.T) {
	browsertest.SkipShort(t)
	a, b := startDeskPair(t)
	browser := browsertest.New(t, 120*time.Second)
	deskTab, cancelDesk := chromedp.NewContext(browser)
	t.Cleanup(cancelDesk)
	userTab, cancelUser := chromedp.NewContext(browser)
	t.Cleanup(cancelUser)
	for _, tab := range []context.Context{deskTab, userTab} {
		browsertest.Do(t, tab, "viewport", chromedp.EmulateViewport(1280, 800, chromedp.EmulateScale(1)))
	}

	// The agent signs in on instance b.
	browsertest.Do(t, deskTab, "load desk", chromedp.Navigate("http://"+b.addr+"/desk/"))
	browsertest.WaitJS(t, deskTab, "bots", `Array.from(document.querySelector('#login-bot').options).some(o => o.value === 'deskbot')`)
	browsertest.Do(t, deskTab, "sign in",
		chromedp.SendKeys(chromedp.CSS("#login-agent"), "alice"),
		chromedp.SendKeys(chromedp.CSS("#login-password"), deskTestPassword+"\r"))
	browsertest.WaitJS(t, deskTab, "desk", `document.querySelector('#conn-status').dataset.conn === 'connected' && document.querySelector('#me-name').textContent === 'Alice Adams'`)
	browsertest.WaitJS(t, deskTab, "not available yet", `document.querySelector('#me-state').textContent !== 'Available'`)

	// The user, on instance a, talks to the bot and then asks for a human:
	// nobody is available, so they choose to wait and get a place.
	browsertest.Do(t, userTab, "load widget", chromedp.Navigate("http://"+a.addr+"/"))
	browsertest.WaitJS(t, userTab, "connect", `document.querySelector('.dlgd-root').dataset.state === 'connected'`)
	userSays(t, userTab, "where is my order", "bot: What is your order number?")
	userSays(t, userTab, "I want to talk to a human", "No agent is available")
	clickButton(t, userTab, "wait", ".dlgd-quick .dlgd-btn", "Wait")
	browsertest.WaitJS(t, userTab, "queued", browsertest.TranscriptJS+`.some(l => l.startsWith('notice: You are number 1 in the queue'))`)
	browsertest.WaitJS(t, userTab, "waiting", `document.querySelector('.dlgd-status').textContent === 'Waiting for an agent…'`)
	browsertest.WaitJS(t, deskTab, "desk queue", `Array.from(document.querySelectorAll('#queues .waiter')).length === 1`)
	browsertest.Screenshot(t, userTab, "desk-side-widget-queued.png")
	browsertest.Screenshot(t, deskTab, "desk-side-desk-queued.png")

	// The agent goes available and gets the conversation.
	browsertest.Do(t, deskTab, "go available", browsertest.DeskChooseState("available"))
	browsertest.WaitJS(t, userTab, "joined", browsertest.TranscriptJS+`.includes('notice: Alice Adams joined the conversation.')`)
	browsertest.WaitJS(t, userTab, "header", `document.querySelector('.dlgd-status').textContent === 'Alice Adams (agent)'`)
	browsertest.WaitJS(t, deskTab, "queue empty", `document.querySelectorAll('#queues .waiter').length === 0`)

	// The desk shows the conversation with what the user told the bot.
	browsertest.WaitJS(t, deskTab, "conversation", `document.querySelectorAll('.tab').length === 1`)
	lines := browsertest.EvalJS[[]string](t, deskTab, browsertest.DeskTranscriptJS)
	if len(lines) < 2 || !strings.HasSuffix(lines[0], ": where is my order") || !strings.HasPrefix(lines[1], "bot ") {
		t.Errorf("desk transcript =\n\t%s\nwant the user's and the bot's lines first", strings.Join(lines, "\n\t"))
	}
	browsertest.WaitJS(t, deskTab, "busy count", `document.querySelector('#me-load').textContent === '1 / 2'`)

	// The agent types (the user sees it) and replies.
	reply := "Hi, I'm Alice. Let me check your order."
	browsertest.Do(t, deskTab, "type", chromedp.SendKeys(chromedp.CSS(".conv:not([hidden]) .composer-input"), "Hi"))
	browsertest.WaitJS(t, userTab, "agent typing", `document.querySelector('.dlgd-typing-who').textContent === 'Alice Adams is typing'`)
	browsertest.Do(t, deskTab, "reply", chromedp.SendKeys(chromedp.CSS(".conv:not([hidden]) .composer-input"), reply[2:]+"\r"))
	waitLastLine(t, userTab, "agent message", "agent Alice Adams: "+reply)
	userSays(t, userTab, "my parcel never came", "")
	waitDeskLine(t, deskTab, "user message", ": my parcel never came")
	browsertest.Screenshot(t, userTab, "desk-side-widget.png")
	browsertest.Screenshot(t, deskTab, "desk-side-desk.png")

	// The agent ends it; the user is told and the bot answers again.
	browsertest.Do(t, deskTab, "end", chromedp.Click(chromedp.CSS(".conv:not([hidden]) .end")))
	waitDeskLine(t, deskTab, "ended", "system: You ended the conversation; the bot takes it back.")
	browsertest.WaitJS(t, userTab, "agent left", browsertest.TranscriptJS+`.includes('notice: Alice Adams left the conversation.')`)
	browsertest.WaitJS(t, userTab, "header back", `document.querySelector('.dlgd-status').textContent === 'Online'`)
	userSays(t, userTab, "where is my order", "bot: What is your order number?")
	browsertest.WaitJS(t, deskTab, "free again", `document.querySelector('#me-load').textContent === '0 / 2'`)
	browsertest.Screenshot(t, userTab, "desk-side-widget-after.png")
	browsertest.Screenshot(t, deskTab, "desk-side-desk-after.png")
}

// userSays types text in the widget and waits for a line after it that
// contains want ("" waits for the user's own line only).
func userSays(t *testing.T, tab context.Context, text, want string) {
	t.Helper()
	before := len(browsertest.Transcript(t, tab))
	browsertest.Do(t, tab, "say "+text, chromedp.SendKeys(chromedp.CSS(".dlgd-input"), text+"\n"))
	js, _ := json.Marshal(want)
	browsertest.WaitJS(t, tab, "after "+text, `(() => { const l = `+browsertest.TranscriptJS+`.slice(`+strconv.Itoa(before)+`);
		return l.length >= 1 && (`+string(js)+` === '' || l.slice(1).some(x => x.includes(`+string(js)+`))); })()`)
}

// waitLastLine waits until the widget's last line is want.
func waitLastLine(t *testing.T, tab context.Context, step, want string) {
	t.Helper()
	js, _ := json.Marshal(want)
	browsertest.WaitJS(t, tab, step, `(() => { const l = `+browsertest.TranscriptJS+`; return l[l.length-1] === `+string(js)+`; })()`)
}

// waitDeskLine waits until the desk's last transcript line ends with want.
func waitDeskLine(t *testing.T, tab context.Context, step, want string) {
	t.Helper()
	js, _ := json.Marshal(want)
	browsertest.WaitJS(t, tab, step, `(() => { const l = `+browsertest.DeskTranscriptJS+`; return l.length > 0 && l[l.length-1].endsWith(`+string(js)+`); })()`)
}
