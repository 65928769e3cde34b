package directory

import (
	"context"
	"time"
)

// Run syncs the directory when each sync is due (see Status.NextRun)
// until ctx ends, and returns ctx's error. The schedule is read from the
// shared sync state, so instances sharing a Redis store sync on one
// schedule and the lock lets only one of them run each sync; an instance
// that finds the lock taken waits RetryAfter and looks again.
func (d *Directory) Run(ctx context.Context) error {
	var atLeast time.Duration // after a failure: RetryAfter, whatever the state says
	for {
		wait := d.opts.RetryAfter
		if st, err := d.store.State(ctx); err != nil {
			d.log.Warn("directory: read sync state", "bot", d.bot, "err", err)
		} else {
			wait = max(d.nextRun(st).Sub(d.opts.Now()), atLeast)
		}
		if wait > 0 && !sleep(ctx, wait) {
			return ctx.Err()
		}
		atLeast = 0
		if _, err := d.Sync(ctx); err != nil {
			// Busy: another instance syncs and stores the next schedule.
			// Failed: the state may not have been stored either (Redis
			// down), so do not trust it to space the retries.
			atLeast = d.opts.RetryAfter
			if ctx.Err() != nil {
				return ctx.Err()
			}
		}
	}
}

// sleep waits d or until ctx ends; it reports whether it waited d.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
