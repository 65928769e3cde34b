package main

import (
	"context"
	"encoding/json"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/botforge/dialogd/web/browsertest"
)

// TestBrowserDemoLead drives the real widget, served by botd at /, in
// headless Chromium through the embedded demo bot: it creates a lead by
// clicking and typing the way a visitor would, then reloads the page and
// checks the conversation survives and goes on. botd runs as `ADDR=… make
// run` runs it, on a port that is not 8080 and with nothing telling the
// demo bot where its API is (issue 9 bug 1).
func TestBrowserDemoLead(t *testing.T) {
	ctx := browsertest.New(t, 45*time.Second)
	browsertest.Do(t, ctx, "desktop viewport", chromedp.EmulateViewport(1280, 800, chromedp.EmulateScale(1)))
	in := startUserBotd(t, map[string]string{"ADDR": freeAddr(t)})
	base := "http://" + in.addr

	// The page opens the widget, connects, and the bot greets with the
	// task buttons.
	browsertest.Do(t, ctx, "load page", chromedp.Navigate(base+"/"))
	browsertest.WaitJS(t, ctx, "connect", `document.querySelector('.dlgd-root').dataset.state === 'connected'`)
	welcome := "bot: Hi! I'm the demo bot. I can create a lead or book a product demo. [Book a demo|Create a lead]"
	want := []string{welcome}
	browsertest.WaitTranscript(t, ctx, "welcome", want)

	// Clicking a task button starts the task.
	clickButton(t, ctx, "click Create a lead", ".dlgd-buttons .dlgd-btn", "Create a lead")
	want = append(want, "user: Create a lead", "bot: What's the first name?")
	browsertest.WaitTranscript(t, ctx, "first prompt", want)

	steps := []struct{ say, reply string }{
		{"Jane", "And the last name?"},
		{"Doe", "Which company?"},
		{"Acme Corp", "What's their e-mail address?"},
		{"jane@example", "That doesn't look like an e-mail address. Try again?"},
		{"jane@example.com", "Create a lead for Jane Doe at Acme Corp (jane@example.com)?"},
	}
	for _, s := range steps {
		browsertest.Do(t, ctx, "type "+s.say, chromedp.SendKeys(chromedp.CSS(".dlgd-input"), s.say+"\n"))
		want = append(want, "user: "+s.say, "bot: "+s.reply)
		browsertest.WaitTranscript(t, ctx, "reply to "+s.say, want)
	}

	// The confirmation offers Yes/No quick replies; Yes creates the lead.
	browsertest.WaitJS(t, ctx, "quick replies", `document.querySelectorAll('.dlgd-quick .dlgd-btn').length === 2`)
	if chips := browsertest.EvalJS[[]string](t, ctx, `Array.from(document.querySelectorAll('.dlgd-quick .dlgd-btn')).map(b => b.textContent)`); strings.Join(chips, "|") != "Yes|No" {
		t.Fatalf("confirmation quick replies = %q; want [Yes No]", chips)
	}
	// The chips take room from the log, yet the question stays readable
	// above them, on a desktop and, after turning into a phone, on a phone
	// (issue 9 bug 10).
	if !browsertest.EvalJS[bool](t, ctx, questionVisibleJS) {
		t.Errorf("at 1280x800 the confirmation question is hidden behind the log's edge or its chips: %s",
			browsertest.EvalJS[string](t, ctx, questionRectsJS))
	}
	browsertest.Do(t, ctx, "phone viewport", chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(1)))
	browsertest.WaitJS(t, ctx, "question above its chips at 390x844", questionVisibleJS)
	clickButton(t, ctx, "click Yes", ".dlgd-quick .dlgd-btn", "Yes")
	want = append(want, "user: Yes")
	browsertest.WaitJS(t, ctx, "lead created", `(() => { const l = `+browsertest.TranscriptJS+`; return l.length === `+strconv.Itoa(len(want)+1)+` && l[l.length-1].startsWith('bot: Created lead 00Q'); })()`)
	got := browsertest.Transcript(t, ctx)
	if strings.Join(got[:len(want)], "\n") != strings.Join(want, "\n") {
		t.Fatalf("transcript =\n\t%s\nwant it to begin\n\t%s", strings.Join(got, "\n\t"), strings.Join(want, "\n\t"))
	}
	created := got[len(got)-1]
	if !leadReply.MatchString(created) {
		t.Errorf("final reply = %q; want \"Created lead <18-character 00Q id> for Jane Doe.\"", created)
	}
	want = got
	if n := browsertest.EvalJS[int](t, ctx, `document.querySelectorAll('.dlgd-quick .dlgd-btn').length`); n != 0 {
		t.Errorf("%d quick replies still shown after the answer; want none", n)
	}

	// Reload: the transcript comes back and the conversation goes on.
	browsertest.Do(t, ctx, "reload", chromedp.Reload())
	browsertest.WaitJS(t, ctx, "reconnect", `document.querySelector('.dlgd-root').dataset.state === 'connected'`)
	browsertest.WaitTranscript(t, ctx, "transcript after reload", want)
	browsertest.Do(t, ctx, "type help", chromedp.SendKeys(chromedp.CSS(".dlgd-input"), "help\n"))
	want = append(want, "user: help", "bot: Here is what I can do: [Book a demo|Create a lead]")
	browsertest.WaitTranscript(t, ctx, "reply to help", want)
}

// questionVisibleJS is true when the last bot message is wholly inside the
// visible part of the log and above the quick replies.
const questionVisibleJS = `(() => {
  const log = document.querySelector('.dlgd-log').getBoundingClientRect();
  const q = document.querySelector('.dlgd-log > .dlgd-msg-bot:last-child .dlgd-bubble').getBoundingClientRect();
  const chips = document.querySelector('.dlgd-quick').getBoundingClientRect();
  return q.top >= log.top - 1 && q.bottom <= log.bottom + 1 && q.bottom <= chips.top + 1;
})()`

// questionRectsJS describes the rectangles questionVisibleJS compares.
const questionRectsJS = `JSON.stringify({
  log: document.querySelector('.dlgd-log').getBoundingClientRect(),
  question: document.querySelector('.dlgd-log > .dlgd-msg-bot:last-child .dlgd-bubble').getBoundingClientRect(),
  chips: document.querySelector('.dlgd-quick').getBoundingClientRect()})`

var leadReply = regexp.MustCompile(`^bot: Created lead 00Q[0-9A-Za-z]{15} for Jane Doe\.$`)

// clickButton clicks the button matching sel whose label is title.
func clickButton(t *testing.T, ctx context.Context, step, sel, title string) {
	t.Helper()
	js, _ := json.Marshal(title)
	find := `Array.from(document.querySelectorAll('` + sel + `')).find(b => b.textContent === ` + string(js) + `)`
	browsertest.WaitJS(t, ctx, step, "!!"+find)
	// Tag the button, then click it with the mouse like a visitor.
	browsertest.Do(t, ctx, step,
		browsertest.Script(`document.querySelectorAll('[data-test-click]').forEach(b => b.removeAttribute('data-test-click')); `+
			find+`.dataset.testClick = '1'; 0`),
		chromedp.Click(chromedp.CSS(`[data-test-click]`)))
}
