package dialog

import (
	"bytes"
	"encoding/json"
	"hash/maphash"
	"sync"
	"unicode/utf8"

	"github.com/botforge/dialogd/nodes"
)

// stateCache remembers, per session, the state this process last committed
// and the exact bytes it stored. A turn whose lease holds those same bytes
// (no one committed since) starts from a copy of the remembered state
// instead of decoding JSON, which cost a tenth of a turn's CPU.
//
// The remembered state is kept in decoded form: JSON values only (string,
// float64, bool, nil, map[string]any, []any), empty optional fields absent.
// So a copy of it is exactly what decoding the bytes would give, and an
// entry never needs invalidating: a lease whose bytes differ (another
// instance committed, a pending call was recorded) decodes as before.
// Entries are dropped at random when a shard is full.
type stateCache struct {
	seed   maphash.Seed
	shards [stateCacheShards]stateCacheShard
}

const (
	stateCacheShards   = 32
	stateCachePerShard = 128 // 4,096 sessions: about 6 MB at most
)

type stateCacheShard struct {
	mu sync.Mutex
	m  map[string]cachedState
}

type cachedState struct {
	data []byte // what was committed
	st   *state // decoded form of data; never handed out, only copied
}

func newStateCache() *stateCache {
	c := &stateCache{seed: maphash.MakeSeed()}
	for i := range c.shards {
		c.shards[i].m = make(map[string]cachedState)
	}
	return c
}

func (c *stateCache) shard(key string) *stateCacheShard {
	return &c.shards[maphash.String(c.seed, key)%stateCacheShards]
}

// load returns the session's state for the stored bytes data: a private
// copy of the remembered state when data is what this process committed
// last, else the decoded bytes.
func (c *stateCache) load(key string, data []byte) (*state, error) {
	if len(data) == 0 {
		return nil, nil
	}
	if kept := c.stored(key, data); kept != nil {
		if st, ok := copyState(kept); ok {
			return st, nil
		}
	}
	return decodeState(data)
}

// stored returns the remembered state when data is what this process
// committed last, else nil. It is shared: read it, never change it.
func (c *stateCache) stored(key string, data []byte) *state {
	s := c.shard(key)
	s.mu.Lock()
	e, ok := s.m[key]
	s.mu.Unlock()
	if !ok || !bytes.Equal(e.data, data) {
		return nil
	}
	return e.st
}

// remember notes that st, encoded as data, is the session's stored state.
// A state holding something its JSON form would change (invalid UTF-8) is
// not remembered: the next turn decodes it.
func (c *stateCache) remember(key string, data []byte, st *state) {
	kept, ok := copyState(st)
	s := c.shard(key)
	s.mu.Lock()
	defer s.mu.Unlock()
	if !ok {
		delete(s.m, key)
		return
	}
	if _, there := s.m[key]; !there && len(s.m) >= stateCachePerShard {
		for k := range s.m { // map order is random enough
			delete(s.m, k)
			break
		}
	}
	s.m[key] = cachedState{data: data, st: kept}
}

// copyState returns a deep copy of st in the form decodeState(st.encode())
// has, or false when st holds a string that is not valid UTF-8 (JSON would
// replace its bytes).
func copyState(st *state) (*state, bool) {
	c := *st
	c.ended, c.rewound, c.crossed = "", false, false
	c.handoff, c.relayErr = nil, nil
	var okAgent bool
	c.Agent, okAgent = copyHandoff(st.Agent)
	ok := okAgent && validUTF8(st.ID, st.User, st.Task, st.TV, st.Node, st.Utt, st.Pend, st.PUtt, st.Lang, st.Back, st.BackOf)
	var okNS bool
	c.NS, okNS = copyNodeState(st.NS)
	ok = ok && okNS
	var okMem bool
	c.Memory, okMem = copyMemory(&st.Memory)
	c.Seen, c.Calls = nil, nil
	if len(st.Seen) > 0 {
		c.Seen = append(seenList(nil), st.Seen...)
		for _, m := range st.Seen {
			ok = ok && utf8.ValidString(m.ID)
		}
	}
	if len(st.Calls) > 0 {
		c.Calls = append([]string(nil), st.Calls...)
		ok = ok && validUTF8(st.Calls...)
	}
	var okHeld bool
	c.Hist = copyStrings(st.Hist)
	c.Held, okHeld = copyHeld(st.Held)
	ok = ok && okHeld && validUTF8(st.Hist...)
	return &c, ok && okMem
}

