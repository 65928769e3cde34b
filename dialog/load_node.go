package dialog

import (
	"fmt"
	"reflect"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/botforge/dialogd/nodes"
)

// repairHint tells the reachability check what a node's broken
// transitions probably meant, so that one typo is reported once and not
// again as every node behind it being unreachable.
type repairHint struct {
	meant []string // node ids the broken transitions probably named
	lost  bool     // a transition that could have led anywhere did not load
}

// hostKeys are the keys of a node's mapping the loader reads itself.
var hostKeys = func() []string {
	keys := make([]string, 0, len(commonKeys))
	for k := range commonKeys {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}()

// loadNode loads the i-th node of a task file. A node whose own
// configuration is broken still takes part in the graph checks, so one
// pass reports every problem.
func (l *loader) loadNode(file string, n *yaml.Node, i int, host nodes.Host) (*nodeDef, *repairHint) {
	p := fmt.Sprintf("nodes[%d]", i)
	if n.Kind != yaml.MappingNode {
		l.fail(file, n, p, "a node must be a mapping with at least id and type")
		return nil, nil
	}
	if _, id := nodes.MappingValue(n, "id"); id != nil && idRE.MatchString(id.Value) {
		p = "nodes." + id.Value // the designer's name for it, when it has one
	}
	nd := &nodeDef{line: n.Line, col: n.Column, index: i}
	common, own := splitNodeKeys(n)
	errsBefore := len(l.errs)
	l.decode(file, common, p, &nd.NodeCommon)
	hint := &repairHint{lost: transitionsBroken(l.errs[errsBefore:], p)}
	if !l.checkNodeID(file, n, p, nd) {
		return nil, nil
	}
	p = "nodes." + nd.ID
	if nd.Type == "" {
		l.fail(file, n, p, "a node needs a type (one of %s)", strings.Join(l.reg.Types(), ", "))
		return nil, nil
	}
	host.NodeID = nd.ID
	hint.meant = l.decodeNodeConfig(file, n, own, p, nd, host)
	l.loadTransitions(file, n, p, nd, hint)
	if nd.node != nil {
		nd.targets = append(nd.targets, ownTargets(reflect.ValueOf(nd.node).Elem())...)
		if r, ok := nd.node.(nodes.Returner); ok {
			if from, to := r.ReturnsFrom(); to != "" {
				nd.returns, nd.returnTo = from, to
			}
		}
	}
	return nd, hint
}

// transitionsBroken reports whether errs hold a problem with the next or
// transitions key of the node at path p: its targets are then unknown.
func transitionsBroken(errs LoadErrors, p string) bool {
	for _, e := range errs {
		if strings.HasPrefix(e.Path, p+".next") || strings.HasPrefix(e.Path, p+".transitions") {
			return true
		}
	}
	return false
}

// splitNodeKeys separates the keys the loader reads from the node type's
// own configuration.
func splitNodeKeys(n *yaml.Node) (common, own *yaml.Node) {
	common = &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Line: n.Line, Column: n.Column}
	own = &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Line: n.Line, Column: n.Column}
	for j := 0; j+1 < len(n.Content); j += 2 {
		dst := own
		if commonKeys[n.Content[j].Value] {
			dst = common
		}
		dst.Content = append(dst.Content, n.Content[j], n.Content[j+1])
	}
	return common, own
}

// checkNodeID reports a missing, malformed or reserved node id.
func (l *loader) checkNodeID(file string, n *yaml.Node, p string, nd *nodeDef) bool {
	_, idVal := nodes.MappingValue(n, "id")
	switch {
	case nd.ID == "":
		l.fail(file, n, p, "a node needs an id")
	case !idRE.MatchString(nd.ID):
		l.fail(file, idVal, p+".id", "node id %q must start with a letter and hold only letters, digits and _", nd.ID)
	case nd.ID == string(nodes.EndTarget) || nodes.IsReservedRoot(nd.ID):
		l.fail(file, idVal, p+".id", "%q is a reserved name", nd.ID)
	default:
		return true
	}
	return false
}

