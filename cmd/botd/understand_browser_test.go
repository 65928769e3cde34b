package main

import (
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/botforge/dialogd/web/browsertest"
)

// understandTurn is one thing the visitor does in the widget and the lines
// the transcript gains from it: what they typed (when they typed) and the
// bot's replies, in order.
type understandTurn struct {
	say    string   // typed into the widget; "" when the turn is the sign-in
	signIn bool     // sign in on the popup the authorize card opens
	shot   string   // SCREENSHOT_DIR file written after the turn, if any
	want   []string // lines the transcript gains, "role: text"
}

// TestBrowserUnderstanding is issue 14 as a visitor of `make run` sees it
// in the widget: a task started by a sentence that is no training phrase,
// small talk answered mid-task with the question asked again, another task
// asked for mid-task held while it runs (through the Salesforce sign-in)
// and the first one resumed where it was, "go back" to the previous
// question, and "discard all", after which a new lead starts afresh.
// SCREENSHOT_DIR keeps a screenshot of the main steps.
func TestBrowserUnderstanding(t *testing.T) {
	ctx := browsertest.New(t, 60*time.Second)
	t.Setenv(sfDemoLoginEnv, "") // restored when the test ends; botd sets it
	t.Setenv(sfDemoSecretEnv, "")
	addr := freeAddr(t)
	base := "http://" + addr
	startUserBotd(t, map[string]string{"ADDR": addr})

	browsertest.Do(t, ctx, "load the Salesforce page", chromedp.Navigate(base+sfDemoPagePath))
	browsertest.WaitJS(t, ctx, "connect", `document.querySelector('.dlgd-root').dataset.state === 'connected'`)
	greeting := waitLastBot(t, ctx, "greeting", "demo Salesforce org with the whole task catalogue")
	user := browsertest.EvalJS[string](t, ctx, `document.getElementById('demo-username').textContent`)
	password := browsertest.EvalJS[string](t, ctx, `document.getElementById('demo-password').textContent`)

	const (
		firstName = "bot: What is the lead's first name?"
		lastName  = "bot: And their last name?"
		company   = "bot: Which company do they work for?"
	)
	turns := []understandTurn{
		{say: "I'd like to add a new lead please", want: []string{firstName}},
		{say: "thanks!", want: []string{"bot: You're welcome!", firstName}},
		{say: "Ada", want: []string{lastName}},
		{say: "show my open cases", shot: "understand-held.png", want: []string{
			"bot: Okay, let's do My open cases first. I'll come back to Create a lead afterwards.",
			"bot: What is the customer's e-mail address?"}},
		{say: user, want: []string{"authorize: Please sign in to Salesforce so I can continue."}},
		{signIn: true, shot: "understand-resumed.png", want: []string{
			"bot: Open cases for " + user + ":\n#00001003: Cannot reset my password (Working)\n#00001002: Invoice shows the wrong address (New)",
			"bot: Back to Create a lead:", lastName}},
		{say: "Lovelace", want: []string{company}},
		{say: "are you a bot?", shot: "understand-small-talk.png", want: []string{
			"bot: I'm a bot, a virtual assistant, not a person.", company}},
		{say: "go back", want: []string{"bot: Okay, let's go back.", lastName}},
		{say: "discard all", want: []string{"bot: Okay, I've dropped everything."}},
		{say: "please create a lead", shot: "understand-discarded.png", want: []string{firstName}},
	}
	transcript := []string{greeting}
	for _, turn := range turns {
		step := "turn " + turn.say
		if turn.signIn {
			step = "turn sign-in"
			popupID := signInOnPopup(t, ctx, base, user, password, false)
			waitTargetGone(t, ctx, popupID)
		} else {
			transcript = append(transcript, "user: "+turn.say)
			browsertest.Do(t, ctx, step, chromedp.SendKeys(chromedp.CSS(".dlgd-input"), turn.say+"\n"))
		}
		transcript = append(transcript, turn.want...)
		browsertest.WaitTranscript(t, ctx, step, transcript)
		if turn.shot != "" {
			sfDemoScreenshot(t, ctx, turn.shot)
		}
	}
}
