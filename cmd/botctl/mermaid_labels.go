package main

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/botforge/dialogd/dialog"
	"github.com/botforge/dialogd/nodes"
	"github.com/botforge/dialogd/nodes/salesforce"
)

// nodeSummary is a node's type and what it does, in a few words: the
// entity type of an entity, the operation and object of a Salesforce
// call, the method and URL of a service, the start of a message's text
// (in lang) and so on.
func nodeSummary(n dialog.TaskNode, lang string) string {
	detail := ""
	switch cfg := n.Node.(type) {
	case *nodes.Intent:
		detail = firstUtterance(cfg.Phrases, lang)
	case *nodes.Entity:
		detail = cfg.EntityType
	case *salesforce.Action:
		detail = strings.TrimSpace(cfg.Operation + " " + cfg.Object)
	case *nodes.Service:
		method := cfg.Method
		if method == "" {
			method = "GET"
		}
		detail = method + " " + cfg.URL.String()
	case *nodes.Message:
		detail = quoted(cfg.Text, lang)
	case *nodes.Confirmation:
		detail = quoted(cfg.Prompt, lang)
	case *nodes.AgentTransfer:
		detail = cfg.Reason
	case *nodes.Logic:
		var names []string
		for _, s := range cfg.Set {
			names = append(names, s.Name)
		}
		detail = setList(names)
	case *nodes.Script:
		var names []string
		for _, a := range cfg.Set {
			names = append(names, a.Target())
		}
		detail = setList(names)
	}
	if detail == "" {
		return n.Type
	}
	return n.Type + ": " + detail
}

// quoted is the start of a text in lang, in quotes; "" for none.
func quoted(t nodes.Text, lang string) string {
	src := shorten(t.Interp(lang).String(), 32)
	if src == "" {
		return ""
	}
	return "“" + src + "”"
}

// firstUtterance is the first training phrase in lang (or the plain
// list's, or the first language's), in quotes.
func firstUtterance(u nodes.Utterances, lang string) string {
	list := u[lang]
	if len(list) == 0 {
		list = u[""]
	}
	if len(list) == 0 {
		langs := slices.Sorted(maps.Keys(u))
		if len(langs) > 0 {
			list = u[langs[0]]
		}
	}
	if len(list) == 0 {
		return ""
	}
	return "“" + list[0] + "”"
}

func setList(names []string) string {
	if len(names) == 0 {
		return ""
	}
	return "set " + strings.Join(names, ", ")
}

// exitWords name the usual exit keys in a diagram.
var exitWords = map[string]string{
	"next": "", "else": "else",
	"on_yes": "yes", "on_no": "no", "on_else": "other answer",
	"on_fail": "retries exhausted", "on_error": "error", "on_timeout": "timeout",
	"on_duplicate": "duplicate", "on_not_found": "not found", "on_unavailable": "unavailable",
}

// exitLabel is the label of an exit's arrow: the condition of an if,
// "Email refused" for a field Salesforce refused, the way back after a
// re-ask, a word for the other keys, and the key itself for a key of a
// node type it does not know.
func exitLabel(e dialog.Exit) string {
	switch {
	case e.Key == "if":
		return e.Cond
	case e.DeclaredBy != "":
		return fmt.Sprintf("answered again for %s", e.DeclaredBy)
	case strings.HasPrefix(e.Key, "ask_again."):
		return strings.TrimPrefix(e.Key, "ask_again.") + " refused"
	}
	if w, ok := exitWords[e.Key]; ok {
		return w
	}
	return e.Key
}
