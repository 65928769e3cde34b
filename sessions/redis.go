package sessions

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"
)

// pipelineDepth is how many batches of session scripts may be on the wire
// at once; more concurrent calls wait for the next batch.
const pipelineDepth = 4

// Redis is the Store shared by every process that uses the same Redis
// (standalone, Sentinel or Cluster). The scheme is described in the package
// documentation.
type Redis struct {
	c       redis.UniversalClient
	pipe    *pipeliner
	opts    Options
	idleMS  string // IdleTTL in milliseconds, as sent to the scripts
	lockMS  string
	outSize string
	wakeCh  string // the channel that wakes waiters (wake.go)
	waiters *wakeHub

	tokenPrefix [8]byte
	tokenSeq    atomic.Uint64
}

// NewRedis returns a store that keeps sessions in Redis through client, which
// it takes over: Close closes it. Connection failures and timeouts come back
// wrapping ErrUnavailable, so the client's dial, read and write timeouts (see
// ParseRedisURL) bound how long a caller waits for a dead Redis.
func NewRedis(client redis.UniversalClient, opts Options) *Redis {
	opts = opts.withDefaults()
	r := &Redis{
		c:       client,
		pipe:    newPipeliner(client, pipelineDepth),
		opts:    opts,
		idleMS:  strconv.FormatInt(max(opts.IdleTTL.Milliseconds(), 1), 10),
		lockMS:  strconv.FormatInt(max(opts.LockTTL.Milliseconds(), 1), 10),
		outSize: strconv.Itoa(opts.OutboxSize),
		wakeCh:  opts.Prefix + "wake",
	}
	r.waiters = newWakeHub(r)
	_, _ = rand.Read(r.tokenPrefix[:])
	return r
}

// Lua scripts. KEYS are always {lock, state, out, fence} of one session,
// which share a hash tag and so a Cluster slot.
//
// The lock is a hash: t is the holder's token (its fence number, ':', and
// a token unique to the process and lease), w counts the turns that found
// the session held by this holder. Ending a lease with w > 0 publishes the
// lock's key on the wake channel, where every process's wake hub listens.
// The fence key counts the session's leases. It is created with the
// store's idle TTL and each commit gives it the session's (a fence that
// outlives its state is harmless; one that restarts at 1 with a new state
// is too, since a lock's token holds a process-unique part as well).
var (
	// ARGV: token, lockMS, idleMS. Returns {1, state, fence} when taken,
	// else {0, pttl}.
	acquireScript = redis.NewScript(`
if redis.call('EXISTS', KEYS[1]) == 0 then
  local f = redis.call('INCR', KEYS[4])
  if f == 1 then redis.call('PEXPIRE', KEYS[4], ARGV[3]) end
  redis.call('HSET', KEYS[1], 't', f .. ':' .. ARGV[1])
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return {1, redis.call('GET', KEYS[2]), f}
end
redis.call('HINCRBY', KEYS[1], 'w', 1)
return {0, redis.call('PTTL', KEYS[1])}
`)

	// ARGV: token, wake channel, idleMS, outSize, state, frame... Returns -1
	// when the token does not hold the lock, else the number of waiters.
	commitScript = redis.NewScript(`
local h = redis.call('HMGET', KEYS[1], 't', 'w')
if h[1] ~= ARGV[1] then return -1 end
local w = tonumber(h[2] or '0')
redis.call('DEL', KEYS[1])
if ARGV[5] == '' then
  redis.call('DEL', KEYS[2])
else
  redis.call('SET', KEYS[2], ARGV[5], 'PX', ARGV[3])
end
if #ARGV > 5 then
  redis.call('RPUSH', KEYS[3], unpack(ARGV, 6))
  redis.call('LTRIM', KEYS[3], -tonumber(ARGV[4]), -1)
end
redis.call('PEXPIRE', KEYS[3], ARGV[3])
redis.call('PEXPIRE', KEYS[4], ARGV[3])
if w > 0 then redis.call('PUBLISH', ARGV[2], KEYS[1]) end
return w
`)

	// ARGV: token, wake channel. Same result as commitScript.
	releaseScript = redis.NewScript(`
local h = redis.call('HMGET', KEYS[1], 't', 'w')
if h[1] ~= ARGV[1] then return -1 end
local w = tonumber(h[2] or '0')
redis.call('DEL', KEYS[1])
if w > 0 then redis.call('PUBLISH', ARGV[2], KEYS[1]) end
return w
`)

	// ARGV: token, state, idleMS. Returns -1 when the token does not hold
	// the lock; keeps the state's remaining TTL (idleMS for a new state).
	saveScript = redis.NewScript(`
if redis.call('HGET', KEYS[1], 't') ~= ARGV[1] then return -1 end
local ttl = redis.call('PTTL', KEYS[2])
if ttl <= 0 then ttl = tonumber(ARGV[3]) end
redis.call('SET', KEYS[2], ARGV[2], 'PX', ttl)
return 1
`)

	// ARGV: token, lockMS. Returns 1 when the lease was extended, 0 when
	// the token no longer holds the lock.
	renewScript = redis.NewScript(`
if redis.call('HGET', KEYS[1], 't') ~= ARGV[1] then return 0 end
return redis.call('PEXPIRE', KEYS[1], ARGV[2])
`)
)

