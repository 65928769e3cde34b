package dialog

import (
	"context"

	"github.com/botforge/dialogd/dialog/nlu"
	"github.com/botforge/dialogd/nodes"
)

// understand handles text when no task waits for an answer: it starts the
// task the text asks for, asks "did you mean A or B?" when two are about
// as likely, answers small talk, or says it did not understand and shows
// the closest tasks.
func (r *Runtime) understand(ctx context.Context, st *state, t *nodes.Turn, in nodes.Input, n string) {
	res := r.bot.classify(n, in.Text, t.Lang)
	if res.Verdict == nlu.Confident {
		task := res.Matches[0].Intent
		r.setLang(t, r.taskLang(n))
		r.startTask(ctx, st, t, task, in.Text)
		return
	}
	if r.smallTalk(st, t, in.Text) {
		return
	}
	if res.Verdict == nlu.Ambiguous {
		a, b := res.Matches[0].Intent, res.Matches[1].Intent
		t.Say(nodes.Reply{
			Text:    t.Phrase("did_you_mean", r.taskTitle(t, a), r.taskTitle(t, b)),
			Buttons: []nodes.Button{r.taskButton(t, a), r.taskButton(t, b)},
		})
		return
	}
	if close := r.closestTasks(t, res); len(close) > 0 {
		t.Say(nodes.Reply{Text: t.Phrase("closest"), Buttons: close})
		return
	}
	t.Say(nodes.Reply{Text: t.Phrase("fallback"), Buttons: r.taskButtons(t, true)})
}

// minClosestScore is the least score a task needs to be shown as one of
// the closest to a sentence that was not understood.
const minClosestScore = 0.2

// closestTasks are buttons for the tasks a sentence that was not
// understood came closest to, best first.
func (r *Runtime) closestTasks(t *nodes.Turn, res nlu.Result) []nodes.Button {
	var out []nodes.Button
	for _, m := range res.Matches {
		if m.Score < minClosestScore {
			break
		}
		out = append(out, r.taskButton(t, m.Intent))
	}
	return out
}

// taskButton is the button that starts a task, titled in the turn's
// language.
func (r *Runtime) taskButton(t *nodes.Turn, task string) nodes.Button {
	return nodes.Button{Title: r.taskTitle(t, task), Payload: task}
}

// taskLang is the language of the training utterance n is (or starts
// with), "" when it is none: a task phrase sets the conversation's
// language as a command word does.
func (r *Runtime) taskLang(n string) string {
	if hit, ok := r.bot.intent.exact[n]; ok {
		return hit.lang
	}
	if hit, ok := r.bot.intent.match(n); ok {
		return hit.lang
	}
	return ""
}
