package nodes

import (
	"context"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestLogicRun(t *testing.T) {
	n := mustLoad(t, "logic", `
set:
  - {name: greeted, value: true}
  - {name: count, value: 3}
  - {name: last_lead, scope: user, value: "{{ create_lead.response.body.id }}", ttl: 720h}
  - {name: summary, value: "Lead for {{ entities.name }} ({{ entities.qty }})"}
  - {name: addr, value: "{{ entities.addr }}"}
  - {name: record, value: {id: "{{ create_lead.response.body.id }}", qty: "{{ entities.qty }}", tags: [a, "{{ entities.name | upper }}"]}}
  - {name: total, expr: "entities.qty * 2 + conversation.count"}
  - {name: flag, scope: bot, expr: "conversation.total > 5"}
  - {name: missing, value: "{{ entities.nope }}"}
`)
	turn := newTurn("en")
	turn.Memory.SetEntity("name", "Ada")
	turn.Memory.SetEntity("qty", 4.0)
	addr := map[string]any{"city": "Tokyo"}
	turn.Memory.SetEntity("addr", addr)
	turn.Memory.SetNode("create_lead", map[string]any{"response": map[string]any{"body": map[string]any{"id": "00Q1"}}})
	turn.Memory.SetVar(ScopeConversation, "count", 1.0, 0)
	out, err := n.Run(context.Background(), turn)
	if err != nil || out != Next() {
		t.Fatalf("Run = %+v, %v; want Next()", out, err)
	}
	now := turn.Now.Unix()
	tests := []struct {
		path string
		want any
	}{
		{"conversation.greeted", true},
		{"conversation.count", 3.0},
		{"user.last_lead", "00Q1"},
		{"conversation.summary", "Lead for Ada (4)"},
		{"conversation.addr", map[string]any{"city": "Tokyo"}},
		{"conversation.record", map[string]any{"id": "00Q1", "qty": 4.0, "tags": []any{"a", "ADA"}}},
		{"conversation.total", 11.0}, // sees count set above: 4*2+3
		{"bot.flag", true},
		{"conversation.missing", nil},
	}
	for _, tt := range tests {
		got, ok := turn.Memory.Lookup(SplitPath(tt.path), now)
		if !ok || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s = %#v (exists %v); want %#v", tt.path, got, ok, tt.want)
		}
	}
	if exp := turn.Memory.User["last_lead"].Exp; exp != turn.Now.Add(720*time.Hour).Unix() {
		t.Errorf("user.last_lead expires at %d; want now+720h", exp)
	}
	if _, ok := turn.Memory.Lookup(SplitPath("user.last_lead"), turn.Now.Add(721*time.Hour).Unix()); ok {
		t.Errorf("user.last_lead still exists after its ttl")
	}
	// The stored copy shares nothing with the entity it came from.
	addr["city"] = "Osaka"
	if got, _ := turn.Memory.Lookup(SplitPath("conversation.addr.city"), now); got != "Tokyo" {
		t.Errorf("conversation.addr.city = %v after changing the entity; want Tokyo", got)
	}
}

func TestLogicEvalErrorFails(t *testing.T) {
	n := mustLoad(t, "logic", `set: [{name: x, expr: "entities.secret > 3"}]`)
	env, logs := logBuffer()
	turn := newTurn("de")
	turn.Env = env
	turn.Memory.SetEntity("secret", "hunter2")
	out, err := n.Run(context.Background(), turn)
	if err != nil {
		t.Fatal(err)
	}
	if out.Status != StatusEnd || out.Reason != Failed || out.Failure != FailScript || out.Message != "" {
		t.Errorf("Run = %+v; want FailWith(FailScript, \"\"): the host says the text", out)
	}
	if strings.Contains(logs.String(), "hunter2") || !strings.Contains(logs.String(), "node evaluation failed") {
		t.Errorf("log = %q; want the failure logged without the value", logs.String())
	}
	if _, ok := turn.Memory.Conversation["x"]; ok {
		t.Errorf("x was set although its expression failed")
	}
}

