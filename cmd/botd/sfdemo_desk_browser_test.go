package main

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/botforge/dialogd/web/browsertest"
)

// TestBrowserSFDemoDesk is the agent desk of `make run`'s Salesforce demo,
// tried as a visitor and an agent would, side by side in headless
// Chromium: Bob (linked to his Salesforce user in bot.yaml) signs in with
// the demo password the page states and goes available, and the org shows him Available in
// Omni-Channel; a visitor asks for a person in English, German and
// Japanese and chats with him both ways until he ends it; Bob's break
// shows as Break in the org; with nobody free the visitor leaves a
// message (a Case in the org), identifies themselves and then waits in
// the queue until Bob is back, who sees who the customer is; Alice links her Salesforce user in the desk and her state follows
// to the org. SCREENSHOT_DIR keeps both pages at each step.
func TestBrowserSFDemoDesk(t *testing.T) {
	widget, base, _, user, password := openSFDemo(t, 300*time.Second)
	deskTab, cancel := chromedp.NewContext(widget)
	t.Cleanup(cancel)
	for _, tab := range []context.Context{widget, deskTab} {
		browsertest.Do(t, tab, "viewport", chromedp.EmulateViewport(1280, 800, chromedp.EmulateScale(1)))
	}
	// The demo agents' password, as the page states it (demo only).
	deskPassword := browsertest.EvalJS[string](t, widget, `document.getElementById('desk-password').textContent`)
	sfDemoDeskSignIn(t, deskTab, base, "bob", "Bob Brown", deskPassword)
	sfDemoDeskState(t, deskTab, "available", "Available")
	sfDemoWaitPresence(t, base, "bob.agent@dialogd.example", "Available")

	chats := []struct {
		lang, ask, joined, reply, answer, left string
	}{
		{"en", "I want to talk to a human", "Bob Brown joined the conversation.", "Hi, Bob here. How can I help?", "my invoice is wrong", "Bob Brown left the conversation."},
		{"de", "ich möchte mit einem Mitarbeiter sprechen", "Bob Brown ist dem Gespräch beigetreten.", "Hallo, hier ist Bob.", "meine Rechnung ist falsch", "Bob Brown hat das Gespräch verlassen."},
		{"ja", "オペレーターと話したい", "Bob Brownが会話に参加しました。", "ボブです。ご用件をどうぞ。", "請求書が間違っています", "Bob Brownが会話を終了しました。"},
	}
	for i, c := range chats {
		userSays(t, widget, c.ask, c.joined)
		// Ended conversations keep their tabs; the new one is shown.
		browsertest.WaitJS(t, deskTab, c.lang+" conversation", fmt.Sprintf(`document.querySelectorAll('.tab').length === %d`, i+1))
		browsertest.Do(t, deskTab, c.lang+" type", chromedp.SendKeys(chromedp.CSS(".conv:not([hidden]) .composer-input"), "…"))
		browsertest.WaitJS(t, widget, c.lang+" agent typing", `!!document.querySelector('.dlgd-typing-who') && document.querySelector('.dlgd-typing-who').textContent.includes('Bob Brown')`)
		browsertest.Do(t, deskTab, c.lang+" reply", browsertest.Script(`document.querySelector('.conv:not([hidden]) .composer-input').value = ''`),
			chromedp.SendKeys(chromedp.CSS(".conv:not([hidden]) .composer-input"), c.reply+"\r"))
		waitLastLine(t, widget, c.lang+" agent message", "agent Bob Brown: "+c.reply)
		userSays(t, widget, c.answer, "")
		waitDeskLine(t, deskTab, c.lang+" user message", ": "+c.answer)
		browsertest.Screenshot(t, widget, "sfdemo-desk-"+c.lang+"-widget.png")
		browsertest.Screenshot(t, deskTab, "sfdemo-desk-"+c.lang+"-desk.png")
		browsertest.Do(t, deskTab, c.lang+" end", chromedp.Click(chromedp.CSS(".conv:not([hidden]) .end")))
		browsertest.WaitJS(t, widget, c.lang+" agent left", browsertest.TranscriptJS+`.includes('notice: `+c.left+`')`)
		browsertest.WaitJS(t, deskTab, c.lang+" closed", `document.querySelector('#me-load').textContent.startsWith('0 / ')`)
	}

	// Bob takes a break: the org shows it.
	sfDemoDeskState(t, deskTab, "unavailable:break", "Unavailable")
	sfDemoWaitPresence(t, base, "bob.agent@dialogd.example", "Break")

	// Nobody free, in German and Japanese: the choices in the visitor's
	// language; waiting queues, and cancel leaves the queue.
	queued := []struct{ lang, ask, noAgent, wait, place, left string }{
		{"de", "ich möchte mit einem Mitarbeiter sprechen", "Gerade ist kein Mitarbeiter frei.", "Warten", "Sie sind Nummer 1 in der Warteschlange", "Sie haben die Warteschlange verlassen."},
		{"ja", "オペレーターと話したい", "ただいま対応できるオペレーターがいません。", "待つ", "現在 1 番目にお待ちいただいています。", "順番待ちを取り消しました。"},
	}
	for _, q := range queued {
		userSays(t, widget, q.ask, q.noAgent)
		clickButton(t, widget, q.lang+" wait", ".dlgd-btn", q.wait)
		browsertest.WaitJS(t, widget, q.lang+" queued", browsertest.TranscriptJS+`.some(l => l.includes('`+q.place+`'))`)
		browsertest.WaitJS(t, deskTab, q.lang+" waiting on the desk", `document.querySelector('#queues').textContent.includes('Support1')`)
		browsertest.Screenshot(t, widget, "sfdemo-desk-"+q.lang+"-queued.png")
		browsertest.Screenshot(t, deskTab, "sfdemo-desk-"+q.lang+"-queued-desk.png")
		userSays(t, widget, map[string]string{"de": "abbrechen", "ja": "キャンセル"}[q.lang], q.left)
		browsertest.WaitJS(t, deskTab, q.lang+" left the queue", `document.querySelector('#queues').textContent.includes('Support0')`)
	}

	// Nobody free: the visitor leaves a message, a Case in the org.
	userSays(t, widget, "I want to talk to a human", "No agent is available right now.")
	browsertest.Screenshot(t, widget, "sfdemo-desk-no-agent.png")
	clickButton(t, widget, "leave a message", ".dlgd-btn", "Leave a message")
	waitLastBot(t, widget, "case subject", "What is the problem, in a few words?")
	sayAndWait(t, widget, "Parcel never arrived", "Please describe it in more detail.")
	sayAndWait(t, widget, "Order 4711 was due last week and has not come.", "e-mail address")
	browsertest.Do(t, widget, "type e-mail", chromedp.SendKeys(chromedp.CSS(".dlgd-input"), "demo@dialogd.example\n"))
	browsertest.WaitJS(t, widget, "authorize card", `(() => { const l = `+browsertest.TranscriptJS+`; return l[l.length-1].startsWith('authorize: '); })()`)
	popup := signInOnPopup(t, widget, base, user, password, false)
	waitTargetGone(t, widget, popup)
	waitLastBot(t, widget, "confirm case", `Open a case "Parcel never arrived"?`)
	clickButton(t, widget, "confirm case", ".dlgd-quick .dlgd-btn", "Yes")
	browsertest.WaitJS(t, widget, "case open", browsertest.TranscriptJS+`.some(l => l.includes('is open. Our support team will get back to you.'))`)
	browsertest.Screenshot(t, widget, "sfdemo-desk-case.png")
	if got := sfDemoQuery(t, base, "SELECT Id FROM Case WHERE Subject = 'Parcel never arrived'"); len(got) != 1 {
		t.Errorf("cases with the left message's subject: %d; want 1", len(got))
	}

	// The visitor identifies themselves (the directory knows the address).
	sayAndWait(t, widget, "identify me", "e-mail address or phone number?")
	browsertest.Do(t, widget, "identify by e-mail", chromedp.SendKeys(chromedp.CSS(".dlgd-input"), "demo@dialogd.example\n"))
	browsertest.WaitJS(t, widget, "identified", browsertest.TranscriptJS+`.some(l => l.includes('Hello Dana Demo'))`)
	clickButton(t, widget, "no case", ".dlgd-btn", "No, thanks")
	waitLastBot(t, widget, "identified done", "How else can I help you?")

	// Nobody free again: the visitor waits, and Bob gets the conversation
	// when he is back, with the customer the bot identified.
	userSays(t, widget, "I want to talk to a human", "No agent is available right now.")
	clickButton(t, widget, "wait", ".dlgd-btn", "Wait")
	browsertest.WaitJS(t, widget, "queued", browsertest.TranscriptJS+`.some(l => l.includes('You are number 1 in the queue'))`)
	sfDemoDeskState(t, deskTab, "available", "Busy")
	browsertest.WaitJS(t, widget, "joined after waiting", browsertest.TranscriptJS+`.some(l => l.includes('Bob Brown joined the conversation.'))`)
	sfDemoWaitPresence(t, base, "bob.agent@dialogd.example", "Busy")
	browsertest.WaitJS(t, deskTab, "customer shown", `document.querySelector('.conv:not([hidden])').textContent.includes('Dana Demo')`)
	browsertest.Do(t, deskTab, "scroll up", browsertest.Script(`window.scrollTo(0, 0)`))
	browsertest.Screenshot(t, deskTab, "sfdemo-desk-customer.png")
	browsertest.Do(t, deskTab, "end the waited one", chromedp.Click(chromedp.CSS(".conv:not([hidden]) .end")))

	// Alice links her Salesforce user in the desk; her state follows.
	browsertest.Do(t, deskTab, "sign out", chromedp.Click(chromedp.CSS("#logout")))
	sfDemoDeskSignIn(t, deskTab, base, "alice", "Alice Adams", deskPassword)
	browsertest.Do(t, deskTab, "link", chromedp.SendKeys(chromedp.CSS("#link-user"), "alice.agent@dialogd.example\r"))
	browsertest.WaitJS(t, deskTab, "linked", `document.querySelector('#sf-linked').textContent !== 'none'`)
	sfDemoDeskState(t, deskTab, "available", "Available")
	sfDemoWaitPresence(t, base, "alice.agent@dialogd.example", "Available")
	browsertest.Screenshot(t, deskTab, "sfdemo-desk-linked.png")
}

