package nodes

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"reflect"
	"strings"
	"testing"
)

// logBuffer returns an Env whose logger writes info-level text records to
// a buffer.
func logBuffer() (*Env, *bytes.Buffer) {
	var buf bytes.Buffer
	return &Env{Log: newTextLogger(&buf)}, &buf
}

func newTextLogger(w io.Writer) *slog.Logger {
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelInfo}))
}

func TestScriptRun(t *testing.T) {
	n := mustLoad(t, "script", `
set:
  entities.email: "lower(trim(entities.email))"
  conversation.total: "entities.qty * 2"
  user.vip: "conversation.total > 5"
  bot.seen: "(bot.seen ?? 0) + 1"
  conversation.label: "entities.email + ' x' + string(conversation.total)"
  conversation.nothing: "missing_node.response.body.id"
`)
	turn := newTurn("en")
	turn.Memory.SetEntity("email", "  Ada@Example.COM ")
	turn.Memory.SetEntity("qty", 3.0)
	out, err := n.Run(context.Background(), turn)
	if err != nil || out != Next() {
		t.Fatalf("Run = %+v, %v; want Next()", out, err)
	}
	now := turn.Now.Unix()
	tests := []struct {
		path string
		want any
	}{
		{"entities.email", "ada@example.com"},
		{"conversation.total", 6.0},
		{"user.vip", true},
		{"bot.seen", 1.0},
		{"conversation.label", "ada@example.com x6"},
		{"conversation.nothing", nil},
	}
	for _, tt := range tests {
		got, ok := turn.Memory.Lookup(SplitPath(tt.path), now)
		if !ok || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s = %#v (exists %v); want %#v", tt.path, got, ok, tt.want)
		}
	}
	names := []string{}
	for _, a := range n.(*Script).Set {
		names = append(names, a.Target())
	}
	want := []string{"entities.email", "conversation.total", "user.vip", "bot.seen", "conversation.label", "conversation.nothing"}
	if !reflect.DeepEqual(names, want) {
		t.Errorf("assignment order = %q; want %q", names, want)
	}
}

func TestScriptEvalErrorFails(t *testing.T) {
	tests := []string{
		`entities.secret > 3`,          // type error at run time
		`1 / entities.zero`,            // division by zero gives +Inf, not storable
		`map(1..1000000, # * 2)`,       // over the memory budget
		`entities.secret.x.y[3] + "a"`, // nil + string
	}
	for _, src := range tests {
		t.Run(src, func(t *testing.T) {
			n := mustLoad(t, "script", "set: {conversation.r: '"+src+"'}")
			env, logs := logBuffer()
			turn := newTurn("en")
			turn.Env = env
			turn.Memory.SetEntity("secret", "hunter2")
			turn.Memory.SetEntity("zero", 0.0)
			out, err := n.Run(context.Background(), turn)
			if err != nil {
				t.Fatal(err)
			}
			if out.Status != StatusEnd || out.Reason != Failed || out.Failure != FailScript || out.Message != "" {
				t.Errorf("Run = %+v; want FailWith(FailScript, \"\"): the host says the text", out)
			}
			if strings.Contains(logs.String(), "hunter2") || !strings.Contains(logs.String(), "item=conversation.r") {
				t.Errorf("log = %q; want the failure logged with its item and without the value", logs.String())
			}
			if _, ok := turn.Memory.Conversation["r"]; ok {
				t.Errorf("conversation.r was set although its expression failed")
			}
		})
	}
}

func TestScriptErrors(t *testing.T) {
	tests := []struct{ src, want string }{
		{"set: {}", "at least one assignment"},
		{"set: [a]", "expected a map of path to expression"},
		{"set: {total: '1'}", `"total": want conversation.<name>`},
		{"set: {create_lead.x: '1'}", "only conversation, user, bot and entities can be assigned"},
		{"set: {conversation.a.b: '1'}", `name "a.b" may only hold letters`},
		{"set: {conversation.a: '1', conversation.a: '2'}", ""}, // yaml itself or we reject it
		{"set: {conversation.a: [1]}", "expected an expression string"},
		{"set: {conversation.a: '1 +'}", "node.yaml:1:7: set.conversation.a: expression column 3"},
		{"set: {conversation.a: 'httpGet(\"x\")'}", "unknown function httpGet"},
		{"set: {conversation.a: '" + strings.Repeat("1+", 1100) + "1'}", "longer than 2000 bytes"},
	}
	for _, tt := range tests {
		_, err := loadNode("script", tt.src, nil)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("load %.60q: error %v; want it to contain %q", tt.src, err, tt.want)
		}
	}
}
