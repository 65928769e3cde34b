package wstest_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/botforge/dialogd/channels/wstest"
)

// scriptServer is a real WebSocket server that sends a session frame, then
// answers each client frame with the frames its text names in script.
func scriptServer(t *testing.T, script map[string][]string) *httptest.Server {
	t.Helper()
	up := websocket.Upgrader{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := up.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		defer c.Close()
		_ = c.WriteMessage(websocket.TextMessage, []byte(`{"type":"session","session_id":"s1","user_id":"u1"}`))
		for {
			_, data, err := c.ReadMessage()
			if err != nil {
				return
			}
			var in struct{ Text string }
			_ = json.Unmarshal(data, &in)
			if in.Text == "close" {
				_ = c.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.ClosePolicyViolation, "bye"), time.Now().Add(time.Second))
				return
			}
			for _, f := range script[in.Text] {
				_ = c.WriteMessage(websocket.TextMessage, []byte(f))
			}
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestClientReadsTurns(t *testing.T) {
	srv := scriptServer(t, map[string][]string{
		"two":  {`{"type":"typing"}`, `{"type":"message","seq":2,"text":"a","input":"ignoring"}`, `{"type":"message","seq":3,"text":"b","input":"expecting"}`},
		"auth": {`{"type":"authorize","seq":4,"text":"Sign in","url":"http://x/a","profile":"sf"}`},
		"bad":  {`{"type":"error","code":"bad_frame","message":"no"}`},
	})
	c := wstest.DialSession(t, wstest.URL(srv.URL, nil), nil)
	if c.Session != "s1" || c.UserID != "u1" {
		t.Fatalf("session, user = %q, %q; want s1, u1", c.Session, c.UserID)
	}
	tests := []struct {
		say, want, wantType string
		wantLastSeq         uint64
	}{
		{"two", "a | b", "message", 3},
		{"auth", "Sign in", "authorize", 4},
		{"bad", "error:bad_frame", "error", 4},
	}
	for _, tt := range tests {
		got, f := c.Say(tt.say)
		if got != tt.want || f.Type != tt.wantType || c.LastSeq != tt.wantLastSeq {
			t.Errorf("Say(%q) = %q, last frame %s, LastSeq %d; want %q, a %s frame, LastSeq %d",
				tt.say, got, f.Raw, c.LastSeq, tt.want, tt.wantType, tt.wantLastSeq)
		}
	}
	if got, want := c.N, len(tests); got != want {
		t.Errorf("N = %d after %d messages; want %d", got, len(tests), want)
	}
	c.Send("close")
	if got, want := wstest.CloseCode(t, c.Conn), websocket.ClosePolicyViolation; got != want {
		t.Errorf("CloseCode = %d; want %d", got, want)
	}
}

func TestParseFrame(t *testing.T) {
	tests := []struct {
		in      string
		wantErr bool
	}{
		{in: `{"type":"message","seq":7,"reply_to":"m1","text":"hi","buttons":[{"title":"Yes","payload":"yes"}]}`},
		{in: `{"type":"error","code":"busy","message":"later"}`},
		{in: `not json`, wantErr: true},
		{in: `{"seq":1}`, wantErr: true},
	}
	for _, tt := range tests {
		f, err := wstest.ParseFrame([]byte(tt.in))
		if (err != nil) != tt.wantErr {
			t.Errorf("ParseFrame(%s) error = %v; want error %v", tt.in, err, tt.wantErr)
			continue
		}
		if err == nil && string(f.Raw) != tt.in {
			t.Errorf("ParseFrame(%s).Raw = %s; want the input", tt.in, f.Raw)
		}
	}
	f, _ := wstest.ParseFrame([]byte(tests[0].in))
	if f.Seq != 7 || f.ReplyTo != "m1" || len(f.Buttons) != 1 || f.Buttons[0].Payload != "yes" {
		t.Errorf("ParseFrame decoded %+v; want seq 7, reply_to m1, one button with payload yes", f)
	}
	f, _ = wstest.ParseFrame([]byte(tests[1].in))
	if f.Code != "busy" || f.Message != "later" {
		t.Errorf("ParseFrame decoded %+v; want code busy, message later", f)
	}
}