func TestLogicErrors(t *testing.T) {
	tests := []struct{ src, want string }{
		{"set: []", "at least one variable"},
		{"set: [{value: 1}]", "set[0].name: is required"},
		{"set: [{name: a.b, value: 1}]", `may only hold letters`},
		{"set: [{name: a, scope: global, value: 1}]", `set[0].scope: "global" is not conversation, user or bot`},
		{"set: [{name: a}]", "exactly one of value and expr"},
		{"set: [{name: a, value: 1, expr: '2'}]", "exactly one of value and expr"},
		{"set: [{name: a, expr: '1 +'}]", "expression column"},
		{"set: [{name: a, value: 1, ttl: -1m}]", "ttl: must not be negative"},
		{"set: [{name: a, value: 1, ttl: soon}]", `node.yaml:1:32: set[0].ttl: invalid duration "soon"`},
		{"set: [{name: a, value: \"{{ x\"}]", "unclosed {{"},
	}
	for _, tt := range tests {
		_, err := loadNode("logic", tt.src, nil)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("load %q: error %v; want it to contain %q", tt.src, err, tt.want)
		}
	}
}

// TestLogicClear: clear removes entities and variables of every scope
// before set runs; a cleared entity is not taken from the task's
// utterance again.
func TestLogicClear(t *testing.T) {
	n := mustLoad(t, "logic", `
clear: [entities.email, conversation.total, user.sf_who_id, bot.flag, entities.never_set]
set:
  - {name: total, value: 0}
`)
	turn := newTurn("en")
	turn.Memory.SetEntity("email", "jane@acme.example")
	turn.Memory.SetEntity("company", "Acme")
	turn.Memory.SetVar(ScopeConversation, "total", 5.0, 0)
	turn.Memory.SetVar(ScopeUser, "sf_who_id", "003x", 0)
	turn.Memory.SetVar(ScopeUser, "sf_name", "Jane", 0)
	turn.Memory.SetVar(ScopeBot, "flag", true, 0)
	if out, err := n.Run(context.Background(), turn); err != nil || out != Next() {
		t.Fatalf("Run = %+v, %v; want Next()", out, err)
	}
	now := turn.Now.Unix()
	for _, tt := range []struct {
		path   string
		exists bool
	}{
		{"entities.email", false}, {"entities.company", true}, {"conversation.total", true},
		{"user.sf_who_id", false}, {"user.sf_name", true}, {"bot.flag", false},
	} {
		if _, ok := turn.Memory.Lookup(SplitPath(tt.path), now); ok != tt.exists {
			t.Errorf("%s exists %v; want %v", tt.path, ok, tt.exists)
		}
	}
	if v, _ := turn.Memory.Lookup(SplitPath("conversation.total"), now); v != 0.0 {
		t.Errorf("conversation.total = %#v; want 0 (set after clear)", v)
	}
	if _, ok := turn.Memory.User["sf_who_id"]; ok {
		t.Error("user.sf_who_id is still in the user variables to save")
	}
	ask := mustLoad(t, "entity", `{name: email, entity_type: email, prompt: "E-mail?"}`)
	turn.NodeID, turn.Utterance = "email", "create a lead for jane@acme.example"
	out, err := ask.Run(context.Background(), turn)
	if err != nil || out.Status != StatusWait {
		t.Fatalf("entity after clear: %+v, %v; want it to ask (not take the address from the utterance again)", out, err)
	}
	if env := turn.Memory.Map(now); env[clearedKey] != nil {
		t.Errorf("the cleared list is visible to expressions")
	}
}

func TestLogicClearErrors(t *testing.T) {
	for _, tt := range []struct{ src, want string }{
		{"clear: [entitis.email]", `clear[0]: "entitis.email": want entities.<name>, conversation.<name>, user.<name> or bot.<name> (did you mean "entities"?)`},
		{"clear: [email]", `clear[0]: "email": want entities.<name>`},
		{"clear: [identity.email]", `clear[0]: "identity.email": want entities.<name>`},
		{"clear: [create_lead.id]", `clear[0]: "create_lead.id": want entities.<name>`},
		{"clear: [entities.]", `clear[0]: "entities.": name what to clear, as in entities.email`},
		{"clear: [entities]", `clear[0]: "entities": name what to clear`},
		{"clear: [entities.addr.city]", `clear[0]: "entities.addr.city": only a whole entity or variable can be cleared`},
		{"clear: [user.a, user.a]", "clear[1]: user.a is already cleared by clear[0]"},
		{"clear: entities.email", "clear"},
		{"clear: []", "at least one variable is required (or something to clear)"},
		{"clear: [entities.email]\nclaer: [user.a]", `unknown key "claer"`},
	} {
		_, err := loadNode("logic", tt.src, nil)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("load %q: error %v; want it to contain %q", tt.src, err, tt.want)
		}
	}
}
