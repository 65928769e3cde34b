package sessions

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// Defaults for the zero fields of Options.
const (
	DefaultIdleTTL    = 15 * time.Minute
	DefaultOutboxSize = 64
	DefaultLockTTL    = 3 * time.Second
	DefaultMaxWaiters = 8
	DefaultPrefix     = "dlg:"
)

// MaxHold is the longest a lease is renewed: a turn that neither ends its
// lease nor has its context end within MaxHold (a bug) loses the session.
const MaxHold = 5 * time.Minute

// MaxIDLen is the longest session id a store accepts.
const MaxIDLen = 256

// ErrInvalidID is wrapped by the error a store returns for a session id it
// cannot key: empty, longer than MaxIDLen, or containing '{' or '}' (which
// would break the Redis Cluster hash tag that keeps a session's keys in one
// slot).
var ErrInvalidID = errors.New("invalid session id")

// withDefaults returns o with its zero fields set to the defaults.
func (o Options) withDefaults() Options {
	if o.IdleTTL <= 0 {
		o.IdleTTL = DefaultIdleTTL
	}
	if o.OutboxSize <= 0 {
		o.OutboxSize = DefaultOutboxSize
	}
	if o.LockTTL <= 0 {
		o.LockTTL = DefaultLockTTL
	}
	if o.MaxWaiters <= 0 {
		o.MaxWaiters = DefaultMaxWaiters
	}
	if o.Prefix == "" {
		o.Prefix = DefaultPrefix
	}
	return o
}

// checkID reports whether id can key a session.
func checkID(id string) error {
	if id == "" || len(id) > MaxIDLen || strings.ContainsAny(id, "{}") {
		return fmt.Errorf("%w: %q", ErrInvalidID, truncate(id, 40))
	}
	return nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}
