package sessions

import "context"

type waitKey struct{}

// WithWaitCancel returns ctx for Acquire with a second context, wait, that
// bounds only the wait for a held session: when wait ends first, Acquire
// returns its error at once. A lease taken under the returned context is
// renewed while ctx lives, whatever becomes of wait. The dialog runtime
// uses this so that a client that goes away stops its turn's wait but not
// a turn that already holds its session.
func WithWaitCancel(ctx, wait context.Context) context.Context {
	return context.WithValue(ctx, waitKey{}, wait)
}

// waitDone returns the Done channel of ctx's wait context, nil without one
// (a nil channel never fires in a select).
func waitDone(ctx context.Context) <-chan struct{} {
	if w, ok := ctx.Value(waitKey{}).(context.Context); ok {
		return w.Done()
	}
	return nil
}

// waitErr is the error of whichever of ctx and its wait context ended.
func waitErr(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if w, ok := ctx.Value(waitKey{}).(context.Context); ok {
		return w.Err()
	}
	return nil
}
