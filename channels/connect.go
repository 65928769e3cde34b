package channels

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/url"
	"strconv"
	"time"

	"github.com/gorilla/websocket"
)

// helloWait bounds the wait for the hello frame of a connection opened
// with ?hello=1.
const helloWait = 10 * time.Second

// refusedBadHello is the dialogd_ws_refused_total reason of a connection
// whose first frame was not a valid hello frame.
const refusedBadHello = "bad_hello"

// refusedResume is the dialogd_ws_refused_total reason of a presented
// session id that does not verify for the connection's user (another
// user's, an old unbound one, or forged): the connection gets a new session.
const refusedResume = "resume_refused"

// connectParams is what a client presents when it connects: in the query
// string (protocol v1's first form) or in a hello frame (?hello=1), which
// keeps the ids out of URLs and so out of proxy and server access logs.
type connectParams struct {
	session     string
	lastSeq     uint64
	replay      bool // lastSeq was given
	user        string
	identity    string
	hasIdentity bool
	lang        string
}

// paramsFromQuery reads the connect parameters of the query string. A
// last_seq that is not a decimal integer counts as missing.
func paramsFromQuery(q url.Values) connectParams {
	p := connectParams{session: q.Get("session"), user: q.Get("user"), lang: q.Get("lang")}
	p.identity, p.hasIdentity = q.Get("identity"), q.Has("identity")
	if v := q.Get("last_seq"); v != "" {
		if n, err := strconv.ParseUint(v, 10, 64); err == nil {
			p.lastSeq, p.replay = n, true
		}
	}
	return p
}

// helloFrame is the first client frame of a connection opened with
// ?hello=1. Every field is optional, with the meaning of the query
// parameter of the same name.
type helloFrame struct {
	Type     string  `json:"type"`
	Session  string  `json:"session"`
	LastSeq  *uint64 `json:"last_seq"`
	User     string  `json:"user"`
	Identity *string `json:"identity"`
	Lang     string  `json:"lang"`
}

var errNotHello = errors.New("channels: the first frame must be a hello frame")

// parseHello decodes a hello frame into connect parameters.
func parseHello(data []byte) (connectParams, error) {
	var h helloFrame
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&h); err != nil || dec.More() || h.Type != "hello" {
		return connectParams{}, errNotHello
	}
	p := connectParams{session: h.Session, user: h.User, lang: h.Lang}
	if h.LastSeq != nil {
		p.lastSeq, p.replay = *h.LastSeq, true
	}
	if h.Identity != nil {
		p.identity, p.hasIdentity = *h.Identity, true
	}
	return p, nil
}

// readHello reads the hello frame of a connection opened with ?hello=1.
// When it fails, the connection has been closed: silently when the client
// sent nothing in time or went away, with 1003 or 1007 for a binary or
// non-UTF-8 frame, and with a bad_frame error frame and 1008 for any
// other frame.
func (s *WebSocket) readHello(ws *websocket.Conn) (connectParams, bool) {
	_ = ws.SetReadDeadline(time.Now().Add(helloWait))
	kind, data, err := ws.ReadMessage()
	if err != nil {
		s.log.Debug("websocket hello not received", "err", err)
		_ = ws.Close()
		return connectParams{}, false
	}
	s.metrics.in.Inc()
	p, err := parseHello(data)
	code, reason := refuseData(kind, data)
	if code == 0 && err == nil {
		return p, true
	}
	if code == 0 {
		code, reason = websocket.ClosePolicyViolation, refusedBadHello
		_ = ws.SetWriteDeadline(time.Now().Add(s.writeWait))
		if ws.WriteMessage(websocket.TextMessage, encodeError(CodeBadFrame, "the first frame must be a hello frame", "")) == nil {
			s.metrics.out.Inc()
		}
	}
	s.metrics.refused.WithLabelValues(reason).Inc()
	s.closeRefused(ws, code, reason)
	return connectParams{}, false
}

// closeRefused sends a close frame with code on a connection that is not
// registered and waits briefly for the client's close, so that the client
// sees the code rather than a reset.
func (s *WebSocket) closeRefused(ws *websocket.Conn, code int, reason string) {
	defer ws.Close()
	deadline := time.Now().Add(s.writeWait)
	if ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, reason), deadline) != nil {
		return
	}
	_ = ws.SetReadDeadline(time.Now().Add(min(s.writeWait, closeWait)))
	for {
		if _, _, err := ws.NextReader(); err != nil {
			return
		}
	}
}
