package main

import (
	"cmp"
	"slices"
	"strings"

	"github.com/botforge/dialogd/dialog"
)

// flowOrder returns a loaded task's nodes in the order a conversation
// meets them: depth first from the intent node, following a node's usual
// exits (next, conditions, on_yes, on_no, …) before its failure exits
// (on_error, on_timeout, on_fail, on_duplicate, …; see isFailureExit);
// nodes that no exit reaches follow in file order. Each node's exits
// come usual ones first.
func flowOrder(graph []dialog.TaskNode) []dialog.TaskNode {
	byID := map[string]int{}
	for i, n := range graph {
		byID[n.ID] = i
	}
	seen := make([]bool, len(graph))
	var order []dialog.TaskNode
	var visit func(i int)
	visit = func(i int) {
		if seen[i] {
			return
		}
		seen[i] = true
		n := graph[i]
		n.Exits = usualFirst(n.Exits)
		order = append(order, n)
		for _, e := range n.Exits {
			if j, ok := byID[e.To]; ok {
				visit(j)
			}
		}
	}
	for i := range graph {
		visit(i)
	}
	return order
}

// failureKeys are the exits taken when something goes wrong.
var failureKeys = map[string]bool{
	"on_error": true, "on_timeout": true, "on_fail": true,
	"on_duplicate": true, "on_not_found": true, "on_unavailable": true,
	"retry_from": true,
}

// isFailureExit reports whether e is taken when something goes wrong:
// a failure key, or a field Salesforce refused (ask_again.Email).
func isFailureExit(e dialog.Exit) bool {
	return failureKeys[e.Key] || strings.HasPrefix(e.Key, "ask_again.")
}

// usualFirst returns exits with the usual ones first, each kind in the
// order declared.
func usualFirst(exits []dialog.Exit) []dialog.Exit {
	out := slices.Clone(exits)
	slices.SortStableFunc(out, func(a, b dialog.Exit) int {
		return cmp.Compare(b2i(isFailureExit(a)), b2i(isFailureExit(b)))
	})
	return out
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
