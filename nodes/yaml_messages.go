package nodes

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// fieldError records err, returned by a field's own decoding (an
// UnmarshalYAML or UnmarshalText method), once: a leading repeat of the
// field's name moves into the path, and a "line N:" in the message becomes
// the position, so the line is not given twice.
func (d *decoder) fieldError(n *yaml.Node, path string, err error) {
	at, path, msg := placeMessage(n, path, err.Error())
	d.errs = append(d.errs, ConfigError{File: d.file, Line: at.Line, Col: at.Column, Path: path, Msg: msg, Err: err})
}

// placeMessage splits an error message of a field at path, read from n,
// into its position, path and message.
func placeMessage(n *yaml.Node, path, msg string) (*yaml.Node, string, string) {
	msg = strings.TrimPrefix(msg, "yaml: ")
	field := path
	path, msg = mergeFieldPrefix(path, msg)
	line, rest := splitYAMLError(msg)
	if line == 0 {
		return n, path, msg
	}
	// The field's own prefix may follow the line: "line 5: set.x: ...".
	path, rest = mergeFieldPrefix(path, rest)
	// "set.total" names the key total written on that line, if there is one.
	key := strings.TrimPrefix(strings.TrimPrefix(path, field), ".")
	if at := keyOnLine(n, line, key); at != nil {
		return at, path, rest
	}
	if at := firstOnLine(n, line); at != nil {
		return at, path, rest
	}
	return &yaml.Node{Line: line, Column: 1}, path, rest
}

// keyOnLine returns the mapping key of n's tree written on line whose text
// is key, or nil.
func keyOnLine(n *yaml.Node, line int, key string) *yaml.Node {
	if n == nil || key == "" {
		return nil
	}
	for i, c := range n.Content {
		if n.Kind == yaml.MappingNode && i%2 == 0 && c.Line == line && c.Value == key {
			return c
		}
		if at := keyOnLine(c, line, key); at != nil {
			return at
		}
	}
	return nil
}

// mergeFieldPrefix moves a message prefix that repeats the last element of
// path ("set: …", "set.total: …") into the path.
func mergeFieldPrefix(path, msg string) (string, string) {
	last := path[strings.LastIndexAny(path, ".]")+1:]
	if last == "" || !strings.HasPrefix(msg, last) {
		return path, msg
	}
	rest := msg[len(last):]
	switch {
	case strings.HasPrefix(rest, ": "):
		return path, rest[2:]
	case strings.HasPrefix(rest, ".") || strings.HasPrefix(rest, "["):
		sub, tail, ok := strings.Cut(rest, ": ")
		if !ok || strings.ContainsAny(sub, " \t") {
			return path, msg
		}
		return path + sub, tail
	}
	return path, msg
}

var yamlLineRE = regexp.MustCompile(`^line (\d+): `)

// splitYAMLError splits a leading "line N: " off msg.
func splitYAMLError(msg string) (int, string) {
	msg = strings.TrimPrefix(msg, "yaml: ")
	m := yamlLineRE.FindStringSubmatch(msg)
	if m == nil {
		return 0, msg
	}
	line, _ := strconv.Atoi(m[1])
	return line, msg[len(m[0]):]
}

// firstOnLine returns the first node of n's tree (keys included) that
// starts on line.
func firstOnLine(n *yaml.Node, line int) *yaml.Node {
	if n == nil {
		return nil
	}
	if n.Line == line && n.Kind != yaml.DocumentNode {
		return n
	}
	for _, c := range n.Content {
		if at := firstOnLine(c, line); at != nil {
			return at
		}
	}
	return nil
}

// DidYouMean returns ` (did you mean "x"?)` for the candidate closest to
// name, when one is close enough to be a likely typo, or "".
func DidYouMean(name string, candidates []string) string {
	best := ClosestName(name, candidates)
	if best == "" {
		return ""
	}
	return fmt.Sprintf(" (did you mean %q?)", best)
}

// ClosestName returns the candidate closest to name when it is close
// enough to be a likely typo (at most two edits), or "".
func ClosestName(name string, candidates []string) string {
	best, bestD := "", 3
	for _, c := range candidates {
		if dist := EditDistance(name, c); dist < bestD || (dist == bestD && c < best) {
			best, bestD = c, dist
		}
	}
	return best
}

// EditDistance is the Levenshtein distance of a and b in bytes, for
// "did you mean" suggestions.
func EditDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
