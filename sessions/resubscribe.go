package sessions

import (
	"context"
	"log/slog"
	"math/rand/v2"
	"time"
)

// Backoff between subscription attempts: the first retry waits about
// RetryMin, each further one twice as long, up to RetryMax.
const (
	RetryMin = 250 * time.Millisecond
	RetryMax = 30 * time.Second
)

// retryDelay is the pause before retry number attempt (0 for the first):
// RetryMin·2^attempt capped at RetryMax, of which the upper half is jitter
// (jitter in [0,1)), so that instances that lost Redis together do not
// come back in step.
func retryDelay(attempt int, jitter float64) time.Duration {
	d := RetryMax
	if attempt < 16 {
		d = min(RetryMin<<attempt, RetryMax)
	}
	return d/2 + time.Duration(jitter*float64(d/2))
}

// KeepSubscribed subscribes fn to b until ctx ends, subscribing again
// after a failure with an exponential, jittered backoff. It logs once when
// the subscription is lost ("not established" when it cannot be made at
// start) and once when it is back, with how long it was down; the attempts
// in between log at debug level only.
func KeepSubscribed(ctx context.Context, b Bus, fn func(session string, frames [][]byte), log *slog.Logger) {
	if log == nil {
		log = slog.Default()
	}
	var downSince, upSince time.Time // zero while subscribed; when it came up
	attempt, everUp := 0, false
	ready := func() {
		if !downSince.IsZero() {
			log.Info("delivery subscription restored", "down_ms", time.Since(downSince).Milliseconds(), "attempts", attempt)
		}
		downSince, upSince, everUp = time.Time{}, time.Now(), true
	}
	for ctx.Err() == nil {
		err := subscribeNotify(ctx, b, fn, ready)
		if ctx.Err() != nil {
			return
		}
		if !upSince.IsZero() && time.Since(upSince) >= RetryMax {
			// It held a while: the next trouble starts the backoff afresh.
			// One that drops at once (a proxy, maxclients) keeps backing
			// off, so it cannot flood the log with lost/restored pairs.
			attempt = 0
		}
		upSince = time.Time{}
		if downSince.IsZero() {
			downSince = time.Now()
			if everUp {
				log.Warn("delivery subscription lost; retrying with backoff", "err", err)
			} else {
				log.Warn("delivery subscription not established; retrying with backoff", "err", err)
			}
		}
		wait := retryDelay(attempt, rand.Float64())
		attempt++
		log.Debug("delivery subscription retry", "attempt", attempt, "retry_in_ms", wait.Milliseconds(), "err", err)
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
	}
}

// subscribeNotify subscribes and calls ready once the subscription is
// confirmed; a Bus that cannot tell counts as subscribed at once.
func subscribeNotify(ctx context.Context, b Bus, fn func(string, [][]byte), ready func()) error {
	if r, ok := b.(*Redis); ok {
		return r.subscribe(ctx, fn, ready)
	}
	ready()
	return b.Subscribe(ctx, fn)
}
