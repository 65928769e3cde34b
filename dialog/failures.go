package dialog

import "github.com/botforge/dialogd/nodes"

// failure is why a task stops without finishing: its kind picks the text
// the user hears, and its end reason is what the metrics count.
type failure struct {
	kind   nodes.Failure
	reason nodes.Reason // nodes.Failed unless said otherwise
	msg    string       // the node's own text (fail_message, error_message), if any
	told   bool         // the node explained the failure itself: no text
	args   []any        // for the built-in phrase's %s placeholders
}

// failTask tells the user why the task stopped and ends it. nd is the node
// it stopped at, or nil.
func (r *Runtime) failTask(st *state, t *nodes.Turn, nd *nodeDef, f failure) {
	if !f.told {
		t.Say(nodes.Reply{Text: r.failureText(t, nd, f)})
	}
	if f.reason == "" {
		f.reason = nodes.Failed
	}
	r.finishTask(st, f.reason)
}

// failureText is, in order: the node's own text for the failure, the
// node's failure_text, the bot's text for the kind (events.failures),
// the bot's text for every failure (events.task_end.failed, then
// events.task_failure), and last the built-in phrase failure.<kind>.
func (r *Runtime) failureText(t *nodes.Turn, nd *nodeDef, f failure) string {
	if f.msg != "" {
		return f.msg
	}
	ev := r.bot.Config.Events
	var texts []*nodes.Text
	if nd != nil {
		texts = append(texts, nd.FailureText)
	}
	texts = append(texts, ev.Failures.text(f.kind), ev.TaskEnd.Failed, ev.TaskFailure)
	for _, x := range texts {
		if x == nil {
			continue
		}
		if s, err := x.Render(t); err == nil && s != "" {
			return s
		} else if err != nil {
			r.log.Warn("failure text does not render", "conversation", t.Conversation, "task", t.Memory.Intent, "kind", string(f.kind), "err", err)
		}
	}
	return t.Phrase(f.kind.PhraseKey(), f.args...)
}

// text returns the bot's text for a kind of failure, or nil.
func (ft *FailureTexts) text(kind nodes.Failure) *nodes.Text {
	switch kind {
	case nodes.FailService:
		return ft.ServiceError
	case nodes.FailReconnect:
		return ft.ReconnectRequired
	case nodes.FailScript:
		return ft.ScriptError
	case nodes.FailRetries:
		return ft.RetriesExhausted
	case nodes.FailLoop:
		return ft.Loop
	case nodes.FailDenied:
		return ft.AuthorizationDenied
	case nodes.FailExpired:
		return ft.LinkExpired
	case nodes.FailInternal, "":
		return ft.InternalError
	}
	return nil
}
