package dialog

import (
	"context"
	"fmt"

	"github.com/looplab/fsm"

	"github.com/botforge/dialogd/nodes"
)

// process decides what one input means and runs it.
func (r *Runtime) process(ctx context.Context, st *state, t *nodes.Turn, in nodes.Input) {
	st.Memory.Input = in.Value()
	n := normalize(in.Text)
	if in.Payload != "" {
		n = normalize(in.Payload)
	}
	if in.Payload == "" && (st.Task == "" || st.Wait != waitInput) {
		// Only what the user wrote tells their language: not a button's
		// label (the bot's words), and not an answer to a question, which
		// is often a name ("The Home Depot", "山田") whatever the language.
		// Commands and task phrases still set the language they belong to.
		r.detectLang(t, in.Text)
	}

	// afterInput (interrupt.go) notes what the turn answered and resumes
	// a held task once none runs.
	defer r.afterInput(ctx, st, t, st.waiting())
	if st.Agent != nil && r.handoffInput(ctx, st, t, in, n) {
		return // handoff_relay.go
	}
	if r.humanRequest(ctx, st, t, in, n) {
		return // handoff_request.go
	}
	if r.command(ctx, st, t, in, n) {
		return
	}

	if st.Task != "" && st.Wait == waitAuth {
		if r.parked(ctx, st, t, in, n) {
			return
		}
	}
	if profile, ok := r.disconnectCommand(n); ok {
		r.disconnect(ctx, t, profile)
		return
	}

	// A button whose payload names a task starts it.
	if in.Payload != "" {
		if _, ok := r.bot.Tasks[in.Payload]; ok {
			r.switchTo(ctx, st, t, in.Payload, "")
			return
		}
	}
	if st.Task != "" {
		task := r.taskOf(st) // the version the task started with (versions.go)
		nd := task.nodeOrNil(st.Node)
		switch {
		case nd == nil:
			// The bot changed under a running conversation.
			r.taskChanged(ctx, st, t)
			return
		case st.Wait == waitInput && nd.input != nil:
			if r.interjection(ctx, st, t, nd, in, n) {
				return
			}
			m := task.fsmFor(nd.ID)
			defer task.putFSM(m)
			r.prepare(t, st, nd)
			out, err := nd.input.Input(ctx, t, in)
			if err != nil {
				r.nodeFailed(ctx, st, t, nd, err)
				return
			}
			r.advance(ctx, st, t, task, m, nd, out)
			return
		}
	}
	r.understand(ctx, st, t, in, n)
}

func (r *Runtime) taskButtons(t *nodes.Turn, show bool) []nodes.Button {
	if !show {
		return nil
	}
	bs := make([]nodes.Button, 0, len(r.bot.order))
	for _, name := range r.bot.order {
		title := name
		if tt := r.bot.Tasks[name].Title; tt != nil {
			if s, err := tt.Render(t); err == nil && s != "" {
				title = s
			}
		}
		bs = append(bs, nodes.Button{Title: title, Payload: name})
	}
	return bs
}

// switchTo starts task, which a button asked for: another running task is
// interrupted (its interruption policy applies, interrupt.go); the same
// task starts over.
func (r *Runtime) switchTo(ctx context.Context, st *state, t *nodes.Turn, task, utterance string) {
	if st.Task != "" && st.Task != task {
		r.interrupt(ctx, st, t, task, utterance)
		return
	}
	if st.Task != "" {
		r.finishTask(st, nodes.Canceled)
		t.Say(nodes.Reply{Text: t.Phrase("switch", r.taskTitle(t, task))})
	}
	r.startOrResume(ctx, st, t, task, utterance)
}

func (t *Task) nodeOrNil(id string) *nodeDef {
	if t == nil {
		return nil
	}
	return t.Nodes[id]
}

func (r *Runtime) startTask(ctx context.Context, st *state, t *nodes.Turn, name, utterance string) {
	task := r.bot.Tasks[name]
	st.clearTask()
	st.Task, st.Node, st.Utt = name, task.Root, utterance
	st.TV = task.Version
	st.Memory.Intent = name
	t.Utterance = utterance
	r.runNode(ctx, st, t, task, task.Nodes[task.Root])
}

// prepare points the turn at a node.
func (r *Runtime) prepare(t *nodes.Turn, st *state, nd *nodeDef) {
	if st.NS == nil {
		st.NS = &nodes.NodeState{}
	}
	t.Task, t.NodeID, t.State = st.Task, nd.ID, st.NS
}

// runNode enters nd and follows the dialog until it waits or ends.
func (r *Runtime) runNode(ctx context.Context, st *state, t *nodes.Turn, task *Task, nd *nodeDef) {
	m := task.fsmFor(nd.ID)
	defer task.putFSM(m)
	st.entered(nd)
	r.prepare(t, st, nd)
	out, err := nd.node.Run(ctx, t)
	if err != nil {
		r.nodeFailed(ctx, st, t, nd, err)
		return
	}
	r.advance(ctx, st, t, task, m, nd, out)
}

