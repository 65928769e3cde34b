package main

import (
	"fmt"
	"io"
	"regexp"
	"strings"

	"github.com/botforge/dialogd/dialog"
	"github.com/botforge/dialogd/nodes"
	"github.com/botforge/dialogd/nodes/salesforce"
)

// writeMermaid writes a loaded task's flow (dialog.Task.Graph) as a
// Mermaid stateDiagram-v2: a state per node (its id, its type and what it
// does, texts in lang), every declared transition labelled with its
// condition or outcome, the start at the intent node and the task's ends
// as [*].
func writeMermaid(w io.Writer, graph []dialog.TaskNode, lang string) {
	order := flowOrder(graph)
	ids := mermaidIDs(order)
	fmt.Fprintln(w, "stateDiagram-v2")
	for _, n := range order {
		// Two descriptions: Mermaid shows the first as the state's title.
		fmt.Fprintf(w, "    %s : %s\n", ids[n.ID], mermaidText(n.ID, 60))
		fmt.Fprintf(w, "    %s : %s\n", ids[n.ID], mermaidText(nodeSummary(n, lang), 60))
	}
	if len(order) > 0 {
		fmt.Fprintf(w, "    [*] --> %s\n", ids[order[0].ID])
	}
	for _, n := range order {
		for _, tr := range mermaidTransitions(n) {
			line := "    " + endOr(ids, n.ID) + " --> " + endOr(ids, tr.to)
			if tr.label != "" {
				line += " : " + mermaidText(tr.label, 48)
			}
			fmt.Fprintln(w, line)
		}
	}
}

// endOr is the node's Mermaid id, or [*] for the task's end.
func endOr(ids map[string]string, to string) string {
	if to == string(nodes.EndTarget) {
		return "[*]"
	}
	return ids[to]
}

type mermaidTransition struct{ to, label string }

// mermaidTransitions are the arrows out of a node: its exits, the way
// back after a re-ask, Salesforce's offer to try again, and the task's
// end for a node whose usual flow stops there.
func mermaidTransitions(n dialog.TaskNode) []mermaidTransition {
	var out []mermaidTransition
	usual := false
	for _, e := range n.Exits {
		out = append(out, mermaidTransition{to: e.To, label: exitLabel(e)})
		usual = usual || !isFailureExit(e)
	}
	if a, ok := n.Node.(*salesforce.Action); ok && a.OnUnavailable == "" {
		out = append(out, mermaidTransition{to: n.ID, label: "unavailable: try again"})
	}
	switch {
	case n.Type == "agent_transfer":
		out = append(out, mermaidTransition{to: string(nodes.EndTarget), label: "handed off"})
	case !usual:
		out = append(out, mermaidTransition{to: string(nodes.EndTarget)})
	}
	return out
}

// mermaidKeywords are words Mermaid's state diagram grammar reads as
// keywords, so a node with such an id gets another Mermaid id.
var mermaidKeywords = map[string]bool{
	"state": true, "note": true, "end": true, "direction": true, "class": true,
	"classdef": true, "style": true, "click": true, "as": true, "default": true,
	"left": true, "right": true, "of": true, "hide": true, "accdescr": true,
	"acctitle": true, "fork": true, "join": true, "choice": true, "concurrent": true,
	"stateDiagram": true, "statediagram-v2": true, "linkstyle": true,
}

var notIDChar = regexp.MustCompile(`[^A-Za-z0-9_]`)

// mermaidIDs gives every node an id Mermaid reads as a plain state name:
// its own, with other characters than letters, digits and _ as _, a
// keyword followed by _, one without a letter to start as n<position>;
// each distinct.
func mermaidIDs(order []dialog.TaskNode) map[string]string {
	ids := map[string]string{}
	used := map[string]bool{}
	for i, n := range order {
		id := notIDChar.ReplaceAllString(n.ID, "_")
		switch {
		case id == "" || !isASCIILetter(id[0]):
			id = fmt.Sprintf("n%d_%s", i, id)
		case mermaidKeywords[strings.ToLower(id)]:
			id += "_"
		}
		for used[id] {
			id += "_"
		}
		ids[n.ID], used[id] = id, true
	}
	return ids
}

func isASCIILetter(b byte) bool { return 'a' <= b && b <= 'z' || 'A' <= b && b <= 'Z' }

// mermaidEntities replaces the characters that end or change a Mermaid
// label by Mermaid's entity codes: ; ends a statement, < and > would be
// markup, & and # start entities. Quotes, colons, braces and the rest
// show as written (the render test checks each).
var mermaidEntities = strings.NewReplacer(
	`#`, "#35;", `;`, "#59;", `<`, "#lt;", `>`, "#gt;", `&`, "#38;",
)

// mermaidText is s on one line, at most max characters (an ellipsis
// marks a cut), with Mermaid's special characters as entity codes.
func mermaidText(s string, max int) string {
	return mermaidEntities.Replace(shorten(s, max))
}

// shorten is s on one line (runs of white space as one space), cut to at
// most max characters with an ellipsis.
func shorten(s string, max int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > max {
		s = strings.TrimSpace(string(r[:max-1])) + "…"
	}
	return s
}
