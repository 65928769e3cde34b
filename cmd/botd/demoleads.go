package main

import (
	"crypto/sha256"
	"sync"
)

// demoKeysKept bounds the Idempotency-Key values the demo API remembers:
// past it, the oldest key is forgotten (a call that comes back with it
// creates a new lead).
const demoKeysKept = 10_000

// leadOutcome is what the demo API answered to one create call: its status
// and body, sent again to a call with the same Idempotency-Key.
type leadOutcome struct {
	status int
	body   []byte
}

// leadCall is one create call by its Idempotency-Key. done closes when
// outcome is set; a second call with the key waits for it.
type leadCall struct {
	bodySum [sha256.Size]byte // the request body's hash, to refuse a key reused for another lead
	done    chan struct{}
	outcome leadOutcome
}

// leadLedger counts the leads the demo API created and remembers the
// create calls by Idempotency-Key, at most demoKeysKept, oldest dropped.
type leadLedger struct {
	mu      sync.Mutex
	created int
	calls   map[string]*leadCall
	order   []string // keys in the order they came, oldest first
	limit   int
}

func newLeadLedger(limit int) *leadLedger {
	return &leadLedger{calls: make(map[string]*leadCall), limit: limit}
}

// claim returns the call of key and whether this caller is the first one
// (and must then finish it). A later caller waits on call.done.
func (l *leadLedger) claim(key string, body []byte) (call *leadCall, first bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if c, ok := l.calls[key]; ok {
		return c, false
	}
	c := &leadCall{bodySum: sha256.Sum256(body), done: make(chan struct{})}
	l.calls[key] = c
	l.order = append(l.order, key)
	if len(l.order) > l.limit {
		delete(l.calls, l.order[0])
		l.order[0] = ""
		l.order = l.order[1:]
	}
	return c, true
}

// finish records the first caller's outcome and wakes the callers waiting
// for it.
func (l *leadLedger) finish(c *leadCall, o leadOutcome) {
	c.outcome = o
	close(c.done)
}

// sameBody reports whether body is the body the key was first sent with.
func (c *leadCall) sameBody(body []byte) bool {
	return c.bodySum == sha256.Sum256(body)
}

// addLead counts one created lead.
func (l *leadLedger) addLead() {
	l.mu.Lock()
	l.created++
	l.mu.Unlock()
}

// count is the number of leads created so far.
func (l *leadLedger) count() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.created
}

// keys is the number of Idempotency-Key values remembered.
func (l *leadLedger) keys() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.calls)
}
