package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/botforge/dialogd/web/browsertest"
)

// deskKVJS lists the key/value pairs of a side box of the shown
// conversation ("customer", "context", "meta") as "key=value".
func deskKVJS(box string) string {
	return `Array.from(document.querySelectorAll('.conv:not([hidden]) .` + box + ` dt')).map(dt => dt.textContent + '=' + dt.nextElementSibling.textContent)`
}

func deskHello() map[string]any { return deskHelloLinked("") }

// deskHelloLinked is the hello frame of alice linked to a Salesforce user.
func deskHelloLinked(sfUser string) map[string]any {
	return map[string]any{"type": "hello",
		"agent":   map[string]any{"id": "alice", "name": "Alice Adams", "teams": []string{"support"}, "capacity": 2, "salesforce_user": sfUser},
		"reasons": []map[string]string{{"code": "break", "title": "Break"}, {"code": "meeting", "title": "Meeting"}},
		"queues":  []map[string]string{{"name": "support", "title": "Support"}}}
}

// deskBoard is a board frame: alice in state/reason holding active of 2,
// bob available, and waiting in the support queue.
func deskBoard(state, reason string, active int, waiting ...map[string]any) map[string]any {
	since := time.Now().Add(-3 * time.Minute).UTC().Format(time.RFC3339)
	return map[string]any{"type": "board",
		"agents": []map[string]any{
			{"id": "alice", "name": "Alice Adams", "state": state, "reason": reason, "since": since, "active": active, "capacity": 2},
			// Go's zero time: bob's state never changed.
			{"id": "bob", "name": "Bob Brown", "state": "unavailable", "reason": "meeting", "since": "0001-01-01T00:00:00Z", "active": 0, "capacity": 1},
		},
		// The board names queues; their titles come in the hello frame.
		"queues": []map[string]any{{"name": "support", "waiting": append([]map[string]any{}, waiting...)}}}
}

func deskConversation(id, customer string, transcript ...map[string]string) map[string]any {
	return map[string]any{"type": "conversation", "conversation": map[string]any{
		"id": id, "queue": "support", "lang": "en", "reason": "requested",
		"started":  time.Now().UTC().Format(time.RFC3339),
		"customer": map[string]string{"name": customer, "company": "Acme", "email": "ann@example.com", "source": "directory"},
		"context": map[string]any{"order": "A-17", "count": 3, "tags": []string{"urgent", "invoice"},
			"user": map[string]any{"sf_name": customer, "sf_email": "ann@example.com"}},
		"transcript": transcript,
	}}
}

func line(who, name, text string) map[string]string {
	return map[string]string{"who": who, "name": name, "text": text, "at": time.Now().UTC().Format(time.RFC3339)}
}

// TestDeskBrowser drives the agent desk page in headless Chromium against
// a stand-in of the desk's API and WebSocket: sign-in, state changes,
// the board, a conversation with its customer card and context, replies
// with throttled typing frames, a second conversation in a background tab,
// ending, linking a Salesforce user, an error, a dropped socket that comes
// back, a refused cookie, and signing out.
func TestDeskBrowser(t *testing.T) {
	ctx := browsertest.New(t, 90*time.Second)
	browsertest.Do(t, ctx, "viewport", chromedp.EmulateViewport(1280, 800, chromedp.EmulateScale(1)))
	d := newDeskSim(t)
	srv := httptest.NewServer(d.mux())
	t.Cleanup(srv.Close)
	t.Cleanup(func() { d.drop(false) })
	d.origin = srv.URL
	d.setOnOpen(deskHello(), deskBoard("offline", "", 0))

	deskSignIn(t, ctx, d, srv.URL)
	deskStates(t, ctx, d)
	deskConversations(t, ctx, d)
	deskLinkAndErrors(t, ctx, d)
	deskReconnects(t, ctx, d)
}

