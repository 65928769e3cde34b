package dialog

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/botforge/dialogd/nodes"
	"github.com/botforge/dialogd/sessions"
)

// decodedForm is what a turn would read back after st was stored.
func decodedForm(t testing.TB, st *state) *state {
	t.Helper()
	data, err := st.encode()
	if err != nil {
		t.Fatalf("encode: %v", err)
	}
	got, err := decodeState(data)
	if err != nil {
		t.Fatalf("decode %s: %v", data, err)
	}
	return got
}

func TestCopyStateIsTheDecodedForm(t *testing.T) {
	type card struct {
		Title string `json:"title"`
		N     int    `json:"n"`
	}
	tests := []struct {
		name string
		st   state
	}{
		{"empty", state{V: stateVersion}},
		{"handoff", state{V: stateVersion, Agent: &handoffState{ID: "h1", Status: handoffChoosing, Queue: "q", Reason: "r", Agent: "A", Leave: "lm",
			Ctx: map[string]any{"task": "t", "entities": map[string]any{"n": 2, "l": []string{"x"}}}}, handoff: &handoffAsk{queue: "q"}}},
		{"handoff, empty context", state{V: stateVersion, Agent: &handoffState{Status: handoffQueued, Ctx: map[string]any{}}}},
		{"scalars", state{V: stateVersion, ID: "c1", User: "u", Seq: 7, Task: "t", TV: "tv", Node: "n", Wait: waitInput, Utt: "hi", PExp: 9, Pend: "p", Rec: true, Lang: "de", Back: "b", BackOf: "bo", At: 12, ended: nodes.Reason("done")}},
		{"empty optional maps and lists", state{V: stateVersion, NS: &nodes.NodeState{Data: map[string]any{}}, Seen: seenList{}, Calls: []string{},
			Memory: nodes.Memory{Entities: map[string]any{}, Nodes: map[string]any{}, Conversation: map[string]nodes.Var{}}}},
		{"JSON values", state{V: stateVersion, Memory: nodes.Memory{Intent: "i", Entities: map[string]any{
			"s": "x", "f": 1.5, "b": true, "nil": nil, "obj": map[string]any{}, "list": []any{}, "nested": map[string]any{"a": []any{1.0, "z", map[string]any{"k": nil}}},
			"nilmap": map[string]any(nil), "nillist": []any(nil),
		}}}},
		{"Go values JSON changes", state{V: stateVersion, NS: &nodes.NodeState{Retries: 2, Data: map[string]any{"n": 3, "u": uint8(4)}},
			Memory: nodes.Memory{Nodes: map[string]any{
				"ints": []int{1, 2}, "strs": []string{"a"}, "mss": map[string]string{"k": "v"}, "card": card{Title: "T", N: 2}, "ptr": &card{},
				"when": time.Date(2026, 12, 7, 1, 2, 3, 0, time.UTC), "f32": float32(0.1),
			}}}},
		{"conversation variables", state{V: stateVersion, Memory: nodes.Memory{Conversation: map[string]nodes.Var{"a": {V: 1}, "b": {V: nil, Exp: 5}, "c": {V: []string{"x"}}}}}},
		{"not stored", state{V: stateVersion, Memory: nodes.Memory{User: map[string]nodes.Var{"u": {V: "x"}}, Bot: map[string]nodes.Var{"b": {V: "y"}},
			Env: map[string]string{"e": "1"}, Identity: nodes.Identity{Subject: "s"}, ConversationID: "c"}}},
		{"seen and calls", state{V: stateVersion, Seen: seenList{{ID: "m1", From: 1, To: 2}, {ID: "m;2,", From: 3, To: 3}}, Calls: []string{"k1", "k2"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := copyState(&tt.st)
			if !ok {
				t.Fatalf("copyState refused %+v", tt.st)
			}
			if want := decodedForm(t, &tt.st); !reflect.DeepEqual(got, want) {
				t.Errorf("copyState:\n got %#v\nwant %#v", got, want)
			}
		})
	}
}

func TestCopyStateRefusesInvalidUTF8(t *testing.T) {
	bad := "a\xffb"
	tests := []state{
		{V: stateVersion, Node: bad},
		{V: stateVersion, Memory: nodes.Memory{Input: bad}},
		{V: stateVersion, Memory: nodes.Memory{Entities: map[string]any{"k": bad}}},
		{V: stateVersion, Memory: nodes.Memory{Entities: map[string]any{bad: "v"}}},
		{V: stateVersion, Memory: nodes.Memory{Nodes: map[string]any{"k": []any{bad}}}},
		{V: stateVersion, Memory: nodes.Memory{Conversation: map[string]nodes.Var{"k": {V: bad}}}},
		{V: stateVersion, NS: &nodes.NodeState{Data: map[string]any{"k": bad}}},
		{V: stateVersion, Seen: seenList{{ID: bad, From: 1, To: 1}}},
		{V: stateVersion, Calls: []string{bad}},
	}
	for i, st := range tests {
		if _, ok := copyState(&st); ok {
			t.Errorf("#%d: copyState accepted a state with invalid UTF-8", i)
		}
	}
}

func TestCopyStateIsDeep(t *testing.T) {
	st := &state{V: stateVersion, NS: &nodes.NodeState{Data: map[string]any{"k": "v"}},
		Memory: nodes.Memory{Entities: map[string]any{"list": []any{"a"}}}, Seen: seenList{{ID: "m", From: 1, To: 1}}}
	c, _ := copyState(st)
	c.NS.Data["k"] = "changed"
	c.Memory.Entities["list"].([]any)[0] = "changed"
	c.Seen[0].ID = "changed"
	if st.NS.Data["k"] != "v" || st.Memory.Entities["list"].([]any)[0] != "a" || st.Seen[0].ID != "m" {
		t.Errorf("changing the copy changed the original: %+v", st)
	}
}

// TestStateCacheServesCommittedState checks the cache is used and its
// copies are private: a turn's state is what decoding the stored bytes
// gives, not the remembered object itself.
func TestStateCacheServesCommittedState(t *testing.T) {
	bot, err := LoadDir("../examples/bench")
	if err != nil {
		t.Fatal(err)
	}
	store := sessions.NewMemory(sessions.Options{})
	r := NewRuntime(bot, store, Options{})
	ctx := context.Background()
	for i, text := range []string{"create a lead", "Ann"} {
		if _, err := r.Handle(ctx, "s1", "u", nodes.Input{ID: string(rune('a' + i)), Text: text}); err != nil {
			t.Fatal(err)
		}
	}
	lease, err := store.Acquire(ctx, storeKey("s1"))
	if err != nil {
		t.Fatal(err)
	}
	defer lease.Release(ctx)
	stored := lease.State()
	e, ok := r.states.shard("s1").m["s1"]
	if !ok {
		t.Fatal("the committed state was not remembered")
	}
	got, err := r.states.load("s1", stored)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := decodeState(stored)
	if got == e.st || !reflect.DeepEqual(got, want) {
		t.Errorf("load = %#v (remembered %p, got %p), want %#v", got, e.st, got, want)
	}
	// Other bytes (another instance committed) are decoded, not served
	// from the cache.
	other := append([]byte(nil), stored...)
	other = append(other[:len(other)-1], []byte(`,"pc":["k"]}`)...)
	got, err = r.states.load("s1", other)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Calls) != 1 {
		t.Errorf("load of other bytes = %+v, want their pending call", got)
	}
}

