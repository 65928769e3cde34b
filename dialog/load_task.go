package dialog

import (
	"regexp"

	"github.com/looplab/fsm"
	"go.yaml.in/yaml/v3"

	"github.com/botforge/dialogd/nodes"
)

var idRE = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]*$`)

// LoadTask loads one task from the parsed body of a task file (root, a
// mapping) as LoadFS loads each tasks/*.yaml, for a bot described by host
// (its name, languages and auth profiles). Problems are [LoadErrors]
// positioned in file. It lets a file that holds a task inside something
// else (a template) report problems at their place in that file.
func LoadTask(file string, root *yaml.Node, reg *nodes.Registry, host nodes.Host) (*Task, error) {
	l := &loader{reg: reg, limits: DefaultLoadLimits}
	t := l.loadTaskRoot(file, root, host)
	if len(l.errs) > 0 {
		l.errs.Sort()
		return nil, l.errs
	}
	return t, nil
}

// loadTask loads the task file p; it returns nil after recording the
// file's problems.
func (l *loader) loadTask(p string, host nodes.Host) (*Task, []byte) {
	root, raw := l.parseFile(p)
	if root == nil {
		return nil, nil
	}
	if t := l.loadTaskRoot(l.file(p), root, host); t != nil {
		return t, raw
	}
	return nil, nil
}

// loadTaskRoot loads a parsed task file whose root node is root.
func (l *loader) loadTaskRoot(file string, root *yaml.Node, host nodes.Host) *Task {
	errsBefore := len(l.errs)
	var tf TaskFile
	l.decode(file, root, "", &tf)
	if tf.Name == "" {
		l.fail(file, root, "name", "a task needs a name")
	} else if !idRE.MatchString(tf.Name) {
		_, v := nodes.MappingValue(root, "name")
		l.fail(file, v, "name", "task name %q must start with a letter and hold only letters, digits and _", tf.Name)
	}
	t := &Task{Name: tf.Name, Title: tf.Title, File: file, Nodes: map[string]*nodeDef{}, interruptions: tf.Interruptions}
	host.Task = tf.Name
	if len(tf.Nodes) == 0 {
		_, nodesNode := nodes.MappingValue(root, "nodes")
		l.fail(file, nodesNode, "nodes", "a task needs at least an intent node")
		return nil
	}
	order, hints := l.loadNodes(file, t, tf.Nodes, host)
	if len(order) == 0 {
		return nil
	}
	t.Root = order[0].ID
	l.checkTargets(file, t, order, tf.Nodes, hints)
	l.checkReachable(file, t, order, hints)
	l.bindPrefill(file, t, order, tf.Nodes)
	if len(l.errs) > errsBefore {
		return nil
	}
	t.events = deriveEvents(order)
	return t
}

// loadNodes loads the task's nodes in file order into t.Nodes.
func (l *loader) loadNodes(file string, t *Task, list []yaml.Node, host nodes.Host) ([]*nodeDef, map[string]*repairHint) {
	var order []*nodeDef
	hints := map[string]*repairHint{}
	for i := range list {
		nd, hint := l.loadNode(file, &list[i], i, host)
		if nd == nil {
			continue
		}
		if _, dup := t.Nodes[nd.ID]; dup {
			l.fail(file, &list[i], "nodes["+nd.ID+"].id", "duplicate node id %q", nd.ID)
			continue
		}
		t.Nodes[nd.ID] = nd
		hints[nd.ID] = hint
		order = append(order, nd)
		if nd.Type == "intent" {
			if i != 0 {
				l.fail(file, &list[i], "nodes."+nd.ID, "only the first node may be an intent node (the task's root)")
			}
		} else if i == 0 {
			l.fail(file, &list[i], "nodes."+nd.ID, "the first node must be the task's intent node, not %q", nd.Type)
		}
	}
	return order, hints
}

// checkTargets reports targets that name no node; a likely correction
// becomes a repair hint for the reachability check.
func (l *loader) checkTargets(file string, t *Task, order []*nodeDef, list []yaml.Node, hints map[string]*repairHint) {
	ids := make([]string, 0, len(t.Nodes))
	for id := range t.Nodes {
		ids = append(ids, id)
	}
	for _, nd := range order {
		for _, tg := range nd.targets {
			if tg == nodes.EndTarget || t.Nodes[string(tg)] != nil {
				continue
			}
			hint := nodes.DidYouMean(string(tg), ids)
			l.fail(file, targetNode(&list[nd.index], tg, nd), "nodes."+nd.ID, "transition to unknown node %q%s", tg, hint)
			if guess := nodes.ClosestName(string(tg), ids); guess != "" {
				hints[nd.ID].meant = append(hints[nd.ID].meant, guess)
			} else {
				hints[nd.ID].lost = true
			}
		}
	}
}

// checkReachable reports nodes that cannot be reached from the root. It
// reports causes, not their consequences: a node that a broken
// transition probably meant to reach counts as reached, and when a
// reachable node has a transition that could have led anywhere, no node
// of the task is called unreachable until that is fixed.
func (l *loader) checkReachable(file string, t *Task, order []*nodeDef, hints map[string]*repairHint) {
	seen := map[string]bool{t.Root: true}
	queue := []string{t.Root}
	for len(queue) > 0 {
		id := queue[0]
		queue = queue[1:]
		hint := hints[id]
		if hint.lost {
			return
		}
		next := append(targetNames(t.Nodes[id].targets), hint.meant...)
		for _, s := range next {
			if t.Nodes[s] != nil && !seen[s] {
				seen[s] = true
				queue = append(queue, s)
			}
		}
	}
	for _, nd := range order {
		if !seen[nd.ID] {
			l.fail(file, nodePos(nd), "nodes."+nd.ID, "node %q is unreachable from the intent node %q", nd.ID, t.Root)
		}
	}
}

func targetNames(ts []nodes.Target) []string {
	out := make([]string, len(ts))
	for i, tg := range ts {
		out[i] = string(tg)
	}
	return out
}

func nodePos(nd *nodeDef) *yaml.Node { return &yaml.Node{Line: nd.line, Column: nd.col} }

// targetNode finds where a target is written inside a node's mapping.
func targetNode(n *yaml.Node, tg nodes.Target, nd *nodeDef) *yaml.Node {
	var found *yaml.Node
	var walk func(x *yaml.Node)
	walk = func(x *yaml.Node) {
		if found != nil || x == nil {
			return
		}
		if x.Kind == yaml.ScalarNode && x.Value == string(tg) && x.Tag == "!!str" {
			found = x
			return
		}
		for i, c := range x.Content {
			if x.Kind == yaml.MappingNode && i%2 == 0 {
				continue // keys
			}
			walk(c)
		}
	}
	walk(n)
	if found == nil {
		return nodePos(nd)
	}
	return found
}

// deriveEvents builds the FSM's events from the targets in the file: one
// event per destination, allowed from every node that names it.
func deriveEvents(order []*nodeDef) fsm.Events {
	srcs := map[string][]string{}
	var dsts []string
	edge := func(src, d string) {
		if _, ok := srcs[d]; !ok {
			dsts = append(dsts, d)
		}
		if !contains(srcs[d], src) {
			srcs[d] = append(srcs[d], src)
		}
	}
	for _, nd := range order {
		for _, tg := range nd.targets {
			edge(nd.ID, string(tg))
		}
		for _, from := range nd.returns { // the way back after nodes.Reask
			edge(string(from), string(nd.returnTo))
		}
	}
	ev := make(fsm.Events, 0, len(dsts))
	for _, d := range dsts {
		ev = append(ev, fsm.EventDesc{Name: "to:" + d, Src: srcs[d], Dst: d})
	}
	return ev
}

func contains(xs []string, s string) bool {
	for _, x := range xs {
		if x == s {
			return true
		}
	}
	return false
}
