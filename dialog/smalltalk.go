package dialog

import (
	"github.com/botforge/dialogd/nodes"
)

// smallTalk answers text that is small talk (a greeting, thanks, "are you
// a bot?", goodbye; see smalltalk_detect.go) and reports whether it was.
// The answer is the phrase texts.small_talk.<kind> in the language the
// small talk was in, which a bot overrides under messages: in bot.yaml.
// It changes nothing else: a running task stays where it was, and the
// caller asks its question again.
func (r *Runtime) smallTalk(st *state, t *nodes.Turn, text string) bool {
	talk, ok := detectSmallTalk(text, r.cannotBeAnswer(st, t, text))
	if !ok {
		return false
	}
	if st.Task == "" || (talk.lang == "ja") != (t.Lang == "ja") {
		// Mid-task, only another script switches the language: a German
		// user's "thx" is still German.
		r.setLang(t, talk.lang)
	}
	t.Say(r.smallTalkReply(st, t, talk.kind))
	return true
}

// maxSmallTalkButtons is the most tasks a bot may have for small talk
// with no task running to show them as buttons.
const maxSmallTalkButtons = 8

// smallTalkReply is the answer to small talk of kind. With no task
// running, a greeting or a question about the bot also shows what it can
// do, as the welcome does; during a task, a greeting or goodbye names the
// task the user is in the middle of.
func (r *Runtime) smallTalkReply(st *state, t *nodes.Turn, kind smallTalkKind) nodes.Reply {
	if st.Task != "" {
		switch kind {
		case smallTalkGreeting, smallTalkGoodbye:
			return nodes.Reply{Text: t.Phrase(kind.key()+".in_task", r.taskTitle(t, st.Task))}
		}
		return nodes.Reply{Text: t.Phrase(kind.key())}
	}
	switch kind {
	case smallTalkGreeting, smallTalkHowAreYou, smallTalkWhoAreYou, smallTalkAreYouABot:
		// A few buttons invite; a wall of them buries the answer (help
		// still lists every task).
		return nodes.Reply{Text: t.Phrase(kind.key()), Buttons: r.taskButtons(t, len(r.bot.order) <= maxSmallTalkButtons)}
	}
	return nodes.Reply{Text: t.Phrase(kind.key())}
}

// cannotBeAnswer reports whether text cannot be the answer to a question,
// so that the small-talk model may read it (smalltalk_model.go): no
// question is waiting, or the waiting node says text does not answer it
// (an e-mail address was asked for). Text that may be an answer (a name,
// a description) is small talk only when the lists hold it word for word.
func (r *Runtime) cannotBeAnswer(st *state, t *nodes.Turn, text string) bool {
	if st.Task == "" || st.Wait != waitInput {
		return true
	}
	nd := r.taskOf(st).nodeOrNil(st.Node)
	if nd == nil {
		return true
	}
	c, ok := nd.node.(nodes.AnswerChecker)
	if !ok {
		return false
	}
	r.prepare(t, st, nd)
	return c.CheckAnswer(t, nodes.Input{Text: text}) == nodes.AnswerInvalid
}
