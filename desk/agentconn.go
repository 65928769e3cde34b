package desk

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/gorilla/websocket"
)

// Limits of a desk page's connection.
const (
	writeWait      = 10 * time.Second
	pongWait       = 60 * time.Second
	pingEvery      = pongWait * 9 / 10
	maxFrameBytes  = 16 << 10
	maxMessageText = 4000
	sendQueue      = 256
)

// agentConn is one desk page of a signed-in agent: one reader goroutine,
// one writer goroutine fed by a bounded queue (a page that cannot keep up
// is closed and reconnects), as in gorilla's chat example.
type agentConn struct {
	d     *Desk
	agent string
	lang  string
	ws    *websocket.Conn
	out   chan []byte
	done  chan struct{}

	lmu   sync.Mutex
	lanes map[string]chan func() // per conversation: its frames in order
}

// serve runs the connection until it closes.
func (d *Desk) serve(ctx context.Context, ws *websocket.Conn, agent, lang string) {
	c := &agentConn{d: d, agent: agent, lang: lang, ws: ws, out: make(chan []byte, sendQueue), done: make(chan struct{}),
		lanes: map[string]chan func(){}}
	d.hub.add(c)
	defer d.hub.remove(c)
	d.hub.markSeen(ctx, agent)
	go c.writeLoop()
	c.sendHello(ctx)
	if b, err := d.store.Load(ctx); err == nil {
		b.fill(d.cfg)
		c.writeFrame(d.boardFrame(b))
		for _, conv := range b.held(agent) {
			c.sendConversation(ctx, conv.ID)
		}
	}
	c.readLoop(ctx)
	close(c.done)
}

func (c *agentConn) readLoop(ctx context.Context) {
	c.ws.SetReadLimit(maxFrameBytes)
	_ = c.ws.SetReadDeadline(time.Now().Add(pongWait))
	c.ws.SetPongHandler(func(string) error { return c.ws.SetReadDeadline(time.Now().Add(pongWait)) })
	for {
		_, data, err := c.ws.ReadMessage()
		if err != nil {
			return
		}
		c.handle(ctx, data)
	}
}

// write queues a frame; a page whose queue is full is closed.
func (c *agentConn) write(data []byte) {
	select {
	case c.out <- data:
	case <-c.done:
	default:
		c.d.log.Warn("desk: page too slow, closing it", "bot", c.d.bot, "agent", c.agent)
		_ = c.ws.Close()
	}
}

func (c *agentConn) writeFrame(f any) {
	if data, err := json.Marshal(f); err == nil {
		c.write(data)
	}
}

func (c *agentConn) writeLoop() {
	ping := time.NewTicker(pingEvery)
	defer ping.Stop()
	for {
		select {
		case <-c.done:
			return
		case data := <-c.out:
			_ = c.ws.SetWriteDeadline(time.Now().Add(writeWait))
			if c.ws.WriteMessage(websocket.TextMessage, data) != nil {
				_ = c.ws.Close()
				return
			}
		case <-ping.C:
			_ = c.ws.SetWriteDeadline(time.Now().Add(writeWait))
			if c.ws.WriteMessage(websocket.PingMessage, nil) != nil {
				_ = c.ws.Close()
				return
			}
		}
	}
}

func (c *agentConn) sendHello(ctx context.Context) {
	if a := c.d.cfg.agent(c.agent); a != nil {
		c.writeFrame(c.d.helloFrame(ctx, a, c.lang))
	}
}

func (c *agentConn) sendConversation(ctx context.Context, id string) {
	b, err := c.d.store.Load(ctx)
	if err != nil {
		return
	}
	conv := b.Convs[id]
	if conv == nil || conv.Agent != c.agent {
		return
	}
	f, err := c.d.conversationFrame(ctx, conv)
	if err == nil {
		c.writeFrame(f)
	}
}

// pageFrame is what a desk page sends.
type pageFrame struct {
	Type         string `json:"type"`
	State        State  `json:"state"`
	Reason       string `json:"reason"`
	Conversation string `json:"conversation"`
	ID           string `json:"id"`
	Text         string `json:"text"`
	Username     string `json:"salesforce_username"`
}

