package convtest

import (
	"fmt"

	"go.yaml.in/yaml/v3"

	"github.com/botforge/dialogd/nodes"
)

// Check lists what is wrong with tests as written, each problem at its
// place in file as file:line:col: path: message: a test without a
// conversation, and every turn's [Turn.Problems]. seq is the YAML list
// the tests were decoded from (positions), path its path ("tests").
func Check(file string, seq *yaml.Node, path string, tests []Test) nodes.ConfigErrors {
	var errs nodes.ConfigErrors
	at := func(n *yaml.Node, p, msg string) {
		e := nodes.ConfigError{File: file, Path: p, Msg: msg}
		if n != nil {
			e.Line, e.Col = n.Line, n.Column
		}
		errs = append(errs, e)
	}
	for i, tc := range tests {
		item := child(seq, i)
		p := fmt.Sprintf("%s[%d]", path, i)
		if len(tc.Turns) == 0 {
			at(item, p, "a test needs a conversation")
		}
		var turns *yaml.Node
		if item != nil {
			_, turns = nodes.MappingValue(item, "conversation")
		}
		for j, tu := range tc.Turns {
			for _, problem := range tu.Problems() {
				at(child(turns, j), fmt.Sprintf("%s.conversation[%d]", p, j), problem)
			}
		}
	}
	return errs
}

// child is the i-th item of a YAML list, nil when there is none.
func child(seq *yaml.Node, i int) *yaml.Node {
	if seq == nil || seq.Kind != yaml.SequenceNode || i >= len(seq.Content) {
		return nil
	}
	return seq.Content[i]
}