// keys returns the session's lock, state, outbox and fence keys.
func (r *Redis) keys(id string) []string {
	base := r.opts.Prefix + "{" + id + "}:"
	return []string{base + "lock", base + "state", base + "out", base + "fence"}
}

func (r *Redis) token() string {
	var b [16]byte
	copy(b[:8], r.tokenPrefix[:])
	binary.BigEndian.PutUint64(b[8:], r.tokenSeq.Add(1))
	return string(b[:])
}

// Acquire takes the session in one round trip when it is free. When it is
// held, Acquire joins the process's waiters for the session (ErrBusy when
// MaxWaiters already wait) and tries again each time the wake hub reports
// the lease ended, or when the lease's remaining time runs out. Waiting
// holds no connection.
func (r *Redis) Acquire(ctx context.Context, id string) (Lease, error) {
	if err := checkID(id); err != nil {
		return nil, err
	}
	keys := r.keys(id)
	tok := r.token()
	l, pttl, err := r.tryAcquire(ctx, id, keys, tok)
	if l != nil || err != nil {
		return l, err
	}
	wake, leave, ok := r.waiters.join(keys[0])
	if !ok {
		return nil, fmt.Errorf("acquire session %s: %w", id, ErrBusy)
	}
	defer leave()
	for {
		// The wake channel is taken before the attempt, so that a lease
		// ending between the attempt and the wait is not missed.
		woken := wake()
		if l, pttl, err = r.tryAcquire(ctx, id, keys, tok); l != nil || err != nil {
			return l, err
		}
		t := time.NewTimer(r.waiters.pollAfter(pttl))
		select {
		case <-woken:
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			// Waiting for another turn outlasted the caller.
			return nil, fmt.Errorf("acquire session %s: %w", id, ctx.Err())
		case <-waitDone(ctx):
			t.Stop()
			return nil, fmt.Errorf("acquire session %s: %w", id, waitErr(ctx))
		}
		t.Stop()
	}
}

// tryAcquire runs the acquire script once: a lease when the session was
// free, else the remaining time of its holder's lease.
func (r *Redis) tryAcquire(ctx context.Context, id string, keys []string, tok string) (*redisLease, time.Duration, error) {
	res, err := r.pipe.run(ctx, acquireScript, keys, tok, r.lockMS, r.idleMS).Slice()
	if err != nil {
		if ctx.Err() != nil && errors.Is(err, ctx.Err()) {
			return nil, 0, fmt.Errorf("acquire session %s: %w", id, err)
		}
		return nil, 0, r.fail("acquire session", id, err)
	}
	if taken, _ := res[0].(int64); taken == 1 && len(res) == 3 {
		fence, _ := res[2].(int64)
		l := &redisLease{r: r, id: id, keys: keys, fence: uint64(fence)}
		l.token = strconv.FormatInt(fence, 10) + ":" + tok
		if s, ok := res[1].(string); ok {
			l.state = []byte(s)
		}
		l.renewal.start(ctx, r.opts.LockTTL, l)
		return l, 0, nil
	}
	if len(res) != 2 {
		return nil, 0, fmt.Errorf("acquire session %s: unexpected script reply %v", id, res)
	}
	pttl, _ := res[1].(int64)
	return nil, time.Duration(pttl) * time.Millisecond, nil
}

