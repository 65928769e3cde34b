package dialog

import (
	"context"
	"slices"
	"strings"

	"github.com/botforge/dialogd/nodes"
)

// command runs a built-in command (cancel or discard, discard all, help,
// restart, go back, in any language the bot speaks) and reports whether
// n was one; an input that is not a command may answer a question the
// runtime asked (interrupt.go).
func (r *Runtime) command(ctx context.Context, st *state, t *nodes.Turn, in nodes.Input, n string) bool {
	cmd := commands[n].cmd
	if cmd == cmdNone {
		return st.Ask != askNone && r.answerAsked(ctx, st, t, in)
	}
	r.setLang(t, commandLang(n))
	switch cmd {
	case cmdCancel:
		r.cancel(st, t)
	case cmdDiscardAll:
		r.discardAll(st, t)
	case cmdHelp:
		// A running task keeps waiting where it was.
		t.Say(nodes.Reply{Text: t.Phrase("help"), Buttons: r.taskButtons(t, true)})
	case cmdRestart:
		seq, seen, lang := st.Seq, st.Seen, t.Lang
		conv := st.Memory.Conversation
		for _, h := range st.Held {
			r.dropped(h)
		}
		*st = state{V: stateVersion, Seq: seq, Seen: seen, Lang: lang}
		st.Memory.Conversation = conv
		t.Memory = &st.Memory
		t.Say(nodes.Reply{Text: t.Phrase("restarted"), Buttons: r.taskButtons(t, true)})
	case cmdGoBack:
		st.Ask, st.Pend, st.PUtt = askNone, "", ""
		r.goBack(ctx, st, t)
	}
	return true
}

// cancel drops the running task (the last held one then resumes); with
// none running, it drops the held task the bot offered to go back to.
func (r *Runtime) cancel(st *state, t *nodes.Turn) {
	switch {
	case st.Task != "":
		r.endTask(st, t, nodes.Canceled)
	case len(st.Held) > 0:
		r.dropLastHeld(st, t)
	default:
		t.Say(nodes.Reply{Text: t.Phrase("nothing_to_cancel")})
	}
}

// disconnectCommand recognises "disconnect salesforce" and its forms in
// every phrase table (words.disconnect), for a profile name or the
// provider it is for.
func (r *Runtime) disconnectCommand(n string) (string, bool) {
	if len(r.bot.Config.AuthProfiles) == 0 {
		return "", false
	}
	target := ""
	for _, p := range disconnectPatterns {
		if t, ok := p.match(n); ok {
			target = t
			break
		}
	}
	if target == "" {
		return "", false
	}
	for name := range r.bot.Config.AuthProfiles {
		if normalize(name) == target || profileProvider(r.bot.Config.AuthProfiles[name]) == target {
			return name, true
		}
	}
	return "", false
}

// disconnectPattern is one form of the disconnect command: normalised
// text before and after the service's name.
type disconnectPattern struct {
	prefix, suffix string
	spaced         bool // the language separates words with spaces
}

// disconnectPatterns are the words.disconnect patterns of every phrase
// table, longest first, so "disconnect from x" wins over "disconnect x".
var disconnectPatterns = buildDisconnectPatterns()

func buildDisconnectPatterns() []disconnectPattern {
	var out []disconnectPattern
	for _, lang := range nodes.PhraseLanguages() {
		for _, w := range nodes.PhraseWords(lang, "disconnect") {
			before, after, ok := strings.Cut(w, "%s")
			if !ok {
				continue
			}
			out = append(out, disconnectPattern{prefix: normalize(before), suffix: normalize(after), spaced: isSpaced(lang)})
		}
	}
	slices.SortStableFunc(out, func(a, b disconnectPattern) int {
		return len(b.prefix) + len(b.suffix) - len(a.prefix) - len(a.suffix)
	})
	return out
}

// match returns the name in n between the pattern's prefix and suffix.
func (p disconnectPattern) match(n string) (string, bool) {
	rest, ok := strings.CutPrefix(n, p.prefix)
	if !ok || p.spaced && p.prefix != "" && !strings.HasPrefix(rest, " ") {
		return "", false
	}
	rest, ok = strings.CutSuffix(rest, p.suffix)
	if !ok || p.spaced && p.suffix != "" && !strings.HasSuffix(rest, " ") {
		return "", false
	}
	rest = strings.TrimSpace(rest)
	return rest, rest != ""
}

func (r *Runtime) disconnect(ctx context.Context, t *nodes.Turn, profile string) {
	label := profileLabel(profile, r.bot.Config.AuthProfiles[profile])
	rv, ok := r.env.Auth.(Revoker)
	if !ok {
		t.Say(nodes.Reply{Text: t.Phrase("not_connected", label)})
		return
	}
	if err := rv.Revoke(ctx, t.User, profile); err != nil {
		r.log.ErrorContext(ctx, "disconnect failed", "conversation", t.Conversation, "profile", profile, "err", err)
		t.Say(nodes.Reply{Text: t.Phrase("disconnect_failed", label)})
		return
	}
	t.Say(nodes.Reply{Text: t.Phrase("disconnected", label)})
}
