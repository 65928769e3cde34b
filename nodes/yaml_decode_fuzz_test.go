package nodes

import (
	"encoding/json"
	"errors"
	"testing"
	"time"
)

// fuzzNodeConfigs seed the decoder targets: the configurations the docs
// show, and the shapes that have gone wrong (aliases, merge keys, deep
// nesting, wrong types).
var fuzzNodeConfigs = []string{
	"text: hi\nnext: done\n",
	"text: {en: Hello, ja: こんにちは}\n",
	"utterances: {en: [book a demo, demo please], de: [Demo buchen]}\n",
	"entity_type: email\nprompt: What is your email?\nretries: 2\n",
	"method: POST\nurl: \"{{ env.api }}/leads\"\nheaders: {X-Trace: \"{{ conversation.id }}\"}\nbody: {LastName: \"{{ entities.name }}\", Qty: \"{{ entities.qty }}\", Tags: [a, 1, true, null]}\ntimeout: 5s\n",
	"method: POST\nurl: http://127.0.0.1:1/x\nbody_type: form\nbody: {a: \"{{ entities.v | default: 1 }}\", b: [x, y]}\n",
	"set:\n  - {name: greeted, value: true}\n  - {name: last, scope: user, value: \"{{ create_lead.response.body.id }}\", ttl: 720h}\n  - {name: total, expr: \"entities.qty * entities.price\"}\n",
	"set:\n  - name: x\n    value: &v {a: [1, 2, *w]}\n",
	"set:\n  - name: x\n    value: &v [1, *v]\n",
	"body: {<<: {a: 1}, b: 2}\n",
	"body: [[[[[[[[[[[[[[[[[[[[x]]]]]]]]]]]]]]]]]]]]\n",
	"script:\n  total: entities.qty * 2\n  name: upper(entities.name)\n",
	"retries: two\ntimeout: 5\nbody: {1: x}\n",
	"a: &a [x,x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\nbody: [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\n",
}

// FuzzDecodeNode: the strict decoder, with the parser's limits, on any
// YAML as the configuration of each node type never panics, and every
// problem it reports is a ConfigError of the file.
func FuzzDecodeNode(f *testing.F) {
	types := Default().Types()
	for i, src := range fuzzNodeConfigs {
		f.Add(uint8(i), []byte(src))
	}
	f.Fuzz(func(t *testing.T, typ uint8, src []byte) {
		config, err := ParseYAML("node.yaml", src)
		if err != nil {
			checkConfigErrors(t, err)
			return
		}
		nodeSrc := NodeSource{File: "node.yaml", Path: "nodes.n", Config: config, HostKeys: []string{"id", "next", "transitions", "type"}}
		host := Host{Bot: "b", Task: "t", NodeID: "n", Languages: []string{"en", "ja"}, AuthProfiles: map[string]bool{"sf": true}}
		if _, err := Default().DecodeNode(types[int(typ)%len(types)], nodeSrc, host); err != nil {
			checkConfigErrors(t, err)
		}
	})
}

// checkConfigErrors fails unless err is a non-empty list of problems of
// node.yaml, each with a message.
func checkConfigErrors(t *testing.T, err error) {
	t.Helper()
	var es ConfigErrors
	if !errors.As(err, &es) || len(es) == 0 {
		t.Fatalf("error %T %v; want ConfigErrors", err, err)
	}
	for _, e := range es {
		if e.File != "node.yaml" || e.Msg == "" || e.Line < 0 || e.Col < 0 {
			t.Fatalf("problem %+v; want one of node.yaml with a message", e)
		}
	}
}

// FuzzBody: a body or set value, parsed with the limits or directly
// (ParseBody), decodes or fails with an error, and a decoded body renders
// as valid JSON for a turn that holds every kind of value.
func FuzzBody(f *testing.F) {
	for _, src := range fuzzNodeConfigs {
		f.Add(src)
	}
	f.Add(`{a: "{{ entities.v }}", b: "<{{ entities.v | upper }}>", c: ["{{ entities.tags }}"], d: "{{ entities.addr }}"}`)
	f.Add(`[1.5, -0, 1e300, .inf, .nan, 0x1F, "{{ missing.path | default: \"x\" }}"]`)
	f.Fuzz(func(t *testing.T, src string) {
		var b Body
		if root, err := ParseYAML("body.yaml", []byte(src)); err == nil && root != nil {
			if err := b.UnmarshalYAML(root); err != nil {
				return
			}
		} else {
			// What the parser refuses (an alias cycle, a bomb) reaches
			// ParseBody's own bound instead.
			pb, err := ParseBody(src)
			if err != nil {
				return
			}
			b = *pb
		}
		turn := fuzzTurn()
		out, err := RenderJSON(turn, &b)
		if err == nil && !b.IsZero() && !json.Valid(out) {
			t.Fatalf("RenderJSON(%q) = %s: not valid JSON", src, out)
		}
		if v, err := b.Value(turn); err == nil {
			if _, err := json.Marshal(v); err != nil {
				t.Fatalf("Value(%q) = %#v: not JSON-shaped: %v", src, v, err)
			}
		}
	})
}

func fuzzTurn() *Turn {
	c := &Memory{}
	c.SetEntity("v", "a\"b</script>\\\u2028")
	c.SetEntity("qty", 3.0)
	c.SetEntity("tags", []any{"a", 1.0, nil})
	c.SetEntity("addr", map[string]any{"city": "Tokyo"})
	return &Turn{Memory: c, Lang: "en", Now: time.Unix(1_700_000_000, 0)}
}
