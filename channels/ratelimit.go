package channels

import (
	"hash/maphash"
	"math"
	"net"
	"net/http"
	"net/netip"
	"strconv"
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
	// DefaultIPTurnRate is how many inputs per second all connections from
	// one client address (an IPv4 address or an IPv6 /64) may send
	// together to one server: a client that reconnects to get fresh
	// connection buckets gets no further. It leaves room for many people
	// behind one NAT or proxy address.
	DefaultIPTurnRate = 50
	// DefaultIPTurnBurst is the burst of DefaultIPTurnRate.
	DefaultIPTurnBurst = 200
)

// Reasons for dialogd_ws_refused_total when a rate limit refuses an input.
const (
	refusedConnRate    = "rate_limited_connection"
	refusedSessionRate = "rate_limited_session"
	refusedIPRate      = "rate_limited_ip"
	refusedFlood       = "rate_limited_closed"  // closed 1008 after floodRefusals
	refusedConnect     = "rate_limited_connect" // a handshake answered 429
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

// limiterShards is the number of shards of keyedLimiters (a power of two).
const limiterShards = 32

// keyedLimiters are the token buckets of the sessions (or client
// addresses) that sent inputs recently, on this server. A bucket that has
// filled up again is no different from a new one, so sweep drops those:
// the map holds only the keys that sent something within about burst/rate
// seconds before the last sweep, and reconnecting does not refill a
// session's or an address's bucket.
type keyedLimiters struct {
	limit  turnLimit
	seed   maphash.Seed
	shards [limiterShards]struct {
		mu sync.Mutex
		m  map[string]*rate.Limiter
	}
}

func newKeyedLimiters(limit turnLimit) *keyedLimiters {
	l := &keyedLimiters{limit: limit, seed: maphash.MakeSeed()}
	for i := range l.shards {
		l.shards[i].m = make(map[string]*rate.Limiter)
	}
	return l
}

// take takes one token of key's bucket (see take).
func (l *keyedLimiters) take(key string, now time.Time) (ok bool, retry time.Duration) {
	l.with(key, func(lim *rate.Limiter) { ok, retry = take(lim, now) })
	return ok, retry
}

// with runs f on key's bucket (made full when key has none) under its
// shard's lock.
func (l *keyedLimiters) with(key string, f func(*rate.Limiter)) {
	sh := &l.shards[maphash.String(l.seed, key)&(limiterShards-1)]
	sh.mu.Lock()
	defer sh.mu.Unlock()
	lim := sh.m[key]
	if lim == nil {
		lim = l.limit.limiter()
		sh.m[key] = lim
	}
	f(lim)
}

// penalize empties key's bucket and puts it a whole burst in debt, so
// that nothing from key (a connect included) passes for about
// 2×burst/rate: used when a connection from key is closed for flooding,
// so that reconnecting at once gains nothing.
func (l *keyedLimiters) penalize(key string, now time.Time) {
	l.with(key, func(lim *rate.Limiter) {
		if t := lim.TokensAt(now); t > 0 {
			lim.AllowN(now, int(t)) // empty it
		}
		lim.ReserveN(now, l.limit.burst) // and a burst in debt
	})
}

// sweep drops the buckets that are full at now.
func (l *keyedLimiters) sweep(now time.Time) {
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
func (l *keyedLimiters) size() int {
	n := 0
	for i := range l.shards {
		sh := &l.shards[i]
		sh.mu.Lock()
		n += len(sh.m)
		sh.mu.Unlock()
	}
	return n
}

// inputVerdict is what allowInput decided about one input.
type inputVerdict uint8

const (
	inputAllowed inputVerdict = iota // run it
	inputRefused                     // answered rate_limited; the connection stays
	inputFlood                       // refused once too often in a row: close the connection
)

// floodRefusals is how many inputs in a row a connection may have refused
// before it is closed: a client that ignores rate_limited errors and goes
// on sending costs the server a read, a parse and an error frame per
// input, so it is cut off (close 1008). A person never gets there: it
// takes twice the burst of inputs sent faster than the refill rate.
func (l turnLimit) floodRefusals() int { return max(2*l.burst, 20) }

// allowInput takes a token from the connection's bucket, its session's and
// its client address's.
// When either is empty the input is refused with a rate_limited error
// frame (the connection stays open) and counted, unless the connection has
// had floodRefusals inputs refused in a row: then it is to be closed. It
// runs on the reader goroutine, before the input is queued, so that a
// flood costs no turn and fills no queue. A refusal comes with how long
// until the bucket has a token again: the reader waits that long before
// it reads on (see pauseReading).
func (c *conn) allowInput(data []byte) (inputVerdict, time.Duration) {
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
	if ok && c.client != "" {
		ok, retry = s.ipLimits.take(c.client, now)
		reason = refusedIPRate
	}
	if ok {
		c.refusedInARow = 0
		return inputAllowed, 0
	}
	c.refusedInARow++
	if c.refusedInARow > s.connLimit.floodRefusals() {
		return inputFlood, 0
	}
	s.metrics.refused.WithLabelValues(reason).Inc()
	_ = c.write(encodeRateLimited(salvageID(data), retry))
	return inputRefused, retry
}

// maxReadPause bounds how long a reader waits after a refused input.
const maxReadPause = 2 * time.Second

// pauseReading waits d (at most the server's maxReadPause) before the
// reader reads the next frame: a client that sends faster than its bucket
// refills is read at the bucket's pace. What it sends meanwhile waits in
// the socket's buffers and then its own, so a flood that ignores
// rate_limited errors costs the server one read and one error frame per
// refill, and it has no reason to reconnect (which would cost a handshake
// each time). It reports false when the connection or the server is
// closing.
func (c *conn) pauseReading(d time.Duration) bool {
	d = min(d, c.s.maxReadPause)
	if d <= 0 {
		return true
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return c.extendDeadline("") == nil
	case <-c.ctx.Done():
		return false
	case <-c.s.stop: // Shutdown
		return false
	}
}

// allowConnect takes a token of the client address's bucket for a
// handshake: a client that reconnects as fast as it can to get fresh
// connection buckets runs its address's bucket dry and gets 429 (with
// Retry-After) before any upgrade, which costs the server little. It
// reports whether the handshake may go on.
func (s *WebSocket) allowConnect(w http.ResponseWriter, client string) bool {
	if client == "" {
		return true
	}
	ok, retry := s.ipLimits.take(client, time.Now())
	if ok {
		return true
	}
	s.metrics.refused.WithLabelValues(refusedConnect).Inc()
	w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(retry.Seconds()))))
	http.Error(w, "too many connections and messages from your address; try again later", http.StatusTooManyRequests)
	return false
}

// clientKey is the key of a client address's bucket: the IPv4 address, or
// the /64 of an IPv6 address (one subscriber usually has a whole /64).
// It is "" (no per-address limit) when addr is not an IP address.
func clientKey(addr string) string {
	ip, err := netip.ParseAddr(addr)
	if err != nil {
		host, _, serr := net.SplitHostPort(addr)
		if serr != nil {
			return ""
		}
		if ip, err = netip.ParseAddr(host); err != nil {
			return ""
		}
	}
	ip = ip.Unmap().WithZone("")
	if ip.Is6() {
		p, _ := ip.Prefix(64)
		return p.String()
	}
	return ip.String()
}
