package dialog

import (
	"context"
	"sync/atomic"
	"time"

	"github.com/botforge/dialogd/nodes"
	"github.com/botforge/dialogd/sessions"
)

// Live runs a bot that may be replaced while it serves (a hot reload):
// each call goes to the runtime of the bot's current version, and Swap
// puts a new version in place for the turns that start after it. The
// runtimes of successive versions share the options (metrics, authorizer,
// logger) and one [TaskVersions], so that a conversation inside a task
// goes on with the task's version it started with. Live implements
// channels.Conversations and channels.Ender like Runtime.
type Live struct {
	store sessions.Store
	opts  Options
	cur   atomic.Pointer[Runtime]
}

// NewLive returns a Live serving bot. opts.Versions, when nil, becomes a
// store keeping DefaultKeepTaskVersions versions of each task.
func NewLive(bot *Bot, store sessions.Store, opts Options) *Live {
	if opts.Versions == nil {
		opts.Versions = NewTaskVersions(0)
	}
	l := &Live{store: store, opts: opts}
	l.cur.Store(NewRuntime(bot, store, opts))
	return l
}

// Swap serves bot from now on: turns that already started finish on the
// version they began with.
func (l *Live) Swap(bot *Bot) { l.cur.Store(NewRuntime(bot, l.store, l.opts)) }

// Runtime returns the runtime of the current version.
func (l *Live) Runtime() *Runtime { return l.cur.Load() }

// Bot returns the current version of the bot.
func (l *Live) Bot() *Bot { return l.Runtime().Bot() }

// Versions returns the task versions conversations may still run on.
func (l *Live) Versions() *TaskVersions { return l.opts.Versions }

// Start runs the conversation-start event of a new session.
func (l *Live) Start(ctx context.Context, sessionID, userID string) ([][]byte, error) {
	return l.Runtime().Start(ctx, sessionID, userID)
}

// Handle runs one user input.
func (l *Live) Handle(ctx context.Context, sessionID, userID string, in nodes.Input) ([][]byte, error) {
	return l.Runtime().Handle(ctx, sessionID, userID, in)
}

// Missed returns the kept frames with seq > after.
func (l *Live) Missed(ctx context.Context, sessionID string, after uint64) ([][]byte, error) {
	return l.Runtime().Missed(ctx, sessionID, after)
}

// End ends the session's conversation (an end frame).
func (l *Live) End(ctx context.Context, sessionID, userID, msgID string) ([][]byte, error) {
	return l.Runtime().End(ctx, sessionID, userID, msgID)
}

// Resume runs a parked node again (see Runtime.Resume).
func (l *Live) Resume(ctx context.Context, sessionID, userID string) ([][]byte, error) {
	return l.Runtime().Resume(ctx, sessionID, userID)
}

// Denied ends a parked task whose user refused access (see Runtime.Denied).
func (l *Live) Denied(ctx context.Context, sessionID, userID string) ([][]byte, error) {
	return l.Runtime().Denied(ctx, sessionID, userID)
}

// WatchEnds runs the current version's SweepEnds every interval until
// ctx ends, while that version has a conversation_end handler: a reload
// may add or remove one.
func (l *Live) WatchEnds(ctx context.Context, every time.Duration) {
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			r := l.Runtime()
			if !r.bot.Config.Events.ConversationEnd.isSet() {
				continue
			}
			if _, err := r.SweepEnds(ctx); err != nil && ctx.Err() == nil {
				r.log.Warn("conversation_end sweep failed", "err", err)
			}
		}
	}
}
