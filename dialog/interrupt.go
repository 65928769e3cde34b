package dialog

import (
	"context"
	"strconv"

	"github.com/botforge/dialogd/nodes"
)

// Payloads of the buttons that answer the interruption policy ask.
const (
	payloadHold     = "interrupt:hold"
	payloadDiscard  = "interrupt:discard"
	payloadContinue = "interrupt:continue"
)

// interrupt handles a request for task while the running task waits for
// an answer, as the interruption policy where it waits says (node, then
// task, then bot; interrupt_policy.go).
func (r *Runtime) interrupt(ctx context.Context, st *state, t *nodes.Turn, task, utterance string) {
	switch r.policyAt(st) {
	case InterruptDiscard:
		r.discardFor(ctx, st, t, task, utterance)
	case InterruptNotAllowed:
		r.metrics.interrupted(interruptRefused)
		t.Say(nodes.Reply{Text: t.Phrase("not_allowed", r.taskTitle(t, st.Task))})
		r.reask(ctx, st, t)
	case InterruptAsk:
		r.metrics.interrupted(interruptAsked)
		st.Pend, st.PUtt, st.Ask = task, utterance, askSwitch
		cur, next := r.taskTitle(t, st.Task), r.taskTitle(t, task)
		t.Say(nodes.Reply{
			Text: t.Phrase("interrupt_ask", cur, next),
			QuickReplies: []nodes.Button{
				{Title: t.Phrase("button.hold_switch", next), Payload: payloadHold},
				{Title: t.Phrase("button.discard_switch", next), Payload: payloadDiscard},
				{Title: t.Phrase("button.continue", cur), Payload: payloadContinue},
			},
		})
	default:
		r.holdFor(ctx, st, t, task, utterance)
	}
}

// holdFor holds the running task and starts task; with the held tasks at
// the bot's cap it holds nothing and offers to drop the running task
// instead. A task that asks the user nothing (a single answer) comes and
// goes within the turn: the running task is held and taken up again
// quietly, its question simply asked again after the answer, whatever the
// cap.
func (r *Runtime) holdFor(ctx context.Context, st *state, t *nodes.Turn, task, utterance string) {
	cur, next := r.taskTitle(t, st.Task), r.taskTitle(t, task)
	quiet := st.heldIndex(task) < 0 && !r.bot.Tasks[task].asksUser()
	if len(st.Held) >= r.heldCap() && st.heldIndex(task) < 0 && !quiet {
		r.metrics.interrupted(interruptCapped)
		st.Pend, st.PUtt, st.Ask = task, utterance, askCap
		t.Say(yesNo(t, t.Phrase("held_cap", strconv.Itoa(r.heldCap()), cur, next)))
		return
	}
	st.hold(r.resumeAt(st), quiet)
	r.metrics.interrupted(interruptHeld)
	if !quiet {
		t.Say(nodes.Reply{Text: t.Phrase("held", next, cur)})
	}
	r.startOrResume(ctx, st, t, task, utterance)
}

// discardFor drops the running task, says so, and starts task.
func (r *Runtime) discardFor(ctx context.Context, st *state, t *nodes.Turn, task, utterance string) {
	cur, next := r.taskTitle(t, st.Task), r.taskTitle(t, task)
	r.finishTask(st, nodes.Canceled)
	r.metrics.interrupted(interruptDiscarded)
	t.Say(nodes.Reply{Text: t.Phrase("switch_discard", cur, next)})
	r.startOrResume(ctx, st, t, task, utterance)
}

// startOrResume starts task, or, when it is on hold, takes it up where it
// was rather than starting it twice.
func (r *Runtime) startOrResume(ctx context.Context, st *state, t *nodes.Turn, task, utterance string) {
	i := st.heldIndex(task)
	if i < 0 {
		r.startTask(ctx, st, t, task, utterance)
		return
	}
	h := st.Held[i]
	st.Held = append(st.Held[:i], st.Held[i+1:]...)
	st.Held = append(st.Held, h)
	r.resumeLast(ctx, st, t)
}

// afterInput ends every turn: it notes the question the turn answered
// (for "go back") and, when no task runs any more and tasks are held,
// takes up the last held one, announced or after asking, as it was held.
func (r *Runtime) afterInput(ctx context.Context, st *state, t *nodes.Turn, before waitPoint) {
	st.noteAnswered(before)
	st.rewound = false
	if st.ended == nodes.HandedOff && len(st.Held) > 0 {
		// A person takes over the conversation: the bot's held tasks do
		// not come back under them.
		for _, h := range st.Held {
			r.dropped(h)
		}
		st.Held = nil
	}
	if ask := st.handoff; ask != nil {
		// The user asked for a person, or a task handed them over.
		st.handoff = nil
		for _, h := range st.Held {
			r.dropped(h)
		}
		st.Held = nil
		r.beginHandoff(ctx, st, t, *ask, false) // handoff_request.go
		return
	}
	for range len(st.Held) {
		if st.Task != "" || len(st.Held) == 0 || st.Ask != askNone {
			return
		}
		if h := st.Held[len(st.Held)-1]; h.Resume == ResumeConfirm && !h.Quiet {
			st.Ask = askResume
			t.Say(yesNo(t, t.Phrase("resume_confirm", r.taskTitle(t, h.Task))))
			return
		}
		r.resumeLast(ctx, st, t)
	}
}

// resumeLast makes the last held task the running one and runs the node
// it was held at again: its question is asked again, or a parked call is
// tried again (the link again, or the call once access was granted).
func (r *Runtime) resumeLast(ctx context.Context, st *state, t *nodes.Turn) {
	h := st.unhold()
	r.metrics.interrupted(interruptResumed)
	task := r.taskOf(st)
	nd := task.nodeOrNil(st.Node)
	if nd == nil {
		r.taskChanged(ctx, st, t) // the bot changed while it was held (versions.go)
		return
	}
	if !h.Quiet {
		t.Say(nodes.Reply{Text: t.Phrase("resume_announce", r.taskTitle(t, h.Task))})
	}
	st.Wait = waitNone
	t.Utterance = st.Utt
	r.runNode(ctx, st, t, task, nd)
}

// dropLastHeld drops the last held task (the one offered to go back to)
// and says so.
func (r *Runtime) dropLastHeld(st *state, t *nodes.Turn) {
	h := st.popHeld()
	st.Ask = askNone
	r.dropped(h)
	t.Say(nodes.Reply{Text: t.Phrase("dropped_held", r.taskTitle(t, h.Task))})
}

// discardAll drops the running task and every held one.
func (r *Runtime) discardAll(st *state, t *nodes.Turn) {
	if st.Task == "" && len(st.Held) == 0 {
		t.Say(nodes.Reply{Text: t.Phrase("nothing_to_cancel")})
		return
	}
	for _, h := range st.Held {
		r.dropped(h)
	}
	st.Held = nil
	if st.Task != "" {
		r.finishTask(st, nodes.Canceled)
	}
	st.Ask, st.Pend, st.PUtt = askNone, "", ""
	t.Say(nodes.Reply{Text: t.Phrase("discarded_all")})
}

// dropped counts a held task that will not come back.
func (r *Runtime) dropped(h heldTask) {
	r.metrics.taskEnded(h.Task, nodes.Canceled)
	r.metrics.interrupted(interruptDropped)
}

// yesNo is a question with yes and no buttons.
func yesNo(t *nodes.Turn, text string) nodes.Reply {
	return nodes.Reply{Text: text, QuickReplies: []nodes.Button{
		{Title: t.Phrase("button.yes"), Payload: "yes"},
		{Title: t.Phrase("button.no"), Payload: "no"},
	}}
}
