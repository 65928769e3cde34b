package dialog

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/google/uuid"

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
	V      int              `json:"v"`
	ID     string           `json:"id,omitempty"` // conversation id, a UUIDv7 minted with the state
	User   string           `json:"us,omitempty"` // the user the conversation began with (conversation_end runs as them)
	Seq    uint64           `json:"s,omitempty"`  // last frame number sent
	Task   string           `json:"t,omitempty"`  // running task
	TV     string           `json:"tv,omitempty"` // the running task's version when it started (versions.go)
	Node   string           `json:"n,omitempty"`  // current node
	Wait   uint8            `json:"w,omitempty"`  // waitInput, waitAuth
	NS     *nodes.NodeState `json:"ns,omitempty"` // current node's scratch state
	Utt    string           `json:"u,omitempty"`  // the utterance that started the task
	PExp   int64            `json:"pe,omitempty"` // parked until (Unix seconds)
	Pend   string           `json:"p,omitempty"`  // task the user asked for mid-task, awaiting a choice (at the authorize prompt: hold it?; else see Ask)
	Rec    bool             `json:"rc,omitempty"` // the task took an error branch (on_error, on_timeout, on_fail)
	Lang   string           `json:"l,omitempty"`
	Memory nodes.Memory     `json:"c"`
	Seen   seenList         `json:"m,omitempty"`  // recent client message ids and their frames
	Calls  []string         `json:"pc,omitempty"` // idempotency keys of calls the running turn started (saved before each; cleared by the commit)
	Back   string           `json:"bk,omitempty"` // where the node BackFrom returns to once answered (nodes.Reask)
	BackOf string           `json:"bf,omitempty"` // the node asked again for the node Back
	Held   []heldTask       `json:"hd,omitempty"` // tasks on hold, the last one resumes first (interrupt.go)
	Hist   []string         `json:"hi,omitempty"` // input nodes the running task asked and got answered, oldest first ("go back")
	Ask    uint8            `json:"ak,omitempty"` // the question the runtime asked and awaits (askSwitch…), about Pend or the last held task
	PUtt   string           `json:"pu,omitempty"` // the words that asked for Pend, for the entities they hold
	Agent  *handoffState    `json:"ag,omitempty"` // the conversation's live-agent handoff while it lasts (handoff.go)
	ended  nodes.Reason     // how the last task of this run ended, "" for none; not stored
	At     int64            `json:"at,omitempty"` // when the last turn committed (Unix milliseconds), to tell an idle conversation from one that went on

	// handoff is the handoff this turn asked for, begun once its task
	// ended (afterInput); not stored.
	handoff *handoffAsk
	// relayErr is set when this turn's input could not be relayed to
	// the agent: the turn is not kept; not stored.
	relayErr error

	// rewound is set when "go back" ran this turn, whose answer is then
	// not history; not stored.
	rewound bool
	// crossed is set when this turn ran a step that does something (a
	// service call, a script, a handoff): "go back" never steps back
	// across one; not stored.
	crossed bool
}

type seenMsg struct {
	ID   string `json:"i"`
	From uint64 `json:"f"` // first frame seq of the reply (0: none)
	To   uint64 `json:"t"` // last frame seq of the reply
}

// newState returns the state of a new conversation, with a fresh
// conversation id: a UUIDv7, so ids sort by when conversations began.
// Without a random source (never on a working system) the id is left empty
// and the conversation still works.
func newState(lang string) *state {
	return &state{V: stateVersion, Lang: lang, ID: newConversationID()}
}

func newConversationID() string {
	id, err := uuid.NewV7()
	if err != nil {
		return ""
	}
	return id.String()
}

// afterEnd is what remains of a conversation the user closed: the frame
// numbering and the replay memory of the session, no conversation (the
// next message mints a new id).
// clone is a deep copy of st (a handler may change its copy freely).
func (st *state) clone() *state {
	data, err := st.encode()
	if err != nil {
		return st
	}
	c, err := decodeState(data)
	if err != nil || c == nil {
		return st
	}
	return c
}

func (st *state) afterEnd() *state {
	return &state{V: stateVersion, Seq: st.Seq, Seen: st.Seen, Lang: st.Lang}
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
	u, b := st.Memory.User, st.Memory.Bot
	st.Memory.User, st.Memory.Bot = nil, nil
	data, err := json.Marshal(st)
	st.Memory.User, st.Memory.Bot = u, b
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

// clearTask clears everything that belonged to the running task.
func (st *state) clearTask() {
	st.Task, st.Node, st.Wait, st.NS, st.Utt, st.PExp, st.Pend, st.Rec = "", "", waitNone, nil, "", 0, "", false
	st.TV = ""
	st.Back, st.BackOf = "", ""
	st.Hist, st.Ask, st.PUtt = nil, askNone, ""
	st.Memory.Intent = ""
	st.Memory.Entities = nil
	st.Memory.Nodes = nil
}

// seenList is stored as one string, "len:id,from[,to];…", which is smaller
// and much cheaper to decode than a list of objects; it is read on every
// turn. Ids are length-prefixed, so they may hold any character.
type seenList []seenMsg

func (l seenList) MarshalJSON() ([]byte, error) {
	var b strings.Builder
	for _, m := range l {
		// JSON holds only valid UTF-8; fix the id first so its length
		// prefix stays true.
		id := strings.ToValidUTF8(m.ID, "\uFFFD")
		b.WriteString(strconv.Itoa(len(id)))
		b.WriteByte(':')
		b.WriteString(id)
		b.WriteByte(',')
		b.WriteString(strconv.FormatUint(m.From, 10))
		if m.To != m.From {
			b.WriteByte(',')
			b.WriteString(strconv.FormatUint(m.To, 10))
		}
		b.WriteByte(';')
	}
	return json.Marshal(b.String())
}

var errSeenList = errors.New("malformed message id list")

func (l *seenList) UnmarshalJSON(data []byte) error {
	var s string
	if err := json.Unmarshal(data, &s); err != nil {
		return err
	}
	out := (*l)[:0]
	for s != "" {
		colon := strings.IndexByte(s, ':')
		if colon < 0 {
			return errSeenList
		}
		n, err := strconv.Atoi(s[:colon])
		if err != nil || n < 0 || colon+1+n > len(s) {
			return errSeenList
		}
		m := seenMsg{ID: s[colon+1 : colon+1+n]}
		s = s[colon+1+n:]
		end := strings.IndexByte(s, ';')
		if end < 1 || s[0] != ',' {
			return errSeenList
		}
		from, to, two := strings.Cut(s[1:end], ",")
		if m.From, err = strconv.ParseUint(from, 10, 64); err != nil {
			return errSeenList
		}
		m.To = m.From
		if two {
			if m.To, err = strconv.ParseUint(to, 10, 64); err != nil {
				return errSeenList
			}
		}
		out = append(out, m)
		s = s[end+1:]
	}
	*l = out
	return nil
}
