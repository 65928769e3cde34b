package presence

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"time"
)

// DefaultMaxBackoff caps the wait after Salesforce errors.
const DefaultMaxBackoff = time.Minute

// rememberFor is how long a status the publisher wrote is remembered, so
// the subscriber does not apply it back.
const rememberFor = 10 * time.Minute

// Options configure a Syncer.
type Options struct {
	Bot        string
	Config     *Config
	Desk       Agents
	Salesforce Salesforce
	Shared     Shared   // nil: NewLocal() (one process)
	Metrics    *Metrics // nil: not counted
	Logger     *slog.Logger
	MaxBackoff time.Duration    // 0: DefaultMaxBackoff
	Now        func() time.Time // nil: time.Now
}

// Syncer keeps one bot's desk states and its agents' Omni-Channel
// presence statuses in step, both ways (see the package doc).
type Syncer struct {
	o Options

	mu        sync.Mutex
	lastOK    time.Time // last successful poll (or start)
	lastErr   error
	lastErrAt time.Time
	failures  int                      // consecutive failed polls
	polling   bool                     // this instance holds the right to poll
	pending   map[string]pendingChange // agent → newest change not yet published
	seq       uint64                   // numbers pending changes
	pubFailed bool                     // the last publish attempt failed
	seen      map[string]stateKey      // agent → state of its last event
	statuses  map[string]string        // ServicePresenceStatus id → developer name
	wake      chan struct{}
}

// New returns a Syncer; Run starts it.
func New(o Options) (*Syncer, error) {
	if o.Config == nil || o.Desk == nil || o.Salesforce == nil {
		return nil, errors.New("presence: a Syncer needs a Config, a Desk and a Salesforce")
	}
	if o.Shared == nil {
		o.Shared = NewLocal()
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if o.MaxBackoff == 0 {
		o.MaxBackoff = DefaultMaxBackoff
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	s := &Syncer{o: o, pending: map[string]pendingChange{}, seen: map[string]stateKey{}, wake: make(chan struct{}, 1)}
	s.lastOK = o.Now()
	return s, nil
}

// Run publishes desk changes and polls Salesforce until ctx ends. Errors
// never stop it: it backs off (up to MaxBackoff) and keeps its mark.
func (s *Syncer) Run(ctx context.Context) error {
	watchErr := make(chan error, 1)
	go func() {
		watchErr <- s.o.Desk.WatchStates(ctx, s.enqueue)
	}()
	go s.publishLoop(ctx)
	if err := s.CheckStatuses(ctx); err != nil {
		s.fail(err)
	}
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Second)
			_ = s.o.Shared.Release(rctx)
			cancel()
			return nil
		case err := <-watchErr:
			if ctx.Err() == nil {
				return fmt.Errorf("presence: watch the desk's states: %w", err)
			}
		case <-timer.C:
			_ = s.Poll(ctx)
			timer.Reset(s.nextPoll())
		}
	}
}

// lockTTL is how long the right to poll lasts without renewal: a
// crashed poller's successor takes over after it.
func (s *Syncer) lockTTL() time.Duration {
	return 3*s.o.Config.PollEvery + s.o.MaxBackoff
}

// nextPoll is poll_every, doubled for each consecutive failure up to
// MaxBackoff.
func (s *Syncer) nextPoll() time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return backoff(s.o.Config.PollEvery, s.failures, s.o.MaxBackoff)
}

func backoff(base time.Duration, failures int, maxWait time.Duration) time.Duration {
	d := base
	for i := 0; i < failures && d < maxWait; i++ {
		d *= 2
	}
	return min(d, max(maxWait, base))
}

// fail records err as the last error.
func (s *Syncer) fail(err error) {
	s.mu.Lock()
	s.lastErr, s.lastErrAt = err, s.o.Now()
	s.mu.Unlock()
	s.o.Logger.Warn("presence sync", "bot", s.o.Bot, "err", err)
}

// Status says how the sync is doing, for /readyz.
type Status struct {
	// Behind: this instance polls and its last successful poll is older
	// than three poll intervals, or publishes are failing.
	Behind           bool      `json:"behind"`
	Polling          bool      `json:"polling"` // this instance holds the right to poll
	LastOK           time.Time `json:"last_ok"`
	LastError        string    `json:"last_error,omitempty"`
	LastErrorAt      time.Time `json:"last_error_at,omitzero"`
	PendingPublishes int       `json:"pending_publishes"`
}

// Status returns the sync's state and sets the behind gauge.
func (s *Syncer) Status() Status {
	s.mu.Lock()
	st := Status{Polling: s.polling, LastOK: s.lastOK, LastErrorAt: s.lastErrAt, PendingPublishes: len(s.pending)}
	if s.lastErr != nil {
		st.LastError = s.lastErr.Error()
	}
	late := s.polling && s.o.Now().Sub(s.lastOK) > 3*s.o.Config.PollEvery
	st.Behind = late || (s.pubFailed && len(s.pending) > 0)
	s.mu.Unlock()
	s.o.Metrics.setBehind(s.o.Bot, st.Behind)
	return st
}
