package channels

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/botforge/dialogd/nodes"
)

// Error codes the channel sends in error frames. The runtime may add its own
// through errors that implement Code() string.
const (
	// CodeBadFrame: the client frame was not valid protocol v1; nothing ran.
	CodeBadFrame = "bad_frame"
	// CodeBusy: too many inputs wait, on this connection or for this
	// conversation (several tabs or clients on one session); the input was
	// dropped and may be sent again later with the same id.
	CodeBusy = "busy"
	// CodeUnavailable: the service cannot run the input right now (store
	// down, server shutting down); try again.
	CodeUnavailable = "unavailable"
	// CodeInternal: the input failed for a reason the client cannot act on.
	CodeInternal = "internal"
	// CodeRateLimited: the connection or its session sent inputs faster
	// than the turn rate limits allow; the input did not run and may be
	// sent again, with the same id, after retry_after_ms.
	CodeRateLimited = "rate_limited"
)

// MaxClientIDLen is the longest client message id accepted, in bytes.
const MaxClientIDLen = 128

// Client frame types.
const (
	frameMessage  = "message"
	framePostback = "postback"
	frameEnd      = "end" // the user closes the conversation (see Ender)
)

// clientFrame is the union of the client frames of protocol v1. Unknown
// fields are ignored, so that newer clients can add fields without breaking
// older servers.
type clientFrame struct {
	Type    string `json:"type"`
	ID      string `json:"id"`
	Text    string `json:"text"`
	Payload string `json:"payload"`
}

// badFrameError says why a client frame was rejected. ReplyTo is the frame's
// id when it could be read.
type badFrameError struct {
	ReplyTo string
	Reason  string
}

func (e *badFrameError) Error() string { return "bad frame: " + e.Reason }

// parseClientFrame decodes and checks one client frame and returns the input
// it carries. Errors are *badFrameError.
func parseClientFrame(data []byte) (nodes.Input, error) {
	var f clientFrame
	if err := json.Unmarshal(data, &f); err != nil {
		return nodes.Input{}, &badFrameError{ReplyTo: salvageID(data), Reason: "frame is not a JSON object of string fields"}
	}
	if len(f.ID) > MaxClientIDLen {
		return nodes.Input{}, &badFrameError{Reason: "id is longer than 128 bytes"}
	}
	switch f.Type {
	case frameMessage:
		switch {
		case f.ID == "":
			return nodes.Input{}, &badFrameError{Reason: "message frame needs an id"}
		case strings.TrimSpace(f.Text) == "":
			return nodes.Input{}, &badFrameError{ReplyTo: f.ID, Reason: "message frame needs a text"}
		}
		return nodes.Input{ID: f.ID, Text: f.Text}, nil
	case framePostback:
		switch {
		case f.ID == "":
			return nodes.Input{}, &badFrameError{Reason: "postback frame needs an id"}
		case f.Payload == "":
			return nodes.Input{}, &badFrameError{ReplyTo: f.ID, Reason: "postback frame needs a payload"}
		}
		return nodes.Input{ID: f.ID, Text: f.Text, Payload: f.Payload}, nil
	case frameEnd:
		if f.ID == "" {
			return nodes.Input{}, &badFrameError{Reason: "end frame needs an id"}
		}
		return nodes.Input{ID: f.ID, Payload: endPayload}, nil
	case "":
		return nodes.Input{}, &badFrameError{ReplyTo: f.ID, Reason: "frame type is missing"}
	default:
		return nodes.Input{}, &badFrameError{ReplyTo: f.ID, Reason: "unknown frame type"}
	}
}

// salvageID returns the id of a frame that failed to decode as a whole (for
// example because another field has the wrong JSON type), so that the error
// frame can name the message it answers.
func salvageID(data []byte) string {
	var f struct {
		ID string `json:"id"`
	}
	if json.Unmarshal(data, &f) != nil || len(f.ID) > MaxClientIDLen {
		return ""
	}
	return f.ID
}

// Server frames that the channel writes itself.

var typingFrame = []byte(`{"type":"typing"}`)

type sessionFrame struct {
	Type      string `json:"type"`
	SessionID string `json:"session_id"`
	UserID    string `json:"user_id,omitempty"`
	// Replay announces that a replayed frame ends this connection's
	// replay (a resume with last_seq), so that a client knows to wait
	// for it before it re-sends anything.
	Replay bool `json:"replay,omitempty"`
}

