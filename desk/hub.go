package desk

import (
	"context"
	"encoding/json"
	"sync"
	"time"
)

// hub holds this process's desk pages (agent connections) and turns the
// desk's events into their frames.
type hub struct {
	d     *Desk
	mu    sync.Mutex
	conns map[string]map[*agentConn]bool // by agent id
	dirty chan struct{}                  // the board changed: send it again
}

func newHub(d *Desk) *hub {
	return &hub{d: d, conns: map[string]map[*agentConn]bool{}, dirty: make(chan struct{}, 1)}
}

func (h *hub) add(c *agentConn) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.conns[c.agent] == nil {
		h.conns[c.agent] = map[*agentConn]bool{}
	}
	h.conns[c.agent][c] = true
}

func (h *hub) remove(c *agentConn) {
	h.mu.Lock()
	defer h.mu.Unlock()
	delete(h.conns[c.agent], c)
	if len(h.conns[c.agent]) == 0 {
		delete(h.conns, c.agent)
	}
}

// of returns the connections of agent; every connection when agent is "".
func (h *hub) of(agent string) []*agentConn {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []*agentConn
	for a, set := range h.conns {
		if agent != "" && a != agent {
			continue
		}
		for c := range set {
			out = append(out, c)
		}
	}
	return out
}

// send writes one frame to the connections of agent ("" for all).
func (h *hub) send(agent string, frame any) {
	conns := h.of(agent)
	if len(conns) == 0 {
		return
	}
	data, err := json.Marshal(frame)
	if err != nil {
		return
	}
	for _, c := range conns {
		c.write(data)
	}
}

// event handles one of the desk's events, from any instance.
func (h *hub) event(ev Event) {
	switch ev.Kind {
	case evBoard:
		h.boardChanged()
	case evState:
		if ev.Status != nil {
			h.d.stateChanged(*ev.Status)
		}
	case evAssigned:
		for _, c := range h.of(ev.Agent) {
			c.sendConversation(context.Background(), ev.Conv)
		}
	case evUser, evTyping:
		agent := h.holder(ev.Conv)
		if agent == "" {
			return
		}
		if ev.Kind == evTyping {
			h.send(agent, map[string]any{"type": "user_typing", "conversation": ev.Conv})
			return
		}
		h.send(agent, entryFrame("user_message", ev.Conv, ev.Entry))
	case evAgent:
		h.send(ev.Agent, entryFrame("agent_message", ev.Conv, ev.Entry))
	case evEnded:
		h.send(ev.Agent, map[string]any{"type": "ended", "conversation": ev.Conv, "by": ev.By})
	case evSignedOut:
		for _, c := range h.of(ev.Agent) {
			_ = c.ws.Close()
		}
	case evLinked:
		for _, c := range h.of(ev.Agent) {
			c.sendHello(context.Background())
		}
	}
}

func entryFrame(kind, conv string, e *Entry) map[string]any {
	f := map[string]any{"type": kind, "conversation": conv}
	if e != nil {
		f["seq"], f["text"], f["at"] = e.Seq, e.Text, e.At.UTC().Format(time.RFC3339Nano)
		if e.Name != "" {
			f["agent"] = e.Name
		}
	}
	return f
}

// holder is the agent holding conversation id, by the last board this
// process saw, or by the store's when that one does not know it.
func (h *hub) holder(id string) string {
	if b := h.d.board.Load(); b != nil {
		if c := b.Convs[id]; c != nil && c.Agent != "" {
			return c.Agent
		}
	}
	b, err := h.d.store.Load(context.Background())
	if err != nil {
		return ""
	}
	h.d.board.Store(b)
	if c := b.Convs[id]; c != nil {
		return c.Agent
	}
	return ""
}

// boardChanged asks flushBoards to send the board again.
func (h *hub) boardChanged() {
	select {
	case h.dirty <- struct{}{}:
	default:
	}
}

// flushBoards sends the board to every page at most every 100ms, however
// often it changes.
func (h *hub) flushBoards(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-h.dirty:
		}
		b, err := h.d.store.Load(ctx)
		if err == nil {
			b.fill(h.d.cfg)
			h.d.board.Store(b)
			if len(h.of("")) > 0 {
				h.send("", h.d.boardFrame(b))
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// heartbeat marks the agents with a desk page on this instance seen,
// every interval, so that routing knows their pages are open.
func (h *hub) heartbeat(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		h.markSeen(ctx, h.agents()...)
	}
}

// agents are the agents with a page on this instance.
func (h *hub) agents() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := make([]string, 0, len(h.conns))
	for a := range h.conns {
		out = append(out, a)
	}
	return out
}

// markSeen records that agents' pages are connected now.
func (h *hub) markSeen(ctx context.Context, agents ...string) {
	if len(agents) == 0 || h.d.pageTimeout == 0 {
		return
	}
	now := h.d.now()
	_, err := h.d.change(ctx, "", func(b *Board) error {
		for _, a := range agents {
			if st := b.Agents[a]; st != nil {
				st.SeenAt = now
			}
		}
		return nil
	})
	if err != nil {
		h.d.log.Warn("desk: mark pages seen", "bot", h.d.bot, "err", err)
	}
}

// resync sends every page on this instance its conversations again (the
// page keeps each line once, by its number): after a lost subscription,
// messages published meanwhile reach the page this way.
func (h *hub) resync(ctx context.Context) {
	b, err := h.d.store.Load(ctx)
	if err != nil {
		return
	}
	for _, c := range h.of("") {
		for _, conv := range b.held(c.agent) {
			c.sendConversation(ctx, conv.ID)
		}
	}
}