// sfDemoDeskSignIn signs agent in on the desk page of the Salesforce demo
// bot with password and waits until the desk shows name.
func sfDemoDeskSignIn(t *testing.T, tab context.Context, base, agent, name, password string) {
	t.Helper()
	browsertest.Do(t, tab, "load desk", chromedp.Navigate(base+"/desk/"))
	browsertest.WaitJS(t, tab, "bots", `Array.from(document.querySelector('#login-bot').options).some(o => o.value === '`+sfDemoBotName+`')`)
	browsertest.Do(t, tab, "sign in "+agent,
		browsertest.Script(`document.querySelector('#login-bot').value = '`+sfDemoBotName+`'`),
		// The page fills in the last agent id it signed in: replace it.
		browsertest.Script(`document.querySelector('#login-agent').value = '`+agent+`'`),
		chromedp.SendKeys(chromedp.CSS("#login-password"), password+"\r"))
	browsertest.WaitJS(t, tab, "desk of "+agent, `document.querySelector('#conn-status').dataset.conn === 'connected' && document.querySelector('#me-name').textContent === '`+name+`'`)
}

// sfDemoDeskState picks value in the desk's state menu and waits until
// the agent's badge reads badge.
func sfDemoDeskState(t *testing.T, tab context.Context, value, badge string) {
	t.Helper()
	browsertest.Do(t, tab, "state "+value, browsertest.DeskChooseState(value))
	browsertest.WaitJS(t, tab, "badge "+badge, `document.querySelector('#me-state').textContent.startsWith('`+badge+`')`)
}

// sfDemoWaitPresence waits (up to 20 s) until the org's current
// Omni-Channel status of username is status, read through the data API
// as the presence sync reads it.
func sfDemoWaitPresence(t *testing.T, base, username, status string) {
	t.Helper()
	users := sfDemoQuery(t, base, "SELECT Id FROM User WHERE Username = '"+username+"'")
	if len(users) != 1 {
		t.Fatalf("user %s: %d records", username, len(users))
	}
	got := "(offline)"
	for range 40 {
		rows := sfDemoQuery(t, base, fmt.Sprintf("SELECT ServicePresenceStatusId FROM UserServicePresence WHERE UserId = '%s' AND IsCurrentState = true", users[0]["Id"]))
		if len(rows) == 1 {
			st := sfDemoQuery(t, base, fmt.Sprintf("SELECT DeveloperName FROM ServicePresenceStatus WHERE Id = '%s'", rows[0]["ServicePresenceStatusId"]))
			if len(st) == 1 {
				got = fmt.Sprint(st[0]["DeveloperName"])
			}
		}
		if got == status {
			return
		}
		time.Sleep(500 * time.Millisecond)
	}
	t.Fatalf("Omni-Channel status of %s = %s; want %s", username, got, status)
}
