package main

import (
	"context"
	"sync"

	"github.com/botforge/dialogd/channels"
	"github.com/botforge/dialogd/dialog"
	"github.com/botforge/dialogd/sessions"
)

// Greet shows a new session's conversation start without storing it
// (channels.Greeter): a connect that sends nothing writes nothing to the
// session store. The frames come from the bot's runtime run over a store
// that keeps nothing (greetingStore), so they are exactly what the real
// Start stores when the session's first input arrives. A start that runs
// a task (which may call services) is not shown this way.
func (c tracedConversations) Greet(ctx context.Context, session, user string) ([][]byte, bool, error) {
	rt, ok := c.Conversations.(*dialog.Runtime)
	if live, isLive := c.Conversations.(*dialog.Live); isLive {
		rt, ok = live.Runtime(), true // the version serving now (reload.go)
	}
	if !ok || rt.Bot().Config.Events.ConversationStart.Task != "" {
		return nil, false, nil
	}
	frames, err := greeter(rt).Start(ctx, session, user)
	return frames, err == nil, err
}

var _ channels.Greeter = tracedConversations{}

// greeters holds, per bot runtime, the runtime over greetingStore that
// Greet runs.
var greeters sync.Map // *dialog.Runtime -> *dialog.Runtime

func greeter(rt *dialog.Runtime) *dialog.Runtime {
	if g, ok := greeters.Load(rt); ok {
		return g.(*dialog.Runtime)
	}
	g, _ := greeters.LoadOrStore(rt, dialog.NewRuntime(rt.Bot(), greetingStore{}, dialog.Options{}))
	return g.(*dialog.Runtime)
}

// greetingStore is a sessions.Store that keeps nothing: every session is
// new, and commits are dropped. Start uses Acquire and the lease only; the
// other methods are the nil embedded Store's (a call would panic, which
// the channel turns into an internal error), so that a method added to
// the interface does not break this file.
type greetingStore struct{ sessions.Store }

func (greetingStore) Acquire(context.Context, string) (sessions.Lease, error) {
	return greetingLease{}, nil
}

// greetingLease is the lease of a session with no state; it stores nothing.
type greetingLease struct{ sessions.Lease }

func (greetingLease) State() []byte                                          { return nil }
func (greetingLease) Fence() uint64                                          { return 0 }
func (greetingLease) Commit(context.Context, []byte, []sessions.Frame) error { return nil }
func (greetingLease) CommitExpiry(context.Context, []byte, []sessions.Frame, sessions.Expiry) error {
	return nil
}
func (greetingLease) Release(context.Context) error      { return nil }
func (greetingLease) Save(context.Context, []byte) error { return nil }
