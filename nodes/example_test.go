package nodes_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/botforge/dialogd/nodes"
)

// UppercaseEcho is a tiny node type: it repeats the user's latest input in
// capitals, after a localized prefix. Its exported, yaml-tagged fields are
// its configuration schema.
type UppercaseEcho struct {
	// Prefix is said before the echoed text.
	Prefix nodes.Text `yaml:"prefix"`
}

// Validate is called by the host after decoding.
func (n *UppercaseEcho) Validate() error {
	if n.Prefix.IsZero() {
		return errors.New("prefix is required")
	}
	return nil
}

// Run says the echo and follows the node's transitions.
func (n *UppercaseEcho) Run(ctx context.Context, t *nodes.Turn) (nodes.Outcome, error) {
	prefix, err := n.Prefix.Render(t)
	if err != nil {
		return nodes.Outcome{}, err
	}
	t.Say(nodes.Reply{Text: prefix + strings.ToUpper(t.Memory.Input)})
	return nodes.Next(), nil
}

var (
	_ nodes.Node      = (*UppercaseEcho)(nil)
	_ nodes.Validator = (*UppercaseEcho)(nil)
)

// A new node type is a struct with a Run method, registered under a name.
// Built-in types register into nodes.Default from init; this example adds
// its type to a clone so nothing leaks into other code.
func Example_newNodeType() {
	reg := nodes.Default().Clone()
	err := reg.Add(nodes.Info{
		Type:    "uppercase_echo",
		New:     func() nodes.Node { return new(UppercaseEcho) },
		Summary: "Repeat the user's input in capitals.",
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(slices.Contains(reg.Types(), "uppercase_echo"), slices.Contains(nodes.Default().Types(), "uppercase_echo"))

	// What the host does with a node of a task file: New, strict decode,
	// Provision, Validate; problems read file:line:col: path: message.
	host := nodes.Host{Bot: "demo", Task: "echo", NodeID: "echo", Languages: []string{"en", "de"}}
	decode := func(src string) (nodes.Node, error) {
		config, err := nodes.ParseYAML("echo.yaml", []byte(src))
		if err != nil {
			return nil, err
		}
		return reg.DecodeNode("uppercase_echo", nodes.NodeSource{File: "echo.yaml", Path: "nodes.echo", Config: config}, host)
	}
	if _, err := decode("prefx: hi"); err != nil {
		fmt.Println(err)
	}
	node, err := decode(`prefix: {en: "You said: ", de: "Sie sagten: "}`)
	if err != nil {
		fmt.Println(err)
		return
	}

	turn := &nodes.Turn{Memory: &nodes.Memory{Input: "hello there"}, Lang: "de", Now: time.Now()}
	out, err := node.Run(context.Background(), turn)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, r := range turn.Replies() {
		fmt.Printf("%s: %s\n", r.Type, r.Text)
	}
	fmt.Println(out == nodes.Next())
	// Output:
	// true false
	// echo.yaml:1:1: nodes.echo: unknown key "prefx" (did you mean "prefix"?)
	// message: Sie sagten: HELLO THERE
	// true
}

func ExampleInterp() {
	mem := &nodes.Memory{}
	mem.SetEntity("email", "o'brien@example.com")
	turn := &nodes.Turn{Memory: mem, Now: time.Now()}

	tm, err := nodes.ParseInterp("/query?q=SELECT Id FROM Lead WHERE Email = '{{ entities.email | soql }}'")
	if err != nil {
		fmt.Println(err)
		return
	}
	s, _ := tm.Render(turn, nodes.EscapeText)
	fmt.Println(s)
	s, _ = tm.Render(turn, nodes.EscapeURL)
	fmt.Println(s)
	// Output:
	// /query?q=SELECT Id FROM Lead WHERE Email = 'o\'brien@example.com'
	// /query?q=SELECT%20Id%20FROM%20Lead%20WHERE%20Email%20=%20'o%5C%27brien%40example.com'
}

func ExampleRenderJSON() {
	mem := &nodes.Memory{}
	mem.SetEntity("name", `Ada "The Countess" Lovelace`)
	mem.SetEntity("employees", 12.0)
	turn := &nodes.Turn{Memory: mem, Now: time.Now()}

	body, err := nodes.ParseBody(`{LastName: "{{ entities.name }}", Company: "{{ entities.company | default: \"n/a\" }}", NumberOfEmployees: "{{ entities.employees }}"}`)
	if err != nil {
		fmt.Println(err)
		return
	}
	out, _ := nodes.RenderJSON(turn, body)
	fmt.Println(string(out))
	// Output:
	// {"LastName":"Ada \"The Countess\" Lovelace","Company":"n/a","NumberOfEmployees":12}
}

func ExampleCompileCond() {
	mem := &nodes.Memory{Input: "Can I talk to an Agent?"}
	mem.SetEntity("qty", 12.0)
	turn := &nodes.Turn{Memory: mem, Now: time.Now()}

	for _, src := range []string{
		`exists(entities.qty) && entities.qty > 10`,
		`input contains "agent"`,
		`notExists(entities.email)`,
		`create_lead.response.status == 201`,
	} {
		c, err := nodes.CompileCond(src)
		if err != nil {
			fmt.Println(err)
			return
		}
		ok, err := c.Eval(turn)
		fmt.Println(src, "=>", ok, err)
	}
	// Output:
	// exists(entities.qty) && entities.qty > 10 => true <nil>
	// input contains "agent" => true <nil>
	// notExists(entities.email) => true <nil>
	// create_lead.response.status == 201 => false <nil>
}
