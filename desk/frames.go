package desk

import (
	"context"
	"encoding/json"
	"slices"
	"time"
)

// boardFrame is the board as a desk page shows it: every agent's state
// and every queue's waiting conversations.
func (d *Desk) boardFrame(b *Board) map[string]any {
	type agentView struct {
		AgentStatus
		Name string `json:"name"`
	}
	type waitingView struct {
		ID       string    `json:"id"`
		Since    time.Time `json:"since"`
		Customer string    `json:"customer,omitempty"`
		Lang     string    `json:"lang,omitempty"`
		Reason   string    `json:"reason,omitempty"`
		Position int       `json:"position"`
	}
	type queueView struct {
		Name    string        `json:"name"`
		Waiting []waitingView `json:"waiting"`
	}
	agents := make([]agentView, 0, len(d.cfg.Agents))
	for _, a := range d.cfg.Agents {
		if st := b.Agents[a.ID]; st != nil {
			agents = append(agents, agentView{AgentStatus: *st, Name: d.agentName(a.ID)})
		}
	}
	queues := make([]queueView, 0, len(d.cfg.Queues))
	for _, q := range d.cfg.Queues {
		v := queueView{Name: q.Name, Waiting: []waitingView{}}
		for i, c := range b.waiting(q.Name) {
			v.Waiting = append(v.Waiting, waitingView{ID: c.ID, Since: c.Queued, Customer: c.Customer, Lang: c.Lang, Reason: c.Reason, Position: i + 1})
		}
		queues = append(queues, v)
	}
	return map[string]any{"type": "board", "agents": agents, "queues": queues}
}

// helloFrame introduces the desk to an agent's page, in lang.
func (d *Desk) helloFrame(ctx context.Context, a *AgentConfig, lang string) map[string]any {
	sfUser, sfName, _ := d.linkedUser(ctx, a.ID)
	reasons := make([]map[string]string, 0, len(d.cfg.Reasons))
	for _, r := range d.cfg.Reasons {
		reasons = append(reasons, map[string]string{"code": r.Code, "title": r.Title.In(lang)})
	}
	queues := make([]map[string]string, 0, len(d.cfg.Queues))
	for _, q := range d.cfg.Queues {
		queues = append(queues, map[string]string{"name": q.Name, "title": orName(q.Title.In(lang), q.Name)})
	}
	return map[string]any{"type": "hello", "bot": d.bot, "bot_title": d.title,
		"agent":   map[string]any{"id": a.ID, "name": d.agentName(a.ID), "teams": a.Teams, "capacity": a.Capacity, "salesforce_user": sfUser, "salesforce_username": sfName},
		"reasons": reasons, "queues": queues}
}

func orName(title, name string) string {
	if title == "" {
		return name
	}
	return title
}

// conversationFrame is a held conversation as its agent's page shows it.
func (d *Desk) conversationFrame(ctx context.Context, c *Conv) (map[string]any, error) {
	var det Details
	raw, err := d.store.Details(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	if len(raw) > 0 {
		_ = json.Unmarshal(raw, &det)
	}
	lines, err := d.store.Transcript(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	transcript := make([]map[string]any, 0, len(lines))
	for _, e := range lines {
		transcript = append(transcript, map[string]any{"seq": e.Seq, "who": e.Who, "name": e.Name, "text": e.Text, "at": e.At.UTC().Format(time.RFC3339Nano)})
	}
	customer := map[string]string{}
	for k, v := range det.Customer {
		customer[k] = v
	}
	conv := map[string]any{"id": c.ID, "queue": c.Queue, "lang": c.Lang, "reason": c.Reason,
		"started": c.Queued, "assigned": c.Assigned, "customer": customer, "context": det.Context, "transcript": transcript}
	return map[string]any{"type": "conversation", "conversation": conv}, nil
}

// held returns the conversations agent holds on b, oldest first.
func (b *Board) held(agent string) []*Conv {
	var out []*Conv
	for _, c := range b.Convs {
		if c.Agent == agent {
			out = append(out, c)
		}
	}
	slices.SortFunc(out, func(x, y *Conv) int { return x.Assigned.Compare(y.Assigned) })
	return out
}
