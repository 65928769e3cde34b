package nodes

import (
	"context"
	"reflect"
	"strings"
	"testing"
)

func TestMessageRun(t *testing.T) {
	src := `
text: {en: "Lead {{ create_lead.response.body.id }} created for {{ entities.name }}.", de: "Lead für {{ entities.name }} angelegt."}
buttons:
  - {title: {en: Open, de: Öffnen}, payload: open_lead}
  - {title: Done}
quick_replies: [{title: Help, payload: help}]
`
	tests := []struct {
		lang string
		want Reply
	}{
		{"en", Reply{Type: ReplyMessage, Text: "Lead 00Q1 created for Ada.",
			Buttons:      []Button{{Title: "Open", Payload: "open_lead"}, {Title: "Done", Payload: "Done"}},
			QuickReplies: []Button{{Title: "Help", Payload: "help"}}}},
		{"de", Reply{Type: ReplyMessage, Text: "Lead für Ada angelegt.",
			Buttons:      []Button{{Title: "Öffnen", Payload: "open_lead"}, {Title: "Done", Payload: "Done"}},
			QuickReplies: []Button{{Title: "Help", Payload: "help"}}}},
	}
	for _, tt := range tests {
		t.Run(tt.lang, func(t *testing.T) {
			n := mustLoad(t, "message", src)
			turn := newTurn(tt.lang)
			turn.Memory.SetEntity("name", "Ada")
			turn.Memory.SetNode("create_lead", map[string]any{"response": map[string]any{"body": map[string]any{"id": "00Q1"}}})
			out, err := n.Run(context.Background(), turn)
			if err != nil {
				t.Fatal(err)
			}
			if out != Next() {
				t.Errorf("Run = %+v; want Next()", out)
			}
			if got := turn.Replies(); len(got) != 1 || !reflect.DeepEqual(got[0], tt.want) {
				t.Errorf("replies = %+v; want [%+v]", got, tt.want)
			}
		})
	}
}

func TestMessageWait(t *testing.T) {
	n := mustLoad(t, "message", "text: Open it?\nwait: true\nbuttons: [{title: Open, payload: open_lead}]")
	turn := newTurn("en")
	out, err := n.Run(context.Background(), turn)
	if err != nil || out != Wait() {
		t.Fatalf("Run = %+v, %v; want Wait()", out, err)
	}
	in := n.(InputNode)
	tests := []struct {
		in   Input
		want string
	}{
		{Input{Text: "Open", Payload: "open_lead"}, "open_lead"},
		{Input{Text: "something else"}, "something else"},
	}
	for _, tt := range tests {
		out, err := in.Input(context.Background(), turn, tt.in)
		if err != nil || out != Next() {
			t.Errorf("Input(%+v) = %+v, %v; want Next()", tt.in, out, err)
		}
		if turn.Memory.Input != tt.want {
			t.Errorf("Input(%+v): ctx input = %q; want %q", tt.in, turn.Memory.Input, tt.want)
		}
		// The host's transitions can branch on what was stored.
		c, _ := CompileCond(`input == "open_lead"`)
		got, _ := c.Eval(turn)
		if got != (tt.want == "open_lead") {
			t.Errorf("condition on input after %+v = %v", tt.in, got)
		}
	}
}

func TestMessageErrors(t *testing.T) {
	tests := []struct{ src, want string }{
		{"wait: true", "text is required"},
		{"text: hi\nbuttons: [{payload: x}]", "buttons[0]: title is required"},
		{"text: hi\nquick_replies: [{title: a}, {payload: x}]", "quick_replies[1]: title is required"},
		{"text: \"{{ entities.x | nope }}\"", `unknown filter "nope"`},
		{"text: [a]", "expected a string or a map"},
	}
	for _, tt := range tests {
		_, err := loadNode("message", tt.src, nil)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("load %q: error %v; want it to contain %q", tt.src, err, tt.want)
		}
	}
}

func BenchmarkMessageRun(b *testing.B) {
	n, err := loadNode("message", `{text: {en: "Lead {{ create_lead.response.body.id }} created for {{ entities.name }}.", de: "Lead angelegt."}, buttons: [{title: Open, payload: open}]}`, nil)
	if err != nil {
		b.Fatal(err)
	}
	turn := newTurn("en")
	turn.Memory.SetEntity("name", "Ada")
	turn.Memory.SetNode("create_lead", map[string]any{"response": map[string]any{"body": map[string]any{"id": "00Q1"}}})
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		turn.ResetReplies()
		if _, err := n.Run(ctx, turn); err != nil {
			b.Fatal(err)
		}
	}
}
