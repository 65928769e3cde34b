package dialog

import (
	"cmp"
	"context"
	"strconv"
	"time"

	"github.com/botforge/dialogd/nodes"
)

// reasonUserRequest is the handoff reason of a user who asked for a person.
const reasonUserRequest = "user_request"

// Payloads of the no-agent choice's buttons ("Leave a message" names the
// task it starts).
const payloadHandoffWait = "handoff:wait"

// humanRequest handles a request for a person ("talk to a human", or a
// bare "agent" when it cannot be the answer to a question waiting), in
// any state, and reports whether in was one. A contact centre honours it at
// once: the running task is handed off, not held (what it collected goes
// to the agent), and held tasks are dropped as on any handoff. With no
// agent desk the bot says it cannot put the user through and carries on.
// A bot with a task of its own for the very words (one of its training
// utterances: a designer's agent_transfer task that asks the topic first,
// say) runs that task instead; the classifier is not asked, as it would
// read "talk to a human" as any task trained on "talk to …".
func (r *Runtime) humanRequest(ctx context.Context, st *state, t *nodes.Turn, in nodes.Input, n string) bool {
	if in.Payload != "" {
		return false
	}
	talk, ok := readWords(humanRequests, in.Text)
	switch {
	case !ok || talk.kind < kindHumanWord || talk.kind > kindHumanRequest:
		return false
	case talk.kind == kindHumanWord && !r.cannotBeAnswer(st, t, in.Text):
		// A bare "agent" or "Mensch" may answer the question asked (a job
		// title, a name): only a whole request for a person interrupts it.
		return false
	}
	if _, own := r.bot.intent.exact[n]; own {
		return false
	}
	if r.handoffs == nil {
		r.setLang(t, talk.lang)
		t.Say(nodes.Reply{Text: t.Phrase("no_agent_desk")})
		if st.Task != "" && st.Wait == waitInput {
			r.reask(ctx, st, t)
		}
		return true
	}
	r.setLang(t, talk.lang)
	ask := handoffAsk{reason: reasonUserRequest, context: r.handoffContext(st)}
	if st.Task != "" {
		r.finishTask(st, nodes.HandedOff)
	}
	st.Ask, st.Pend, st.PUtt = askNone, "", ""
	t.Say(nodes.Reply{Text: t.Phrase("agent_transfer")})
	t.Say(nodes.Reply{Type: nodes.ReplyHandoff, Reason: ask.reason})
	st.handoff = &ask // afterInput begins it
	return true
}

// noteHandoff notes the handoff an agent_transfer node asked for, with
// what the ending task collected, for afterInput to begin.
func (r *Runtime) noteHandoff(st *state, t *nodes.Turn) {
	ask := handoffAsk{context: r.handoffContext(st)}
	replies := t.Replies()
	for i := len(replies) - 1; i >= 0; i-- {
		if replies[i].Type == nodes.ReplyHandoff {
			ask.queue, ask.reason = replies[i].Queue, replies[i].Reason
			break
		}
	}
	st.handoff = &ask
}

// beginHandoff asks the desk for an agent and tells the user what came of
// it: an agent at once, their place in the queue, or, with nobody free,
// the choice of leaving a message or waiting. Without a desk it does
// nothing: the handoff frame was all.
func (r *Runtime) beginHandoff(ctx context.Context, st *state, t *nodes.Turn, ask handoffAsk, wait bool) {
	if r.handoffs == nil {
		return
	}
	req := HandoffRequest{
		Bot: r.bot.Config.Name, Session: t.Session, User: st.User, Lang: t.Lang,
		Queue: ask.queue, Reason: ask.reason, Wait: wait,
		Context: ask.context, Customer: customerOf(st, t),
	}
	if req.Context == nil {
		req.Context = map[string]any{} // an empty context, not none (a state round trip drops an empty map)
	}
	req.Transcript = r.transcriptSoFar(st, t, ask.said)
	ticket, err := r.handoffs.Request(ctx, req)
	if err != nil {
		r.log.ErrorContext(ctx, "handoff request failed", "conversation", st.ID, "err", err)
		st.Agent = nil
		t.Say(nodes.Reply{Text: t.Phrase("handoff.failed")})
		return
	}
	h := &handoffState{ID: ticket.ID, Queue: ask.queue, Reason: ask.reason}
	st.Agent = h
	switch {
	case ticket.Agent != "":
		h.Status, h.Agent = handoffAssigned, ticket.Agent
		noteAgent(st, ticket.Agent, ticket.SalesforceUser)
		t.Say(agentJoined(t, ticket.Agent))
	case ticket.NoAgent:
		h.Status, h.Ctx = handoffChoosing, ask.context
		if r.bot.Tasks[ticket.LeaveMessageTask] != nil {
			h.Leave = ticket.LeaveMessageTask
		}
		t.Say(r.noAgentChoice(t, h))
	default:
		h.Status = handoffQueued
		t.Say(queuedReply(t, ticket.Position, ticket.Wait))
	}
}

// noAgentChoice tells the user nobody is free and offers to leave a
// message (when the desk names a task for it) or to wait.
func (r *Runtime) noAgentChoice(t *nodes.Turn, h *handoffState) nodes.Reply {
	if h.Leave == "" {
		return yesNo(t, t.Phrase("handoff.no_agent.wait_only"))
	}
	return nodes.Reply{Text: t.Phrase("handoff.no_agent"), QuickReplies: []nodes.Button{
		{Title: t.Phrase("handoff.button.leave_message"), Payload: h.Leave},
		{Title: t.Phrase("handoff.button.wait"), Payload: payloadHandoffWait},
	}}
}

