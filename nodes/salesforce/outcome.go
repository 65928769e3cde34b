package salesforce

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/botforge/dialogd/nodes"
)

// failed records a failure under the node's id and answers it: a refused
// field asks again, a duplicate shows the matches, a missing record says
// so, an unavailable Salesforce offers to try again; a target the designer
// set for the kind comes first.
func (a *Action) failed(ctx context.Context, t *nodes.Turn, f failure) (nodes.Outcome, error) {
	a.setError(ctx, t, f)
	switch f.kind {
	case kindField:
		if target := a.askAgainFor(f.fields); target != "" {
			t.Say(nodes.Reply{Type: nodes.ReplyMessage, Text: a.text(t, a.Texts.FieldRejected, "salesforce.field_rejected", f.msg)})
			return nodes.Reask(target, a.RetryFrom), nil
		}
	case kindDuplicate:
		if a.OnDuplicate != "" {
			return nodes.Recover(a.OnDuplicate, nodes.FailService), nil
		}
		t.Say(nodes.Reply{Type: nodes.ReplyMessage, Text: a.text(t, a.Texts.Duplicate, "salesforce.duplicate"), Buttons: viewButtons(t, f.dups)})
		return nodes.FailTold(nodes.FailService), nil
	case kindNotFound:
		if a.Operation == OpFind || a.Operation == OpSearch {
			t.Memory.SetNode(t.NodeID, map[string]any{"records": []any{}, "count": float64(0), "error": f.code})
			if a.OnNotFound != "" {
				return nodes.GoTo(a.OnNotFound), nil
			}
			return nodes.Next(), nil
		}
		if a.OnNotFound != "" {
			return nodes.Recover(a.OnNotFound, nodes.FailService), nil
		}
		return nodes.FailWith(nodes.FailService, a.text(t, a.Texts.NotFound, "salesforce.not_found")), nil
	case kindUnavailable:
		if a.Operation == OpCreate || a.Operation == OpConvertLead {
			// The call may have gone through without an answer: a retry
			// looks for its record first (match_on).
			a.setUncertain(t, f.code != "REQUEST_LIMIT_EXCEEDED")
		}
		if a.OnUnavailable != "" {
			return nodes.Recover(a.OnUnavailable, nodes.FailService), nil
		}
		if t.Event != "" {
			// Nobody to offer a retry to (conversation_end): fail, so that
			// the runtime runs the handler again later.
			return nodes.FailWith(nodes.FailService, ""), nil
		}
		a.offerRetry(t, f.code == "REQUEST_LIMIT_EXCEEDED")
		return nodes.Wait(), nil
	case kindUncertain:
		if a.OnError != "" {
			return nodes.Recover(a.OnError, nodes.FailService), nil
		}
		return nodes.FailWith(nodes.FailService, a.text(t, a.Texts.Uncertain, "salesforce.uncertain")), nil
	}
	if a.OnError != "" {
		return nodes.Recover(a.OnError, nodes.FailService), nil
	}
	msg := f.msg
	if msg == "" {
		msg = f.code
	}
	return nodes.FailWith(nodes.FailService, a.text(t, a.Texts.Failed, "salesforce.failed", msg)), nil
}

// setError puts the failure under the node's id: error (Salesforce's
// errorCode, or timeout, network, uncertain, INVALID_ID), error_message,
// error_fields and duplicates.
func (a *Action) setError(ctx context.Context, t *nodes.Turn, f failure) {
	fields := make([]any, len(f.fields))
	for i, x := range f.fields {
		fields[i] = x
	}
	m := map[string]any{"error": f.code, "error_message": f.msg, "error_fields": fields}
	if len(f.dups) > 0 {
		base := a.instance(ctx, t)
		dups := make([]any, len(f.dups))
		for i, d := range f.dups {
			dups[i] = cleanRecord(base, a.Object, d)
		}
		m["duplicates"] = dups
	}
	t.Memory.SetNode(t.NodeID, m)
}

// askAgainFor is the node that asked for the first refused field that has
// one, or "".
func (a *Action) askAgainFor(fields []string) nodes.Target {
	for _, f := range fields {
		for k, target := range a.AskAgain {
			if strings.EqualFold(k, f) {
				return target
			}
		}
	}
	return ""
}

// offerRetry says that Salesforce is not available (or over the org's
// API limit) and offers to try again.
func (a *Action) offerRetry(t *nodes.Turn, limit bool) {
	text := a.text(t, a.Texts.Unavailable, "salesforce.unavailable")
	if limit {
		text = a.text(t, a.Texts.Limit, "salesforce.limit")
	}
	t.Say(nodes.Reply{
		Type: nodes.ReplyMessage,
		Text: text,
		QuickReplies: []nodes.Button{
			{Title: t.Phrase("salesforce.button.try_again"), Payload: retryPayload},
			{Title: t.Phrase("button.no"), Payload: "no"},
		},
	})
}

// viewButtons are link buttons to records (duplicates, say): the record's
// name, opening it in Salesforce.
func viewButtons(t *nodes.Turn, recs []map[string]any) []nodes.Button {
	var out []nodes.Button
	for _, r := range recs {
		link, _ := r["link"].(string)
		if link == "" {
			continue
		}
		name, _ := r["Name"].(string)
		if name == "" {
			name = t.Phrase("salesforce.button.view")
		}
		out = append(out, nodes.Button{Title: name, Payload: link, URL: link})
	}
	return slices.Clip(out)
}

// text is the node's own text when the designer set one, else the phrase
// (the bot's override of it, or the built-in one) filled with args.
func (a *Action) text(t *nodes.Turn, own nodes.Text, phrase string, args ...any) string {
	if !own.IsZero() {
		if s, err := own.Render(t); err == nil && s != "" {
			return s
		} else if err != nil && t.Env != nil && t.Env.Log != nil {
			t.Env.Log.Warn("salesforce text does not render", "node", t.NodeID, "err", fmt.Sprint(err))
		}
	}
	return t.Phrase(phrase, args...)
}