// Outbox returns the kept frames of the session with Seq > after, in order.
func (r *Redis) Outbox(ctx context.Context, id string, after uint64) ([]Frame, error) {
	if err := checkID(id); err != nil {
		return nil, err
	}
	raw, err := r.c.LRange(ctx, r.opts.Prefix+"{"+id+"}:out", 0, -1).Result()
	if err != nil {
		return nil, r.fail("read outbox of session", id, err)
	}
	var res []Frame
	for _, s := range raw {
		f, err := decodeFrame(s)
		if err != nil {
			return nil, fmt.Errorf("read outbox of session %s: %w", id, err)
		}
		if f.Seq > after {
			res = append(res, f)
		}
	}
	return res, nil
}

// appendFrame appends f as stored in the outbox list: the 8-byte big-endian
// Seq, then Data.
func appendFrame(dst []byte, f Frame) []byte {
	dst = binary.BigEndian.AppendUint64(dst, f.Seq)
	return append(dst, f.Data...)
}

func decodeFrame(s string) (Frame, error) {
	if len(s) < 8 {
		return Frame{}, fmt.Errorf("corrupt outbox entry of %d bytes", len(s))
	}
	return Frame{Seq: binary.BigEndian.Uint64([]byte(s[:8])), Data: []byte(s[8:])}, nil
}

func (r *Redis) kvKey(key string) string { return r.opts.Prefix + "kv:" + key }

// Get returns the value stored under key, or nil when there is none.
func (r *Redis) Get(ctx context.Context, key string) ([]byte, error) {
	b, err := r.c.Get(ctx, r.kvKey(key)).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, nil
	}
	if err != nil {
		return nil, r.fail("get", key, err)
	}
	if b == nil {
		b = []byte{}
	}
	return b, nil
}

// Set stores val under key; a ttl of zero means no expiry.
func (r *Redis) Set(ctx context.Context, key string, val []byte, ttl time.Duration) error {
	if ttl > 0 {
		ttl = max(ttl, time.Millisecond)
	}
	if err := r.c.Set(ctx, r.kvKey(key), val, ttl).Err(); err != nil {
		return r.fail("set", key, err)
	}
	return nil
}

// Delete removes key; deleting a missing key is not an error.
func (r *Redis) Delete(ctx context.Context, key string) error {
	if err := r.c.Del(ctx, r.kvKey(key)).Err(); err != nil {
		return r.fail("delete", key, err)
	}
	return nil
}

// Ping reports whether Redis answers.
func (r *Redis) Ping(ctx context.Context) error {
	if err := r.c.Ping(ctx).Err(); err != nil {
		return r.fail("ping", "", err)
	}
	return nil
}

// Close stops the wake hub and closes the client.
func (r *Redis) Close() error {
	r.waiters.close()
	return r.c.Close()
}

// fail wraps err from a Redis call. Errors that mean Redis cannot serve us
// now (network, timeouts, a closed client, replies such as LOADING or
// CLUSTERDOWN) wrap ErrUnavailable; a cancelled context and other Redis
// replies do not.
func (r *Redis) fail(op, what string, err error) error {
	if what != "" {
		op += " " + what
	}
	if errors.Is(err, context.Canceled) || !unavailable(err) {
		return fmt.Errorf("%s: %w", op, err)
	}
	return fmt.Errorf("%s: %w: %w", op, ErrUnavailable, err)
}

