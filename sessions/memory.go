package sessions

import (
	"context"
	"fmt"
	"hash/maphash"
	"sync"
	"time"
)

// memShards is the number of independently locked parts of a Memory store.
// Turns of different sessions rarely share a lock.
const memShards = 64

// Memory is the in-process Store. Leases serialise the turns of one session
// inside this process only; use Redis to share sessions between processes.
//
// Memory never copies the state it hands out: the slice returned by
// Lease.State and the frames returned by Outbox must not be modified.
type Memory struct {
	opts    Options
	idleTTL int64 // nanoseconds
	lockTTL int64
	now     func() int64 // unix nanoseconds; replaced by tests
	seed    maphash.Seed
	shards  [memShards]memShard
	bus     memBus

	closeOnce sync.Once
	done      chan struct{}
	sweeper   sync.WaitGroup
}

type memShard struct {
	mu       sync.Mutex
	sessions map[string]*memSession
	kv       map[string]kvEntry
	watched  map[watchEntry]int64 // due time (unix nanoseconds) of the watch-list entries of this shard's sessions
}

// watchEntry is a note on a watch list (see Expiry).
type watchEntry struct {
	watch, note string
}

type kvEntry struct {
	val []byte
	exp int64 // 0: never
}

// memSession is one session's state, outbox and lease. All fields are
// guarded by the shard's mutex.
type memSession struct {
	state    []byte
	out      []Frame // ring once len(out) == OutboxSize; oldest at outStart
	outStart int
	idleExp  int64 // state and outbox are gone at or after this time

	held     bool
	gen      uint64 // incremented by every Acquire; identifies the lease
	leaseExp int64
	wake     chan struct{} // closed when the lease ends; nil without waiters
	waiters  int
}

// NewMemory returns an in-memory store and starts its sweeper, which Close
// stops.
func NewMemory(opts Options) *Memory {
	return newMemory(opts, func() int64 { return time.Now().UnixNano() })
}

// newMemory is NewMemory with a clock, which tests replace.
func newMemory(opts Options, now func() int64) *Memory {
	opts = opts.withDefaults()
	m := &Memory{
		opts:    opts,
		idleTTL: int64(opts.IdleTTL),
		lockTTL: int64(opts.LockTTL),
		now:     now,
		seed:    maphash.MakeSeed(),
		done:    make(chan struct{}),
	}
	for i := range m.shards {
		m.shards[i].sessions = make(map[string]*memSession)
		m.shards[i].kv = make(map[string]kvEntry)
		m.shards[i].watched = make(map[watchEntry]int64)
	}
	m.sweeper.Add(1)
	go m.sweep(sweepInterval(opts.IdleTTL))
	return m
}

// sweepInterval is how often the sweeper runs: often enough that expired
// sessions do not pile up, rarely enough to cost nothing.
func sweepInterval(idle time.Duration) time.Duration {
	d := min(idle/2, time.Minute)
	return max(d, 10*time.Millisecond)
}

func (m *Memory) shard(key string) *memShard {
	return &m.shards[maphash.String(m.seed, key)%memShards]
}

// Acquire takes the session, waiting while another lease holds it, until that
// lease ends or expires or ctx is done.
func (m *Memory) Acquire(ctx context.Context, id string) (Lease, error) {
	if err := checkID(id); err != nil {
		return nil, err
	}
	sh := m.shard(id)
	var timer *time.Timer
	defer func() {
		if timer != nil {
			timer.Stop()
		}
	}()
	for {
		sh.mu.Lock()
		s := sh.sessions[id]
		if s == nil {
			s = &memSession{}
			sh.sessions[id] = s
		}
		now := m.now()
		if !s.held || now >= s.leaseExp {
			// Free, or its holder overran LockTTL: that holder's Commit
			// will fail because gen moves on.
			s.held = true
			s.gen++
			s.leaseExp = now + m.lockTTL
			if s.idleExp <= now {
				s.expire()
			}
			l := &memLease{m: m, sh: sh, s: s, gen: s.gen, state: s.state}
			sh.mu.Unlock()
			l.renewal.start(ctx, m.opts.LockTTL, l)
			return l, nil
		}
		if s.waiters >= m.opts.MaxWaiters {
			sh.mu.Unlock()
			return nil, fmt.Errorf("acquire session %s: %w", id, ErrBusy)
		}
		if s.wake == nil {
			s.wake = make(chan struct{})
		}
		wake := s.wake
		s.waiters++
		wait := time.Duration(s.leaseExp - now)
		sh.mu.Unlock()

		if timer == nil {
			timer = time.NewTimer(wait)
		} else {
			timer.Reset(wait)
		}
		var err error
		select {
		case <-wake:
		case <-timer.C:
		case <-ctx.Done():
			err = ctx.Err()
		case <-waitDone(ctx):
			err = waitErr(ctx)
		}
		sh.mu.Lock()
		s.waiters--
		sh.mu.Unlock()
		if err != nil {
			return nil, fmt.Errorf("acquire session %s: %w", id, err)
		}
	}
}

