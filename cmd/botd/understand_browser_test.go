package main

import (
	"strings"
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
// question, and "discard all", after which a new lead starts afresh; then
// the free-text start, small talk and the held and resumed task again in
// German and in Japanese, each answered in its language. SCREENSHOT_DIR keeps a screenshot of the main steps.
func TestBrowserUnderstanding(t *testing.T) {
	ctx, base, greeting, user, password := openSFDemo(t, 60*time.Second)

	transcript := []string{greeting}
	for _, turn := range understandTurns(user) {
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

// understandTurns is the conversation TestBrowserUnderstanding holds, in
// English, then German, then Japanese, user being the demo user's e-mail
// address. Only the English part signs in: the token serves the rest.
func understandTurns(user string) []understandTurn {
	const (
		firstName = "bot: What is the lead's first name?"
		lastName  = "bot: And their last name?"
		company   = "bot: Which company do they work for?"
		cases     = ":\n#00001003: Cannot reset my password (Working)\n#00001002: Invoice shows the wrong address (New)"
	)
	return []understandTurn{
		{say: "I'd like to add a new lead please", want: []string{firstName}},
		{say: "thanks!", want: []string{"bot: You're welcome!", firstName}},
		{say: "Ada", want: []string{lastName}},
		{say: "show my open cases", shot: "understand-held.png", want: []string{
			"bot: Okay, let's do My open cases first. I'll come back to Create a lead afterwards.",
			"bot: What is the customer's e-mail address?"}},
		{say: user, want: []string{"authorize: Please sign in to Salesforce so I can continue."}},
		{signIn: true, shot: "understand-resumed.png", want: []string{
			"bot: Open cases for " + user + cases, "bot: Back to Create a lead:", lastName}},
		{say: "Lovelace", want: []string{company}},
		{say: "are you a bot?", shot: "understand-small-talk.png", want: []string{
			"bot: I'm a bot, a virtual assistant, not a person.", company}},
		{say: "go back", want: []string{"bot: Okay, let's go back.", lastName}},
		{say: "discard all", want: []string{"bot: Okay, I've dropped everything."}},
		{say: "please create a lead", shot: "understand-discarded.png", want: []string{firstName}},
		{say: "discard all", want: []string{"bot: Okay, I've dropped everything."}},

		{say: "neuen Lead anlegen bitte", want: []string{"bot: Wie lautet der Vorname des Leads?"}},
		{say: "danke!", want: []string{"bot: Gern geschehen!", "bot: Wie lautet der Vorname des Leads?"}},
		{say: "Ada", want: []string{"bot: Und wie lautet der Nachname?"}},
		{say: "zeig meine offenen Fälle", want: []string{
			"bot: Okay, dann zuerst Meine offenen Kundenvorgänge. Danach machen wir mit Lead anlegen weiter.",
			"bot: Wie lautet die E-Mail-Adresse des Kunden?"}},
		{say: user, shot: "understand-de.png", want: []string{
			"bot: Offene Kundenvorgänge für " + user + cases, "bot: Zurück zu Lead anlegen:", "bot: Und wie lautet der Nachname?"}},
		{say: "alles verwerfen", want: []string{"bot: Okay, ich habe alles verworfen."}},

		{say: "リードを登録したい", want: []string{"bot: リードの名（下の名前）を教えてください。"}},
		{say: "ありがとう", want: []string{"bot: どういたしまして！", "bot: リードの名（下の名前）を教えてください。"}},
		{say: "太郎", want: []string{"bot: 姓（名字）を教えてください。"}},
		{say: "未解決のケースを見せて", want: []string{
			"bot: では、先に「未解決のケース」を行いましょう。そのあと「リードを作成」に戻ります。",
			"bot: お客様のメールアドレスを教えてください。"}},
		{say: user, shot: "understand-ja.png", want: []string{
			"bot: " + user + " の未解決のケース" + strings.Replace(cases, ":", "：", 1), "bot: 「リードを作成」に戻ります：", "bot: 姓（名字）を教えてください。"}},
		{say: "すべてキャンセル", want: []string{"bot: すべて中止しました。"}},
	}
}
