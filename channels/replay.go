package channels

import (
	"time"

	"github.com/gorilla/websocket"
)

// The replay of a resume (?session=…&last_seq=n) and what keeps it
// exactly-once:
//
//   - The replay job asks the runtime for the frames from seq n on (n
//     itself included, when n > 0): finding frame n proves that the
//     server's numbering reaches what the client says it has. It writes the
//     frames after n and then a replayed frame naming the highest seq the
//     client now has (shown).
//   - Frames Deliver hands to the connection while the replay runs are
//     held and written after the replayed frame, except those the replay
//     already sent, so that nothing overtakes or repeats the replay.
//   - A repeated message id is answered by the runtime with the frames of
//     its first delivery; those up to shown are not written again.
//
// When the runtime has no frame n (the session's state expired or was
// lost), shown is 0: the server vouches for nothing the client has, and
// nothing is filtered.

// replayFrom is the after argument of Conversations.Missed for a client's
// last_seq: one lower, so that frame last_seq comes back too.
func replayFrom(lastSeq uint64) uint64 {
	if lastSeq == 0 {
		return 0
	}
	return lastSeq - 1
}

// endReplay writes what the replay job got from Missed, the replayed
// frame and the frames held meanwhile. A failed Missed closes the
// connection (see failReplay).
func (c *conn) endReplay(lastSeq uint64, frames [][]byte, err error) {
	if err != nil {
		code, message := errorCode(err)
		c.s.log.Error("websocket replay failed", "session", logID(c.session), "code", code, "err", err)
		c.failReplay(code, message)
		return
	}
	c.wmu.Lock()
	defer c.wmu.Unlock()
	var shown uint64
	for _, f := range frames {
		seq := frameSeq(f)
		if seq != 0 && seq <= lastSeq {
			shown = max(shown, seq) // the client's own last frame: it has it
			continue
		}
		if c.writeLocked(f) != nil {
			return
		}
		shown = max(shown, seq)
	}
	c.shown = shown
	c.seen = max(c.seen, shown, lastSeq)
	if c.writeLocked(encodeReplayed(shown)) != nil {
		return
	}
	held := c.held
	c.held, c.replaying = nil, false
	for _, f := range held {
		if seq := frameSeq(f); seq != 0 && seq <= shown {
			continue // committed before Missed read the outbox: replayed
		}
		if c.writeLocked(f) != nil {
			return
		}
	}
}

// failReplay sends the error frame of a failed replay and closes the
// connection with 1013 (try again later): without its replay the client
// cannot know what it missed, and reconnecting later is how it asks again.
func (c *conn) failReplay(code, message string) {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	c.held, c.replaying = nil, false
	_ = c.writeLocked(encodeError(code, message, ""))
	if c.dead {
		return
	}
	c.dead = true // no data frame may follow the close frame
	deadline := time.Now().Add(c.s.writeWait)
	closeMsg := websocket.FormatCloseMessage(websocket.CloseTryAgainLater, "replay failed")
	_ = c.ws.WriteControl(websocket.CloseMessage, closeMsg, deadline)
	// The reader ends when the client answers the close frame, or soon.
	_ = c.ws.SetReadDeadline(time.Now().Add(min(c.s.writeWait, closeWait)))
}

// unshown drops the frames of a turn's answer that the client has by its
// last_seq or by this connection's replay: the answer to a message id sent
// again after a resume is the frames of its first delivery.
func (c *conn) unshown(frames [][]byte) [][]byte {
	c.wmu.Lock()
	shown := c.shown
	c.wmu.Unlock()
	if shown == 0 {
		return frames
	}
	out := make([][]byte, 0, len(frames))
	for _, f := range frames {
		if seq := frameSeq(f); seq == 0 || seq > shown {
			out = append(out, f)
		}
	}
	return out
}

// deliver writes frames produced outside a turn of this connection, or
// holds them while the connection's replay runs. It reports whether the
// connection took them all.
func (c *conn) deliver(frames [][]byte) bool {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	if c.replaying && !c.dead {
		c.held = append(c.held, frames...)
		return true
	}
	for _, f := range frames {
		seq := frameSeq(f)
		if seq != 0 && seq <= c.shown {
			continue // the replay sent it already (the bus was slower than the outbox)
		}
		if c.writeLocked(f) != nil {
			return false
		}
		c.seen = max(c.seen, seq)
	}
	return true
}
