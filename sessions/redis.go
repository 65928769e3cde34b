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

// maxBlock caps one BLPOP of a waiting Acquire. A waiter normally wakes on a
// token long before; the cap bounds how long a waiter whose context was
// cancelled keeps a pooled connection busy.
const maxBlock = 10 * time.Second

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

	readTimeout time.Duration // of the client; 0 when unknown

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

		readTimeout: clientReadTimeout(client),
	}
	_, _ = rand.Read(r.tokenPrefix[:])
	return r
}

// Lua scripts. KEYS are always {lock, state, out, wake} of one session, which
// share a hash tag and so a Cluster slot.
//
// The lock is a hash: t is the holder's token, w counts the waiters that
// registered while this holder had it. Ending a lease pushes one token per
// registered waiter onto the wake list, where each waiter BLPOPs.
var (
	// ARGV: token, lockMS. Returns {1, state} when taken, else {0, pttl}.
	acquireScript = redis.NewScript(`
if redis.call('HSETNX', KEYS[1], 't', ARGV[1]) == 1 then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return {1, redis.call('GET', KEYS[2])}
end
redis.call('HINCRBY', KEYS[1], 'w', 1)
return {0, redis.call('PTTL', KEYS[1])}
`)

	// ARGV: token, lockMS, idleMS, outSize, state, frame... Returns -1 when
	// the token does not hold the lock, else the number of waiters woken.
	commitScript = redis.NewScript(`
if redis.call('HGET', KEYS[1], 't') ~= ARGV[1] then return -1 end
local w = tonumber(redis.call('HGET', KEYS[1], 'w') or '0')
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
if w > 0 then
  for i = 1, w do redis.call('RPUSH', KEYS[4], '1') end
  redis.call('PEXPIRE', KEYS[4], ARGV[2])
end
return w
`)

	// ARGV: token, lockMS. Same result as commitScript.
	releaseScript = redis.NewScript(`
if redis.call('HGET', KEYS[1], 't') ~= ARGV[1] then return -1 end
local w = tonumber(redis.call('HGET', KEYS[1], 'w') or '0')
redis.call('DEL', KEYS[1])
if w > 0 then
  for i = 1, w do redis.call('RPUSH', KEYS[4], '1') end
  redis.call('PEXPIRE', KEYS[4], ARGV[2])
end
return w
`)
)

// keys returns the session's lock, state, outbox and wake keys.
func (r *Redis) keys(id string) []string {
	base := r.opts.Prefix + "{" + id + "}:"
	return []string{base + "lock", base + "state", base + "out", base + "wake"}
}

func (r *Redis) token() string {
	var b [16]byte
	copy(b[:8], r.tokenPrefix[:])
	binary.BigEndian.PutUint64(b[8:], r.tokenSeq.Add(1))
	return string(b[:])
}

// Acquire takes the session in one round trip when it is free. When it is
// held, Acquire registers as a waiter and blocks on the session's wake list
// until the holder ends its lease or the lease's remaining time runs out,
// then tries again.
func (r *Redis) Acquire(ctx context.Context, id string) (Lease, error) {
	if err := checkID(id); err != nil {
		return nil, err
	}
	keys := r.keys(id)
	tok := r.token()
	for {
		res, err := r.pipe.run(ctx, acquireScript, keys, tok, r.lockMS).Slice()
		if err != nil {
			return nil, r.fail("acquire session", id, err)
		}
		if len(res) != 2 {
			return nil, fmt.Errorf("acquire session %s: unexpected script reply %v", id, res)
		}
		if taken, _ := res[0].(int64); taken == 1 {
			l := &redisLease{r: r, id: id, keys: keys, token: tok}
			if s, ok := res[1].(string); ok {
				l.state = []byte(s)
			}
			return l, nil
		}
		pttl, _ := res[1].(int64)
		if err := r.wait(ctx, keys[3], time.Duration(pttl)*time.Millisecond); err != nil {
			if ctxErr := ctx.Err(); ctxErr != nil && errors.Is(err, ctxErr) {
				// Waiting for another turn outlasted the caller.
				return nil, fmt.Errorf("acquire session %s: %w", id, err)
			}
			return nil, r.fail("acquire session", id, err)
		}
	}
}

// wait blocks until a wake token arrives, d passes or ctx is done. It
// blocks a little longer than d, so that a lease expiring after d has
// expired in Redis by the time the waiter tries again.
func (r *Redis) wait(ctx context.Context, wakeKey string, d time.Duration) error {
	if d <= 0 {
		d = r.opts.LockTTL // no TTL reported; should not happen
	}
	d = min(d+expiryMargin, maxBlock)
	if dl, ok := ctx.Deadline(); ok {
		d = max(min(d, time.Until(dl)), time.Millisecond)
	}
	// The BLPOP runs without the caller's deadline, which go-redis would
	// turn into a network timeout; the select below honours ctx instead.
	bctx := context.WithoutCancel(ctx)
	done := make(chan error, 1)
	go func() {
		var err error
		if d+readMargin <= r.readTimeout {
			// Fits the client's read timeout: block for exactly d (Redis
			// takes fractional seconds).
			err = r.c.Do(bctx, "blpop", wakeKey, strconv.FormatFloat(d.Seconds(), 'f', 3, 64)).Err()
		} else {
			// go-redis extends the read deadline for BLPop, which takes
			// whole seconds: round up.
			err = r.c.BLPop(bctx, (d+time.Second-1)/time.Second*time.Second, wakeKey).Err()
		}
		if errors.Is(err, redis.Nil) {
			err = nil
		}
		done <- err
	}()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

const (
	expiryMargin = 10 * time.Millisecond  // added to a lease's remaining time
	readMargin   = 500 * time.Millisecond // kept between a BLPOP and the read timeout
)

// clientReadTimeout returns the read timeout of the client, or 0 when it is
// unknown or unlimited.
func clientReadTimeout(c redis.UniversalClient) time.Duration {
	var d time.Duration
	switch c := c.(type) {
	case *redis.Client:
		d = c.Options().ReadTimeout
	case *redis.ClusterClient:
		d = c.Options().ReadTimeout
	}
	return max(d, 0)
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

// Close closes the client.
func (r *Redis) Close() error { return r.c.Close() }

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
	r     *Redis
	id    string
	keys  []string
	token string
	state []byte
}

func (l *redisLease) State() []byte { return l.state }

// Commit stores state and frames and frees the session in one round trip. A
// nil or empty state removes the stored state; the outbox is kept.
func (l *redisLease) Commit(ctx context.Context, state []byte, frames []Frame) error {
	return l.CommitExpiry(ctx, state, frames, Expiry{})
}

// CommitExpiry is Commit with the session's own idle TTL and watch list
// (watch.go); a watch list costs a second round trip.
func (l *redisLease) CommitExpiry(ctx context.Context, state []byte, frames []Frame, exp Expiry) error {
	r := l.r
	idleMS := r.idleMS
	if exp.IdleTTL > 0 {
		idleMS = strconv.FormatInt(max(exp.IdleTTL.Milliseconds(), 1), 10)
	}
	args := make([]any, 5+len(frames))
	args[0], args[1], args[2], args[3] = l.token, r.lockMS, idleMS, r.outSize
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

// Release frees the session. Releasing a lease that already ended does
// nothing.
func (l *redisLease) Release(ctx context.Context) error {
	if err := l.r.pipe.run(ctx, releaseScript, l.keys, l.token, l.r.lockMS).Err(); err != nil {
		return l.r.fail("release session", l.id, err)
	}
	return nil
}

var (
	_ Store = (*Redis)(nil)
	_ Lease = (*redisLease)(nil)
)
