package nodes

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// YAMLLimits bound what one designer file (bot.yaml, a task file, a
// template) may cost to read, since bots may come from tenants or
// templates nobody on the server reviewed. The YAML parser keeps an alias
// as a pointer to the node it names, so a few kilobytes of aliases to
// aliases stand for billions of nodes; every decoder here walks node
// trees and would follow them. [ParseYAML] therefore checks a parsed file
// once, before any decoder runs, and the work of every later pass is then
// bounded by the file's size plus MaxAliasNodes.
type YAMLLimits struct {
	// MaxFileBytes is the largest file accepted. Parsing keeps the whole
	// node tree, roughly 100 times the file's size, so this bounds memory.
	MaxFileBytes int
	// MaxAliasNodes is how many nodes all the aliases of a file may
	// stand for together, counted as a decoder that follows them visits
	// them (an alias of an alias counts each time it is reached).
	MaxAliasNodes int
	// MaxDepth is the deepest nesting of mappings and lists, through
	// aliases.
	MaxDepth int
}

// DefaultYAMLLimits are the limits [ParseYAML] applies: 1 MiB per file
// (a task of several thousand utterances is under 300 KiB), 10,000 nodes
// reached through aliases (a shared header map used by a hundred service
// nodes is a few hundred), and 100 levels of nesting (a request body may
// nest 64).
var DefaultYAMLLimits = YAMLLimits{MaxFileBytes: 1 << 20, MaxAliasNodes: 10_000, MaxDepth: 100}

// ParseYAMLLimited is [ParseYAML] with the given limits. A file over a
// limit is refused as [ConfigErrors] at the position where it goes over:
// the first byte past MaxFileBytes, or the alias or node that goes past
// MaxAliasNodes or MaxDepth.
func ParseYAMLLimited(file string, data []byte, lim YAMLLimits) (*yaml.Node, error) {
	if len(data) > lim.MaxFileBytes {
		return nil, ConfigErrors{fileTooLarge(file, data, lim.MaxFileBytes)}
	}
	root, err := parseYAMLDocument(file, data)
	if err != nil || root == nil {
		return root, err
	}
	if errs := CheckYAMLLimits(file, root, lim); len(errs) > 0 {
		return nil, errs
	}
	return root, nil
}

// fileTooLarge is the problem of a file over max bytes, positioned at the
// first byte past the limit. data may hold only the first max+1 bytes.
func fileTooLarge(file string, data []byte, max int) ConfigError {
	head := data[:max]
	line := bytes.Count(head, []byte{'\n'}) + 1
	col := len(head) - bytes.LastIndexByte(head, '\n')
	return ConfigError{File: file, Line: line, Col: col,
		Msg: fmt.Sprintf("file is larger than %s, the limit for a designer file; split it or shorten it", formatBytes(max))}
}

// FileTooLarge reports a file whose first max+1 bytes are head as too
// large, as [ParseYAMLLimited] does, for readers that stop reading at the
// limit.
func FileTooLarge(file string, head []byte, max int) ConfigErrors {
	return ConfigErrors{fileTooLarge(file, head, max)}
}

func formatBytes(n int) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return strconv.Itoa(n>>20) + " MiB"
	case n >= 1<<10 && n%(1<<10) == 0:
		return strconv.Itoa(n>>10) + " KiB"
	}
	return strconv.Itoa(n) + " bytes"
}

// CheckYAMLLimits checks a parsed file's alias expansion and depth
// against lim. It visits each written node once and each anchored node's
// subtree once more, whatever the aliases stand for, and reports the
// first node over a limit (and an alias inside the node it names, which
// would make a decoder that follows it loop).
func CheckYAMLLimits(file string, root *yaml.Node, lim YAMLLimits) ConfigErrors {
	c := &limitCheck{lim: lim, expanded: map[*yaml.Node]expansion{}, open: map[*yaml.Node]bool{}}
	if c.walk(root, 1) {
		return nil
	}
	return ConfigErrors{{File: file, Line: c.at.Line, Col: c.at.Column, Path: c.atPath, Msg: c.msg}}
}

// expansion is what a node stands for when a decoder follows its aliases.
type expansion struct {
	nodes int // itself and everything under it, saturated past the limit
	depth int // levels, itself included
	cycle bool
}

