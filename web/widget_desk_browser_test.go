package web

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/botforge/dialogd/web/browsertest"
)

// TestWidgetAgentFrames drives the widget through a handoff to a human
// agent, as the desk delivers it: the place in the queue (updated in
// place), the agent joining, their typing indicator with their name,
// their messages (named and coloured apart from the bot's), a reload, and
// the agent leaving.
func TestWidgetAgentFrames(t *testing.T) {
	ctx := browsertest.New(t, 60*time.Second)
	bot := newScriptedBot(t)
	mux := http.NewServeMux()
	mux.Handle("/ws", bot)
	mux.Handle("/", Handler())
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	t.Cleanup(func() { bot.kill("", nil) })
	bot.origin = srv.URL

	browsertest.Do(t, ctx, "load demo page", chromedp.Navigate(srv.URL+"/"))
	browsertest.WaitJS(t, ctx, "connect", `document.querySelector('.dlgd-root').dataset.state === 'connected'`)
	recv(t, "connect", bot.connects)
	sid := storedState(t, ctx, "sid")
	browsertest.Do(t, ctx, "type hello", chromedp.SendKeys(chromedp.CSS(".dlgd-input"), "hello\n"))
	recv(t, "hello", bot.received)
	want := []string{"user: hello", "bot: Hi! What can I do? [Create a lead]"}
	browsertest.WaitTranscript(t, ctx, "reply", want)

	// Queued twice: the second place replaces the first notice; without a
	// text the widget says the place and the wait itself.
	bot.push(sid, map[string]any{"type": "handoff", "text": "Let me find someone for you."})
	bot.push(sid, map[string]any{"type": "queued", "position": 2, "wait_seconds": 90})
	want = append(want, "notice: Let me find someone for you.", "notice: You are number 2 in the queue. Expected wait: about 2 minutes.")
	browsertest.WaitTranscript(t, ctx, "queued", want)
	bot.push(sid, map[string]any{"type": "queued", "position": 1, "wait_seconds": 20, "text": "You are next."})
	want[len(want)-1] = "notice: You are next."
	browsertest.WaitTranscript(t, ctx, "queue moved", want)
	browsertest.WaitJS(t, ctx, "header says waiting", `document.querySelector('.dlgd-status').textContent === 'Waiting for an agent…'`)

	bot.push(sid, map[string]any{"type": "agent_joined", "agent": "Alice Adams", "text": "Alice Adams joined the conversation."})
	want = append(want, "notice: Alice Adams joined the conversation.")
	browsertest.WaitTranscript(t, ctx, "joined", want)
	browsertest.WaitJS(t, ctx, "header names the agent", `document.querySelector('.dlgd-status').textContent === 'Alice Adams (agent)'`)

	// Typing with the agent's name, cleared by the agent's message.
	agentTyping(bot)
	browsertest.WaitJS(t, ctx, "agent typing", `!document.querySelector('.dlgd-typing').hidden &&
		document.querySelector('.dlgd-typing-who').textContent === 'Alice Adams is typing' &&
		document.querySelector('.dlgd-typing').getAttribute('aria-label') === 'Alice Adams is typing'`)
	browsertest.Screenshot(t, ctx, "widget-agent-typing.png")
	// A message frame with nothing to show (it ends the turn of an input
	// relayed to the agent) adds no empty bubble.
	bot.push(sid, map[string]any{"type": "message", "input": "accepting"})
	bot.push(sid, map[string]any{"type": "agent_message", "agent": "Alice Adams", "text": "<b>Hi</b>, I'm Alice. How can I help?"})
	want = append(want, "agent Alice Adams: <b>Hi</b>, I'm Alice. How can I help?")
	browsertest.WaitTranscript(t, ctx, "agent message", want)
	browsertest.WaitJS(t, ctx, "typing cleared", `document.querySelector('.dlgd-typing').hidden`)
	colours := browsertest.EvalJS[[]string](t, ctx, `['.dlgd-msg-bot .dlgd-bubble', '.dlgd-msg-agent .dlgd-bubble'].map(s => getComputedStyle(document.querySelector(s)).backgroundColor)`)
	if colours[0] == colours[1] {
		t.Errorf("agent and bot bubbles are both %s; want the agent's told apart", colours[0])
	}
	if n := browsertest.EvalJS[int](t, ctx, `document.querySelectorAll('.dlgd-log b').length`); n != 0 {
		t.Errorf("agent text parsed as HTML (%d b elements); want text", n)
	}

	// An agent who stops typing: the indicator goes by itself.
	agentTyping(bot)
	browsertest.WaitJS(t, ctx, "agent typing again", `!document.querySelector('.dlgd-typing').hidden`)
	browsertest.WaitJS(t, ctx, "typing times out", `document.querySelector('.dlgd-typing').hidden`)

	// A reload keeps the agent's lines and name.
	browsertest.Do(t, ctx, "reload", chromedp.Reload())
	browsertest.WaitJS(t, ctx, "reconnect", `document.querySelector('.dlgd-root').dataset.state === 'connected'`)
	browsertest.WaitTranscript(t, ctx, "after reload", want)
	browsertest.WaitJS(t, ctx, "agent after reload", `document.querySelector('.dlgd-status').textContent === 'Alice Adams (agent)'`)
	browsertest.Screenshot(t, ctx, "widget-agent.png")

	bot.push(sid, map[string]any{"type": "agent_left", "agent": "Alice Adams"})
	want = append(want, "notice: Alice Adams left the conversation.")
	browsertest.WaitTranscript(t, ctx, "left", want)
	browsertest.WaitJS(t, ctx, "header back to the bot", `document.querySelector('.dlgd-status').textContent === 'Online'`)
	widgetAgentLanguages(t, ctx, bot, sid, want)
}

