package dialog

import (
	"github.com/botforge/dialogd/nodes"
)

// heldTask is a task put on hold by another: everything needed to take it
// up exactly where it was.
type heldTask struct {
	Task     string           `json:"t"`
	TV       string           `json:"tv,omitempty"`
	Node     string           `json:"n"`
	Wait     uint8            `json:"w,omitempty"`
	NS       *nodes.NodeState `json:"ns,omitempty"`
	Utt      string           `json:"u,omitempty"`
	Rec      bool             `json:"rc,omitempty"`
	Back     string           `json:"bk,omitempty"`
	BackOf   string           `json:"bf,omitempty"`
	Hist     []string         `json:"hi,omitempty"`
	Entities map[string]any   `json:"en,omitempty"`
	Nodes    map[string]any   `json:"nd,omitempty"`
	Resume   ResumeMode       `json:"rm,omitempty"`
	// Quiet: held for a task that asks nothing, so it comes back without
	// a word (and without asking first).
	Quiet bool `json:"q,omitempty"`
}

// The questions the runtime itself asks and awaits an answer to (state.Ask).
const (
	askNone   uint8 = 0
	askSwitch uint8 = 1 // policy ask: hold and switch, drop and switch, or go on (Pend: the new task)
	askCap    uint8 = 2 // too many held: drop the running task for Pend?
	askResume uint8 = 3 // no task runs: go back to the last held one?
)

// maxHist is how many answered questions "go back" can step back through.
const maxHist = 10

// waitPoint is where a task waited for input.
type waitPoint struct{ task, node string }

// hold sets the running task aside, on top of the held ones; the state is
// left with no running task and clean entities.
func (st *state) hold(resume ResumeMode, quiet bool) {
	h := heldTask{
		Task: st.Task, TV: st.TV, Node: st.Node, Wait: st.Wait, NS: st.NS, Utt: st.Utt, Rec: st.Rec,
		Back: st.Back, BackOf: st.BackOf, Hist: st.Hist,
		Entities: st.Memory.Entities, Nodes: st.Memory.Nodes, Resume: resume, Quiet: quiet,
	}
	st.Held = append(st.Held, h)
	st.clearTask()
}

// popHeld takes the last held task off the stack.
func (st *state) popHeld() heldTask {
	h := st.Held[len(st.Held)-1]
	st.Held = st.Held[:len(st.Held)-1]
	if len(st.Held) == 0 {
		st.Held = nil
	}
	return h
}

// pend notes task, asked for by in, as the subject of the question the
// runtime asks (ask); the words that asked are kept for the values they
// hold (a button's are not words).
func (st *state) pend(task string, in nodes.Input, ask uint8) {
	st.Pend, st.PUtt, st.Ask = task, "", ask
	if in.Payload == "" {
		st.PUtt = in.Text
	}
}

// unhold makes the last held task the running one again, as it was.
func (st *state) unhold() heldTask {
	h := st.popHeld()
	st.clearTask()
	st.Task, st.TV, st.Node, st.Wait, st.NS, st.Utt, st.Rec = h.Task, h.TV, h.Node, h.Wait, h.NS, h.Utt, h.Rec
	st.Back, st.BackOf, st.Hist = h.Back, h.BackOf, h.Hist
	st.Memory.Intent, st.Memory.Entities, st.Memory.Nodes = h.Task, h.Entities, h.Nodes
	return h
}

// asksUser reports whether the task has a node that waits for the user's
// answer (a message waits only when told to); one that has none answers
// in a single turn.
func (t *Task) asksUser() bool {
	for _, nd := range t.Nodes {
		if m, ok := nd.node.(*nodes.Message); ok && !m.Wait {
			continue
		}
		if nd.input != nil {
			return true
		}
	}
	return false
}

// heldIndex is the position of task among the held tasks, the last held
// one first found; -1 when it is not held.
func (st *state) heldIndex(task string) int {
	for i := len(st.Held) - 1; i >= 0; i-- {
		if st.Held[i].Task == task {
			return i
		}
	}
	return -1
}

// waiting is where the running task waits for an answer, if it does.
func (st *state) waiting() waitPoint {
	if st.Task == "" || st.Wait != waitInput {
		return waitPoint{}
	}
	return waitPoint{task: st.Task, node: st.Node}
}

// noteAnswered adds the node the task waited at when the turn began to
// the history "go back" uses, when the turn answered it: the same task
// now waits elsewhere.
func (st *state) noteAnswered(before waitPoint) {
	if st.rewound || st.crossed || before.task == "" || st.Task != before.task || st.Node == before.node || st.Wait == waitNone {
		return
	}
	if n := len(st.Hist); n > 0 && st.Hist[n-1] == before.node {
		return
	}
	if len(st.Hist) >= maxHist {
		st.Hist = append(st.Hist[:0:0], st.Hist[1:]...)
	}
	st.Hist = append(st.Hist, before.node)
}

// entered notes that the dialog entered nd. A node that does something
// beyond asking and telling (a service or Salesforce call, a script, a
// handoff) ends the history "go back" uses: answering a question before
// it again must not repeat what it did.
func (st *state) entered(nd *nodeDef) {
	if nd.input != nil {
		return
	}
	switch nd.node.(type) {
	case *nodes.Message, *nodes.Intent, *nodes.Logic:
		return
	}
	st.crossed, st.Hist = true, nil
}
