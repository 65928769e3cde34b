package sessions

import (
	"context"
	"sync"
	"time"
)

// renewer extends a held lease every interval until stop is called, the
// ctx of the Acquire ends, MaxHold has passed, or a renewal finds the lease
// lost. It is a timer, not a goroutine: a turn that ends before the first
// interval costs one timer and no store call.
type renewer struct {
	ctx     context.Context
	every   time.Duration
	until   time.Time
	renew   func(ctx context.Context) (keep bool) // false once the lease is lost
	mu      sync.Mutex
	stopped bool
	timer   *time.Timer
}

// renewInterval is how often a lease of ttl is renewed: three chances
// before it lapses.
func renewInterval(ttl time.Duration) time.Duration {
	return max(ttl/3, time.Millisecond)
}

// startRenewal arms the first renewal of a lease of ttl taken under ctx.
func startRenewal(ctx context.Context, ttl time.Duration, renew func(ctx context.Context) bool) *renewer {
	r := &renewer{ctx: ctx, every: renewInterval(ttl), until: time.Now().Add(MaxHold), renew: renew}
	r.timer = time.AfterFunc(r.every, r.fire)
	return r
}

func (r *renewer) fire() {
	r.mu.Lock()
	if r.stopped || r.ctx.Err() != nil || time.Now().After(r.until) {
		r.mu.Unlock()
		return
	}
	r.mu.Unlock()
	// The call is bounded by the interval: a renewal that cannot get
	// through in that time will be retried at the next tick.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(r.ctx), r.every)
	keep := r.renew(ctx)
	cancel()
	r.mu.Lock()
	defer r.mu.Unlock()
	if keep && !r.stopped {
		r.timer.Reset(r.every)
	}
}

// stop ends the renewals. A renewal already running may still reach the
// store; the stores' renewals check the lease, so it cannot extend a lease
// that ended meanwhile.
func (r *renewer) stop() {
	r.mu.Lock()
	r.stopped = true
	r.timer.Stop()
	r.mu.Unlock()
}
