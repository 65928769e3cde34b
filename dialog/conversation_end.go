package dialog

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"github.com/botforge/dialogd/nodes"
	"github.com/botforge/dialogd/sessions"
)

// EndEvent is the conversation-end handler. It runs once per conversation,
// when the user closes the conversation (Runtime.End) or the conversation
// idles out (Runtime.SweepEnds), with nobody left to answer.
type EndEvent struct {
	// Task runs headless: its replies go nowhere, but its service calls
	// and its user and bot variables take effect. It sees
	// conversation.end_reason ("closed" or "idle").
	Task string `yaml:"task"`
	// Log writes a "conversation ended" line at info level with the
	// conversation id and the reason.
	Log bool `yaml:"log"`
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
		exp.Watch, exp.Note = r.endWatch(), string(note)
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
	ended := st.afterEnd()
	if msgID != "" {
		ended.remember(msgID, ended.Seq+1, ended.Seq) // answered with no frames
	}
	data, err := ended.encode()
	if err != nil {
		_ = lease.Release(ctx)
		return nil, fmt.Errorf("encode session state: %w", err)
	}
	// The conversation leaves the watch list in the same lease: it cannot
	// also idle out.
	exp := r.expiry(st, sessionID)
	exp.Ended = true
	if err := lease.CommitExpiry(ctx, data, nil, exp); err != nil {
		return nil, r.storeErr("end session", err)
	}
	hctx, cancel := context.WithTimeout(ctx, endHandlerTimeout)
	defer cancel()
	r.conversationEnded(hctx, st, st.User, EndClosed)
	return nil, nil
}

// WatchEnds runs SweepEnds every interval until ctx ends. Every process
// serving the bot may run it: each conversation ends once. It returns at
// once when the bot has no conversation_end handler.
func (r *Runtime) WatchEnds(ctx context.Context, every time.Duration) {
	if !r.bot.Config.Events.ConversationEnd.isSet() {
		return
	}
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			if _, err := r.SweepEnds(ctx); err != nil && ctx.Err() == nil {
				r.log.Warn("conversation_end sweep failed", "err", err)
			}
		}
	}
}

// SweepEnds runs conversation_end (reason "idle") for the bot's
// conversations that idled out (it takes at most maxEndSweep due entries
// of the watch list), and returns how many it ran.
func (r *Runtime) SweepEnds(ctx context.Context) (int, error) {
	n, ran := 0, 0
	// Notes whose session could not be checked last time come first.
	for _, raw := range r.endRetries.take() {
		if r.endIdle(context.WithoutCancel(ctx), raw) {
			ran++
		}
	}
	for n < maxEndSweep {
		notes, err := r.store.Expired(ctx, r.endWatch(), endSweepBatch)
		if err != nil {
			return ran, r.storeErr("read idled-out conversations", err)
		}
		// The notes are off the list now: finish them even when ctx ends
		// (shutdown), each with a bounded time of its own.
		for _, raw := range notes {
			if r.endIdle(context.WithoutCancel(ctx), raw) {
				ran++
			}
		}
		n += len(notes)
		if len(notes) < endSweepBatch {
			break
		}
	}
	return ran, nil
}

// endIdle runs conversation_end for one due note, unless the conversation
// is still there: a turn that took the session just before the deadline
// and committed after it put the conversation back on the watch list, and
// it ends later, once.
func (r *Runtime) endIdle(ctx context.Context, raw string) bool {
	ctx, cancel := context.WithTimeout(ctx, endHandlerTimeout)
	defer cancel()
	var note endNote
	if err := json.Unmarshal([]byte(raw), &note); err != nil {
		r.log.Error("unreadable idled-out conversation note", "err", err)
		return false
	}
	if note.Key != "" {
		lease, err := r.store.Acquire(ctx, note.Key)
		if err != nil {
			// The note is off the store's list: keep it here for the next
			// sweep rather than lose the conversation's end.
			kept := r.endRetries.add(raw)
			r.log.Error("conversation_end: check the session", "conversation", note.Conversation, "retry", kept, "err", err)
			return false
		}
		st, _ := decodeState(lease.State())
		_ = lease.Release(ctx)
		if st != nil && st.ID == note.Conversation {
			return false // still going; its last commit watches it again
		}
	}
	st := &state{V: stateVersion, ID: note.Conversation, User: note.User, Lang: r.bot.Config.Languages[0]}
	r.conversationEnded(ctx, st, note.User, EndIdle)
	return true
}

// endHandlerTimeout bounds one conversation_end handler run by a sweep.
const endHandlerTimeout = 30 * time.Second

// conversationEnded runs the conversation_end handler on the ended
// conversation's state (its last state when the user closed it, a fresh
// one with its id when it idled out).
func (r *Runtime) conversationEnded(ctx context.Context, st *state, userID, reason string) {
	ev := r.bot.Config.Events.ConversationEnd
	if ev.Log {
		r.log.Info("conversation ended", "conversation", st.ID, "reason", reason)
	}
	if ev.Task == "" {
		return
	}
	if _, ok := r.bot.Tasks[ev.Task]; !ok {
		r.log.Error("conversation_end names an unknown task", "conversation", st.ID, "task", ev.Task)
		return
	}
	t := r.turn(st, "", userID)
	defer r.turns.Put(t)
	t.Event = "conversation_end:" + reason
	if err := r.loadScopedVars(ctx, st, userID); err != nil {
		r.log.Error("conversation_end: load variables", "conversation", st.ID, "err", err)
		return
	}
	st.Memory.SetVar(nodes.ScopeConversation, "end_reason", reason, 0)
	r.startTask(ctx, st, t, ev.Task, "")
	if err := r.saveScopedVars(ctx, st, userID); err != nil {
		r.log.Error("conversation_end: save variables", "conversation", st.ID, "err", err)
	}
}

// maxEndRetries bounds the due notes a process keeps for its next sweep
// while their sessions cannot be checked (the store is failing).
const maxEndRetries = 4 * maxEndSweep

// endRetries holds due notes whose session a sweep could not check; the
// next sweep of this process tries them first. They are lost only if the
// process dies before the store is back.
type endRetries struct {
	mu    sync.Mutex
	notes []string
}

// add keeps raw for the next sweep; false when the list is full.
func (e *endRetries) add(raw string) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	if len(e.notes) >= maxEndRetries {
		return false
	}
	e.notes = append(e.notes, raw)
	return true
}

func (e *endRetries) take() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	notes := e.notes
	e.notes = nil
	return notes
}
