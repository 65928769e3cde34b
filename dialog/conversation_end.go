package dialog

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/botforge/dialogd/nodes"
	"github.com/botforge/dialogd/sessions"
)

// EndEvent is the conversation-end handler. It runs when the user closes
// the conversation (Runtime.End) or the conversation idles out
// (Runtime.SweepEnds), with nobody left to answer: at least once, and
// once unless a process dies while it runs (then another runs it again,
// so its writes must be idempotent: the salesforce node's creates look
// for their record first in such runs).
type EndEvent struct {
	// Task runs headless on the conversation's last state (its entities,
	// variables and node results): its replies go nowhere, but its service
	// calls and its user and bot variables take effect. It sees
	// conversation.end_reason ("closed" or "idle").
	Task string `yaml:"task"`
	// Log writes a "conversation ended" line at info level with the
	// conversation id and the reason.
	Log bool `yaml:"log"`
	// Transcript keeps conversation.transcript: the conversation's lines
	// ("User: …", "Bot: …", the latest 8 KiB), for the handler to log.
	Transcript bool `yaml:"transcript"`
}

func (e EndEvent) isSet() bool { return e.Task != "" || e.Log }

// Reasons a conversation ends, as conversation.end_reason.
const (
	EndClosed = "closed" // the user closed the conversation
	EndIdle   = "idle"   // nobody wrote for settings.session_idle_ttl
)

// endSweepBatch is how many idled-out conversations one store call takes;
// maxEndSweep bounds one sweep, so that a backlog is worked off across
// sweeps rather than in one long one.
const (
	endSweepBatch = 32
	maxEndSweep   = 16 * endSweepBatch
	// endGrace keeps a watched conversation's state this much past its
	// idle time-out, for its conversation_end to read.
	endGrace = 10 * time.Minute
	// defaultEndHold is Options.EndHold: longer than a handler may run.
	defaultEndHold = endHandlerTimeout + 30*time.Second
	// defaultEndRetryMaxAge is Options.EndRetryMaxAge: as long as the
	// store keeps a watch-list entry nobody asked for
	// (sessions.MaxUnreported).
	defaultEndRetryMaxAge = sessions.MaxUnreported
)

// endNote is what the store keeps about a watched conversation, to run
// conversation_end after its state expired: the conversation id, the
// session's store key (a hash, not the session id, which is a credential)
// and the user the conversation began with. It must not change during a
// conversation: it identifies the conversation's entry on the watch list.
type endNote struct {
	Conversation string `json:"c"`
	Key          string `json:"k,omitempty"`
	User         string `json:"u"`
}

// endWatch is the store's watch list of this bot's conversations.
func (r *Runtime) endWatch() string { return "conversation_end:" + r.bot.Config.Name }

// expiry is how a commit of st ends: after the bot's idle TTL, watched
// for conversation_end when the bot handles it.
func (r *Runtime) expiry(st *state, sessionID string) sessions.Expiry {
	exp := sessions.Expiry{IdleTTL: r.bot.Config.Settings.SessionIdleTTL}
	if r.bot.Config.Events.ConversationEnd.isSet() && st.ID != "" {
		note, _ := json.Marshal(endNote{Conversation: st.ID, Key: storeKey(sessionID), User: st.User})
		exp.Watch, exp.Note, exp.Grace = r.endWatch(), string(note), endGrace
	}
	return exp
}