// deskConversations: a conversation arrives and is answered, a second one
// waits in a background tab, the first is ended and its tab closed.
func deskConversations(t *testing.T, ctx context.Context, d *deskSim) {
	t.Helper()
	// The tab is selected, with the transcript, the customer card and the
	// context; markup in them stays text. The conversation before the
	// handoff comes as the bot's transcript, "label: text" lines in the
	// conversation's language.
	ann := `Ann <img src=x onerror="window.__xss=1">`
	conv := deskConversation("c1", ann, line("history", "", "User: I need a human"), line("history", "", "Bot: Connecting you to an agent."),
		line("history", "", "Bot: Bob Brown joined the conversation."), line("history", "", "Agent Bob Brown: Alice knows more."),
		line("history", "", "Bot: Bob Brownが会話を終了しました。"), line("history", "", "Kunde: ?"))
	d.send(deskBoard("available", "", 1), conv)
	browsertest.WaitJS(t, ctx, "tab", `document.querySelectorAll('.tab').length === 1 && document.querySelector('.tab').getAttribute('aria-selected') === 'true'`)
	lines := []string{"user " + ann + ": I need a human", "bot Bot: Connecting you to an agent.",
		"notice: Bob Brown joined the conversation.", "agent Bob Brown: Alice knows more.", "notice: Bob Brownが会話を終了しました。", "history Kunde: ?"}
	browsertest.WaitList(t, ctx, "transcript", browsertest.DeskTranscriptJS, lines)
	browsertest.WaitList(t, ctx, "customer card", deskKVJS("customer"), []string{"Name=" + ann, "Company=Acme", "E-mail=ann@example.com", "Identified by=directory"})
	browsertest.Screenshot(t, ctx, "desk-notices.png")
	// A map the bot collected (user.*) shows key by key, a list as text.
	browsertest.WaitList(t, ctx, "context", deskKVJS("context"), []string{"count=3", "order=A-17", "tags=urgent, invoice",
		"user.sf_email=ann@example.com", "user.sf_name=" + ann})
	if n := browsertest.EvalJS[int](t, ctx, `document.querySelectorAll('img').length + (window.__xss ? 100 : 0)`); n != 0 {
		t.Errorf("server text parsed as HTML (img elements + xss flag = %d); want text", n)
	}
	lines = deskReply(t, ctx, d, ann, lines)
	lines = deskLongConversation(t, ctx, d, ann, lines)

	// A second conversation waits in a background tab with an unread count.
	conv2 := deskConversation("c2", "Ben", line("history", "", "Nutzer: Hallo"))
	d.setOnOpen(deskHello(), deskBoard("available", "", 1), conv2)
	d.send(deskBoard("busy", "", 2), conv2, map[string]any{"type": "user_message", "conversation": "c2", "text": "Anyone?"})
	browsertest.WaitJS(t, ctx, "busy", `document.querySelector('#me-state').textContent === 'Busy' && document.querySelector('#state-select').value === 'busy'`)
	browsertest.WaitJS(t, ctx, "unread", `document.querySelectorAll('.tab')[1].querySelector('.tab-unread').textContent === '2' && document.title === '(2) Agent desk · dialogd'`)
	browsertest.Screenshot(t, ctx, "desk-conversation.png")

	// End the first conversation; the server confirms.
	browsertest.Do(t, ctx, "end", chromedp.Click(chromedp.CSS(".conv:not([hidden]) .end")))
	if f := recv(t, "end", d.received); f.Type != "end" || f.Conversation != "c1" {
		t.Errorf("end frame = %+v; want end of c1", f)
	}
	d.send(map[string]any{"type": "ended", "conversation": "c1", "by": "agent"}, deskBoard("available", "", 1))
	lines = append(lines, "system: You ended the conversation; the bot takes it back.")
	browsertest.WaitList(t, ctx, "ended", browsertest.DeskTranscriptJS, lines)
	browsertest.WaitJS(t, ctx, "composer off", `document.querySelector('.conv:not([hidden]) .composer').hidden && !document.querySelector('.conv:not([hidden]) .close-tab').hidden`)
	browsertest.Do(t, ctx, "close tab", chromedp.Click(chromedp.CSS(".conv:not([hidden]) .close-tab")))
	browsertest.WaitList(t, ctx, "second tab", browsertest.DeskTranscriptJS, []string{"user Ben: Hallo", "user Ben: Anyone?"})
}

