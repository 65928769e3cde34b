package dialog

import (
	"encoding/json"
	"fmt"

	"github.com/botforge/dialogd/nodes"
)

// stateVersion is the version of the session state's JSON form.
const stateVersion = 1

// keepSeen is how many client message ids a session remembers for replay.
const keepSeen = 8

// Waiting states.
const (
	waitNone  uint8 = 0
	waitInput uint8 = 1 // the node waits for the user's answer
	waitAuth  uint8 = 2 // the node is parked until something outside the chat happens
)

// state is a conversation's stored state: compact, versioned JSON.
type state struct {
	V    int              `json:"v"`
	Seq  uint64           `json:"s,omitempty"`  // last frame number sent
	Task string           `json:"t,omitempty"`  // running task
	Node string           `json:"n,omitempty"`  // current node
	Wait uint8            `json:"w,omitempty"`  // waitInput, waitAuth
	NS   *nodes.NodeState `json:"ns,omitempty"` // current node's scratch state
	Utt  string           `json:"u,omitempty"`  // the utterance that started the task
	Lang string           `json:"l,omitempty"`
	Ctx  nodes.Context    `json:"c"`
	Seen []seenMsg        `json:"m,omitempty"` // recent client message ids and their frames
}

type seenMsg struct {
	ID   string `json:"i"`
	From uint64 `json:"f"` // first frame seq of the reply (0: none)
	To   uint64 `json:"t"` // last frame seq of the reply
}

func decodeState(b []byte) (*state, error) {
	if len(b) == 0 {
		return nil, nil
	}
	st := new(state)
	if err := json.Unmarshal(b, st); err != nil {
		return nil, fmt.Errorf("decode session state: %w", err)
	}
	if st.V != stateVersion {
		return nil, fmt.Errorf("session state version %d, want %d", st.V, stateVersion)
	}
	return st, nil
}

func (st *state) encode() ([]byte, error) {
	// User and bot variables live in their own keys, not in the session.
	u, b := st.Ctx.User, st.Ctx.Bot
	st.Ctx.User, st.Ctx.Bot = nil, nil
	data, err := json.Marshal(st)
	st.Ctx.User, st.Ctx.Bot = u, b
	return data, err
}

func (st *state) seen(id string) *seenMsg {
	if id == "" {
		return nil
	}
	for i := range st.Seen {
		if st.Seen[i].ID == id {
			return &st.Seen[i]
		}
	}
	return nil
}

func (st *state) remember(id string, from, to uint64) {
	if id == "" {
		return
	}
	if len(st.Seen) >= keepSeen {
		copy(st.Seen, st.Seen[1:])
		st.Seen = st.Seen[:keepSeen-1]
	}
	st.Seen = append(st.Seen, seenMsg{ID: id, From: from, To: to})
}

// endTask clears everything that belonged to the running task.
func (st *state) clearTask() {
	st.Task, st.Node, st.Wait, st.NS, st.Utt = "", "", waitNone, nil, ""
	st.Ctx.Intent = ""
	st.Ctx.Entities = nil
	st.Ctx.Nodes = nil
}
