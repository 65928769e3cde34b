package dialog

import (
	"context"

	"github.com/botforge/dialogd/nodes"
)

// goBack asks the running task's previous question again, its answer
// forgotten.
func (r *Runtime) goBack(ctx context.Context, st *state, t *nodes.Turn) {
	task := r.taskOf(st)
	if st.Task == "" || len(st.Hist) == 0 || task == nil {
		t.Say(nodes.Reply{Text: t.Phrase("nothing_to_go_back")})
		r.reask(ctx, st, t)
		return
	}
	prev := st.Hist[len(st.Hist)-1]
	st.Hist = st.Hist[:len(st.Hist)-1]
	nd := task.nodeOrNil(prev)
	if nd == nil {
		r.taskChanged(ctx, st, t)
		return
	}
	r.prepare(t, st, nd)
	if f, ok := nd.node.(nodes.Forgetter); ok {
		f.Forget(t)
	}
	st.Node, st.Wait, st.NS, st.PExp = nd.ID, waitNone, nil, 0
	st.Back, st.BackOf, st.rewound = "", "", true
	t.Say(nodes.Reply{Text: t.Phrase("went_back")})
	r.runNode(ctx, st, t, task, nd)
}