// deskReply: the agent replies to the shown conversation, with at most
// one typing frame per 2 s, then the message; its echo is not shown
// twice; the customer types and answers. It returns the lines shown.
func deskReply(t *testing.T, ctx context.Context, d *deskSim, customer string, lines []string) []string {
	t.Helper()
	reply := "Hello Ann, let me look at your order."
	browsertest.Do(t, ctx, "type reply", chromedp.SendKeys(chromedp.CSS(".conv:not([hidden]) .composer-input"), reply+"\r"))
	typing, msg := 0, deskClientFrame{}
	for msg.Type == "" {
		switch f := recv(t, "reply", d.received); f.Type {
		case "typing":
			typing++
			if f.Conversation != "c1" {
				t.Errorf("typing frame for %q; want c1", f.Conversation)
			}
		default:
			msg = f
		}
	}
	if msg.Type != "message" || msg.Conversation != "c1" || msg.Text != reply || len(msg.ID) != 32 {
		t.Errorf("reply frame = %+v; want message to c1 with the text and a 32-digit id", msg)
	}
	// 38 keystrokes take well under 4 s; without the throttle each sends one.
	if typing < 1 || typing > 2 {
		t.Errorf("%d typing frames for one typed reply; want 1 or 2 (one per 2 s)", typing)
	}
	lines = append(lines, "agent Alice Adams: "+reply)
	browsertest.WaitList(t, ctx, "reply shown", browsertest.DeskTranscriptJS, lines)
	// The desk echoes the message to every page of the agent, without
	// the id; then the customer types and answers.
	d.send(map[string]any{"type": "agent_message", "conversation": "c1", "seq": 3, "text": reply, "agent": "Alice Adams"},
		map[string]any{"type": "user_typing", "conversation": "c1"})
	typingJS, _ := json.Marshal(customer + " is typing…")
	browsertest.WaitJS(t, ctx, "user typing", `(() => { const n = document.querySelector('.conv:not([hidden]) .user-typing');
		return !n.hidden && n.textContent === `+string(typingJS)+`; })()`)
	d.send(map[string]any{"type": "user_message", "conversation": "c1", "seq": 4, "text": "Thanks!", "at": time.Now().UTC().Format(time.RFC3339)})
	lines = append(lines, "user "+customer+": Thanks!")
	browsertest.WaitList(t, ctx, "user answer, echo dropped", browsertest.DeskTranscriptJS, lines)
	browsertest.WaitJS(t, ctx, "user typing gone", `document.querySelector('.conv:not([hidden]) .user-typing').hidden`)
	return lines
}

// deskLongConversation: a reply and an answer of several lines keep their
// line breaks (Shift+Enter breaks a line in the chat box), and a long
// transcript scrolls in its pane while the page stays put, the chat box in
// view. It returns the lines shown.
func deskLongConversation(t *testing.T, ctx context.Context, d *deskSim, customer string, lines []string) []string {
	t.Helper()
	reply := "Two things:\n1. your order\n2. your invoice"
	browsertest.Do(t, ctx, "multi-line reply",
		chromedp.SendKeys(chromedp.CSS(".conv:not([hidden]) .composer-input"), "Two things:"),
		chromedp.KeyEvent("\r", chromedp.KeyModifiers(chromedp.ModifierShift)),
		chromedp.SendKeys(chromedp.CSS(".conv:not([hidden]) .composer-input"), "1. your order"),
		chromedp.KeyEvent("\r", chromedp.KeyModifiers(chromedp.ModifierShift)),
		chromedp.SendKeys(chromedp.CSS(".conv:not([hidden]) .composer-input"), "2. your invoice\r"))
	msg := recv(t, "multi-line reply", d.received)
	for msg.Type == "typing" {
		msg = recv(t, "multi-line reply", d.received)
	}
	if msg.Type != "message" || msg.Text != reply {
		t.Errorf("reply frame = %+v; want message %q", msg, reply)
	}
	answer := "Order A-17\nInvoice B-2"
	d.send(map[string]any{"type": "user_message", "conversation": "c1", "text": answer})
	browsertest.WaitJS(t, ctx, "multi-line answer", `document.querySelectorAll('.conv:not([hidden]) .transcript > .line').length === `+fmt.Sprint(len(lines)+2))
	browsertest.Screenshot(t, ctx, "desk-multi-line.png")
	for i := 0; i < 40; i++ {
		d.send(map[string]any{"type": "user_message", "conversation": "c1", "text": fmt.Sprintf("line %d", i)})
	}
	lines = append(lines, "agent Alice Adams: "+reply, "user "+customer+": "+answer)
	browsertest.WaitJS(t, ctx, "long transcript", `document.querySelectorAll('.conv:not([hidden]) .transcript > .line').length === `+fmt.Sprint(len(lines)+40))
	// innerText is the text as laid out: line breaks shown stay in it.
	shown := browsertest.EvalJS[[]string](t, ctx, `Array.from(document.querySelectorAll('.conv:not([hidden]) .transcript .line-text')).map(p => p.innerText).slice(`+fmt.Sprint(len(lines)-2)+`, `+fmt.Sprint(len(lines))+`)`)
	if want := []string{reply, answer}; !slices.Equal(shown, want) {
		t.Errorf("multi-line texts shown as %q; want %q", shown, want)
	}
	layout := browsertest.EvalJS[map[string]float64](t, ctx, `(() => {
		const log = document.querySelector('.conv:not([hidden]) .transcript');
		const box = document.querySelector('.conv:not([hidden]) .composer-input').getBoundingClientRect();
		return {page: document.scrollingElement.scrollHeight, window: window.innerHeight,
			log: log.scrollHeight, logShown: log.clientHeight, logTop: log.scrollTop, composerBottom: box.bottom};
	})()`)
	if layout["page"] > layout["window"] {
		t.Errorf("the page is %v px high in a %v px window; want only the transcript to scroll", layout["page"], layout["window"])
	}
	if layout["log"] <= layout["logShown"] || layout["logTop"] == 0 {
		t.Errorf("transcript %v px in a %v px pane scrolled to %v; want it scrolling, at its end", layout["log"], layout["logShown"], layout["logTop"])
	}
	if layout["composerBottom"] > layout["window"] {
		t.Errorf("the chat box ends at %v px in a %v px window; want it in view", layout["composerBottom"], layout["window"])
	}
	browsertest.Screenshot(t, ctx, "desk-long-conversation.png")
	for i := 0; i < 40; i++ {
		lines = append(lines, fmt.Sprintf("user %s: line %d", customer, i))
	}
	return lines
}

