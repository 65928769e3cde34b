package sessions

import (
	"context"
	"errors"
	"math/rand/v2"
	"net"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// Waiting for a held session in Redis. A turn that finds its session held
// waits in its own process, on a channel of the process's wake hub, and
// holds no Redis connection meanwhile. The commit or release of a lease
// that had waiters publishes the lock's key on the wake channel; the hub,
// one subscription per process (on go-redis's pub/sub connection, outside
// the command pool), wakes that session's waiters, which try again. A
// waiter also tries again when its holder's lease runs out (a crashed
// holder publishes nothing), and every pollWhileDown while the
// subscription is down, so a lost message costs time, never correctness.

// pollWhileDown bounds a waiter's sleep while the hub is not subscribed.
const pollWhileDown = 100 * time.Millisecond

// maxWakeRetry caps the pause between attempts to subscribe the wake hub
// again: waiters poll meanwhile, so it must come back soon.
const maxWakeRetry = time.Second

// expiryMargin is added to a lease's remaining time, so that a waiter
// tries again just after the lease expired in Redis.
const expiryMargin = 10 * time.Millisecond

// wakeHub is the process's set of waiting turns, by lock key.
type wakeHub struct {
	r *Redis

	mu       sync.Mutex
	sessions map[string]*wakeSession
	started  bool
	stop     context.CancelFunc
	done     chan struct{}

	subscribed bool // guarded by mu
}

// wakeSession is the waiters of one session: ch is closed, and replaced,
// each time the session's lease ends.
type wakeSession struct {
	ch chan struct{}
	n  int
}

func newWakeHub(r *Redis) *wakeHub {
	return &wakeHub{r: r, sessions: make(map[string]*wakeSession)}
}

func (r *Redis) wakeChannel() string { return r.wakeCh }

// join adds a waiter for the session whose lock is key, starting the
// subscription on first use. It returns a function that gives the current
// wake channel and one that removes the waiter, or ok false when
// MaxWaiters already wait.
func (h *wakeHub) join(key string) (wake func() <-chan struct{}, leave func(), ok bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if !h.started {
		h.start()
	}
	s := h.sessions[key]
	if s == nil {
		s = &wakeSession{ch: make(chan struct{})}
		h.sessions[key] = s
	}
	if s.n >= h.r.opts.MaxWaiters {
		return nil, nil, false
	}
	s.n++
	wake = func() <-chan struct{} {
		h.mu.Lock()
		defer h.mu.Unlock()
		return s.ch
	}
	leave = func() {
		h.mu.Lock()
		defer h.mu.Unlock()
		if s.n--; s.n == 0 {
			delete(h.sessions, key)
		}
	}
	return wake, leave, true
}

// pollAfter is how long a waiter sleeps when nothing wakes it: until its
// holder's lease has run out, and briefly while the hub is not subscribed.
func (h *wakeHub) pollAfter(pttl time.Duration) time.Duration {
	if pttl <= 0 {
		pttl = h.r.opts.LockTTL // no TTL reported; should not happen
	}
	d := pttl + expiryMargin
	h.mu.Lock()
	defer h.mu.Unlock()
	if !h.subscribed {
		d = min(d, pollWhileDown)
	}
	return d
}

// wake wakes the waiters of the session whose lock is key.
func (h *wakeHub) wake(key string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if s := h.sessions[key]; s != nil {
		close(s.ch)
		s.ch = make(chan struct{})
	}
}

// setSubscribed records whether the subscription is up. Coming up wakes
// every waiter, since messages sent while it was down are lost.
func (h *wakeHub) setSubscribed(up bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.subscribed = up
	if up {
		for _, s := range h.sessions {
			close(s.ch)
			s.ch = make(chan struct{})
		}
	}
}

// start runs the subscription until close. Called under mu.
func (h *wakeHub) start() {
	h.started = true
	ctx, cancel := context.WithCancel(context.Background())
	h.stop, h.done = cancel, make(chan struct{})
	go func() {
		defer close(h.done)
		for attempt := 0; ctx.Err() == nil; attempt++ {
			var upSince time.Time
			err := h.r.listen(ctx, h.r.wakeCh, h.wake, func() {
				upSince = time.Now()
				h.setSubscribed(true)
			})
			h.setSubscribed(false)
			if err == nil || ctx.Err() != nil {
				return
			}
			if !upSince.IsZero() && time.Since(upSince) >= maxWakeRetry {
				attempt = 0 // it held a while: back off afresh
			}
			t := time.NewTimer(min(retryDelay(attempt, rand.Float64()), maxWakeRetry))
			select {
			case <-ctx.Done():
				t.Stop()
				return
			case <-t.C:
			}
		}
	}()
}

// close stops the subscription and waits for it to end.
func (h *wakeHub) close() {
	h.mu.Lock()
	started := h.started
	h.started = true // no subscription starts after close
	h.mu.Unlock()
	if started && h.stop != nil {
		h.stop()
		<-h.done
	}
}

// listen subscribes to channel and calls fn with each message's payload
// until ctx ends (nil) or the subscription cannot be made or is lost (an
// error wrapping ErrUnavailable when Redis is unreachable). It calls ready,
// if set, once Redis has confirmed the subscription.
func (r *Redis) listen(ctx context.Context, channel string, fn func(payload string), ready func()) error {
	ps := r.c.Subscribe(ctx, channel)
	defer ps.Close()
	// A blocked read does not watch ctx: closing the subscription ends it.
	stop := context.AfterFunc(ctx, func() { _ = ps.Close() })
	defer stop()
	if _, err := ps.ReceiveTimeout(ctx, busHealthInterval); err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return r.fail("subscribe", "", err)
	}
	if ready != nil {
		ready()
	}
	pinged := false
	for {
		msg, err := ps.ReceiveTimeout(ctx, busHealthInterval)
		if ctx.Err() != nil {
			return nil
		}
		if err != nil {
			var ne net.Error
			if !pinged && errors.As(err, &ne) && ne.Timeout() {
				// Quiet, perhaps dead: a ping's answer tells.
				pinged = true
				if err = ps.Ping(ctx); err == nil {
					continue
				}
			}
			return r.fail("subscription lost", "", err)
		}
		pinged = false
		if m, ok := msg.(*redis.Message); ok {
			fn(m.Payload)
		}
	}
}
