package desk

import (
	"context"
	"errors"
	"time"
)

// Store keeps a desk's shared state: the board, each conversation's
// details and transcript, and the events that tell every instance what
// changed. NewMemoryStore serves one process; NewRedisStore several.
type Store interface {
	// Update runs fn on the current board and stores the board fn leaves,
	// atomically with respect to every other Update of the desk on any
	// instance; fn may run more than once (on a conflict it runs again on
	// the newer board) and must not have side effects. An error from fn
	// stores nothing and is returned.
	Update(ctx context.Context, fn func(*Board) error) (*Board, error)
	// Load returns the current board.
	Load(ctx context.Context) (*Board, error)
	// PutDetails and Details keep a conversation's details (customer,
	// context), written once at the handoff.
	PutDetails(ctx context.Context, conv string, details []byte) error
	Details(ctx context.Context, conv string) ([]byte, error)
	// Append adds a line to a conversation's transcript and returns its
	// number (1 for the first line).
	Append(ctx context.Context, conv string, e Entry) (int64, error)
	// Transcript returns the conversation's lines, numbered.
	Transcript(ctx context.Context, conv string) ([]Entry, error)
	// Forget drops a conversation's details and transcript: at once in
	// memory; Redis lets them expire after keepEnded, for a page that
	// reconnects.
	Forget(ctx context.Context, conv string) error
	// Once reports whether key is new, and remembers it for ttl: the
	// relay's guard against a message sent twice.
	Once(ctx context.Context, key string, ttl time.Duration) (bool, error)
	// ForgetOnce drops key, so that Once reports it new again.
	ForgetOnce(ctx context.Context, key string) error
	Publish(ctx context.Context, ev Event) error
	// Subscribe calls ready once the subscription is made, then fn with
	// every event published after that, in order, until ctx ends (then it
	// returns ctx's error) or the subscription fails. It calls ready again
	// after a subscription it made again by itself (events published in
	// between are lost: the desk catches up).
	Subscribe(ctx context.Context, ready func(), fn func(Event)) error
}

// keepEnded is how long an ended conversation's transcript is kept, for a
// page that reconnects, and the relay's memory of message ids.
const keepEnded = 24 * time.Hour

// Entry is one line of a handed-off conversation's transcript.
type Entry struct {
	Seq  int64     `json:"seq"`
	Who  string    `json:"who"` // user, bot or agent
	Name string    `json:"name,omitempty"`
	Text string    `json:"text"`
	At   time.Time `json:"at"`
}

// Event tells every instance of a desk about a change.
type Event struct {
	Kind   string       `json:"k"` // see the ev* constants
	Conv   string       `json:"c,omitempty"`
	Agent  string       `json:"a,omitempty"`
	Entry  *Entry       `json:"e,omitempty"`
	Status *AgentStatus `json:"s,omitempty"`
	By     string       `json:"by,omitempty"`
	From   string       `json:"from,omitempty"` // the instance that made the change
}

// Event kinds.
const (
	evBoard     = "board"      // the board changed: load it again
	evState     = "state"      // an agent's state changed (Status)
	evUser      = "user"       // the user wrote (Conv, Entry)
	evAgent     = "agent"      // the agent wrote (Conv, Agent, Entry)
	evTyping    = "typing"     // the user types (Conv)
	evEnded     = "ended"      // the conversation ended (Conv, Agent, By)
	evLinked    = "linked"     // an agent linked a Salesforce user (Agent)
	evAssigned  = "assigned"   // routing gave Conv to Agent
	evSignedOut = "signed_out" // Agent signed out: close their pages
)

// ErrConflict is returned by Update when the board kept changing under it.
var ErrConflict = errors.New("desk: the board kept changing; try again")