// decodeNodeConfig builds the node from its own keys. It returns the
// words written under keys that did not load (an unknown type's keys, a
// misspelt key such as nxt), which may be the targets the designer meant.
func (l *loader) decodeNodeConfig(file string, n, own *yaml.Node, p string, nd *nodeDef, host nodes.Host) []string {
	if _, ok := l.reg.Lookup(nd.Type); !ok {
		_, typVal := nodes.MappingValue(n, "type")
		l.fail(file, typVal, p+".type", "unknown node type %q (known: %s)", nd.Type, strings.Join(l.reg.Types(), ", "))
		return scalarWords(own)
	}
	src := nodes.NodeSource{File: file, Path: p, Config: own, HostKeys: hostKeys}
	node, err := l.reg.DecodeNode(nd.Type, src, host)
	nd.node = node
	nd.input, _ = node.(nodes.InputNode)
	errs, _ := nodes.AsConfigErrors(err)
	l.errs = append(l.errs, errs...)
	var words []string
	for j := 0; j+1 < len(own.Content); j += 2 {
		k := own.Content[j]
		for _, e := range errs {
			if e.Line == k.Line && e.Col == k.Column && strings.HasPrefix(e.Msg, "unknown key") {
				words = append(words, scalarWords(own.Content[j+1])...)
			}
		}
	}
	return words
}

// scalarWords lists the scalar values in n's tree (not the keys).
func scalarWords(n *yaml.Node) []string {
	if n == nil {
		return nil
	}
	if n.Kind == yaml.ScalarNode {
		return []string{n.Value}
	}
	var out []string
	for i, c := range n.Content {
		if n.Kind != yaml.MappingNode || i%2 == 1 {
			out = append(out, scalarWords(c)...)
		}
	}
	return out
}

// loadTransitions checks next and the conditional transitions and
// compiles the conditions; targets go to nd.targets.
func (l *loader) loadTransitions(file string, n *yaml.Node, p string, nd *nodeDef, hint *repairHint) {
	_, trNode := nodes.MappingValue(n, "transitions")
	if nd.Next != "" && len(nd.Transitions) > 0 {
		l.fail(file, trNode, p, "use either next or transitions, not both")
	}
	if nd.Type == "intent" && len(nd.Transitions) > 0 {
		l.fail(file, trNode, p+".transitions", "the intent node has only next, no conditions")
	}
	if nd.Next != "" {
		nd.targets = append(nd.targets, nd.Next)
	}
	for j := range nd.Transitions {
		var pos *yaml.Node
		if trNode != nil && j < len(trNode.Content) {
			pos = trNode.Content[j]
		}
		l.loadTransition(file, pos, fmt.Sprintf("%s.transitions[%d]", p, j), nd, j, hint)
	}
	if len(nd.Transitions) > 0 && nd.Transitions[len(nd.Transitions)-1].Else == "" {
		l.fail(file, trNode, p+".transitions", "conditional transitions need a final else")
	}
}

// loadTransition checks the j-th conditional transition, written at pos.
func (l *loader) loadTransition(file string, pos *yaml.Node, tp string, nd *nodeDef, j int, hint *repairHint) {
	tr := nd.Transitions[j]
	switch {
	case tr.Else != "" && (tr.If != "" || tr.To != ""):
		l.fail(file, pos, tp, "else takes only a target; write the condition as a separate if")
	case tr.Else != "":
		if j != len(nd.Transitions)-1 {
			l.fail(file, pos, tp, "else must be the last transition")
		}
		nd.targets = append(nd.targets, tr.Else)
		nd.conds = append(nd.conds, nil)
		return
	case tr.If == "" || tr.To == "":
		l.fail(file, pos, tp, "a conditional transition needs if and to")
	default:
		c, err := nodes.CompileCond(tr.If)
		if err == nil {
			nd.conds = append(nd.conds, c)
			nd.targets = append(nd.targets, tr.To)
			return
		}
		_, ifNode := nodes.MappingValue(pos, "if")
		l.fail(file, ifNode, tp+".if", "%v", err)
	}
	// The transition did not load: its target, if any, is what it meant.
	for _, tg := range []nodes.Target{tr.To, tr.Else} {
		if tg != "" {
			hint.meant = append(hint.meant, string(tg))
		}
	}
	if tr.To == "" && tr.Else == "" {
		hint.lost = true
	}
}

var targetType = reflect.TypeOf(nodes.Target(""))

// ownTargets finds every non-empty Target in a node's config.
func ownTargets(v reflect.Value) []nodes.Target {
	var out []nodes.Target
	for _, tf := range targetFields(v, "") {
		out = append(out, tf.to)
	}
	return out
}