// expire drops the state and outbox of an idle session.
func (s *memSession) expire() {
	s.state = nil
	clear(s.out)
	s.out = s.out[:0]
	s.outStart = 0
}

// end frees the lease and wakes the waiters.
func (s *memSession) end() {
	s.held = false
	if s.wake != nil {
		close(s.wake)
		s.wake = nil
	}
}

func (s *memSession) push(f Frame, size int) {
	if len(s.out) < size {
		if s.out == nil {
			s.out = make([]Frame, 0, min(size, 8))
		}
		s.out = append(s.out, f)
		return
	}
	s.out[s.outStart] = f
	s.outStart = (s.outStart + 1) % len(s.out)
}

// Outbox returns the kept frames of the session with Seq > after, in order.
func (m *Memory) Outbox(ctx context.Context, id string, after uint64) ([]Frame, error) {
	if err := checkID(id); err != nil {
		return nil, err
	}
	sh := m.shard(id)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	s := sh.sessions[id]
	if s == nil || s.idleExp <= m.now() {
		return nil, nil
	}
	var res []Frame
	n := len(s.out)
	for i := range n {
		f := s.out[(s.outStart+i)%n]
		if f.Seq > after {
			if res == nil {
				res = make([]Frame, 0, n-i)
			}
			res = append(res, f)
		}
	}
	return res, nil
}

// Get returns a copy of the value stored under key, or nil when there is none.
func (m *Memory) Get(ctx context.Context, key string) ([]byte, error) {
	sh := m.shard(key)
	sh.mu.Lock()
	e, ok := sh.kv[key]
	if ok && e.exp != 0 && e.exp <= m.now() {
		delete(sh.kv, key)
		ok = false
	}
	sh.mu.Unlock()
	if !ok {
		return nil, nil
	}
	return append([]byte{}, e.val...), nil
}

// Set stores a copy of val under key; a ttl of zero means no expiry.
func (m *Memory) Set(ctx context.Context, key string, val []byte, ttl time.Duration) error {
	e := kvEntry{val: append([]byte{}, val...)}
	if ttl > 0 {
		e.exp = m.now() + int64(ttl)
	}
	sh := m.shard(key)
	sh.mu.Lock()
	sh.kv[key] = e
	sh.mu.Unlock()
	return nil
}

// Delete removes key; deleting a missing key is not an error.
func (m *Memory) Delete(ctx context.Context, key string) error {
	sh := m.shard(key)
	sh.mu.Lock()
	delete(sh.kv, key)
	sh.mu.Unlock()
	return nil
}

// Expired returns up to max notes of the watch list that are due, and
// claims them for hold (see Store).
func (m *Memory) Expired(ctx context.Context, watch string, limit int, hold time.Duration) ([]Due, error) {
	if err := checkWatch(watch); err != nil {
		return nil, err
	}
	var due []Due
	for i := range m.shards {
		sh := &m.shards[i]
		sh.mu.Lock()
		now := m.now()
		for w, at := range sh.watched {
			if len(due) >= limit {
				break
			}
			if w.watch == watch && at <= now {
				claim := now + int64(max(hold, time.Millisecond))
				sh.watched[w] = claim
				due = append(due, Due{Note: w.note, claim: claim})
			}
		}
		sh.mu.Unlock()
	}
	return due, nil
}

// Done takes a claimed note off its list unless a commit moved it since.
func (m *Memory) Done(ctx context.Context, watch string, d Due) error {
	if err := checkWatch(watch); err != nil {
		return err
	}
	w := watchEntry{watch, d.Note}
	for i := range m.shards {
		sh := &m.shards[i]
		sh.mu.Lock()
		if at, ok := sh.watched[w]; ok && at == d.claim {
			delete(sh.watched, w)
		}
		sh.mu.Unlock()
	}
	return nil
}

// Ping always succeeds.
func (m *Memory) Ping(ctx context.Context) error { return nil }

// Close stops the sweeper. The store keeps working, expiring entries lazily.
func (m *Memory) Close() error {
	m.closeOnce.Do(func() { close(m.done) })
	m.sweeper.Wait()
	return nil
}

