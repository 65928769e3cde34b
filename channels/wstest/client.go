package wstest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/gorilla/websocket"
)

// Client is one protocol-v1 connection of a user.
type Client struct {
	TB      testing.TB
	Conn    *websocket.Conn
	Session string // from the session frame
	UserID  string // from the session frame
	LastSeq uint64 // the highest seq read so far (or given to resume)
	N       int    // messages sent by Send; the next id is "m<N+1>"
}

// DialSession connects to url with the request header (nil for none) and
// reads the session frame, failing tb unless it names a session.
func DialSession(tb testing.TB, url string, header http.Header) *Client {
	tb.Helper()
	c := &Client{TB: tb, Conn: DialConn(tb, url, header)}
	f := c.Read()
	if f.Type != "session" || f.SessionID == "" {
		tb.Fatalf("wstest: first frame %s; want a session frame with a session id", f.Raw)
	}
	c.Session, c.UserID = f.SessionID, f.UserID
	return c
}

// Read reads the next frame (see ReadFrame) and notes its seq.
func (c *Client) Read() Frame {
	c.TB.Helper()
	f := ReadFrame(c.TB, c.Conn)
	c.LastSeq = max(c.LastSeq, f.Seq)
	return f
}

// Expect reads the next frame and fails unless its type is typ.
func (c *Client) Expect(typ string) Frame {
	c.TB.Helper()
	f := c.Read()
	if f.Type != typ {
		c.TB.Fatalf("wstest: frame %s has type %q; want %q", f.Raw, f.Type, typ)
	}
	return f
}

// SendMessage sends a message frame with the given id and text.
func (c *Client) SendMessage(id, text string) {
	c.TB.Helper()
	msg, _ := json.Marshal(map[string]string{"type": "message", "id": id, "text": text})
	Send(c.TB, c.Conn, string(msg))
}

// Send sends text as the next numbered message ("m1", "m2", …) and
// returns its id.
func (c *Client) Send(text string) string {
	c.TB.Helper()
	c.N++
	id := fmt.Sprintf("m%d", c.N)
	c.SendMessage(id, text)
	return id
}

// ReadTurn reads the frames up to the end of a turn (a message that does
// not say "ignoring", an authorize frame, or an error frame) and returns
// their texts joined by " | " ("error:CODE" for an error) and the last
// frame. Typing frames are skipped.
func (c *Client) ReadTurn() (string, Frame) {
	c.TB.Helper()
	var texts []string
	for {
		f := c.Read()
		switch {
		case f.Type == "error":
			return "error:" + f.Code, f
		case f.Type == "typing":
			continue
		}
		if f.Text != "" {
			texts = append(texts, f.Text)
		}
		if (f.Type == "message" && f.Input != "ignoring") || f.Type == "authorize" {
			return strings.Join(texts, " | "), f
		}
	}
}

// Say sends text as the next numbered message and reads its turn.
func (c *Client) Say(text string) (string, Frame) {
	c.TB.Helper()
	c.Send(text)
	return c.ReadTurn()
}

// ExpectTurn reads a turn and fails unless its texts are want.
func (c *Client) ExpectTurn(want string) Frame {
	c.TB.Helper()
	got, f := c.ReadTurn()
	if got != want {
		c.TB.Fatalf("wstest: turn = %q; want %q", got, want)
	}
	return f
}

// SayExpect says text and fails unless the turn's texts are want.
func (c *Client) SayExpect(text, want string) Frame {
	c.TB.Helper()
	c.Send(text)
	got, f := c.ReadTurn()
	if got != want {
		c.TB.Fatalf("wstest: say %q: got %q; want %q", text, got, want)
	}
	return f
}
