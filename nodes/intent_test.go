package nodes

import (
	"context"
	"reflect"
	"strings"
	"testing"
	"time"
)

// loadNode builds a node of a registered type the way the host does
// ([Registry.DecodeNode]): New, strict decode, Provision, Validate.
func loadNode(typ, src string, h *Host) (Node, error) {
	config, err := ParseYAML("node.yaml", []byte(src))
	if err != nil {
		return nil, err
	}
	if h == nil {
		h = &Host{Bot: "b", Task: "t", NodeID: "n", Languages: []string{"en", "ja", "de"}}
	}
	n, err := Default().DecodeNode(typ, NodeSource{File: "node.yaml", Config: config}, *h)
	if err != nil {
		return nil, err
	}
	return n, nil
}

func mustLoad(t testing.TB, typ, src string) Node {
	t.Helper()
	n, err := loadNode(typ, src, nil)
	if err != nil {
		t.Fatalf("load %s node from %q: %v", typ, src, err)
	}
	return n
}

// newTurn returns a turn over a fresh context.
func newTurn(lang string) *Turn {
	return &Turn{Memory: &Memory{Lang: lang}, Lang: lang, Now: time.Unix(1_700_000_000, 0), NodeID: "node1", State: &NodeState{}}
}

func TestBuiltinTypesRegistered(t *testing.T) {
	want := map[string]reflect.Type{
		"intent":         reflect.TypeOf(&Intent{}),
		"message":        reflect.TypeOf(&Message{}),
		"confirmation":   reflect.TypeOf(&Confirmation{}),
		"logic":          reflect.TypeOf(&Logic{}),
		"script":         reflect.TypeOf(&Script{}),
		"agent_transfer": reflect.TypeOf(&AgentTransfer{}),
	}
	for typ, rt := range want {
		info, ok := Default().Lookup(typ)
		if !ok {
			t.Errorf("type %q is not registered", typ)
			continue
		}
		if got := reflect.TypeOf(info.New()); got != rt {
			t.Errorf("%s: New() returns %v; want %v", typ, got, rt)
		}
		if info.Summary == "" || !strings.HasSuffix(info.Summary, ".") {
			t.Errorf("%s: summary %q should be one sentence", typ, info.Summary)
		}
	}
}

func TestIntent(t *testing.T) {
	tests := []struct {
		name, src string
		want      map[string][]string
	}{
		{"map", "utterances: {en: [create a lead, new lead], ja: [リードを作成]}",
			map[string][]string{"en": {"create a lead", "new lead"}, "ja": {"リードを作成"}}},
		{"plain list is the default language", "utterances: [create a lead]",
			map[string][]string{"en": {"create a lead"}}},
		{"none", "{}", map[string][]string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := mustLoad(t, "intent", tt.src)
			tr, ok := n.(Trainer)
			if !ok {
				t.Fatalf("intent does not implement Trainer")
			}
			if got := tr.Utterances(); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Utterances() = %v; want %v", got, tt.want)
			}
			turn := newTurn("en")
			out, err := n.Run(context.Background(), turn)
			if err != nil || out != Next() || len(turn.Replies()) != 0 {
				t.Errorf("Run = %+v, %v, %d replies; want Next, nil, 0", out, err, len(turn.Replies()))
			}
		})
	}
}

func TestIntentDefaultLanguageFromHost(t *testing.T) {
	n, err := loadNode("intent", "utterances: [Lead anlegen]", &Host{Languages: []string{"de", "en"}})
	if err != nil {
		t.Fatal(err)
	}
	if got := n.(Trainer).Utterances(); !reflect.DeepEqual(got, map[string][]string{"de": {"Lead anlegen"}}) {
		t.Errorf("Utterances() = %v; want them under de", got)
	}
}

func TestIntentErrors(t *testing.T) {
	tests := []struct{ src, want string }{
		{"utterances: {en: [a, '  ']}", "utterances.en[1]: phrase is empty"},
		{"utterances: {en: [Lead, lead]}", `utterances.en[1]: phrase "lead" is given twice`},
		{"utterances: {fr: [bonjour]}", `language "fr" is not one of the bot's languages`},
		{"utterances: hello", "expected a list or a map"},
		{"utterance: [a]", `node.yaml:1:1: unknown key "utterance" (did you mean "utterances"?)`},
	}
	for _, tt := range tests {
		_, err := loadNode("intent", tt.src, nil)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("load %q: error %v; want it to contain %q", tt.src, err, tt.want)
		}
	}
}

func TestAgentTransfer(t *testing.T) {
	tests := []struct {
		lang, src, wantText, wantQueue string
	}{
		{"en", "text: Connecting you to {{ entities.team }}.\nreason: lead_failed\nqueue: sales", "Connecting you to Sales.", "sales"},
		{"de", "reason: lead_failed", "Ich verbinde Sie mit einem Kollegen.", ""},
		{"ja", "{reason: lead_failed}", "担当者におつなぎします。", ""},
	}
	for _, tt := range tests {
		t.Run(tt.lang, func(t *testing.T) {
			n := mustLoad(t, "agent_transfer", tt.src)
			turn := newTurn(tt.lang)
			turn.Memory.SetEntity("team", "Sales")
			out, err := n.Run(context.Background(), turn)
			if err != nil {
				t.Fatal(err)
			}
			if out != End(HandedOff) {
				t.Errorf("Run = %+v; want End(HandedOff)", out)
			}
			want := []Reply{
				{Type: ReplyMessage, Text: tt.wantText},
				{Type: ReplyHandoff, Reason: "lead_failed", Queue: tt.wantQueue},
			}
			if got := turn.Replies(); !reflect.DeepEqual(got, want) {
				t.Errorf("replies = %+v; want %+v", got, want)
			}
		})
	}
}

func TestNodeTypesRejectUnknownFields(t *testing.T) {
	for _, typ := range []string{"message", "confirmation", "logic", "script", "agent_transfer"} {
		_, err := loadNode(typ, "bogus: 1", nil)
		if want := `node.yaml:1:1: unknown key "bogus"`; err == nil || err.Error() != want {
			t.Errorf("%s with an unknown field: error %v; want %s", typ, err, want)
		}
	}
}

// TestIntentDropsLanguagesTheBotDoesNotSpeak: a template's German and
// Japanese phrases are dropped in an English-only bot; a language the
// runtime does not know is still an error (a typo, say).
func TestIntentDropsLanguagesTheBotDoesNotSpeak(t *testing.T) {
	h := &Host{Bot: "b", Task: "t", NodeID: "n", Languages: []string{"en"}}
	n, err := loadNode("intent", "utterances: {en: [create a lead], de: [lead anlegen], ja: [リードを作成]}", h)
	if err != nil {
		t.Fatalf("trilingual phrases in an English bot: %v; want them loaded", err)
	}
	if got := n.(*Intent).Phrases; len(got) != 1 || len(got["en"]) != 1 {
		t.Errorf("phrases %v; want only the English one", got)
	}
	if _, err := loadNode("intent", "utterances: {en: [hi], dee: [hallo]}", h); err == nil || !strings.Contains(err.Error(), `language "dee"`) {
		t.Errorf("unknown language: error %v; want it named", err)
	}
}
