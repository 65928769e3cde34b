package dialog

import (
	"slices"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"github.com/botforge/dialogd/nodes"
)

// bindPrefill gives the task's intent node its entity nodes, so that the
// values a user's first sentence holds fill them (nodes/prefill.go), and
// reports annotations that name no entity of the task, each at its "[".
func (l *loader) bindPrefill(file string, t *Task, order []*nodeDef, list []yaml.Node) {
	if len(order) == 0 {
		return
	}
	intent, ok := order[0].node.(*nodes.Intent)
	if !ok {
		return
	}
	var entities []*nodes.Entity
	var names []string
	for _, nd := range order {
		if e, ok := nd.node.(*nodes.Entity); ok {
			entities = append(entities, e)
			if !slices.Contains(names, e.Name) {
				names = append(names, e.Name)
			}
		}
	}
	root := order[0]
	for _, bad := range intent.BindEntities(entities) {
		u, a := bad.Utterance, bad.Annotation
		at := annotationPos(targetNode(&list[root.index], nodes.Target(u.Written), root), u.Written, a.At)
		l.fail(file, at, "nodes."+root.ID+".utterances."+u.Lang, "annotation [%s](%s) %s%s",
			u.Plain[a.Start:a.End], a.Entity, bad.Reason, nodes.DidYouMean(a.Entity, names))
	}
}

// annotationPos is where the byte at of the utterance written in the
// scalar n stands in the file: exact for a one-line plain or quoted
// scalar, the scalar's start otherwise.
func annotationPos(n *yaml.Node, written string, at int) *yaml.Node {
	if n.Value != written || n.Line == 0 {
		return n
	}
	col := n.Column + utf8.RuneCountInString(written[:at])
	switch n.Style {
	case 0:
	case yaml.SingleQuotedStyle, yaml.DoubleQuotedStyle:
		col++
	default:
		return n
	}
	return &yaml.Node{Line: n.Line, Column: col}
}