// End closes the session's conversation because the user said so (the
// widget's close, an end frame): conversation_end runs with reason
// "closed", and the conversation's state is dropped, so that the session's
// next message starts a new conversation; only the frame numbering and
// replay memory stay. A session without a conversation (never started,
// already ended or idled out) is left alone.
func (r *Runtime) End(ctx context.Context, sessionID, userID, msgID string) ([][]byte, error) {
	// The user closing the chat closes the socket too: the end goes on
	// once it holds the session (acquireTurn), and so does its handler.
	ctx, done, lease, err := r.acquireTurn(ctx, sessionID)
	if err != nil {
		return nil, r.storeErr("end session", err)
	}
	defer done()
	st, _ := decodeState(lease.State())
	if st == nil || st.ID == "" || (msgID != "" && st.seen(msgID) != nil) {
		// Nothing to end, or this end frame came before (a client re-sends
		// what it has no answer for): the conversation begun since stays.
		return nil, lease.Release(ctx)
	}
	// The handler runs first, on the conversation's state, while the
	// session is held; the commit that ends the conversation and takes it
	// off the watch list follows. A process that dies in between leaves
	// the conversation watched: it ends later as idle, its handler run
	// again.
	r.handoffLeft(ctx, st) // handoff_relay.go
	hctx, cancel := context.WithTimeout(ctx, endHandlerTimeout)
	defer cancel()
	finished := r.runEnd(hctx, st.clone(), st.User, EndClosed, endOK)
	if !finished && !r.keepClosed(ctx, st) {
		r.log.Error("conversation_end given up: its handler failed and the conversation could not be kept to run it again", "conversation", st.ID)
		r.metrics.conversationEnd(endGivenUp)
		finished = true // nothing to run it again on
	}
	ended := st.afterEnd()
	if msgID != "" {
		ended.remember(msgID, ended.Seq+1, ended.Seq) // answered with no frames
	}
	data, err := ended.encode()
	if err != nil {
		_ = lease.Release(ctx)
		return nil, fmt.Errorf("encode session state: %w", err)
	}
	// The conversation ends either way (the session's next message begins
	// a new one); a handler that did not finish keeps its note on the list,
	// due after the idle time-out, to be run again on the kept state.
	exp := r.expiry(st, sessionID)
	exp.Ended = finished
	if err := lease.CommitExpiry(ctx, data, nil, exp); err != nil {
		return nil, r.storeErr("end session", err)
	}
	return nil, nil
}

// SweepEnds runs conversation_end (reason "idle") for the bot's
// conversations that idled out and for closed ones whose handler did not
// finish (it claims at most maxEndSweep due entries of the watch list),
// and returns how many handlers finished; a run that failed is not
// counted (it runs again when its claim lapses).
func (r *Runtime) SweepEnds(ctx context.Context) (int, error) {
	n, ran := 0, 0
	for n < maxEndSweep {
		due, err := r.store.Expired(ctx, r.endWatch(), endSweepBatch, r.endHold)
		if err != nil {
			return ran, r.storeErr("read idled-out conversations", err)
		}
		// The notes are claimed now: finish them even when ctx ends
		// (shutdown), each with a bounded time of its own. A note left
		// unfinished is due again when the claim lapses. They run side by
		// side: one after the other, the batch's last ones could outlive
		// the claim, and another process would run them a second time,
		// concurrently (a slow Salesforce, 32 handlers of 2 s).
		ran += r.endBatch(context.WithoutCancel(ctx), due)
		n += len(due)
		if len(due) < endSweepBatch {
			break
		}
	}
	return ran, nil
}

// endBatch runs endIdle for each claimed note, all at once, and returns
// how many handlers finished.
func (r *Runtime) endBatch(ctx context.Context, due []sessions.Due) int {
	var ran atomic.Int64
	var wg sync.WaitGroup
	for _, d := range due {
		wg.Go(func() {
			if r.endIdle(ctx, d) {
				ran.Add(1)
			}
		})
	}
	wg.Wait()
	return int(ran.Load())
}

// endIdle runs conversation_end for one due note on the conversation's
// last state, holding the session, then ends the conversation and takes
// the note off the list; it reports whether a handler finished. A
// conversation that went on (a turn committed after the deadline) is left
// alone: its commit watched it again. When the session cannot be checked,
// or the handler did not finish, the note stays claimed and comes back.
func (r *Runtime) endIdle(ctx context.Context, d sessions.Due) bool {
	ctx, cancel := context.WithTimeout(ctx, r.endTimeout())
	defer cancel()
	var note endNote
	if err := json.Unmarshal([]byte(d.Note), &note); err != nil {
		r.log.Error("unreadable idled-out conversation note", "err", err)
		r.endDone(ctx, d)
		return false
	}
	fresh := &state{V: stateVersion, ID: note.Conversation, User: note.User, Lang: r.bot.Config.Languages[0]}
	if note.Key == "" {
		if !r.runEnd(ctx, fresh, note.User, EndIdle, endOK) {
			return false
		}
		r.endDone(ctx, d)
		return true
	}
	lease, err := r.store.Acquire(ctx, note.Key)
	if err != nil {
		r.log.Error("conversation_end: check the session; it is tried again later", "conversation", note.Conversation, "err", err)
		return false
	}
	st, _ := decodeState(lease.State())
	switch {
	case st == nil:
		// Gone, grace and all (the sweeps were late): end it from the note.
		_ = lease.Release(ctx)
		if !r.runEnd(ctx, fresh, note.User, EndIdle, endOK) {
			return false // it runs again when the claim lapses
		}
	case st.ID != note.Conversation:
		_ = lease.Release(ctx) // ended otherwise, or a new conversation began
		return r.endClosedAgain(ctx, d, note)
	case r.stillGoing(st):
		_ = lease.Release(ctx) // its last commit watched it again
		return false
	default:
		r.handoffLeft(ctx, st) // an abandoned handoff leaves the desk (handoff_relay.go)
		if !r.runEnd(ctx, st.clone(), note.User, EndIdle, endOK) {
			_ = lease.Release(ctx) // the conversation stays; it runs again when the claim lapses
			return false
		}
		if data, err := st.afterEnd().encode(); err == nil {
			if err := lease.CommitExpiry(ctx, data, nil, sessions.Expiry{IdleTTL: r.bot.Config.Settings.SessionIdleTTL}); err != nil {
				r.log.Warn("conversation_end: close the session", "conversation", note.Conversation, "err", err)
			}
		} else {
			_ = lease.Release(ctx)
		}
	}
	r.endDone(ctx, d)
	return true
}

