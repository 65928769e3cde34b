package dialog

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/botforge/dialogd/sessions"
)

// keptEnd is what the store keeps of a closed conversation whose
// conversation_end handler did not finish, for the sweeps that run it
// again (see closedKey).
type keptEnd struct {
	Closed int64           `json:"closed"` // when it closed (Unix milliseconds), for Options.EndRetryMaxAge
	State  json.RawMessage `json:"state"`  // the conversation's state
}

// decodeKept reads a kept closed conversation, and its state (nil when
// data is empty or unreadable). The bare state kept before keptEnd existed
// counts as closed now.
func (r *Runtime) decodeKept(data []byte) (keptEnd, *state) {
	var kept keptEnd
	if err := json.Unmarshal(data, &kept); err != nil || len(kept.State) == 0 {
		kept = keptEnd{Closed: r.now().UnixMilli(), State: data}
	}
	st, _ := decodeState(kept.State)
	return kept, st
}

// closedKey keeps a closed conversation's state whose handler did not
// finish, for the sweep that runs it again.
func (r *Runtime) closedKey(conversation string) string {
	return "convend:" + r.bot.Config.Name + ":" + conversation
}

// keepClosed keeps st, a closed conversation whose handler did not finish
// (Salesforce was down, say), for the sweeps that run it again; false
// when it could not be kept.
func (r *Runtime) keepClosed(ctx context.Context, st *state) bool {
	data, err := st.encode()
	if err == nil {
		data, err = json.Marshal(keptEnd{Closed: r.now().UnixMilli(), State: data})
	}
	if err == nil {
		err = r.store.Set(ctx, r.closedKey(st.ID), data, r.keptTTL())
	}
	if err != nil {
		r.log.Error("conversation_end: keep a closed conversation to run its handler again", "conversation", st.ID, "err", err)
		return false
	}
	return true
}

// keptTTL is how long a closed conversation's kept state lives after it
// closed or its handler last failed: until its note is due, and a little
// longer.
func (r *Runtime) keptTTL() time.Duration { return r.idleTimeout() + endGrace }

// endClosedAgain runs the handler of a closed conversation again on its
// kept state (its first run did not finish), and takes the note off the
// list once it finishes; it reports whether it finished. A run that fails
// keeps the state for the next one, until Options.EndRetryMaxAge after
// the conversation closed: then the handler is given up, as it is when
// its state is gone.
func (r *Runtime) endClosedAgain(ctx context.Context, d sessions.Due, note endNote) bool {
	key := r.closedKey(note.Conversation)
	data, err := r.store.Get(ctx, key)
	if err != nil {
		r.log.Error("conversation_end: read a closed conversation; it is tried again later", "conversation", note.Conversation, "err", err)
		return false
	}
	kept, st := r.decodeKept(data)
	closed := time.UnixMilli(kept.Closed)
	switch {
	case st == nil:
		r.endGivenUp(ctx, d, note, "its kept state is gone or unreadable")
		return false
	case r.now().Sub(closed) > r.endRetryMaxAge:
		r.endGivenUp(ctx, d, note, fmt.Sprintf("it closed %s ago, more than the retry limit of %s", r.now().Sub(closed).Round(time.Second), r.endRetryMaxAge))
		return false
	}
	if !r.runEnd(ctx, st, note.User, EndClosed, endRetried) {
		// The next run needs the state: it lives on from now.
		if data, err = json.Marshal(kept); err == nil {
			err = r.store.Set(ctx, key, data, r.keptTTL())
		}
		if err != nil {
			r.log.Warn("conversation_end: keep a closed conversation's state longer", "conversation", note.Conversation, "err", err)
		}
		return false // it runs again when the claim lapses
	}
	r.dropKept(ctx, note.Conversation)
	r.endDone(ctx, d)
	return true
}

// endGivenUp drops a closed conversation whose handler is not run again,
// saying so: an error line and the given_up count.
func (r *Runtime) endGivenUp(ctx context.Context, d sessions.Due, note endNote, why string) {
	r.log.Error("conversation_end given up: its handler is not run again", "conversation", note.Conversation, "cause", why)
	r.metrics.conversationEnd(endGivenUp)
	r.dropKept(ctx, note.Conversation)
	r.endDone(ctx, d)
}

// dropKept deletes a closed conversation's kept state.
func (r *Runtime) dropKept(ctx context.Context, conversation string) {
	if err := r.store.Delete(ctx, r.closedKey(conversation)); err != nil {
		r.log.Warn("conversation_end: drop a closed conversation's kept state", "conversation", conversation, "err", err)
	}
}
