package channels

import (
	"time"
	"unicode/utf8"

	"github.com/gorilla/websocket"
)

// Reasons a connection is closed for a frame it sent, as metric labels.
const (
	refusedBinary      = "binary_frame"
	refusedInvalidUTF8 = "invalid_utf8"
)

// refuseData says whether a data frame of the given kind breaks protocol
// v1 (RFC 6455 §7.4.1): a binary frame gets 1003 (unsupported data), a text
// frame that is not UTF-8 gets 1007 (invalid payload data). It returns 0
// for a frame to process.
func refuseData(kind int, data []byte) (code int, reason string) {
	switch {
	case kind != websocket.TextMessage:
		return websocket.CloseUnsupportedData, refusedBinary
	case !utf8.Valid(data):
		return websocket.CloseInvalidFramePayloadData, refusedInvalidUTF8
	}
	return 0, ""
}

// closeFor closes the connection with code after a frame the protocol
// does not allow, counting it under reason. No frame is written after the
// close frame; the reader goes on reading (and dropping) until the client
// answers the close or closeWait passes (see discardUntilClosed), so that
// the client sees the code rather than a reset.
func (c *conn) closeFor(code int, reason string) {
	c.s.metrics.refused.WithLabelValues(reason).Inc()
	c.s.log.Debug("websocket closed for a refused frame", "session", logID(c.session), "reason", reason)
	c.wmu.Lock()
	defer c.wmu.Unlock()
	if c.dead {
		return
	}
	c.dead = true
	c.replaying, c.held = false, nil
	deadline := time.Now().Add(c.s.writeWait)
	_ = c.ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, reason), deadline)
	_ = c.ws.SetReadDeadline(time.Now().Add(min(c.s.writeWait, closeWait)))
}

// discardUntilClosed reads and drops what the client still sends after a
// close frame went out, until its close (or closeFor's deadline) ends the
// connection.
func (c *conn) discardUntilClosed() {
	c.ws.SetPongHandler(nil) // pongs no longer push the deadline
	for {
		if _, _, err := c.ws.NextReader(); err != nil {
			return
		}
	}
}
