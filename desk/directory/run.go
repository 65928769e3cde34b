package directory

import (
	"context"
	"errors"
	"time"
)

// Run syncs the directory when each sync is due (see Status.NextRun)
// until ctx ends, and returns ctx's error. The schedule is read from the
// shared sync state, so instances sharing a Redis store sync on one
// schedule and the lock lets only one of them run each sync; an instance
// that finds the lock taken waits RetryAfter and looks again.
func (d *Directory) Run(ctx context.Context) error {
	for {
		wait := d.opts.RetryAfter
		if st, err := d.store.State(ctx); err != nil {
			d.log.Warn("directory: read sync state", "bot", d.bot, "err", err)
		} else {
			wait = d.nextRun(st).Sub(d.opts.Now())
		}
		if wait > 0 && !sleep(ctx, wait) {
			return ctx.Err()
		}
		_, err := d.Sync(ctx)
		if errors.Is(err, ErrBusy) {
			if !sleep(ctx, d.opts.RetryAfter) {
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
