package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/cookiejar"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// deskTestPassword is the password of every agent of testdata/deskbot.
const deskTestPassword = "desk-test-password-1"

// agentPage is an agent's desk page, spoken to over its real WebSocket.
type agentPage struct {
	t      testing.TB
	ws     *websocket.Conn
	frames chan map[string]any
	hello  map[string]any // the hello frame the page got when it connected
}

// signInAgent signs agent in on the botd at addr and opens the desk's socket.
func signInAgent(t testing.TB, addr, bot, agent string) *agentPage {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	hc := &http.Client{Jar: jar, Timeout: 10 * time.Second}
	body, _ := json.Marshal(map[string]string{"bot": bot, "agent": agent, "password": deskTestPassword})
	resp, err := hc.Post("http://"+addr+"/desk/api/login", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("sign in %s: status %d", agent, resp.StatusCode)
	}
	hdr := http.Header{"Origin": {"http://" + addr}}
	for _, c := range jar.Cookies(resp.Request.URL) {
		hdr.Add("Cookie", c.Name+"="+c.Value)
	}
	ws, _, err := websocket.DefaultDialer.Dial("ws://"+addr+"/desk/ws", hdr)
	if err != nil {
		t.Fatalf("desk socket of %s: %v", agent, err)
	}
	p := &agentPage{t: t, ws: ws, frames: make(chan map[string]any, 4096)}
	go func() {
		defer close(p.frames)
		for {
			_, data, err := ws.ReadMessage()
			if err != nil {
				return
			}
			var f map[string]any
			if json.Unmarshal(data, &f) == nil {
				p.frames <- f
			}
		}
	}()
	t.Cleanup(func() { ws.Close() })
	p.hello = p.expect("hello", nil)
	return p
}

func (p *agentPage) send(f map[string]any) {
	p.t.Helper()
	data, _ := json.Marshal(f)
	if err := p.ws.WriteMessage(websocket.TextMessage, data); err != nil {
		p.t.Fatal(err)
	}
}

// expect reads frames until one of type typ that match accepts (nil: any)
// and returns it; other frames are skipped.
func (p *agentPage) expect(typ string, match func(map[string]any) bool) map[string]any {
	p.t.Helper()
	deadline := time.After(15 * time.Second)
	for {
		select {
		case f, ok := <-p.frames:
			if !ok {
				p.t.Fatalf("desk socket closed while waiting for %s", typ)
			}
			if f["type"] == "error" && typ != "error" {
				p.t.Fatalf("desk error while waiting for %s: %v", typ, f)
			}
			if f["type"] == typ && (match == nil || match(f)) {
				return f
			}
		case <-deadline:
			p.t.Fatalf("no %s frame on the desk", typ)
		}
	}
}

// setState sets the agent's state and waits for the board to show it.
func (p *agentPage) setState(agent, state, reason string) {
	p.t.Helper()
	p.send(map[string]any{"type": "state", "state": state, "reason": reason})
	p.expect("board", func(f map[string]any) bool { return agentState(f, agent) == state })
}

// agentState is agent's state in a board frame.
func agentState(board map[string]any, agent string) string {
	agents, _ := board["agents"].([]any)
	for _, a := range agents {
		m, _ := a.(map[string]any)
		if m["id"] == agent {
			s, _ := m["state"].(string)
			return s
		}
	}
	return ""
}

// conversationID is the id of a conversation frame.
func conversationID(f map[string]any) string {
	c, _ := f["conversation"].(map[string]any)
	id, _ := c["id"].(string)
	return id
}

// transcriptText joins a conversation frame's transcript lines.
func transcriptText(f map[string]any) string {
	c, _ := f["conversation"].(map[string]any)
	lines, _ := c["transcript"].([]any)
	var b strings.Builder
	for _, l := range lines {
		m, _ := l.(map[string]any)
		b.WriteString(m["who"].(string) + ": " + m["text"].(string) + "\n")
	}
	return b.String()
}

func fmtJSON(v any) string {
	data, _ := json.Marshal(v)
	return string(data)
}
