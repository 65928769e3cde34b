package dialog

import (
	"context"

	"github.com/botforge/dialogd/dialog/nlu"
	"github.com/botforge/dialogd/nodes"
)

// Resume runs a parked node again (after an authorization arrived, say)
// and returns the frames to deliver outside any client turn.
func (r *Runtime) Resume(ctx context.Context, sessionID, userID string) ([][]byte, error) {
	return r.whileParked(ctx, sessionID, userID, func(st *state, t *nodes.Turn) {
		task := r.taskOf(st)
		switch {
		case task == nil || task.Nodes[st.Node] == nil:
			r.taskChanged(ctx, st, t) // the bot changed under it (versions.go)
		case r.parkExpired(st):
			r.failTask(st, t, task.Nodes[st.Node], failure{kind: nodes.FailExpired, reason: nodes.Expired})
		default:
			st.Wait, st.PExp, st.Pend, st.PUtt = waitNone, 0, "", ""
			r.runNode(ctx, st, t, task, task.Nodes[st.Node])
		}
	})
}

// Denied ends a parked task whose user refused to grant access
// (error=access_denied on the OAuth callback) and returns the frames that
// tell the user, to deliver outside any client turn.
func (r *Runtime) Denied(ctx context.Context, sessionID, userID string) ([][]byte, error) {
	return r.whileParked(ctx, sessionID, userID, func(st *state, t *nodes.Turn) {
		// The user's own refusal: counted as canceled, told as a failure
		// the designer can word (authorization_denied).
		f := failure{kind: nodes.FailDenied, reason: nodes.Canceled, args: []any{r.taskTitle(t, st.Task)}}
		r.failTask(st, t, r.taskOf(st).nodeOrNil(st.Node), f)
	})
}

// whileParked runs fn as a turn of its own on a session whose task is
// parked, and commits it; a session that is not parked (a replayed or late
// callback) is left alone and yields no frames.
func (r *Runtime) whileParked(ctx context.Context, sessionID, userID string, fn func(*state, *nodes.Turn)) ([][]byte, error) {
	return r.outsideTurn(ctx, sessionID, userID, func(st *state) bool { return st.Wait == waitAuth }, fn)
}

// outsideTurn runs fn as a turn of its own, outside any client message, on
// a session whose state applies says fn is for, and commits it; any other
// session is left alone and yields no frames.
func (r *Runtime) outsideTurn(ctx context.Context, sessionID, userID string, applies func(*state) bool, fn func(*state, *nodes.Turn)) ([][]byte, error) {
	lease, err := r.store.Acquire(ctx, storeKey(sessionID))
	if err != nil {
		return nil, r.storeErr("load session", err)
	}
	defer releaseOnPanic(ctx, lease)
	st, err := decodeState(lease.State())
	if err != nil || st == nil || !applies(st) {
		_ = lease.Release(ctx)
		return nil, err
	}
	t := r.turn(st, sessionID, userID)
	defer r.turns.Put(t)
	recordFailed := r.recordCalls(t, st, lease)
	fn(st, t)
	r.afterInput(ctx, st, t, waitPoint{}) // a task that ended lets a held one resume
	if err := recordFailed(); err != nil {
		_ = lease.Release(ctx) // the task stays parked; a later resume runs it
		return nil, r.storeErr("record call", err)
	}
	return r.commit(ctx, lease, st, t, sessionID, "")
}

func (r *Runtime) parkExpired(st *state) bool {
	return st.PExp != 0 && r.now().Unix() >= st.PExp
}

// parked handles an input while the task waits for an authorization; it
// reports whether it dealt with the input. Commands were handled before.
func (r *Runtime) parked(ctx context.Context, st *state, t *nodes.Turn, in nodes.Input, n string) bool {
	task := r.taskOf(st)
	nd := task.nodeOrNil(st.Node)
	if nd == nil {
		r.taskChanged(ctx, st, t) // the bot changed under it (versions.go)
		return true
	}
	if r.parkExpired(st) {
		// A distinct outcome from cancel: the link ran out.
		r.failTask(st, t, nd, failure{kind: nodes.FailExpired, reason: nodes.Expired})
		return false // the input may still start something
	}
	rerun := func() {
		st.Wait, st.PExp, st.Pend, st.PUtt = waitNone, 0, "", ""
		r.runNode(ctx, st, t, task, nd)
	}
	if st.Pend != "" {
		other, utt := st.Pend, st.PUtt
		yes, ok := nodes.ParseYesNo(in.Value(), t.Lang, nil, nil)
		switch {
		case ok && yes && len(st.Held) < r.heldCap():
			st.Pend, st.PUtt = "", ""
			r.holdFor(ctx, st, t, other, utt) // resuming it runs the node again
		case ok && yes:
			st.Pend, st.PUtt = "", ""
			r.discardFor(ctx, st, t, other, utt)
		case ok && !yes:
			t.Say(nodes.Reply{Text: t.Phrase("still_waiting", r.taskTitle(t, st.Task))})
			rerun()
		default:
			// Not an answer: a request for yet another task replaces the
			// one asked about; small talk is answered; then the question
			// again.
			if next := r.requestWhileParked(t, in, n); next != "" && next != st.Task {
				st.pend(next, in, st.Ask)
				other = next
			} else {
				r.smallTalk(st, t, in.Text)
			}
			r.askHoldParked(t, st, other)
		}
		return true
	}
	if other := r.requestWhileParked(t, in, n); other != "" && other != st.Task {
		st.pend(other, in, st.Ask)
		r.askHoldParked(t, st, other)
		return true
	}
	if r.smallTalk(st, t, in.Text) {
		rerun() // answered; the link again
		return true
	}
	// Anything else: the link again, from a fresh run of the node.
	t.Say(nodes.Reply{Text: t.Phrase("parked")})
	rerun()
	return true
}

// requestWhileParked is the task an input asks for while a task waits
// for an authorization (a task's button, or text the classifier is sure
// of), or "".
func (r *Runtime) requestWhileParked(t *nodes.Turn, in nodes.Input, n string) string {
	if in.Payload != "" {
		if r.bot.Tasks[in.Payload] != nil {
			return in.Payload
		}
		return ""
	}
	if res := r.bot.classify(n, in.Text, t.Lang); res.Verdict == nlu.Confident {
		r.detectLang(t, in.Text)
		return res.Matches[0].Intent
	}
	return ""
}

// askHoldParked asks whether to hold the parked task for other, or, with
// the held tasks at the cap, whether to drop it.
func (r *Runtime) askHoldParked(t *nodes.Turn, st *state, other string) {
	key := "hold_parked"
	if len(st.Held) >= r.heldCap() {
		key = "discard_parked"
	}
	t.Say(yesNo(t, t.Phrase(key, r.taskTitle(t, st.Task), r.taskTitle(t, other))))
}

func (r *Runtime) taskTitle(t *nodes.Turn, name string) string {
	if task := r.bot.Tasks[name]; task != nil && task.Title != nil {
		if s, err := task.Title.Render(t); err == nil && s != "" {
			return s
		}
	}
	return name
}