// advance applies a node's outcome and runs the following nodes.
func (r *Runtime) advance(ctx context.Context, st *state, t *nodes.Turn, task *Task, m *fsm.FSM, nd *nodeDef, out nodes.Outcome) {
	tr := traceFrom(ctx) // trace.go
	for visits := 0; ; visits++ {
		var target nodes.Target
		switch out.Status {
		case nodes.StatusWait:
			if nd.input == nil {
				r.nodeFailed(ctx, st, t, nd, fmt.Errorf("node type %s waited for input but cannot take it", nd.Type))
				return
			}
			st.Wait = waitInput
			return
		case nodes.StatusPark:
			st.Wait = waitAuth
			st.PExp = t.Now.Add(r.parkTTL).Unix()
			return
		case nodes.StatusEnd:
			tr.ended(task.Name, st.Memory)
			if out.Reason == nodes.Failed {
				r.failTask(st, t, nd, failure{kind: out.Failure, msg: out.Message, told: out.Told})
				return
			}
			r.endTask(st, t, out.Reason)
			return
		case nodes.StatusGoto:
			target = out.Target
			if out.Failure != "" {
				st.Rec = true // an error branch: the task cannot end fulfilled
			}
			st.Back, st.BackOf = "", ""
			if out.Reask && out.Back != "" {
				// Once answered, the node asked again goes where the
				// outcome says rather than along its own transitions.
				st.Back, st.BackOf = string(out.Back), string(out.Target)
			}
		case nodes.StatusNext:
			if st.BackOf == nd.ID && st.Back != "" {
				target, st.Back, st.BackOf = nodes.Target(st.Back), "", ""
				break
			}
			fallthrough
		default:
			var err error
			target, err = r.defaultTarget(t, nd)
			if err != nil {
				r.nodeFailed(ctx, st, t, nd, err)
				return
			}
		}
		if target == "" || target == nodes.EndTarget {
			tr.moved(task.Name, nd.ID, target)
			tr.ended(task.Name, st.Memory)
			r.endTask(st, t, nodes.Fulfilled)
			return
		}
		if visits >= r.bot.Config.Settings.MaxNodeVisits {
			r.log.WarnContext(ctx, "node visit limit reached", "conversation", t.Conversation, "task", task.Name, "node", nd.ID)
			r.failTask(st, t, nd, failure{kind: nodes.FailLoop})
			return
		}
		if err := task.move(ctx, m, string(target)); err != nil {
			r.nodeFailed(ctx, st, t, nd, fmt.Errorf("transition to %s: %w", target, err))
			return
		}
		tr.moved(task.Name, nd.ID, target)
		nd = task.Nodes[string(target)]
		st.Node, st.Wait, st.NS = nd.ID, waitNone, nil
		if f, ok := nd.node.(nodes.Forgetter); ok && out.Status == nodes.StatusGoto && out.Reask {
			f.Forget(t)
		}
		st.entered(nd)
		r.prepare(t, st, nd)
		var err error
		out, err = nd.node.Run(ctx, t)
		if err != nil {
			r.nodeFailed(ctx, st, t, nd, err)
			return
		}
	}
}

// defaultTarget evaluates next or the ordered conditions.
func (r *Runtime) defaultTarget(t *nodes.Turn, nd *nodeDef) (nodes.Target, error) {
	if nd.Next != "" {
		return nd.Next, nil
	}
	for i, tr := range nd.Transitions {
		c := nd.conds[i]
		if c == nil {
			return tr.Else, nil
		}
		ok, err := c.Eval(t)
		if err != nil {
			return "", fmt.Errorf("condition %q: %w", tr.If, err)
		}
		if ok {
			return tr.To, nil
		}
	}
	return nodes.EndTarget, nil
}

func (r *Runtime) nodeFailed(ctx context.Context, st *state, t *nodes.Turn, nd *nodeDef, err error) {
	r.log.ErrorContext(ctx, "node failed", "conversation", st.ID, "task", st.Task, "node", nd.ID, "type", nd.Type, "err", err)
	r.failTask(st, t, nd, failure{kind: nodes.FailInternal})
}

// endTask says the task-end event of a task that did not fail (see
// failTask) and ends it. A task that took an error branch and then ended
// normally ends as recovered, silently: its error branch said what
// happened, so the fulfilled text would be wrong.
func (r *Runtime) endTask(st *state, t *nodes.Turn, reason nodes.Reason) {
	ev := r.bot.Config.Events
	if reason == nodes.Fulfilled && st.Rec {
		reason = nodes.Recovered
	}
	switch reason {
	case nodes.Canceled:
		t.Say(nodes.Reply{Text: phrase(t, ev.TaskEnd.Canceled, "canceled")})
	case nodes.Fulfilled, nodes.HandedOff:
		if reason == nodes.HandedOff {
			r.noteHandoff(st, t) // begun once the task ended (afterInput)
		}
		if ev.TaskEnd.Fulfilled != nil {
			if s, err := ev.TaskEnd.Fulfilled.Render(t); err == nil && s != "" {
				t.Say(nodes.Reply{Text: s})
			}
		}
	}
	r.finishTask(st, reason)
}

// finishTask counts the task's end and clears it.
func (r *Runtime) finishTask(st *state, reason nodes.Reason) {
	r.metrics.taskEnded(st.Task, reason)
	st.ended = reason
	st.clearTask()
}