// deskReconnects: a third conversation comes; the socket drops and the
// third ends meanwhile. The page reconnects: the held conversation's frame
// rebuilds it without duplicated lines, and the third tab says it ended.
// Then the server forgets the session: the page asks to sign in again;
// and the agent signs out.
func deskReconnects(t *testing.T, ctx context.Context, d *deskSim) {
	t.Helper()
	d.send(deskBoard("available", "", 2), deskConversation("c3", "Cleo", line("user", "Cleo", "Hi")))
	browsertest.WaitJS(t, ctx, "third tab", `document.querySelectorAll('.tab').length === 2`)
	d.setOnOpen(deskHello(), deskBoard("available", "", 1), deskConversation("c2", "Ben", line("history", "", "Nutzer: Hallo")))
	d.drop(false)
	recv(t, "reconnect", d.connects)
	browsertest.WaitJS(t, ctx, "reconnected", `document.querySelector('#conn-status').dataset.conn === 'connected'`)
	browsertest.WaitList(t, ctx, "rebuilt", browsertest.DeskTranscriptJS, []string{"user Ben: Hallo"})
	browsertest.WaitJS(t, ctx, "third ended", `document.querySelectorAll('.tab')[1].classList.contains('tab-ended')`)
	browsertest.Do(t, ctx, "show third", chromedp.Click(chromedp.CSS(".tab:nth-child(2)")))
	browsertest.WaitList(t, ctx, "third", browsertest.DeskTranscriptJS, []string{"user Cleo: Hi", "system: This conversation ended while you were offline."})
	browsertest.Screenshot(t, ctx, "desk-ended.png")
	if n := browsertest.EvalJS[int](t, ctx, `document.querySelectorAll('.tab').length`); n != 2 {
		t.Errorf("%d tabs after the reconnect; want 2", n)
	}

	d.drop(true)
	recv(t, "refused", d.refused)
	browsertest.WaitJS(t, ctx, "sign in again", `!document.querySelector('#login-view').hidden && document.querySelector('#login-error').textContent === 'Please sign in.' && document.querySelector('#login-agent').value === 'alice'`)
	// The id filled in is selected when the agent clicks or tabs into it:
	// typing replaces it rather than adding to it.
	browsertest.Do(t, ctx, "retype the agent id", chromedp.Click(chromedp.CSS("#login-agent")), chromedp.SendKeys(chromedp.CSS("#login-agent"), "bob"))
	if got := browsertest.EvalJS[string](t, ctx, `document.querySelector('#login-agent').value`); got != "bob" {
		t.Errorf("agent id after typing bob into the filled-in field = %q; want %q", got, "bob")
	}
	browsertest.Do(t, ctx, "back to alice", chromedp.Focus(chromedp.CSS("#login-password")), chromedp.SendKeys(chromedp.CSS("#login-agent"), "alice"))
	if got := browsertest.EvalJS[string](t, ctx, `document.querySelector('#login-agent').value`); got != "alice" {
		t.Errorf("agent id after tabbing back and typing alice = %q; want %q", got, "alice")
	}
	browsertest.Do(t, ctx, "sign in again", chromedp.SendKeys(chromedp.CSS("#login-password"), "s3cret\r"))
	recv(t, "login again", d.logins)
	recv(t, "connect again", d.connects)
	browsertest.WaitJS(t, ctx, "desk again", `document.querySelector('#conn-status').dataset.conn === 'connected'`)
	// A desk opened from a stored sign-in reads the bot's title again.
	browsertest.Do(t, ctx, "forget the title", browsertest.Script(`(() => { const k = 'dialogd-desk:v1';
		const v = JSON.parse(localStorage.getItem(k)); v.botTitle = ''; localStorage.setItem(k, JSON.stringify(v)); })()`), chromedp.Reload())
	recv(t, "connect after reload", d.connects)
	browsertest.WaitJS(t, ctx, "title after reload", `document.querySelector('#desk-bot').textContent === 'Help desk'`)
	browsertest.Do(t, ctx, "sign out", chromedp.Click(chromedp.CSS("#logout")))
	recv(t, "logout", d.logouts)
	browsertest.WaitJS(t, ctx, "signed out", `!document.querySelector('#login-view').hidden && document.querySelector('#desk-view').hidden`)
	browsertest.Do(t, ctx, "reload", chromedp.Reload())
	browsertest.WaitJS(t, ctx, "login after reload", `!document.querySelector('#login-view').hidden`)
}

