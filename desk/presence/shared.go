package presence

import (
	"context"
	"sync"
	"time"
)

// Shared is the state the botd instances serving one bot share for the
// sync: who polls Salesforce, how far the polls got, and which presence
// rows the publishers wrote themselves. NewLocal is one process's;
// NewRedis is several instances'.
type Shared interface {
	// Hold takes or renews, for ttl, the right to poll; true when this
	// instance holds it.
	Hold(ctx context.Context, ttl time.Duration) (bool, error)
	// Release gives the right up, if this instance holds it.
	Release(ctx context.Context) error
	// Mark is the high-water mark of the polls (zero time when none).
	Mark(ctx context.Context) (Mark, error)
	SaveMark(ctx context.Context, m Mark) error
	// Expect records that a publisher is about to set user's status;
	// Own that it created the presence row id for it (and drops the
	// expectation). Both are forgotten after ttl. Mine reports (and
	// forgets) either for a polled row.
	Expect(ctx context.Context, user, status string, ttl time.Duration) error
	Own(ctx context.Context, id, user, status string, ttl time.Duration) error
	Mine(ctx context.Context, id, user, status string) (bool, error)
}

// Mark is how far the subscriber read: the newest SystemModstamp it
// applied and the rows it applied at exactly that time (the next query
// asks for SystemModstamp >= At and skips those; a closed row's key ends
// in "/closed").
type Mark struct {
	At  time.Time `json:"at"`
	IDs []string  `json:"ids,omitempty"`
}

// maxRemembered bounds the rows and expectations NewLocal keeps.
const maxRemembered = 4096

// local is Shared for one process.
type local struct {
	mu     sync.Mutex
	mark   Mark
	expiry map[string]time.Time // "row:<id>" or "user:<id>:<status>" → forget after
	order  []string             // insertion order, for the bound
	now    func() time.Time
}

// NewLocal returns Shared for one process: it always holds the right to
// poll and keeps at most 4096 remembered rows.
func NewLocal() Shared {
	return &local{expiry: map[string]time.Time{}, now: time.Now}
}

func (l *local) Hold(context.Context, time.Duration) (bool, error) { return true, nil }
func (l *local) Release(context.Context) error                     { return nil }

func (l *local) Mark(context.Context) (Mark, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.mark, nil
}

func (l *local) SaveMark(_ context.Context, m Mark) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.mark = m
	return nil
}

func (l *local) Expect(_ context.Context, user, status string, ttl time.Duration) error {
	l.remember(expectKey(user, status), ttl)
	return nil
}

func (l *local) Own(_ context.Context, id, user, status string, ttl time.Duration) error {
	l.remember(rowKey(id), ttl)
	l.mu.Lock()
	delete(l.expiry, expectKey(user, status))
	l.mu.Unlock()
	return nil
}

func (l *local) Mine(_ context.Context, id, user, status string) (bool, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	mine := false
	for _, k := range []string{rowKey(id), expectKey(user, status)} {
		if until, ok := l.expiry[k]; ok {
			delete(l.expiry, k)
			mine = mine || l.now().Before(until)
		}
	}
	return mine, nil
}

func (l *local) remember(key string, ttl time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if _, ok := l.expiry[key]; !ok {
		l.order = append(l.order, key)
	}
	l.expiry[key] = l.now().Add(ttl)
	for len(l.order) > maxRemembered {
		delete(l.expiry, l.order[0])
		l.order = l.order[1:]
	}
}

func rowKey(id string) string              { return "row:" + id }
func expectKey(user, status string) string { return "user:" + user + ":" + status }