// stillGoing reports whether a turn committed within the idle time-out.
func (r *Runtime) stillGoing(st *state) bool {
	return st.At != 0 && r.now().Before(time.UnixMilli(st.At).Add(r.idleTimeout()))
}

// idleTimeout is how long the bot's conversations last without a word.
func (r *Runtime) idleTimeout() time.Duration {
	if ttl := r.bot.Config.Settings.SessionIdleTTL; ttl > 0 {
		return ttl
	}
	return r.idleTTL
}

// endDone takes a handled note off the watch list; a failure leaves it
// claimed, so it runs again when the claim lapses.
func (r *Runtime) endDone(ctx context.Context, d sessions.Due) {
	if err := r.store.Done(ctx, r.endWatch(), d); err != nil {
		r.log.Warn("conversation_end: take the note off the watch list", "err", err)
	}
}

// endHandlerTimeout bounds one conversation_end handler run by a sweep.
const endHandlerTimeout = 30 * time.Second

// endTimeout bounds a sweep's handler run, session wait included: within
// its claim (Options.EndHold), with room to commit and take the note off
// the list, so that no other process runs the same handler meanwhile.
func (r *Runtime) endTimeout() time.Duration {
	return min(endHandlerTimeout, r.endHold*3/4)
}

// runEnd runs conversationEnded and counts the run: as finished (ok, or
// retried for the run of a closed conversation's kept state) or failed.
func (r *Runtime) runEnd(ctx context.Context, st *state, userID, reason, finished string) bool {
	if !r.conversationEnded(ctx, st, userID, reason) {
		r.metrics.conversationEnd(endFailed)
		return false
	}
	r.metrics.conversationEnd(finished)
	return true
}

// conversationEnded runs the conversation_end handler on the ended
// conversation's state (its last state, or a fresh one with its id when
// that is gone). It reports whether the handler finished: its task ended
// without failing (a failed or waiting handler is run again later, when
// an idle sweep's claim lapses).
func (r *Runtime) conversationEnded(ctx context.Context, st *state, userID, reason string) bool {
	ev := r.bot.Config.Events.ConversationEnd
	if ev.Log {
		r.log.Info("conversation ended", "conversation", st.ID, "reason", reason)
	}
	if ev.Task == "" {
		return true
	}
	if _, ok := r.bot.Tasks[ev.Task]; !ok {
		r.log.Error("conversation_end names an unknown task", "conversation", st.ID, "task", ev.Task)
		return true // nothing a second run would do better
	}
	t := r.turn(st, "", userID)
	defer r.turns.Put(t)
	t.Event = "conversation_end:" + reason
	if err := r.loadScopedVars(ctx, st, userID); err != nil {
		r.log.Error("conversation_end: load variables", "conversation", st.ID, "err", err)
		return false
	}
	st.Memory.SetVar(nodes.ScopeConversation, "end_reason", reason, 0)
	st.ended = ""
	r.startTask(ctx, st, t, ev.Task, "")
	if err := r.saveScopedVars(ctx, st, userID); err != nil {
		r.log.Error("conversation_end: save variables", "conversation", st.ID, "err", err)
		return false
	}
	if st.Task != "" || st.ended == nodes.Failed {
		r.log.Warn("conversation_end handler did not finish", "conversation", st.ID, "task", ev.Task, "waiting", st.Task != "")
		return false
	}
	return true
}
