package channels

import (
	"hash/maphash"
	"math"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Turn rate limits used when the matching Options field is zero. A person
// types or clicks a few times a second at most; a widget that reconnects
// re-sends its unanswered inputs at once (at most QueueSize of them), which
// the bursts absorb.
const (
	// DefaultConnTurnRate is how many inputs per second one connection may
	// send on average.
	DefaultConnTurnRate = 5
	// DefaultConnTurnBurst is how many inputs one connection may send at
	// once after a quiet spell.
	DefaultConnTurnBurst = 20
	// DefaultSessionTurnRate is how many inputs per second the connections
	// of one session (tabs of one conversation) may send together to one
	// server.
	DefaultSessionTurnRate = 10
	// DefaultSessionTurnBurst is the burst of DefaultSessionTurnRate.
	DefaultSessionTurnBurst = 40
)

// Reasons for dialogd_ws_refused_total when a rate limit refuses an input.
const (
	refusedConnRate    = "rate_limited_connection"
	refusedSessionRate = "rate_limited_session"
)

// turnLimit is a token bucket's rate and burst.
type turnLimit struct {
	rate  rate.Limit
	burst int
}

func newTurnLimit(perSecond float64, burst int, defRate float64, defBurst int) turnLimit {
	if perSecond <= 0 {
		perSecond = defRate
	}
	if burst <= 0 {
		burst = defBurst
	}
	return turnLimit{rate: rate.Limit(perSecond), burst: burst}
}

func (l turnLimit) limiter() *rate.Limiter { return rate.NewLimiter(l.rate, l.burst) }

// take takes one token of lim at now, or says how long until one is there.
func take(lim *rate.Limiter, now time.Time) (ok bool, retryAfter time.Duration) {
	if lim.AllowN(now, 1) {
		return true, 0
	}
	missing := 1 - lim.TokensAt(now)
	return false, time.Duration(math.Ceil(missing / float64(lim.Limit()) * float64(time.Second)))
}

// sessionShards is the number of shards of sessionLimiters (a power of two).
const sessionShards = 32

// sessionLimiters are the token buckets of the sessions that sent inputs
// recently, on this server. A bucket that has filled up again is no
// different from a new one, so sweep drops those: the map holds only the
// sessions that sent something within about burst/rate seconds before the
// last sweep, and reconnecting does not refill a session's bucket.
type sessionLimiters struct {
	limit  turnLimit
	seed   maphash.Seed
	shards [sessionShards]struct {
		mu sync.Mutex
		m  map[string]*rate.Limiter
	}
}

func newSessionLimiters(limit turnLimit) *sessionLimiters {
	l := &sessionLimiters{limit: limit, seed: maphash.MakeSeed()}
	for i := range l.shards {
		l.shards[i].m = make(map[string]*rate.Limiter)
	}
	return l
}

// take takes one token of session's bucket (see take).
func (l *sessionLimiters) take(session string, now time.Time) (bool, time.Duration) {
	sh := &l.shards[maphash.String(l.seed, session)&(sessionShards-1)]
	sh.mu.Lock()
	defer sh.mu.Unlock()
	lim := sh.m[session]
	if lim == nil {
		lim = l.limit.limiter()
		sh.m[session] = lim
	}
	return take(lim, now)
}

// sweep drops the buckets that are full at now.
func (l *sessionLimiters) sweep(now time.Time) {
	full := float64(l.limit.burst)
	for i := range l.shards {
		sh := &l.shards[i]
		sh.mu.Lock()
		for id, lim := range sh.m {
			if lim.TokensAt(now) >= full {
				delete(sh.m, id)
			}
		}
		sh.mu.Unlock()
	}
}

// size is the number of buckets held.
func (l *sessionLimiters) size() int {
	n := 0
	for i := range l.shards {
		sh := &l.shards[i]
		sh.mu.Lock()
		n += len(sh.m)
		sh.mu.Unlock()
	}
	return n
}

// allowInput takes a token from the connection's bucket and its session's.
// When either is empty the input is refused with a rate_limited error
// frame (the connection stays open) and counted; it reports whether the
// input may run. It runs on the reader goroutine, before the input is
// queued, so that a flood costs no turn and fills no queue.
func (c *conn) allowInput(data []byte) bool {
	s := c.s
	now := time.Now()
	if c.limiter == nil {
		c.limiter = s.connLimit.limiter() // made on the first input: idle connections hold none
	}
	ok, retry := take(c.limiter, now)
	reason := refusedConnRate
	if ok {
		ok, retry = s.sessionLimits.take(c.session, now)
		reason = refusedSessionRate
	}
	if ok {
		return true
	}
	s.metrics.refused.WithLabelValues(reason).Inc()
	_ = c.write(encodeRateLimited(salvageID(data), retry))
	return false
}
