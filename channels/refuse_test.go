package channels

import (
	"net/http"
	"strings"
	"testing"

	"github.com/gorilla/websocket"
	"github.com/prometheus/client_golang/prometheus"
)

// TestSameOriginComparesScheme: with no allowlist, the Origin must name
// the server's own scheme as well as its host:port (gorilla's default
// check compares the host only, so https:// and ftp:// passed).
func TestSameOriginComparesScheme(t *testing.T) {
	tests := []struct {
		name      string
		publicURL string
		scheme    string // the Origin's scheme, with the test server's host:port
		want      int
	}{
		{"own scheme", "", "http", http.StatusSwitchingProtocols},
		{"own scheme, other case", "", "HTTP", http.StatusSwitchingProtocols},
		{"https for an http server", "", "https", http.StatusForbidden},
		{"ftp", "", "ftp", http.StatusForbidden},
		{"ws", "", "ws", http.StatusForbidden},
		{"behind a TLS proxy, https page", "https://bot.example", "https", http.StatusSwitchingProtocols},
		{"behind a TLS proxy, http page", "https://bot.example", "http", http.StatusForbidden},
		{"http public URL, http page", "http://bot.example", "http", http.StatusSwitchingProtocols},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts := startServer(t, newFakeConv(), Options{PublicURL: tt.publicURL})
			origin := tt.scheme + "://" + strings.TrimPrefix(ts.http.URL, "http://")
			if got := handshakeStatus(t, ts, origin); got != tt.want {
				t.Errorf("Origin %s: handshake status = %d; want %d", origin, got, tt.want)
			}
		})
	}
}

// TestSameOriginRefusesOddOrigins: an Origin with a path, user info or
// garbage is not the server's origin.
func TestSameOriginRefusesOddOrigins(t *testing.T) {
	ts := startServer(t, newFakeConv(), Options{})
	host := strings.TrimPrefix(ts.http.URL, "http://")
	for _, origin := range []string{"http://" + host + "/path", "http://user@" + host, "null", "http://" + host + ".evil.example", "%zz"} {
		if got := handshakeStatus(t, ts, origin); got != http.StatusForbidden {
			t.Errorf("Origin %q: handshake status = %d; want %d", origin, got, http.StatusForbidden)
		}
	}
}

func handshakeStatus(t *testing.T, ts *testServer, origin string) int {
	t.Helper()
	c, resp, err := websocket.DefaultDialer.Dial(ts.url(nil), http.Header{"Origin": {origin}})
	if c != nil {
		defer c.Close()
	}
	if resp == nil {
		t.Fatalf("Dial() = %v with no response", err)
	}
	return resp.StatusCode
}

// TestRefusedDataFramesClose: protocol v1 is text frames of UTF-8 JSON;
// a binary frame closes with 1003 and a text frame that is not UTF-8
// with 1007 (RFC 6455 §7.4.1), without reaching the runtime, and the
// refusal is counted.
func TestRefusedDataFramesClose(t *testing.T) {
	tests := []struct {
		name   string
		kind   int
		data   string
		code   int
		reason string
	}{
		{"binary JSON", websocket.BinaryMessage, `{"type":"message","id":"b1","text":"hi"}`, websocket.CloseUnsupportedData, refusedBinary},
		{"binary garbage", websocket.BinaryMessage, "\x00\x01\x02", websocket.CloseUnsupportedData, refusedBinary},
		{"invalid UTF-8", websocket.TextMessage, "{\"type\":\"message\",\"id\":\"u1\",\"text\":\"caf\xe9\"}", websocket.CloseInvalidFramePayloadData, refusedInvalidUTF8},
		{"lone surrogate", websocket.TextMessage, "{\"type\":\"message\",\"id\":\"u2\",\"text\":\"\xed\xa0\x80\"}", websocket.CloseInvalidFramePayloadData, refusedInvalidUTF8},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			reg := prometheus.NewRegistry()
			ts := startServer(t, newFakeConv(), Options{Registerer: reg})
			c, _ := ts.openSession(t)
			if err := c.WriteMessage(tt.kind, []byte(tt.data)); err != nil {
				t.Fatalf("write: %v", err)
			}
			if got := closeCode(t, c); got != tt.code {
				t.Errorf("close code = %d; want %d", got, tt.code)
			}
			for _, call := range ts.conv.Calls() {
				if strings.HasPrefix(call, "handle") {
					t.Errorf("refused frame reached the runtime: %q", call)
				}
			}
			name := "dialogd_ws_refused_total{" + tt.reason + "}"
			eventually(t, name, func() bool { return gather(t, reg)[name] >= 1 })
			if got := gather(t, reg)[name]; got != 1 {
				t.Errorf("dialogd_ws_refused_total{reason=%q} = %v; want 1", tt.reason, got)
			}
		})
	}
}

// TestValidUTF8Passes: multi-byte text is not mistaken for invalid data.
func TestValidUTF8Passes(t *testing.T) {
	ts := startServer(t, newFakeConv(), Options{})
	c, _ := ts.openSession(t)
	if got := roundTrip(t, c, "m1", "リードを作成 🚀 café"); got.Text != "echo: リードを作成 🚀 café" {
		t.Errorf("reply text = %q; want the echo of the multi-byte text", got.Text)
	}
}