// deskSignIn loads the page, fails to sign in with a wrong password, then
// signs in and sees the hello and board frames rendered.
func deskSignIn(t *testing.T, ctx context.Context, d *deskSim, base string) {
	t.Helper()
	browsertest.Do(t, ctx, "load desk", chromedp.Navigate(base+"/desk/"))
	browsertest.WaitJS(t, ctx, "bots", `document.querySelector('#login-bot').options.length === 1 && document.querySelector('#login-bot').options[0].textContent === 'Help desk'`)
	browsertest.Do(t, ctx, "wrong password",
		chromedp.SendKeys(chromedp.CSS("#login-agent"), "alice"),
		chromedp.SendKeys(chromedp.CSS("#login-password"), "nope\r"))
	if got := recv(t, "wrong password", d.logins); got["bot"] != "helpdesk" || got["agent"] != "alice" || got["password"] != "nope" {
		t.Errorf("login body = %v; want bot helpdesk, agent alice, the typed password", got)
	}
	browsertest.WaitJS(t, ctx, "refused", `document.querySelector('#login-error').textContent === 'Wrong agent id or password.'`)
	browsertest.Screenshot(t, ctx, "desk-login.png")
	browsertest.Do(t, ctx, "right password", browsertest.Script(`document.querySelector('#login-password').value = ''; 0`),
		chromedp.SendKeys(chromedp.CSS("#login-password"), "s3cret\r"))
	recv(t, "login", d.logins)
	recv(t, "connect", d.connects)
	browsertest.WaitJS(t, ctx, "connected", `document.querySelector('#conn-status').dataset.conn === 'connected' && document.querySelector('#desk-view').hidden === false`)
	if got := browsertest.EvalJS[string](t, ctx, `document.querySelector('#desk-bot').textContent + '/' + document.querySelector('#me-name').textContent`); got != "Help desk/Alice Adams" {
		t.Errorf("header bot/agent = %q; want %q", got, "Help desk/Alice Adams")
	}
	browsertest.WaitList(t, ctx, "team", `Array.from(document.querySelectorAll('#team .agent')).map(a => a.textContent)`,
		[]string{"Alice Adams (you)Offline3 min0 / 2", "Bob BrownUnavailable · Meeting0 / 1"})
	options := browsertest.EvalJS[[]string](t, ctx, `Array.from(document.querySelectorAll('#state-select option:not([hidden])')).map(o => o.value + '=' + o.textContent)`)
	want := []string{"available=Available", "unavailable:break=Unavailable · Break", "unavailable:meeting=Unavailable · Meeting", "offline=Offline"}
	if !slices.Equal(options, want) {
		t.Errorf("state options = %q; want %q", options, want)
	}
	if pw := browsertest.EvalJS[string](t, ctx, `document.querySelector('#login-password').value`); pw != "" {
		t.Errorf("password field after sign-in = %q; want it cleared", pw)
	}
}