// copyStrings copies a list stored with omitempty: an empty one decodes
// as nil.
func copyStrings(ss []string) []string {
	if len(ss) == 0 {
		return nil
	}
	return append([]string(nil), ss...)
}

// copyHandoff copies a conversation's handoff (handoff.go).
func copyHandoff(h *handoffState) (*handoffState, bool) {
	if h == nil {
		return nil, true
	}
	c := *h
	var ok bool
	c.Ctx, ok = copyObject(h.Ctx, true)
	return &c, ok && validUTF8(h.ID, h.Status, h.Queue, h.Reason, h.Agent, h.Leave)
}

// copyNodeState copies a node's scratch state.
func copyNodeState(ns *nodes.NodeState) (*nodes.NodeState, bool) {
	if ns == nil {
		return nil, true
	}
	c := nodes.NodeState{Retries: ns.Retries}
	var ok bool
	c.Data, ok = copyObject(ns.Data, true)
	return &c, ok
}

// copyHeld copies the held tasks (interrupt_state.go).
func copyHeld(held []heldTask) ([]heldTask, bool) {
	if len(held) == 0 {
		return nil, true
	}
	out := make([]heldTask, len(held))
	ok := true
	for i, h := range held {
		c := h
		c.Hist = copyStrings(h.Hist)
		ok = ok && validUTF8(h.Task, h.TV, h.Node, h.Utt, h.Back, h.BackOf, string(h.Resume)) && validUTF8(h.Hist...)
		var okNS, okE, okN bool
		c.NS, okNS = copyNodeState(h.NS)
		c.Entities, okE = copyObject(h.Entities, true)
		c.Nodes, okN = copyObject(h.Nodes, true)
		ok = ok && okNS && okE && okN
		out[i] = c
	}
	return out, ok
}

// copyMemory copies the stored part of a conversation's memory: user and
// bot variables, the environment and the identity are not stored.
func copyMemory(m *nodes.Memory) (nodes.Memory, bool) {
	c := nodes.Memory{Intent: m.Intent, Lang: m.Lang, Input: m.Input}
	ok := validUTF8(m.Intent, m.Lang, m.Input)
	var okE, okN bool
	c.Entities, okE = copyObject(m.Entities, true)
	c.Nodes, okN = copyObject(m.Nodes, true)
	ok = ok && okE && okN
	if len(m.Conversation) > 0 {
		c.Conversation = make(map[string]nodes.Var, len(m.Conversation))
		for k, v := range m.Conversation {
			val, okV := copyValue(v.V)
			ok = ok && okV && utf8.ValidString(k)
			c.Conversation[k] = nodes.Var{V: val, Exp: v.Exp}
		}
	}
	return c, ok
}

// copyObject copies a JSON object. omitted says the object is a field
// tagged omitempty, which an empty object leaves out of the JSON: it
// decodes as nil.
func copyObject(m map[string]any, omitted bool) (map[string]any, bool) {
	if m == nil || (omitted && len(m) == 0) {
		return nil, true
	}
	c := make(map[string]any, len(m))
	ok := true
	for k, v := range m {
		val, okV := copyValue(v)
		ok = ok && okV && utf8.ValidString(k)
		c[k] = val
	}
	return c, ok
}

// copyValue copies a value as a JSON round trip would give it back.
func copyValue(v any) (any, bool) {
	switch x := v.(type) {
	case nil, bool, float64:
		return v, true // v, not x: boxing x again would allocate
	case string:
		return v, utf8.ValidString(x)
	case map[string]any:
		if x == nil {
			return nil, true // null
		}
		return copyObject(x, false)
	case []any:
		if x == nil {
			return nil, true // null
		}
		c := make([]any, len(x))
		ok := true
		for i, e := range x {
			var okE bool
			c[i], okE = copyValue(e)
			ok = ok && okE
		}
		return c, ok
	default:
		// Not a JSON value (an int, a []string, a struct): take it
		// through JSON, as storing it would.
		data, err := json.Marshal(x)
		if err != nil {
			return nil, false
		}
		var out any
		if err := json.Unmarshal(data, &out); err != nil {
			return nil, false
		}
		return copyValue(out)
	}
}

func validUTF8(ss ...string) bool {
	for _, s := range ss {
		if !utf8.ValidString(s) {
			return false
		}
	}
	return true
}
