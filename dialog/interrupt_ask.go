package dialog

import (
	"context"

	"github.com/botforge/dialogd/dialog/nlu"
	"github.com/botforge/dialogd/nodes"
)

// answerAsked takes the answer to a question the runtime asked (st.Ask)
// and reports whether in was one; an input that is not clears the
// question and goes on as any input would.
func (r *Runtime) answerAsked(ctx context.Context, st *state, t *nodes.Turn, in nodes.Input) bool {
	ask, pend, utt := st.Ask, st.Pend, st.PUtt
	st.Ask, st.Pend, st.PUtt = askNone, "", ""
	yes, isYesNo := nodes.ParseYesNo(in.Value(), t.Lang, nil, nil)
	held := ""
	if ask == askResume && !isYesNo && in.Payload == "" {
		held = r.asksForHeld(st, t, in.Text)
	}
	switch {
	case ask == askSwitch && (in.Payload == payloadHold || in.Payload == "" && isYesNo && yes):
		// A typed yes is yes to doing the new task, without losing this
		// one (it never answers the node's own question).
		r.holdFor(ctx, st, t, pend, utt)
	case ask == askSwitch && in.Payload == payloadDiscard, ask == askCap && isYesNo && yes:
		r.discardFor(ctx, st, t, pend, utt)
	case ask == askSwitch && (in.Payload == payloadContinue || in.Payload == "" && isYesNo && !yes), ask == askCap && isYesNo && !yes:
		t.Say(nodes.Reply{Text: t.Phrase("go_on", r.taskTitle(t, st.Task))})
		r.reask(ctx, st, t)
	case ask == askResume && isYesNo && yes:
		r.resumeLast(ctx, st, t)
	case ask == askResume && isYesNo && !yes:
		r.dropLastHeld(st, t)
	case held != "":
		r.startOrResume(ctx, st, t, held, "") // "create a lead" for "go back to your lead?"
	default:
		return false
	}
	return true
}

// asksForHeld is the held task text asks for, "" when it asks for none.
func (r *Runtime) asksForHeld(st *state, t *nodes.Turn, text string) string {
	res := r.bot.Classify(text, t.Lang)
	if res.Verdict != nlu.Confident || st.heldIndex(res.Matches[0].Intent) < 0 {
		return ""
	}
	return res.Matches[0].Intent
}