// deskStates changes the agent's state twice through the selector; the
// badge follows the board frames, not the click.
func deskStates(t *testing.T, ctx context.Context, d *deskSim) {
	t.Helper()
	// Unavailable without a reason (the desk's state after sign-in) shows
	// as such, not as the first reason.
	d.send(deskBoard("unavailable", "", 0))
	browsertest.WaitJS(t, ctx, "bare unavailable", `document.querySelector('#me-state').textContent === 'Unavailable' &&
		document.querySelector('#state-select').value === 'unavailable:' && !document.querySelector('#state-select option[value="unavailable:"]').hidden`)
	browsertest.Do(t, ctx, "go on break", browsertest.DeskChooseState("unavailable:break"))
	if f := recv(t, "break", d.received); f.Type != "state" || f.State != "unavailable" || f.Reason != "break" {
		t.Errorf("state frame = %+v; want unavailable/break", f)
	}
	waiting := map[string]any{"id": "w1", "since": time.Now().Add(-2 * time.Minute).UTC().Format(time.RFC3339),
		"customer": "Carla", "lang": "de", "reason": "requested", "position": 1}
	d.send(deskBoard("unavailable", "break", 0, waiting))
	browsertest.WaitJS(t, ctx, "on break", `document.querySelector('#me-state').textContent === 'Unavailable · Break'`)
	browsertest.WaitList(t, ctx, "queue", `Array.from(document.querySelectorAll('#queues .queue-title, #queues .waiter')).map(w => w.textContent)`,
		[]string{"Support1", "CarlaDE · waiting 2 min · requested"})
	browsertest.Do(t, ctx, "go available", browsertest.DeskChooseState("available"))
	if f := recv(t, "available", d.received); f.Type != "state" || f.State != "available" || f.Reason != "" {
		t.Errorf("state frame = %+v; want available", f)
	}
	d.send(deskBoard("available", "", 0))
	browsertest.WaitJS(t, ctx, "available", `document.querySelector('#me-state').textContent === 'Available' && document.querySelector('#me-load').textContent === '0 / 2'`)
}

// deskLinkAndErrors links a Salesforce user and shows an error frame.
func deskLinkAndErrors(t *testing.T, ctx context.Context, d *deskSim) {
	t.Helper()
	browsertest.Do(t, ctx, "link", chromedp.SendKeys(chromedp.CSS("#link-user"), "alice@acme.example\r"))
	if f := recv(t, "link", d.received); f.Type != "link" || f.SalesforceUsername != "alice@acme.example" {
		t.Errorf("link frame = %+v; want the typed username", f)
	}
	d.send(map[string]any{"type": "linked", "salesforce_user": "alice@acme.example"})
	browsertest.WaitJS(t, ctx, "linked", `document.querySelector('#sf-linked').textContent === 'alice@acme.example' && document.querySelector('#link-user').value === ''`)
	// The desk may confirm a link with a new hello instead.
	browsertest.Do(t, ctx, "link again", chromedp.SendKeys(chromedp.CSS("#link-user"), "adams@acme.example\r"))
	recv(t, "link again", d.received)
	d.send(deskHelloLinked("005000000000001AAA"))
	browsertest.WaitJS(t, ctx, "linked by hello", `document.querySelector('#sf-linked').textContent === '005000000000001AAA' && document.querySelector('#link-user').value === ''`)
	// With the user name the desk knows, the page shows it; the id stays
	// in the tooltip.
	named := deskHelloLinked("005000000000001AAA")
	named["agent"].(map[string]any)["salesforce_username"] = "adams@acme.example"
	d.send(named)
	browsertest.WaitJS(t, ctx, "linked by name", `document.querySelector('#sf-linked').textContent === 'adams@acme.example' && document.querySelector('#sf-linked').title === 'User id 005000000000001AAA'`)
	d.send(map[string]any{"type": "linked", "salesforce_user": "005000000000002AAA", "salesforce_username": "alice@acme.example"})
	browsertest.WaitJS(t, ctx, "linked frame by name", `document.querySelector('#sf-linked').textContent === 'alice@acme.example'`)
	d.send(map[string]any{"type": "error", "code": "unknown_user", "message": "No active Salesforce user is called bob@acme.example."})
	browsertest.WaitJS(t, ctx, "error", `!document.querySelector('#error-bar').hidden && document.querySelector('#error-text').textContent === 'No active Salesforce user is called bob@acme.example.'`)
	browsertest.Do(t, ctx, "dismiss", chromedp.Click(chromedp.CSS("#error-close")))
	browsertest.WaitJS(t, ctx, "dismissed", `document.querySelector('#error-bar').hidden`)
}
