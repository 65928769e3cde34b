package nodes

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"
)

var errLined = errors.New("bad entry")

// linedList fails the way several value types do: "field.key: line N: …".
type linedList struct{}

func (*linedList) UnmarshalYAML(n *yaml.Node) error {
	k := n.Content[len(n.Content)-2]
	return fmt.Errorf("list.%s: line %d: %w", k.Value, k.Line, errLined)
}

type decodeTarget struct {
	Name    string        `yaml:"name"`
	Count   int           `yaml:"count"`
	Ratio   float64       `yaml:"ratio"`
	On      bool          `yaml:"on"`
	Wait    time.Duration `yaml:"wait"`
	Tags    []string      `yaml:"tags"`
	Labels  map[string]string
	List    linedList `yaml:"list"`
	Pointer *struct {
		Inner string `yaml:"inner"`
	} `yaml:"pointer"`
}

// TestDecodeYAML: one wording for every mistake, each at its position,
// given once.
func TestDecodeYAML(t *testing.T) {
	tests := []struct{ src, want string }{
		{"name: a\ncount: 2\nratio: 1.5\non: true\nwait: 2s\ntags: [x]\nlabels: {a: b}\npointer: {inner: y}\n", ""},
		{"nmae: a\n", `f.yaml:1:1: unknown key "nmae" (did you mean "name"?)`},
		{"name: a\nname: b\n", `f.yaml:2:1: duplicate key "name"`},
		{"count: two\n", `f.yaml:1:8: count: want a whole number, got the text "two"`},
		{"ratio: [1]\n", `f.yaml:1:8: ratio: want a number, got a list`},
		{"on: yes please\n", `f.yaml:1:5: on: want true or false, got the text "yes please"`},
		{"wait: 5\n", `f.yaml:1:7: wait: invalid duration "5": want a number with a unit, such as 5s or 2m`},
		{"tags: x\n", `f.yaml:1:7: tags: want a list, got the text "x"`},
		{"pointer: {inner: [1]}\n", `f.yaml:1:18: pointer.inner: want a string, got a list`},
		{"list:\n  a: 1\n  b: 2\n", `f.yaml:3:3: list.b: bad entry`},
		{"name: a\n  bad indent: [\n", `f.yaml:2:1: mapping values are not allowed in this context`},
	}
	for _, tt := range tests {
		var v decodeTarget
		err := UnmarshalStrict("f.yaml", []byte(tt.src), &v)
		got := ""
		if err != nil {
			got = err.Error()
		}
		if got != tt.want {
			t.Errorf("decode %q:\ngot  %s\nwant %s", tt.src, got, tt.want)
		}
	}
	var v decodeTarget
	if err := UnmarshalStrict("f.yaml", []byte("list: {a: 1}\n"), &v); !errors.Is(err, errLined) {
		t.Errorf("errors.Is(%v, errLined) = false; want the field's error kept", err)
	}
}

// TestDecodeNodeHostKeys: a node's misspelt key is compared with the
// host's keys too, and the host's keys are not the node's.
func TestDecodeNodeHostKeys(t *testing.T) {
	config, err := ParseYAML("t.yaml", []byte("text: hi\nnxt: done\nnext: done\n"))
	if err != nil {
		t.Fatal(err)
	}
	src := NodeSource{File: "t.yaml", Path: "nodes.say", Config: config, HostKeys: []string{"id", "next", "transitions", "type"}}
	_, err = Default().DecodeNode("message", src, Host{NodeID: "say", Languages: []string{"en"}})
	if want := `t.yaml:2:1: nodes.say: unknown key "nxt" (did you mean "next"?)`; err == nil || err.Error() != want {
		t.Errorf("DecodeNode: %v; want %s", err, want)
	}
	if _, err := Default().DecodeNode("teleport", src, Host{}); err == nil {
		t.Error("DecodeNode of an unknown type succeeded")
	}
}
