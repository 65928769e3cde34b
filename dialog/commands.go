package dialog

import (
	"context"
	"strings"

	"github.com/botforge/dialogd/nodes"
)

// command runs a built-in command (cancel, help, restart, in any language
// the bot speaks) and reports whether n was one.
func (r *Runtime) command(st *state, t *nodes.Turn, n string) bool {
	cmd := commands[n]
	if cmd == cmdNone {
		return false
	}
	if l := commandLang(n); l != "" && r.speaks(l) {
		t.Lang = l
	}
	switch cmd {
	case cmdCancel:
		if st.Task == "" {
			t.Say(nodes.Reply{Text: phrase(t, r.bot.Config.Messages.NothingToCancel, "nothing_to_cancel")})
			return true
		}
		r.endTask(st, t, nodes.Canceled, "")
	case cmdHelp:
		// A running task keeps waiting where it was.
		t.Say(nodes.Reply{Text: phrase(t, r.bot.Config.Messages.Help, "help"), Buttons: r.taskButtons(t, true)})
	case cmdRestart:
		seq, seen, lang := st.Seq, st.Seen, t.Lang
		conv := st.Memory.Conversation
		*st = state{V: stateVersion, Seq: seq, Seen: seen, Lang: lang}
		st.Memory.Conversation = conv
		t.Memory = &st.Memory
		t.Say(nodes.Reply{Text: phrase(t, r.bot.Config.Messages.Restarted, "restarted"), Buttons: r.taskButtons(t, true)})
	}
	return true
}

// disconnectCommand recognises "disconnect salesforce" and its Japanese
// and German forms, for a profile name (or the provider it is for).
func (r *Runtime) disconnectCommand(n string) (string, bool) {
	if len(r.bot.Config.AuthProfiles) == 0 {
		return "", false
	}
	var target string
	switch {
	case strings.HasPrefix(n, "disconnect from "):
		target = strings.TrimPrefix(n, "disconnect from ")
	case strings.HasPrefix(n, "disconnect "):
		target = strings.TrimPrefix(n, "disconnect ")
	case strings.HasPrefix(n, "log out of "):
		target = strings.TrimPrefix(n, "log out of ")
	case strings.HasSuffix(n, " trennen"):
		target = strings.TrimSuffix(strings.TrimPrefix(n, "verbindung zu "), " trennen")
	case strings.HasSuffix(n, " abmelden"):
		target = strings.TrimSuffix(strings.TrimPrefix(n, "von "), " abmelden")
	default:
		for _, suffix := range []string{"との連携を解除", "の連携を解除", "連携解除", "との接続を解除", "からログアウト"} {
			if strings.HasSuffix(n, suffix) {
				target = strings.TrimSuffix(n, suffix)
				break
			}
		}
	}
	target = strings.TrimSpace(target)
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

func (r *Runtime) disconnect(ctx context.Context, t *nodes.Turn, profile string) {
	label := profileLabel(profile, r.bot.Config.AuthProfiles[profile])
	rv, ok := r.env.Auth.(Revoker)
	if !ok {
		t.Say(nodes.Reply{Text: phrase(t, nil, "not_connected", label)})
		return
	}
	if err := rv.Revoke(ctx, t.User, profile); err != nil {
		r.log.Error("disconnect failed", "profile", profile, "err", err)
		t.Say(nodes.Reply{Text: phrase(t, nil, "disconnect_failed", label)})
		return
	}
	t.Say(nodes.Reply{Text: phrase(t, nil, "disconnected", label)})
}