func TestStateCacheIsBounded(t *testing.T) {
	c := newStateCache()
	st := &state{V: stateVersion}
	for i := range 10 * stateCacheShards * stateCachePerShard {
		c.remember(string(rune(i)), []byte("x"), st)
	}
	n := 0
	for i := range c.shards {
		if l := len(c.shards[i].m); l > stateCachePerShard {
			t.Errorf("shard %d holds %d states, more than %d", i, l, stateCachePerShard)
		}
		n += len(c.shards[i].m)
	}
	if n == 0 {
		t.Error("the cache holds nothing")
	}
}

// FuzzCopyStateIsTheDecodedForm: for any state a store may hold, the
// cache's copy and a decode of the stored bytes agree.
func FuzzCopyStateIsTheDecodedForm(f *testing.F) {
	f.Add([]byte(`{"v":1,"id":"01a24df9-88bf-70d9-9d0c-a0496e38f580","us":"u","s":4,"t":"create_lead","n":"email","w":1,"ns":{},"u":"create a lead","l":"en","c":{"i":"create_lead","l":"en","in":"Acme","en":{"company":"Acme","first_name":"Ann","last_name":"Lee"}},"m":"2:m0,1;2:m1,2;","at":1796604528831}`))
	f.Add([]byte(`{"v":1,"ns":{"r":2,"d":{"a":[1,{"b":null}],"c":{}}},"c":{"n":{"x":{"response":{"status":201,"body":{"id":"00Q"}}}},"cv":{"k":{"v":[],"e":3}}},"pc":["a","b"]}`))
	f.Add([]byte(`{"v":1,"c":{"en":{"s":"\u00e9\ud83d\ude00","e":"","z":-0,"big":1e300}}}`))
	f.Add([]byte(`{"v":1,"t":"b","n":"x","w":1,"hi":["a","b"],"ak":1,"p":"c","pu":"do c now","hd":[{"t":"a","n":"email","w":2,"ns":{"r":1,"d":{"k":[1]}},"u":"create","hi":["name"],"en":{"name":"Ann"},"nd":{"s":{}},"rm":"confirm"},{"t":"z","n":"q","hi":[],"en":{},"ns":{}}],"c":{}}`))
	f.Add([]byte(`{"v":1,"ag":{"i":"h1","s":"choosing","q":"support","r":"billing","a":"Alice","lm":"leave","x":{"task":"t","entities":{"n":1,"l":[{}]}}},"c":{}}`))
	f.Add([]byte(`{"v":1,"ag":{"s":"queued","x":{}},"c":{}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		st, err := decodeState(data)
		if err != nil || st == nil {
			return
		}
		got, ok := copyState(st)
		if !ok {
			return // decoded strings are valid UTF-8, but keep the check honest
		}
		if want := decodedForm(t, st); !reflect.DeepEqual(got, want) {
			t.Errorf("copyState:\n got %#v\nwant %#v", got, want)
		}
	})
}

// TestPendingKeysFromTheCache: the record of a call made from the
// remembered state (keys appended to its bytes, or the state encoded again
// when it holds keys already) decodes the same as the one spliced into the
// decoded bytes.
func TestPendingKeysFromTheCache(t *testing.T) {
	for _, calls := range [][]string{nil, {"old"}} {
		testPendingKeysFromTheCache(t, calls)
	}
}

func testPendingKeysFromTheCache(t *testing.T, calls []string) {
	orig := &state{V: stateVersion, ID: "c-1", User: "u-1", Seq: 7, Task: "order", Node: "place", Lang: "de", NS: &nodes.NodeState{Retries: 1},
		Seen: seenList{{ID: "m1", From: 1, To: 7}}, Calls: calls}
	orig.Memory.SetEntity("email", "ada@example.com")
	orig.Memory.Nodes = map[string]any{"svc": map[string]any{"response": map[string]any{"status": 201}}}
	began, err := orig.encode()
	if err != nil {
		t.Fatal(err)
	}
	r := &Runtime{states: newStateCache()}
	r.states.remember("s", began, orig)
	if r.states.stored("s", began) == nil {
		t.Fatal("the committed state is not served from the cache")
	}
	for _, st := range []*state{{ID: "c-1", User: "u-1"}, {ID: "c-2", User: "u-2"}, {}} {
		keys := []string{"k1", "k2"}
		cached, err := r.withPendingKeys("s", began, st, keys)
		if err != nil {
			t.Fatal(err)
		}
		spliced, err := withPendingKeys(began, st, keys)
		if err != nil {
			t.Fatal(err)
		}
		got, _ := decodeState(cached)
		want, _ := decodeState(spliced)
		if !reflect.DeepEqual(got, want) {
			t.Errorf("calls %v, run %+v:\n cached  %s\n spliced %s", calls, st, cached, spliced)
		}
	}
	if got := r.conversationOf("s", began); got != "c-1" {
		t.Errorf("conversationOf = %q, want c-1", got)
	}
	if got := r.conversationOf("other", began); got != "c-1" {
		t.Errorf("conversationOf without the cache = %q, want c-1", got)
	}
}

// BenchmarkStateLoad compares the two ways a turn gets its state: decoding
// the stored bytes, or copying the state this process committed.
func BenchmarkStateLoad(b *testing.B) {
	data := []byte(`{"v":1,"id":"01a24df9-88bf-70d9-9d0c-a0496e38f580","us":"u","s":4,"t":"create_lead","n":"email","w":1,"ns":{},"u":"create a lead","l":"en","c":{"i":"create_lead","l":"en","in":"Acme","en":{"company":"Acme","first_name":"Ann","last_name":"Lee"}},"m":"2:m0,1;2:m1,2;2:m2,3;2:m3,4;","at":1796604528831}`)
	b.Run("decode", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := decodeState(data); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("cached", func(b *testing.B) {
		c := newStateCache()
		st, _ := decodeState(data)
		c.remember("s", data, st)
		b.ReportAllocs()
		for b.Loop() {
			if _, err := c.load("s", data); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func TestAppendPendingKeys(t *testing.T) {
	for _, tc := range []struct{ began, want string }{
		{`{"v":1}`, `{"v":1,"pc":["k1","k\"2"]}`},
		{`{}`, `{"pc":["k1","k\"2"]}`},
	} {
		got, err := appendPendingKeys([]byte(tc.began), []string{"k1", `k"2`})
		if err != nil || string(got) != tc.want {
			t.Errorf("appendPendingKeys(%s) = %s, %v; want %s", tc.began, got, err, tc.want)
		}
	}
	if _, err := appendPendingKeys([]byte(`[]`), []string{"k"}); err == nil {
		t.Error("appendPendingKeys of a list: no error")
	}
}
