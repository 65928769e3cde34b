package sessions

import (
	"context"
	"errors"
	"time"
)

// ErrUnavailable is wrapped by errors that mean the store cannot be reached;
// callers tell the user to try again.
var ErrUnavailable = errors.New("session store unavailable")

// ErrLeaseLost means the session's lease expired (it was not renewed in
// time) or was taken over by a newer turn before Commit; the turn's changes
// were not stored.
var ErrLeaseLost = errors.New("session lease lost")

// ErrBusy means Options.MaxWaiters turns of this process already wait for
// the session; the caller should tell the user to wait and send again.
var ErrBusy = errors.New("session busy: too many turns waiting")

// Frame is one outgoing frame kept in a session's bounded outbox.
type Frame struct {
	Seq  uint64
	Data []byte
}

// Options tune a store. Zero fields take the defaults.
type Options struct {
	IdleTTL    time.Duration // state and outbox expire after this much idle time (default 15m)
	OutboxSize int           // frames kept per session (default 64)
	LockTTL    time.Duration // a lease not renewed for this long ends (default 3s); see Lease
	MaxWaiters int           // turns of one process that may wait for one session (default 8); more get ErrBusy
	Prefix     string        // key prefix (Redis), default "dlg:"
}

// Store keeps conversation state. Turns of one session run strictly one at a
// time: Acquire waits while another turn (in this or any other process that
// shares the store) holds the session.
type Store interface {
	// Acquire takes the session, waiting for a turn that holds it, and loads
	// its state (nil for a new or expired session). The caller must end the
	// lease with Commit or Release. The store renews the lease while ctx
	// lives (see Lease). When MaxWaiters turns of this process already wait
	// for the session, Acquire returns ErrBusy at once.
	Acquire(ctx context.Context, id string) (Lease, error)
	// Outbox returns the kept frames of the session with Seq > after, in order.
	Outbox(ctx context.Context, id string, after uint64) ([]Frame, error)
	// Get, Set and Delete keep small values beside sessions (user and bot
	// variables, tokens). A zero ttl means no expiry.
	Get(ctx context.Context, key string) ([]byte, error) // nil, nil when absent
	Set(ctx context.Context, key string, val []byte, ttl time.Duration) error
	Delete(ctx context.Context, key string) error
	// Expired returns up to max notes of the watch list named watch whose
	// sessions idled out (see Expiry), and claims them for hold: among all
	// the processes that share the store, each due note goes to one
	// caller, which calls Done once it has dealt with it. A note whose
	// caller did not (it died) is due again when hold has passed, so every
	// note is dealt with at least once.
	Expired(ctx context.Context, watch string, max int, hold time.Duration) ([]Due, error)
	// Done takes a note Expired returned off its list, unless a commit
	// watched it again since (the conversation went on): that entry stays.
	Done(ctx context.Context, watch string, d Due) error
	// Ping reports whether the store is reachable.
	Ping(ctx context.Context) error
	Close() error
}

// Lease is a session held by one turn. It lasts Options.LockTTL and the
// store renews it in the background, every LockTTL/3, until Commit or
// Release, until the ctx given to Acquire ends, or for MaxHold at most; a
// turn shorter than LockTTL/3 costs no renewal. A lease that was not
// renewed in time (its process died or stalled) ends on its own, and its
// Commit then returns ErrLeaseLost.
type Lease interface {
	// State is the session's stored state, nil when there is none.
	State() []byte
	// Fence is the lease's fencing token: a number that grows with every
	// lease of the session. Commit stores only while the lease's token is
	// still the session's current one.
	Fence() uint64
	// Commit stores state (resetting the idle TTL), appends frames to the
	// bounded outbox, and frees the session, atomically.
	Commit(ctx context.Context, state []byte, frames []Frame) error
	// CommitExpiry is Commit with the session's own Expiry.
	CommitExpiry(ctx context.Context, state []byte, frames []Frame, exp Expiry) error
	// Release frees the session without changing it.
	Release(ctx context.Context) error
	// Save stores state while the lease goes on (a turn records what it is
	// about to do before it does it): a turn that dies before its commit
	// leaves this state for the next one. Like Commit, it stores only while
	// the lease's token is current (ErrLeaseLost otherwise). The outbox and
	// the idle TTL are left as they are (a state saved into a session that
	// had none lives for Options.IdleTTL).
	Save(ctx context.Context, state []byte) error
}

// Expiry is how a committed session ends when it falls silent.
type Expiry struct {
	// IdleTTL is how long the state and outbox live without another
	// commit; zero takes Options.IdleTTL.
	IdleTTL time.Duration
	// Watch, when set, puts Note on the watch list named Watch, due when
	// the session idles out, for Store.Expired to report. Notes identify
	// the entries: a later commit with the same note moves its due time, a
	// different note adds an entry. A commit with Ended set or with empty
	// state (the session ended otherwise) takes the note off the list.
	// Watch must not contain '{' or '}'.
	Watch, Note string
	Ended       bool
	// Grace keeps the state and the outbox this much longer than IdleTTL,
	// so that whoever handles the due note can still read them.
	Grace time.Duration
}

// Due is a note of a watch list that Expired handed to its caller.
type Due struct {
	Note  string
	claim int64 // the entry's due time under this claim, for Done
}

// MaxUnreported is how long past its due time a watch-list entry that no
// caller asked for is kept.
const MaxUnreported = 24 * time.Hour