// widgetAgentLanguages hands the conversation over in German and in
// Japanese: a handoff frame without a text adds nothing (the bot's
// message before it said so), and the header's own labels follow the
// language of the server's texts.
func widgetAgentLanguages(t *testing.T, ctx context.Context, bot *scriptedBot, sid string, want []string) {
	t.Helper()
	cases := []struct{ lang, said, queued, waiting, joined, header, left string }{
		{"de", "Ich verbinde Sie mit einem Kollegen.", "Sie sind Nummer 1 in der Warteschlange.", "Warten auf einen Mitarbeiter…",
			"Alice Adams ist dem Gespräch beigetreten.", "Alice Adams (Mitarbeiter)", "Alice Adams hat das Gespräch verlassen."},
		{"ja", "担当者におつなぎします。", "現在 1 番目にお待ちいただいています。", "担当者を待っています…",
			"Alice Adamsが会話に参加しました。", "Alice Adams（担当者）", "Alice Adamsが会話を終了しました。"},
	}
	for _, c := range cases {
		bot.push(sid, map[string]any{"type": "message", "text": c.said})
		bot.push(sid, map[string]any{"type": "handoff"})
		bot.push(sid, map[string]any{"type": "queued", "position": 1, "text": c.queued})
		want = append(want, "bot: "+c.said, "notice: "+c.queued)
		browsertest.WaitTranscript(t, ctx, c.lang+" queued, handoff without text", want)
		waitStatus(t, ctx, c.lang+" waiting", c.waiting)
		bot.push(sid, map[string]any{"type": "agent_joined", "agent": "Alice Adams", "text": c.joined})
		want = append(want, "notice: "+c.joined)
		browsertest.WaitTranscript(t, ctx, c.lang+" joined", want)
		waitStatus(t, ctx, c.lang+" agent", c.header)
		browsertest.Screenshot(t, ctx, "widget-agent-"+c.lang+".png")
		bot.push(sid, map[string]any{"type": "agent_left", "agent": "Alice Adams", "text": c.left})
		want = append(want, "notice: "+c.left)
		browsertest.WaitTranscript(t, ctx, c.lang+" left", want)
	}
}

// waitStatus waits until the widget's header says want.
func waitStatus(t *testing.T, ctx context.Context, step, want string) {
	t.Helper()
	js, _ := json.Marshal(want)
	browsertest.WaitJS(t, ctx, step, `document.querySelector('.dlgd-status').textContent === `+string(js))
}

// agentTyping sends the unnumbered agent_typing frame the desk publishes.
func agentTyping(bot *scriptedBot) {
	bot.mu.Lock()
	defer bot.mu.Unlock()
	if bot.conn != nil {
		bot.write(bot.conn, map[string]any{"type": "agent_typing", "agent": "Alice Adams"})
	}
}