// handle carries out one frame of the page; problems go back as error
// frames and the connection stays open.
func (c *agentConn) handle(ctx context.Context, data []byte) {
	var f pageFrame
	if err := json.Unmarshal(data, &f); err != nil {
		c.fail("bad_frame", "the frame is not a JSON object of the desk protocol")
		return
	}
	switch f.Type {
	case "state", "link":
		c.run(ctx, f)
	case "message", "typing", "end":
		// A conversation's frames run in order, and apart from the
		// other conversations': an agent with ten conversations does
		// not answer one only after the nine others' turns. Only the
		// agent's own conversations get a lane.
		if _, err := c.d.heldBy(ctx, c.agent, f.Conversation); err != nil {
			c.fail(errorCode(err), err.Error())
			return
		}
		c.inLane(f.Conversation, func() { c.run(ctx, f) })
	default:
		c.fail("bad_frame", "unknown frame type "+quote(f.Type))
	}
}

// run carries out one frame.
func (c *agentConn) run(ctx context.Context, f pageFrame) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	var err error
	switch f.Type {
	case "state":
		_, err = c.d.SetState(ctx, c.agent, f.State, f.Reason, OriginAgent)
	case "message":
		text := strings.TrimSpace(f.Text)
		switch {
		case text == "":
			c.fail("empty", "the message is empty")
			return
		case len(text) > maxMessageText || !utf8.ValidString(text):
			c.fail("too_long", "the message is too long (at most 4000 bytes of UTF-8)")
			return
		}
		err = c.d.AgentSay(ctx, c.agent, f.Conversation, f.ID, text)
	case "typing":
		err = c.d.AgentTyping(ctx, c.agent, f.Conversation)
	case "end":
		err = c.d.End(ctx, c.agent, f.Conversation)
	case "link":
		err = c.d.linkByUsername(ctx, c.agent, strings.TrimSpace(f.Username))
	}
	if err != nil {
		c.fail(errorCode(err), err.Error())
	}
}

// laneQueue bounds the frames one conversation may have waiting, and
// laneIdle is how long an idle lane's goroutine stays.
const (
	laneQueue = 64
	laneIdle  = 30 * time.Second
	maxLanes  = 64 // above the largest capacity (50), for conversations just ended
)

var errTooManyLanes = errors.New("desk: too many conversations at once on this page")

// inLane queues fn on conversation conv's lane, starting it when needed.
func (c *agentConn) inLane(conv string, fn func()) {
	c.lmu.Lock()
	defer c.lmu.Unlock()
	ch := c.lanes[conv]
	if ch == nil {
		if len(c.lanes) >= maxLanes {
			c.fail("too_many_conversations", errTooManyLanes.Error())
			return
		}
		ch = make(chan func(), laneQueue)
		c.lanes[conv] = ch
		go c.runLane(conv, ch)
	}
	select {
	case ch <- fn:
	default:
		c.fail("busy", "too many frames waiting for this conversation; send again")
	}
}

// runLane runs a conversation's frames one after the other until the page
// closes or the lane idles.
func (c *agentConn) runLane(conv string, ch chan func()) {
	idle := time.NewTimer(laneIdle)
	defer idle.Stop()
	for {
		select {
		case <-c.done:
			return
		case fn := <-ch:
			fn()
			idle.Reset(laneIdle)
		case <-idle.C:
			c.lmu.Lock()
			if len(ch) == 0 {
				delete(c.lanes, conv)
				c.lmu.Unlock()
				return
			}
			c.lmu.Unlock()
			idle.Reset(laneIdle)
		}
	}
}

func (c *agentConn) fail(code, msg string) {
	c.writeFrame(map[string]string{"type": "error", "code": code, "message": msg})
}

func quote(s string) string {
	if len(s) > 40 {
		s = s[:40]
	}
	b, _ := json.Marshal(s)
	return string(b)
}

// errorCode names an error for the page.
func errorCode(err error) string {
	for _, e := range []struct {
		err  error
		code string
	}{{ErrBusyByHand, "busy_by_hand"}, {ErrBadState, "bad_state"}, {ErrBadReason, "bad_reason"},
		{ErrNoPrevious, "no_previous"}, {ErrNotYours, "not_yours"}, {ErrNoSuchConv, "no_such_conversation"},
		{ErrNoLinker, "no_salesforce"}, {ErrNoSuchSalesforceUser, "no_such_salesforce_user"},
		{ErrLinkedElsewhere, "linked_elsewhere"}, {ErrNotYourUser, "not_your_salesforce_user"}, {errTooManyLanes, "too_many_conversations"}} {
		if errors.Is(err, e.err) {
			return e.code
		}
	}
	return "failed"
}