func (m *Memory) sweep(every time.Duration) {
	defer m.sweeper.Done()
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-m.done:
			return
		case <-t.C:
			m.sweepOnce()
		}
	}
}

// sweepOnce drops expired sessions that nobody holds or waits for, and
// expired values.
func (m *Memory) sweepOnce() {
	for i := range m.shards {
		sh := &m.shards[i]
		sh.mu.Lock()
		now := m.now()
		for id, s := range sh.sessions {
			if s.idleExp <= now && s.waiters == 0 && (!s.held || s.leaseExp <= now) {
				delete(sh.sessions, id)
			}
		}
		for k, e := range sh.kv {
			if e.exp != 0 && e.exp <= now {
				delete(sh.kv, k)
			}
		}
		for w, due := range sh.watched {
			if due+int64(MaxUnreported) <= now {
				delete(sh.watched, w)
			}
		}
		sh.mu.Unlock()
	}
}

// memLease is one turn's hold on a Memory session.
type memLease struct {
	m       *Memory
	sh      *memShard
	s       *memSession
	gen     uint64
	state   []byte
	renewal renewer
}

func (l *memLease) State() []byte { return l.state }

// Fence is the lease's number among the session's leases.
func (l *memLease) Fence() uint64 { return l.gen }

// renew extends the lease if it is still the session's and has not lapsed.
func (l *memLease) renew(context.Context) bool {
	l.sh.mu.Lock()
	defer l.sh.mu.Unlock()
	s, now := l.s, l.m.now()
	if !s.held || s.gen != l.gen || now >= s.leaseExp {
		return false
	}
	s.leaseExp = now + l.m.lockTTL
	return true
}

// Commit stores a copy of state and frames. A nil or empty state removes the
// stored state; the outbox is kept.
func (l *memLease) Commit(ctx context.Context, state []byte, frames []Frame) error {
	return l.CommitExpiry(ctx, state, frames, Expiry{})
}

// CommitExpiry is Commit with the session's own idle TTL and watch list.
func (l *memLease) CommitExpiry(ctx context.Context, state []byte, frames []Frame, exp Expiry) error {
	// Copy everything into one allocation before taking the lock.
	n := len(state)
	for _, f := range frames {
		n += len(f.Data)
	}
	var buf []byte
	if n > 0 {
		buf = make([]byte, 0, n)
	}
	buf = append(buf, state...)
	st := buf[:len(state):len(state)]
	if len(state) == 0 {
		st = nil
	}

	m, s := l.m, l.s
	l.sh.mu.Lock()
	defer l.sh.mu.Unlock()
	now := m.now()
	l.renewal.stop()
	if !s.held || s.gen != l.gen || now >= s.leaseExp {
		return ErrLeaseLost
	}
	if s.idleExp <= now {
		s.expire()
	}
	s.state = st
	for _, f := range frames {
		start := len(buf)
		buf = append(buf, f.Data...)
		s.push(Frame{Seq: f.Seq, Data: buf[start:len(buf):len(buf)]}, m.opts.OutboxSize)
	}
	due := now + m.idleTTL
	if exp.IdleTTL > 0 {
		due = now + int64(exp.IdleTTL)
	}
	s.idleExp = due + int64(max(exp.Grace, 0))
	if exp.Watch != "" {
		if st == nil || exp.Ended {
			delete(l.sh.watched, watchEntry{exp.Watch, exp.Note})
		} else {
			l.sh.watched[watchEntry{exp.Watch, exp.Note}] = due
		}
	}
	s.end()
	return nil
}

// Save stores a copy of state under the held lease.
func (l *memLease) Save(ctx context.Context, state []byte) error {
	st := append([]byte(nil), state...)
	m, s := l.m, l.s
	l.sh.mu.Lock()
	defer l.sh.mu.Unlock()
	now := m.now()
	if !s.held || s.gen != l.gen || now >= s.leaseExp {
		return ErrLeaseLost
	}
	if s.idleExp <= now {
		s.expire()
		s.idleExp = now + m.idleTTL
	}
	s.state = st
	return nil
}

// Release frees the session. Releasing a lease that already ended (by Commit,
// Release or expiry) does nothing.
func (l *memLease) Release(ctx context.Context) error {
	l.renewal.stop()
	l.sh.mu.Lock()
	defer l.sh.mu.Unlock()
	s := l.s
	if s.held && s.gen == l.gen {
		s.end()
	}
	return nil
}

var (
	_ Store = (*Memory)(nil)
	_ Lease = (*memLease)(nil)
)
