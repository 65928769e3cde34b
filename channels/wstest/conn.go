package wstest

import (
	"net/http"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// DialConn opens a WebSocket to url with the request header (nil for
// none), failing tb with the HTTP status when the upgrade is refused. The
// test's cleanup closes the connection.
func DialConn(tb testing.TB, url string, header http.Header) *websocket.Conn {
	tb.Helper()
	c, resp, err := websocket.DefaultDialer.Dial(url, header)
	if err != nil {
		status := 0
		if resp != nil {
			status = resp.StatusCode
		}
		tb.Fatalf("wstest: dial %s: %v (HTTP %d)", url, err, status)
	}
	tb.Cleanup(func() { c.Close() })
	return c
}

// ReadFrame reads the next frame, failing tb when none comes within
// ReadTimeout or it is not a server frame.
func ReadFrame(tb testing.TB, c *websocket.Conn) Frame {
	tb.Helper()
	_ = c.SetReadDeadline(time.Now().Add(ReadTimeout))
	_, data, err := c.ReadMessage()
	if err != nil {
		tb.Fatalf("wstest: read a frame: %v", err)
	}
	f, err := ParseFrame(data)
	if err != nil {
		tb.Fatal(err)
	}
	return f
}

// ExpectType reads the next frame and fails tb unless its type is typ.
func ExpectType(tb testing.TB, c *websocket.Conn, typ string) Frame {
	tb.Helper()
	f := ReadFrame(tb, c)
	if f.Type != typ {
		tb.Fatalf("wstest: frame %s has type %q; want %q", f.Raw, f.Type, typ)
	}
	return f
}

// Send writes one text frame (raw JSON, valid or not).
func Send(tb testing.TB, c *websocket.Conn, raw string) {
	tb.Helper()
	if err := c.WriteMessage(websocket.TextMessage, []byte(raw)); err != nil {
		tb.Fatalf("wstest: send %s: %v", raw, err)
	}
}

// CloseCode reads until the server closes the connection and returns the
// close code, logging any frame that comes before the close. It fails tb
// when the connection ends without a close frame or ReadTimeout passes.
func CloseCode(tb testing.TB, c *websocket.Conn) int {
	tb.Helper()
	_ = c.SetReadDeadline(time.Now().Add(ReadTimeout))
	for {
		_, data, err := c.ReadMessage()
		if err == nil {
			tb.Logf("wstest: frame before close: %s", data)
			continue
		}
		ce, ok := asCloseError(err)
		if !ok {
			tb.Fatalf("wstest: read error %v; want a close frame", err)
		}
		return ce.Code
	}
}
