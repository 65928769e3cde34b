package dialog

import (
	"context"

	"github.com/botforge/dialogd/nodes"
)

// Trace is told what the dialog does during the turns whose context
// carries it (WithTrace), for tools that watch conversations without
// changing them, as net/http/httptrace is for HTTP calls: botctl test
// reports from it which of a task's declared transitions its
// conversation tests took. Its functions run on the turn's goroutine.
type Trace struct {
	// Moved is called for every transition the dialog takes: the task,
	// the node it leaves and the node it enters, or nodes.EndTarget
	// ("end") when the task ends by a transition of the node.
	Moved func(task, from, to string)
	// Ended is called when a node's outcome or a transition to end ends
	// the task, with the conversation's context as it is then (the
	// runtime clears the task's entities and node results afterwards).
	Ended func(task string, context nodes.Memory)
}

type traceKey struct{}

// WithTrace returns a context whose turns report to tr.
func WithTrace(ctx context.Context, tr *Trace) context.Context {
	return context.WithValue(ctx, traceKey{}, tr)
}

// traceFrom returns the context's trace, nil when it has none.
func traceFrom(ctx context.Context) *Trace {
	tr, _ := ctx.Value(traceKey{}).(*Trace)
	return tr
}

// moved reports a transition; a nil trace reports nothing.
func (tr *Trace) moved(task, from string, to nodes.Target) {
	if tr == nil || tr.Moved == nil {
		return
	}
	if to == "" {
		to = nodes.EndTarget
	}
	tr.Moved(task, from, string(to))
}

// ended reports the end of a task; a nil trace reports nothing.
func (tr *Trace) ended(task string, mem nodes.Memory) {
	if tr != nil && tr.Ended != nil {
		tr.Ended(task, mem)
	}
}
