package dialog

import (
	"context"

	"github.com/botforge/dialogd/sessions"
)

// acquireTurn takes the session for a turn a client started. ctx ends when
// the client goes away (channels cancels it when the socket closes): that
// stops a turn still waiting for its session at once, but a turn that
// holds the session runs on, to ctx's deadline, and commits, so that a
// client that reconnects gets the replies from the outbox and a service
// call is not cut off half done. The store renews the lease while the
// returned context lives; done releases that context's resources.
func (r *Runtime) acquireTurn(ctx context.Context, sessionID string) (turn context.Context, done context.CancelFunc, lease sessions.Lease, err error) {
	turn = context.WithoutCancel(ctx)
	if dl, ok := ctx.Deadline(); ok {
		turn, done = context.WithDeadline(turn, dl)
	} else {
		turn, done = context.WithCancel(turn) // done stops the lease's renewal
	}
	lease, err = r.store.Acquire(sessions.WithWaitCancel(turn, ctx), storeKey(sessionID))
	if err != nil {
		done()
		return nil, nil, nil, err
	}
	return turn, done, lease, nil
}

// releaseOnPanic, deferred by a turn, frees the session when the turn
// panics, so that the user's next message (the channel recovers the panic
// and answers with an error) does not wait for the lease to lapse. The
// panic goes on. A turn that committed before it panicked releases
// nothing: its lease is over.
func releaseOnPanic(ctx context.Context, lease sessions.Lease) {
	if p := recover(); p != nil {
		_ = lease.Release(context.WithoutCancel(ctx))
		panic(p)
	}
}
