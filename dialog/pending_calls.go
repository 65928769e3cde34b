package dialog

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"slices"

	"github.com/botforge/dialogd/nodes"
	"github.com/botforge/dialogd/sessions"
)

// maxPendingCalls bounds the keys kept for one turn (a loop of calls).
const maxPendingCalls = 16

// recordCalls lets the turn's nodes record a call with a side effect in the
// session before they make it (nodes.Turn.RecordCall). What is saved is the
// state the turn began with plus the keys, so that a run of the same input
// after a crash starts where this one did and learns which of its calls
// may already have taken effect: the keys an earlier run left there.
//
// It returns the error of a record that failed: the turn must then not be
// committed (the store is in trouble; the client re-sends the message).
//
// A resendable call (the API honours its key) is not recorded when the
// conversation's id was stored before this turn: a run of the same message
// after a crash then names the call the same and sends it again, which the
// API recognises. Only a conversation this run began needs the record, to
// keep the ids the key is made of.
func (r *Runtime) recordCalls(t *nodes.Turn, st *state, lease sessions.Lease) (failed func() error) {
	var recordErr error
	failed = func() error { return recordErr }
	began := lease.State()
	earlier := st.Calls
	st.Calls = nil
	t.RecordCall = func(ctx context.Context, key string, resendable bool) (bool, error) {
		if resendable && t.Conversation != "" && r.conversationOf(t.Session, began) == t.Conversation {
			return false, nil
		}
		again := slices.Contains(earlier, key)
		if !slices.Contains(st.Calls, key) {
			st.Calls = append(st.Calls, key)
		}
		data, err := r.withPendingKeys(t.Session, began, st, pendingKeys(earlier, st.Calls))
		if err != nil {
			return again, err
		}
		if err := lease.Save(ctx, data); err != nil {
			recordErr = err
			return again, r.storeErr("record call", err)
		}
		return again, nil
	}
	return failed
}

// pendingKeys is every key of this run and of earlier runs. This run's
// keys are all kept (the last is the call about to be sent); earlier runs'
// fill the room left up to maxPendingCalls.
func pendingKeys(earlier, now []string) []string {
	keys := slices.Clone(now)
	for _, k := range earlier {
		if len(keys) >= maxPendingCalls {
			break
		}
		if !slices.Contains(keys, k) {
			keys = append(keys, k)
		}
	}
	return keys
}

// conversationOf is the conversation id of a stored state, "" when
// there is none or it cannot be read.
func (r *Runtime) conversationOf(sessionID string, stored []byte) string {
	if st := r.states.stored(sessionID, stored); st != nil {
		return st.ID
	}
	st, err := decodeState(stored)
	if err != nil || st == nil {
		return ""
	}
	return st.ID
}

// withPendingKeys is the state the turn began with, stored, plus the
// pending keys; a new conversation's ids, minted by this run, are kept so
// that the next run names its calls the same. The state this process
// committed is encoded again with them; another is changed at its top
// level only, without decoding the rest of it (a turn's context can be
// large).
func (r *Runtime) withPendingKeys(sessionID string, began []byte, st *state, keys []string) ([]byte, error) {
	if kept := r.states.stored(sessionID, began); kept != nil {
		if len(kept.Calls) == 0 && (st.ID == "" || st.ID == kept.ID) && (st.User == "" || st.User == kept.User) {
			// The usual case: began has no keys (a commit clears them)
			// and the right ids, so the keys are appended to it.
			return appendPendingKeys(began, keys)
		}
		c := *kept // encode reads the shared maps, never changes them
		c.Calls = keys
		if st.ID != "" {
			c.ID = st.ID
		}
		if st.User != "" {
			c.User = st.User
		}
		return c.encode()
	}
	return withPendingKeys(began, st, keys)
}

// appendPendingKeys adds the keys to the stored state began, a JSON object
// this process encoded without any.
func appendPendingKeys(began []byte, keys []string) ([]byte, error) {
	list, err := json.Marshal(keys)
	if err != nil {
		return nil, err
	}
	end := bytes.LastIndexByte(began, '}')
	if end < 0 {
		return nil, errors.New("dialog: stored state is not a JSON object")
	}
	data := make([]byte, 0, end+len(`,"pc":}`)+len(list))
	data = append(data, began[:end]...)
	if end > 0 && began[end-1] != '{' { // encode writes no spaces
		data = append(data, ',')
	}
	data = append(data, `"pc":`...)
	data = append(data, list...)
	return append(data, '}'), nil
}

// withPendingKeys changes the top level of the stored state began.
func withPendingKeys(began []byte, st *state, keys []string) ([]byte, error) {
	var top map[string]json.RawMessage
	if len(began) == 0 || json.Unmarshal(began, &top) != nil || top == nil {
		fresh := &state{V: stateVersion, Lang: st.Lang, ID: st.ID, User: st.User, Calls: keys}
		return fresh.encode()
	}
	set := func(k string, v any) error {
		b, err := json.Marshal(v)
		top[k] = b
		return err
	}
	if err := set("pc", keys); err != nil {
		return nil, err
	}
	if st.ID != "" {
		if err := set("id", st.ID); err != nil {
			return nil, err
		}
	}
	if st.User != "" {
		if err := set("us", st.User); err != nil {
			return nil, err
		}
	}
	return json.Marshal(top)
}