func encodeSession(id, userID string, replay bool) []byte {
	b, _ := json.Marshal(sessionFrame{Type: "session", SessionID: id, UserID: userID, Replay: replay})
	return b
}

// replayedFrame ends the replay of a resume: the client now has every
// frame up to LastSeq, and what follows is live.
type replayedFrame struct {
	Type    string `json:"type"`
	LastSeq uint64 `json:"last_seq"`
}

func encodeReplayed(lastSeq uint64) []byte {
	b, _ := json.Marshal(replayedFrame{Type: "replayed", LastSeq: lastSeq})
	return b
}

// frameSeq is the seq of a frame of the runtime, 0 when it has none.
// The runtime's frames begin {"type":"…","seq":N (nodes.Reply's field
// order), which is read without decoding the frame; any other shape is
// decoded.
func frameSeq(data []byte) uint64 {
	if seq, ok := leadingSeq(data); ok {
		return seq
	}
	var f struct {
		Seq uint64 `json:"seq"`
	}
	if json.Unmarshal(data, &f) != nil {
		return 0
	}
	return f.Seq
}

type errorFrame struct {
	Type    string `json:"type"`
	Code    string `json:"code"`
	Message string `json:"message"`
	ReplyTo string `json:"reply_to,omitempty"`
	// RetryAfterMS (rate_limited) is how long to wait before sending the
	// input again, in milliseconds.
	RetryAfterMS int64 `json:"retry_after_ms,omitempty"`
}

func encodeError(code, message, replyTo string) []byte {
	b, _ := json.Marshal(errorFrame{Type: "error", Code: code, Message: message, ReplyTo: replyTo})
	return b
}

func encodeRateLimited(replyTo string, retryAfter time.Duration) []byte {
	ms := max(retryAfter.Milliseconds(), 1)
	b, _ := json.Marshal(errorFrame{Type: "error", Code: CodeRateLimited, Message: clientMessages[CodeRateLimited], ReplyTo: replyTo, RetryAfterMS: ms})
	return b
}

// clientMessages are the texts sent with the error codes the channel knows.
var clientMessages = map[string]string{
	CodeBusy:        "too many messages of this conversation are waiting for a reply; wait for the replies and send it again",
	CodeUnavailable: "the service is busy, please try again",
	CodeInternal:    "something went wrong, please try again",
	CodeRateLimited: "too many messages in a short time; wait a moment and send it again",
}

// coder is implemented by runtime errors that carry a client-facing code.
type coder interface{ Code() string }

// errorCode maps a Conversations error to the code and message the client
// sees. The error's own text never reaches the client.
func errorCode(err error) (code, message string) {
	var c coder
	if errors.As(err, &c) {
		code = c.Code()
	}
	if !validCode(code) {
		code = CodeInternal
	}
	message, ok := clientMessages[code]
	if !ok {
		message = "the request could not be completed"
	}
	return code, message
}

// validCode accepts short snake_case codes only, so that a careless Code()
// cannot smuggle arbitrary text to the client.
func validCode(code string) bool {
	if code == "" || len(code) > 32 {
		return false
	}
	for i := 0; i < len(code); i++ {
		c := code[i]
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '_' {
			return false
		}
	}
	return true
}

// leadingSeq reads N from a frame that begins {"type":"<word>","seq":N,
// and reports whether the frame has that shape.
func leadingSeq(data []byte) (uint64, bool) {
	const head = `{"type":"`
	if !bytes.HasPrefix(data, []byte(head)) {
		return 0, false
	}
	rest := data[len(head):]
	i := bytes.IndexByte(rest, '"')
	if i < 0 || bytes.IndexByte(rest[:i], '\\') >= 0 {
		return 0, false
	}
	rest, ok := bytes.CutPrefix(rest[i+1:], []byte(`,"seq":`))
	if !ok {
		return 0, false
	}
	var n uint64
	digits := 0
	for _, c := range rest {
		if c < '0' || c > '9' {
			break
		}
		if digits == 19 {
			return 0, false
		}
		n = n*10 + uint64(c-'0')
		digits++
	}
	if digits == 0 || digits == len(rest) || (rest[digits] != ',' && rest[digits] != '}') {
		return 0, false
	}
	return n, true
}
