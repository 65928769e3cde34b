package main

import (
	"cmp"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
)

// flowNode is one node of a template's task as `templates show` lists it.
type flowNode struct {
	id, kind string
	exits    []exit // usual exits first, then failure exits
}

// exit is one way out of a node: the key that names the target (next,
// on_yes, if, else, …) and the target.
type exit struct{ via, to string }

// flowOrder returns the nodes of a task body in the order a conversation
// meets them: depth first from the first node, following a node's usual
// exits (next, conditions, on_yes, on_no, …) before its failure exits
// (on_error, on_timeout, on_fail); nodes that no exit reaches follow in
// file order. It reads the template's YAML as written, so ids and
// targets may still hold ${param} placeholders.
func flowOrder(task *yaml.Node) []flowNode {
	list := taskNodes(task)
	byID := map[string]int{}
	for i, n := range list {
		byID[n.id] = i
	}
	seen := make([]bool, len(list))
	var order []flowNode
	var visit func(i int)
	visit = func(i int) {
		if seen[i] {
			return
		}
		seen[i] = true
		order = append(order, list[i])
		for _, e := range list[i].exits {
			if j, ok := byID[e.to]; ok {
				visit(j)
			}
		}
	}
	for i := range list {
		visit(i)
	}
	return order
}

// failureExits are the keys of exits taken when something goes wrong.
var failureExits = map[string]bool{"on_error": true, "on_timeout": true, "on_fail": true}

// usualFirst orders exits usual ones first, each kind in file order.
func usualFirst(exits []exit) []exit {
	slices.SortStableFunc(exits, func(a, b exit) int {
		return cmp.Compare(b2i(failureExits[a.via]), b2i(failureExits[b.via]))
	})
	return exits
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// taskNodes reads the nodes list of a task body in file order.
func taskNodes(task *yaml.Node) []flowNode {
	seq := mapValue(task, "nodes")
	if seq == nil || seq.Kind != yaml.SequenceNode {
		return nil
	}
	var out []flowNode
	for _, n := range seq.Content {
		if n.Kind != yaml.MappingNode {
			continue
		}
		fn := flowNode{id: scalar(mapValue(n, "id")), kind: scalar(mapValue(n, "type"))}
		for i := 0; i+1 < len(n.Content); i += 2 {
			key, val := n.Content[i].Value, n.Content[i+1]
			switch {
			case key == "next" || strings.HasPrefix(key, "on_"):
				if to := scalar(val); to != "" {
					fn.exits = append(fn.exits, exit{via: key, to: to})
				}
			case key == "transitions" && val.Kind == yaml.SequenceNode:
				for _, tr := range val.Content {
					if to := scalar(mapValue(tr, "to")); to != "" {
						fn.exits = append(fn.exits, exit{via: "if", to: to})
					}
					if to := scalar(mapValue(tr, "else")); to != "" {
						fn.exits = append(fn.exits, exit{via: "else", to: to})
					}
				}
			}
		}
		fn.exits = usualFirst(fn.exits)
		out = append(out, fn)
	}
	return out
}

// mapValue returns the value of key in mapping m, or nil.
func mapValue(m *yaml.Node, key string) *yaml.Node {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

func scalar(n *yaml.Node) string {
	if n == nil || n.Kind != yaml.ScalarNode {
		return ""
	}
	return n.Value
}
