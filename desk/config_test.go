package desk

import (
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// TestDecodeReportsEveryProblem: one pass names every problem of a desk:
// section with its file, line and column.
func TestDecodeReportsEveryProblem(t *testing.T) {
	src := `desk:
  teams: [{name: support}, {name: support}]
  queues:
    - {name: q1, teams: [suport]}
  agents:
    - {id: ann, teams: [support]}
    - {id: ben, password: {env: X}, password_hash: "$2a$10$abc", teams: [nobody], capacity: 99}
    - {id: "bad id", password_hash: "not-a-hash", teams: [support]}
  colour: blue
`
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(src), &doc); err != nil {
		t.Fatal(err)
	}
	_, v := mappingValue(doc.Content[0], "desk")
	_, err := Decode("bot.yaml", v)
	if err == nil {
		t.Fatal("no error for a desk full of problems")
	}
	got := err.Error()
	for _, want := range []string{
		`bot.yaml:2:35: desk.teams[1].name: "support" appears twice`,
		`bot.yaml:4:26: desk.queues[0].teams[0]: unknown team "suport" (teams: support)`,
		`bot.yaml:6:7: desk.agents[0]: agent "ann" needs a password`,
		`desk.agents[1]: agent "ben": give password or password_hash, not both`,
		`desk.agents[1].capacity: capacity 99: want 1 to 50`,
		`desk.agents[1].teams[0]: unknown team "nobody"`,
		`desk.agents[2].id: "bad id": use letters`,
		`desk.agents[2].password_hash: not a bcrypt hash`,
		`bot.yaml:9:3: desk: unknown key "colour"`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("problems lack %q; got:\n%s", want, got)
		}
	}
}

func mappingValue(n *yaml.Node, key string) (*yaml.Node, *yaml.Node) {
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i], n.Content[i+1]
		}
	}
	return nil, nil
}