var unavailableReplies = []string{"LOADING", "MASTERDOWN", "CLUSTERDOWN", "TRYAGAIN", "READONLY", "BUSY", "NOREPLICAS"}

func unavailable(err error) bool {
	var rerr redis.Error
	if !errors.As(err, &rerr) {
		return true // not a reply from Redis: network, timeout, closed client
	}
	for _, p := range unavailableReplies {
		if redis.HasErrorPrefix(err, p) {
			return true
		}
	}
	return false
}

// redisLease is one turn's hold on a Redis session.
type redisLease struct {
	r       *Redis
	id      string
	keys    []string
	token   string
	fence   uint64
	state   []byte
	renewal renewer
}

func (l *redisLease) State() []byte { return l.state }

// Fence is the lease's number among the session's leases.
func (l *redisLease) Fence() uint64 { return l.fence }

// renew extends the lease while its token holds the lock. A failure to
// reach Redis is tried again at the next interval.
func (l *redisLease) renew(ctx context.Context) bool {
	n, err := l.r.pipe.run(ctx, renewScript, l.keys, l.token, l.r.lockMS).Int64()
	return err != nil || n == 1
}

// Commit stores state and frames and frees the session in one round trip. A
// nil or empty state removes the stored state; the outbox is kept.
func (l *redisLease) Commit(ctx context.Context, state []byte, frames []Frame) error {
	return l.CommitExpiry(ctx, state, frames, Expiry{})
}

// CommitExpiry is Commit with the session's own idle TTL and watch list
// (watch.go); a watch list costs a second round trip.
func (l *redisLease) CommitExpiry(ctx context.Context, state []byte, frames []Frame, exp Expiry) error {
	r := l.r
	idleMS, keepMS := r.idleMS, r.idleMS
	if exp.IdleTTL > 0 || exp.Grace > 0 {
		idle := r.opts.IdleTTL
		if exp.IdleTTL > 0 {
			idle = exp.IdleTTL
		}
		idleMS = strconv.FormatInt(max(idle.Milliseconds(), 1), 10)
		keepMS = strconv.FormatInt(max((idle+max(exp.Grace, 0)).Milliseconds(), 1), 10)
	}
	l.renewal.stop()
	args := make([]any, 5+len(frames))
	args[0], args[1], args[2], args[3] = l.token, r.wakeChannel(), keepMS, r.outSize
	if state == nil {
		state = []byte{}
	}
	args[4] = state
	if len(frames) > 0 {
		n := 0
		for _, f := range frames {
			n += 8 + len(f.Data)
		}
		buf := make([]byte, 0, n)
		for i, f := range frames {
			start := len(buf)
			buf = appendFrame(buf, f)
			args[5+i] = buf[start:len(buf):len(buf)]
		}
	}
	n, err := r.pipe.run(ctx, commitScript, l.keys, args...).Int64()
	if err != nil {
		return r.fail("commit session", l.id, err)
	}
	if n < 0 {
		return ErrLeaseLost
	}
	if exp.Watch != "" {
		return r.watch(ctx, exp, idleMS, len(state) == 0 || exp.Ended)
	}
	return nil
}

// Save stores state under the held lease, in one round trip.
func (l *redisLease) Save(ctx context.Context, state []byte) error {
	n, err := l.r.pipe.run(ctx, saveScript, l.keys, l.token, state, l.r.idleMS).Int64()
	if err != nil {
		return l.r.fail("save session", l.id, err)
	}
	if n < 0 {
		return ErrLeaseLost
	}
	return nil
}

// Release frees the session. Releasing a lease that already ended does
// nothing.
func (l *redisLease) Release(ctx context.Context) error {
	l.renewal.stop()
	if err := l.r.pipe.run(ctx, releaseScript, l.keys, l.token, l.r.wakeChannel()).Err(); err != nil {
		return l.r.fail("release session", l.id, err)
	}
	return nil
}

var (
	_ Store = (*Redis)(nil)
	_ Lease = (*redisLease)(nil)
)
