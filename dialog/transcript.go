package dialog

import (
	"strings"

	"github.com/botforge/dialogd/nodes"
)

// maxTranscript bounds the transcript a conversation keeps: its most
// recent lines, whole.
const maxTranscript = 8 << 10

// transcriptVar is the conversation variable that holds the transcript.
const transcriptVar = "transcript"

// keepTranscript appends the turn, the user's words and the bot's
// replies, to conversation.transcript, when the bot asked for it
// (events.conversation_end.transcript): its conversation_end can then log
// the conversation (a CRM activity, say). Only the latest maxTranscript
// bytes are kept.
func (r *Runtime) keepTranscript(st *state, t *nodes.Turn, in nodes.Input) {
	r.appendTranscript(st, t, func(line func(who, text string)) {
		line(t.Phrase("transcript.user"), in.Text)
		for _, rp := range t.Replies() {
			line(t.Phrase("transcript.bot"), rp.Text)
		}
	})
}

// appendTranscript adds the lines write writes to conversation.transcript,
// when the bot keeps one, one "who: text" line each (empty texts left
// out). A bot with an agent desk keeps one too: an agent who takes a
// conversation over reads it first.
func (r *Runtime) appendTranscript(st *state, t *nodes.Turn, write func(line func(who, text string))) {
	if !r.bot.Config.Events.ConversationEnd.Transcript && r.handoffs == nil {
		return
	}
	var b strings.Builder
	if v, ok := st.Memory.Lookup([]string{"conversation", transcriptVar}, t.Now.Unix()); ok {
		if s, ok := v.(string); ok {
			b.WriteString(s)
		}
	}
	write(func(who, text string) {
		text = strings.TrimSpace(text)
		if text == "" {
			return
		}
		if b.Len() > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(who + ": " + strings.ReplaceAll(text, "\n", " "))
	})
	st.Memory.SetVar(nodes.ScopeConversation, transcriptVar, trimTranscript(b.String()), 0)
}

// trimTranscript drops the oldest lines until s fits maxTranscript.
func trimTranscript(s string) string {
	for len(s) > maxTranscript {
		i := strings.IndexByte(s, '\n')
		if i < 0 {
			return s[len(s)-maxTranscript:]
		}
		s = s[i+1:]
	}
	return s
}
