package dialog_test

import (
	"reflect"
	"testing"
	"testing/fstest"

	"github.com/botforge/dialogd/dialog"
	"github.com/botforge/dialogd/nodes"
)

func TestTaskGraph(t *testing.T) {
	task := `name: order
nodes:
  - id: start
    type: intent
    utterances: {en: [order]}
    next: qty
  - id: qty
    type: entity
    entity_type: number
    prompt: How many?
    on_fail: sorry
    transitions:
      - if: entities.qty > 10
        to: confirm
      - else: call
  - id: confirm
    type: confirmation
    prompt: That many?
    on_yes: call
    on_no: end
  - id: call
    type: service
    url: https://api.example.com/orders
    on_error: sorry
    on_timeout: sorry
  - id: sorry
    type: message
    text: Sorry.
`
	bot, err := dialog.LoadFS(fstest.MapFS{
		"bot.yaml":         {Data: []byte("name: shop\n")},
		"tasks/order.yaml": {Data: []byte(task)},
	}, "shop", nodes.Default())
	if err != nil {
		t.Fatal(err)
	}
	type row struct {
		id, typ string
		exits   []dialog.Exit
	}
	want := []row{
		{"start", "intent", []dialog.Exit{{Key: "next", To: "qty"}}},
		{"qty", "entity", []dialog.Exit{{Key: "if", Cond: "entities.qty > 10", To: "confirm"}, {Key: "else", To: "call"}, {Key: "on_fail", To: "sorry"}}},
		{"confirm", "confirmation", []dialog.Exit{{Key: "on_yes", To: "call"}, {Key: "on_no", To: "end"}}},
		{"call", "service", []dialog.Exit{{Key: "on_error", To: "sorry"}, {Key: "on_timeout", To: "sorry"}}},
		{"sorry", "message", nil},
	}
	var got []row
	for _, n := range bot.Tasks["order"].Graph() {
		if n.Node == nil {
			t.Errorf("node %s has no configuration", n.ID)
		}
		got = append(got, row{n.ID, n.Type, n.Exits})
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Graph() =\n%+v\nwant\n%+v", got, want)
	}
}
