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
	lease   renewable
	mu      sync.Mutex
	stopped bool
	timer   *time.Timer
}

// renewable is a held lease the renewer extends.
type renewable interface {
	// renew extends the lease; false once the lease is lost.
	renew(ctx context.Context) (keep bool)
}

// renewInterval is how often a lease of ttl is renewed: three chances
// before it lapses.
func renewInterval(ttl time.Duration) time.Duration {
	return max(ttl/3, time.Millisecond)
}

// start arms the first renewal of lease, taken for ttl under ctx. The
// renewer is part of the lease, so that a turn costs only the timer.
func (r *renewer) start(ctx context.Context, ttl time.Duration, lease renewable) {
	r.ctx, r.every, r.until, r.lease = ctx, renewInterval(ttl), time.Now().Add(MaxHold), lease
	r.mu.Lock() // fire may run before AfterFunc returns
	r.timer = time.AfterFunc(r.every, r.fire)
	r.mu.Unlock()
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
	keep := r.lease.renew(ctx)
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
