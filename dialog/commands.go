package dialog

import (
	"context"
	"slices"
	"strings"

	"github.com/botforge/dialogd/nodes"
)

// command runs a built-in command (cancel, help, restart, in any language
// the bot speaks) and reports whether n was one.
func (r *Runtime) command(st *state, t *nodes.Turn, n string) bool {
	cmd := commands[n].cmd
	if cmd == cmdNone {
		return false
	}
	r.setLang(t, commandLang(n))
	switch cmd {
	case cmdCancel:
		if st.Task == "" {
			t.Say(nodes.Reply{Text: t.Phrase("nothing_to_cancel")})
			return true
		}
		r.endTask(st, t, nodes.Canceled)
	case cmdHelp:
		// A running task keeps waiting where it was.
		t.Say(nodes.Reply{Text: t.Phrase("help"), Buttons: r.taskButtons(t, true)})
	case cmdRestart:
		seq, seen, lang := st.Seq, st.Seen, t.Lang
		conv := st.Memory.Conversation
		*st = state{V: stateVersion, Seq: seq, Seen: seen, Lang: lang}
		st.Memory.Conversation = conv
		t.Memory = &st.Memory
		t.Say(nodes.Reply{Text: t.Phrase("restarted"), Buttons: r.taskButtons(t, true)})
	}
	return true
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