type limitCheck struct {
	lim        YAMLLimits
	aliasNodes int                      // nodes the aliases walked so far stand for
	expanded   map[*yaml.Node]expansion // of the nodes aliases name
	open       map[*yaml.Node]bool      // being expanded or walked: an alias to one is a cycle
	stack      []pathElem               // where the node being walked is
	at         *yaml.Node               // the problem's node
	atPath     string                   // and its path
	msg        string
}

// pathElem is a key of a mapping, or an index of a list when key is nil.
type pathElem struct {
	key   *yaml.Node
	index int
}

func (c *limitCheck) path() string {
	var b strings.Builder
	for _, p := range c.stack {
		switch {
		case p.key == nil:
			fmt.Fprintf(&b, "[%d]", p.index)
		case b.Len() > 0:
			b.WriteString("." + p.key.Value)
		default:
			b.WriteString(p.key.Value)
		}
	}
	return b.String()
}

func (c *limitCheck) fail(n *yaml.Node, format string, args ...any) bool {
	c.at, c.atPath, c.msg = n, c.path(), fmt.Sprintf(format, args...)
	return false
}

// walk checks n, at nesting level depth, and everything under it; it
// returns false after recording the first problem.
func (c *limitCheck) walk(n *yaml.Node, depth int) bool {
	if n.Kind == yaml.AliasNode {
		return c.alias(n, depth)
	}
	if depth > c.lim.MaxDepth {
		return c.fail(n, "nested deeper than %d levels, the limit for a designer file", c.lim.MaxDepth)
	}
	if n.Anchor != "" { // only anchored nodes are named by aliases
		c.open[n] = true
		defer delete(c.open, n)
	}
	for i, child := range n.Content {
		switch n.Kind {
		case yaml.MappingNode:
			if i%2 == 0 {
				if !c.walk(child, depth+1) {
					return false
				}
				continue
			}
			c.stack = append(c.stack, pathElem{key: n.Content[i-1]})
		case yaml.SequenceNode:
			c.stack = append(c.stack, pathElem{index: i})
		default: // a document: its root is at its level
			if !c.walk(child, depth) {
				return false
			}
			continue
		}
		ok := c.walk(child, depth+1)
		c.stack = c.stack[:len(c.stack)-1]
		if !ok {
			return false
		}
	}
	return true
}

// alias checks the alias n at level depth: what it stands for counts
// against MaxAliasNodes, and its depth continues the alias's.
func (c *limitCheck) alias(n *yaml.Node, depth int) bool {
	if n.Alias == nil {
		return c.fail(n, "alias *%s names no anchor", n.Value)
	}
	x := c.expand(n.Alias)
	switch {
	case x.cycle || c.open[n.Alias]:
		return c.fail(n, "alias *%s is inside the value it names, which would never end", n.Value)
	case c.aliasNodes+x.nodes > c.lim.MaxAliasNodes:
		return c.fail(n, "alias *%s takes the nodes reached through aliases past %d, the limit for a designer file; write the values out or share less",
			n.Value, c.lim.MaxAliasNodes)
	case depth-1+x.depth > c.lim.MaxDepth:
		return c.fail(n, "nested deeper than %d levels through alias *%s, the limit for a designer file", c.lim.MaxDepth, n.Value)
	}
	c.aliasNodes += x.nodes
	return true
}

// expand returns what n stands for, once per node; counts stop just
// past MaxAliasNodes and depths past MaxDepth, so nothing overflows.
func (c *limitCheck) expand(n *yaml.Node) expansion {
	if x, ok := c.expanded[n]; ok {
		return x
	}
	if n.Kind == yaml.AliasNode {
		if n.Alias == nil || c.open[n.Alias] {
			return expansion{cycle: true}
		}
		return c.expand(n.Alias)
	}
	c.open[n] = true
	x := expansion{nodes: 1, depth: 1}
	for _, child := range n.Content {
		cx := c.expand(child)
		x.cycle = x.cycle || cx.cycle
		x.nodes = min(x.nodes+cx.nodes, c.lim.MaxAliasNodes+1)
		x.depth = min(max(x.depth, cx.depth+1), c.lim.MaxDepth+1)
		if x.cycle {
			break
		}
	}
	delete(c.open, n)
	if n.Anchor != "" {
		c.expanded[n] = x
	}
	return x
}