// handoffChoice handles the answer to the no-agent question and reports
// whether in was one: "Leave a message" starts the desk's task, "Wait"
// queues the conversation, no declines, a bare yes to "message or wait?"
// asks again. Anything else drops the question and is read as usual.
func (r *Runtime) handoffChoice(ctx context.Context, st *state, t *nodes.Turn, in nodes.Input) bool {
	h := st.Agent
	choice, again := r.readHandoffChoice(t, h, in)
	if again {
		t.Say(r.noAgentChoice(t, h))
		return true
	}
	st.Agent = nil
	switch choice {
	case kindHandoffWait:
		r.beginHandoff(ctx, st, t, handoffAsk{queue: h.Queue, reason: h.Reason, context: h.Ctx, said: in.Text}, true)
	case kindHandoffLeave:
		r.switchTo(ctx, st, t, h.Leave, "")
	case smallTalkFiller:
		t.Say(nodes.Reply{Text: t.Phrase("handoff.declined")})
	default:
		return false
	}
	return true
}

// readHandoffChoice reads the answer to the no-agent question: wait,
// leave a message (only when offered), declined (smallTalkFiller), or
// none; again when it was a yes to a question with two answers.
func (r *Runtime) readHandoffChoice(t *nodes.Turn, h *handoffState, in nodes.Input) (choice smallTalkKind, again bool) {
	switch {
	case in.Payload == payloadHandoffWait:
		return kindHandoffWait, false
	case in.Payload != "":
		if in.Payload == h.Leave {
			return kindHandoffLeave, false
		}
		return smallTalkNone, false
	}
	if talk, ok := readWords(handoffChoices, in.Text); ok && (talk.kind == kindHandoffWait || talk.kind == kindHandoffLeave && h.Leave != "") {
		r.setLang(t, talk.lang)
		return talk.kind, false
	}
	yes, ok := nodes.ParseYesNo(in.Text, t.Lang, nil, nil)
	switch {
	case !ok:
		return smallTalkNone, false
	case !yes:
		return smallTalkFiller, false
	case h.Leave != "":
		return smallTalkNone, true // "yes" to "a message or wait?" says neither
	}
	return kindHandoffWait, false
}

// transcriptSoFar is conversation.transcript with the running turn's
// input and replies so far, which the turn's end adds to it (Handle).
func (r *Runtime) transcriptSoFar(st *state, t *nodes.Turn, said string) string {
	kept, had := st.Memory.Conversation[transcriptVar]
	if t.MessageID != "" {
		r.keepTranscript(st, t, nodes.Input{Text: cmp.Or(said, st.Memory.Input)})
	}
	v, _ := st.Memory.Lookup([]string{"conversation", transcriptVar}, t.Now.Unix())
	s, _ := v.(string)
	if had {
		st.Memory.Conversation[transcriptVar] = kept
	} else {
		delete(st.Memory.Conversation, transcriptVar)
	}
	return s
}

// handoffContext is what the bot collected, for the agent: the running
// task and its entities, and the user's variables.
func (r *Runtime) handoffContext(st *state) map[string]any {
	out := map[string]any{}
	if st.Task != "" {
		out["task"] = st.Task
	}
	if len(st.Memory.Entities) > 0 {
		out["entities"], _ = copyObject(st.Memory.Entities, false)
	}
	if len(st.Memory.User) > 0 {
		user := make(map[string]any, len(st.Memory.User))
		for k, v := range st.Memory.User {
			user[k], _ = copyValue(v.V)
		}
		out["user"] = user
	}
	return out
}

// customerOf is the identified customer: what identification left in
// user.sf_* variables, else the verified identity.
func customerOf(st *state, t *nodes.Turn) map[string]string {
	str := func(names ...string) string {
		for _, name := range names {
			if v, ok := st.Memory.Lookup([]string{"user", name}, t.Now.Unix()); ok {
				if s, ok := v.(string); ok && s != "" {
					return s
				}
			}
		}
		return ""
	}
	id := st.Memory.Identity
	out := map[string]string{
		"name":          cmp.Or(str("sf_name", "sf_visitor_name"), id.Name),
		"company":       str("sf_company", "sf_account_name"),
		"email":         cmp.Or(str("sf_email", "sf_visitor_email"), id.Email),
		"phone":         cmp.Or(str("sf_phone"), id.Phone),
		"salesforce_id": str("sf_who_id"),
	}
	for k, v := range out {
		if v == "" {
			delete(out, k)
		}
	}
	return out
}

// queuedReply is the queued frame: the user's place and expected wait
// (in whole minutes, rounded up; none when the desk cannot tell).
func queuedReply(t *nodes.Turn, position int, wait time.Duration) nodes.Reply {
	place := strconv.Itoa(max(1, position))
	rp := nodes.Reply{Type: nodes.ReplyQueued, Position: position, WaitSeconds: int(wait / time.Second), Lang: t.Lang}
	switch minutes := int((wait + time.Minute - 1) / time.Minute); {
	case wait <= 0:
		rp.Text = t.Phrase("handoff.queued.no_estimate", place)
	case minutes == 1:
		rp.Text = t.Phrase("handoff.queued", place, t.Phrase("handoff.minute"))
	default:
		rp.Text = t.Phrase("handoff.queued", place, t.Phrase("handoff.minutes", strconv.Itoa(minutes)))
	}
	return rp
}

// agentJoined is the agent_joined frame.
func agentJoined(t *nodes.Turn, agent string) nodes.Reply {
	return nodes.Reply{Type: nodes.ReplyAgentJoined, Agent: agent, Text: t.Phrase("handoff.agent_joined", agent), Lang: t.Lang}
}
