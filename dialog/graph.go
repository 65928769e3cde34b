package dialog

import (
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strings"

	"github.com/botforge/dialogd/nodes"
)

// TaskNode is one node of a loaded task as a flow diagram or a coverage
// report sees it: its id, type, configuration and every declared way out.
type TaskNode struct {
	ID   string
	Type string
	// Node is the node type's configuration (*nodes.Entity, …).
	Node nodes.Node
	// Exits in the order the file declares them: next or the conditional
	// transitions, then the node type's own targets (on_yes, on_error, …),
	// then the ways back other nodes declare for it (after a re-ask).
	Exits []Exit
}

// Exit is one declared transition out of a node.
type Exit struct {
	// Key is where the transition is written: next, if, else, or the
	// path of a target in the node type's configuration (on_yes,
	// on_error, ask_again.Email); for a way back, the key of the node
	// that declared it (retry_from).
	Key string
	// Cond is the condition of an if.
	Cond string
	// To is a node id of the task, or nodes.EndTarget.
	To string
	// DeclaredBy names the node that declared this exit when it is not
	// the node itself: the node that asked this one again and where the
	// dialog goes once it has its answer.
	DeclaredBy string
}

// Graph returns the task's nodes in file order, each with its exits.
func (t *Task) Graph() []TaskNode {
	defs := make([]*nodeDef, 0, len(t.Nodes))
	for _, nd := range t.Nodes {
		defs = append(defs, nd)
	}
	sort.Slice(defs, func(i, j int) bool { return defs[i].index < defs[j].index })
	out := make([]TaskNode, len(defs))
	at := map[string]int{}
	for i, nd := range defs {
		at[nd.ID] = i
		out[i] = TaskNode{ID: nd.ID, Type: nd.Type, Node: nd.node, Exits: declaredExits(nd)}
	}
	for _, nd := range defs {
		for _, from := range nd.returns {
			if i, ok := at[string(from)]; ok {
				out[i].Exits = append(out[i].Exits, Exit{Key: returnKey, To: string(nd.returnTo), DeclaredBy: nd.ID})
			}
		}
	}
	return out
}

// returnKey is the key that names where the nodes a node asks again
// ([nodes.Returner]) go once answered: an exit of those nodes (Graph
// lists it on them, with DeclaredBy), not of the node that declares it.
const returnKey = "retry_from"

// declaredExits lists a node's own exits: next, its conditions, then the
// targets in its type's configuration.
func declaredExits(nd *nodeDef) []Exit {
	var exits []Exit
	if nd.Next != "" {
		exits = append(exits, Exit{Key: "next", To: string(nd.Next)})
	}
	for _, tr := range nd.Transitions {
		if tr.Else != "" {
			exits = append(exits, Exit{Key: "else", To: string(tr.Else)})
		} else {
			exits = append(exits, Exit{Key: "if", Cond: tr.If, To: string(tr.To)})
		}
	}
	if nd.node != nil {
		for _, tf := range targetFields(reflect.ValueOf(nd.node).Elem(), "") {
			if tf.key == returnKey && nd.returnTo != "" {
				continue // the way back: an exit of the nodes asked again
			}
			exits = append(exits, Exit{Key: tf.key, To: string(tf.to)})
		}
	}
	return exits
}

// targetField is a non-empty Target in a node's configuration and the
// YAML path of the key that holds it.
type targetField struct {
	key string
	to  nodes.Target
}

// targetFields finds every non-empty Target in v, with its key path
// (on_yes, ask_again.Email, options[2].to); map entries in key order.
func targetFields(v reflect.Value, key string) []targetField {
	switch {
	case v.Type() == targetType:
		if s := v.String(); s != "" {
			return []targetField{{key: key, to: nodes.Target(s)}}
		}
	case v.Kind() == reflect.Pointer:
		if !v.IsNil() {
			return targetFields(v.Elem(), key)
		}
	case v.Kind() == reflect.Struct:
		var out []targetField
		for i := 0; i < v.NumField(); i++ {
			if f := v.Type().Field(i); f.IsExported() {
				name, skip := yamlKey(f)
				if !skip {
					out = append(out, targetFields(v.Field(i), joinKey(key, name))...)
				}
			}
		}
		return out
	case v.Kind() == reflect.Slice || v.Kind() == reflect.Array:
		var out []targetField
		for i := 0; i < v.Len(); i++ {
			out = append(out, targetFields(v.Index(i), fmt.Sprintf("%s[%d]", key, i))...)
		}
		return out
	case v.Kind() == reflect.Map:
		keys := v.MapKeys()
		slices.SortFunc(keys, func(a, b reflect.Value) int { return strings.Compare(fmt.Sprint(a), fmt.Sprint(b)) })
		var out []targetField
		for _, k := range keys {
			out = append(out, targetFields(v.MapIndex(k), joinKey(key, fmt.Sprint(k)))...)
		}
		return out
	}
	return nil
}

// yamlKey is the key a struct field is written under ("" when inlined),
// and whether YAML ignores it.
func yamlKey(f reflect.StructField) (string, bool) {
	tag := f.Tag.Get("yaml")
	name, opts, _ := strings.Cut(tag, ",")
	switch {
	case name == "-":
		return "", true
	case strings.Contains(opts, "inline") || f.Anonymous && name == "":
		return "", false
	case name == "":
		return strings.ToLower(f.Name), false
	}
	return name, false
}

func joinKey(prefix, name string) string {
	switch {
	case prefix == "":
		return name
	case name == "":
		return prefix
	}
	return prefix + "." + name
}
