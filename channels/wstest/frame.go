package wstest

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/gorilla/websocket"

	"github.com/botforge/dialogd/nodes"
)

// ReadTimeout bounds every read: a frame that does not come within it is a
// bug (a hang), not a slow machine.
const ReadTimeout = 10 * time.Second

// Frame is a server frame of protocol v1: a reply of the runtime (message,
// authorize, handoff, with its seq) or a frame of the channel itself
// (session, typing, error, replayed). Raw is the frame as received.
type Frame struct {
	nodes.Reply
	SessionID string `json:"session_id"` // session
	UserID    string `json:"user_id"`    // session
	Replay    bool   `json:"replay"`     // session: a replayed frame ends the replay
	Code      string `json:"code"`       // error
	Message   string `json:"message"`    // error
	LastSeq   uint64 `json:"last_seq"`   // replayed
	Raw       []byte `json:"-"`
}

// ParseFrame decodes one server frame.
func ParseFrame(data []byte) (Frame, error) {
	var f Frame
	if err := json.Unmarshal(data, &f); err != nil {
		return Frame{}, fmt.Errorf("wstest: server frame %q is not JSON: %w", data, err)
	}
	if f.Type == "" {
		return Frame{}, fmt.Errorf("wstest: server frame %q has no type", data)
	}
	f.Raw = data
	return f, nil
}

// URL turns an http:// or https:// base URL into the ws:// or wss:// URL of
// its /ws endpoint with the query q (nil for none).
func URL(base string, q url.Values) string {
	u := "ws" + strings.TrimPrefix(base, "http") + "/ws"
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	return u
}

// asCloseError reports whether err is a close frame from the peer.
func asCloseError(err error) (*websocket.CloseError, bool) {
	ce, ok := err.(*websocket.CloseError)
	return ce, ok
}
