package dialog

import (
	"context"
	"strings"
	"unicode"

	"github.com/botforge/dialogd/dialog/nlu"
	"github.com/botforge/dialogd/nodes"
)

// freeTextIntentScore is how sure the classifier must be that a free-text
// answer (a name, a description) asks for a task before it is taken for
// one, if it names an action: "please create a case" when asked for a
// last name is a request, but "Lead Generation Ltd" is a company.
const freeTextIntentScore = 0.55

// interjection handles an input, while a node waits for an answer, that is
// not one: a request for a task (an interruption, interrupt.go) or small
// talk (smalltalk.go). It reports whether it dealt with the input; if not,
// the node reads it.
func (r *Runtime) interjection(ctx context.Context, st *state, t *nodes.Turn, nd *nodeDef, in nodes.Input, n string) bool {
	if in.Payload != "" {
		return false // the node's own buttons (task buttons were handled before)
	}
	kind := nodes.AnswerUnsure
	if c, ok := nd.node.(nodes.AnswerChecker); ok {
		r.prepare(t, st, nd)
		kind = c.CheckAnswer(t, in)
	}
	if kind == nodes.AnswerValid {
		return false
	}
	if task, ok := r.requestIn(kind, in.Text, n, st.Task, t.Lang); ok {
		// A request, unlike an answer, tells the user's language.
		r.detectLang(t, in.Text)
		r.setLang(t, r.taskLang(n))
		if task == st.Task {
			// "create a lead" while creating one: not an answer.
			t.Say(nodes.Reply{Text: t.Phrase("already_doing", r.taskTitle(t, task))})
			r.takeValues(ctx, st, t, in.Text)
			r.reask(ctx, st, t)
			return true
		}
		r.interrupt(ctx, st, t, task, in.Text)
		return true
	}
	if kind == nodes.AnswerUnsure {
		return false // the node decides; small talk may be an answer to it
	}
	if r.smallTalk(st, t, in.Text) {
		r.reask(ctx, st, t)
		return true
	}
	return false
}

// requestIn is the task text asks for, given what the waiting node made
// of it, or false: a training phrase always asks; a node that cannot tell
// yields to nothing else; digits and marks alone ("0711 12") are a try at
// an answer; a free-text answer, or a request for the task already
// running, counts only when the classifier is sure of it and it names an
// action ("please create a lead" does, "Lena Lead" does not); an answer
// the node rejected, when the classifier is confident. A free-text answer
// that names no action, the usual name or company, costs no
// classification.
func (r *Runtime) requestIn(kind nodes.AnswerKind, text, n, running, lang string) (string, bool) {
	if hit, ok := r.bot.intent.exact[n]; ok {
		return hit.task, true
	}
	if kind == nodes.AnswerUnsure || !strings.ContainsFunc(text, unicode.IsLetter) {
		return "", false
	}
	if kind == nodes.AnswerFreeText && oneWord(text) {
		return "", false // "Ada", "Acme": a request names what to do and to what
	}
	acts := kind == nodes.AnswerFreeText && nlu.NamesAction(text)
	if kind == nodes.AnswerFreeText && !acts {
		return "", false
	}
	res := r.bot.classify(n, text, lang)
	if res.Verdict != nlu.Confident {
		return "", false
	}
	best := res.Matches[0]
	if kind == nodes.AnswerFreeText || best.Intent == running {
		sure := best.Score >= freeTextIntentScore && (acts || nlu.NamesAction(text))
		return best.Intent, sure
	}
	return best.Intent, true
}

// oneWord reports whether text is a single word of a script written with
// spaces (Japanese runs are whole sentences, so they never are).
func oneWord(text string) bool {
	text = strings.TrimSpace(text)
	return !strings.ContainsFunc(text, unicode.IsSpace) && !isJapanese(text)
}

// reask asks the waiting node's question again, after an input that was
// not its answer was dealt with.
func (r *Runtime) reask(ctx context.Context, st *state, t *nodes.Turn) {
	task := r.taskOf(st)
	nd := task.nodeOrNil(st.Node)
	if nd == nil || st.Wait != waitInput {
		return
	}
	r.runNode(ctx, st, t, task, nd)
}

// takeValues lets the running task take the values text holds ("create a
// lead for Ada Lovelace" while creating one), as it took them from the
// sentence that started it (the intent node fills them: nodes/prefill.go):
// values the user already gave stay.
func (r *Runtime) takeValues(ctx context.Context, st *state, t *nodes.Turn, text string) {
	task := r.taskOf(st)
	root := task.nodeOrNil(task.Root)
	if root == nil {
		return
	}
	utt := t.Utterance
	t.Utterance = text
	if _, err := root.node.Run(ctx, t); err != nil {
		r.log.WarnContext(ctx, "taking values from a repeated request failed", "conversation", t.Conversation, "task", st.Task, "err", err)
	}
	t.Utterance = utt
}
