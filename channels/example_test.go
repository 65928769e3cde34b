package channels_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"strings"

	"github.com/gorilla/websocket"

	"github.com/botforge/dialogd/channels"
	"github.com/botforge/dialogd/nodes"
)

// echo is a toy runtime: it greets and repeats what the user says.
type echo struct{}

func (echo) Start(context.Context, string, string) ([][]byte, error) {
	return [][]byte{[]byte(`{"type":"message","seq":1,"text":"Hi!","input":"accepting"}`)}, nil
}

func (echo) Handle(_ context.Context, _, _ string, in nodes.Input) ([][]byte, error) {
	return [][]byte{[]byte(fmt.Sprintf(`{"type":"message","seq":2,"reply_to":%q,"text":%q,"input":"accepting"}`, in.ID, in.Text))}, nil
}

func (echo) Missed(context.Context, string, uint64) ([][]byte, error) { return nil, nil }

func ExampleNew() {
	ws := channels.New(echo{}, channels.Options{Secret: []byte("at-least-16-bytes-of-secret")})
	srv := httptest.NewServer(ws) // in cmd/botd: mux.Handle("/ws", ws)
	defer srv.Close()
	defer ws.Shutdown(context.Background())

	c, _, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(srv.URL, "http")+"/ws", nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer c.Close()
	read := func() {
		var f struct{ Type, Text string }
		if err := c.ReadJSON(&f); err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(strings.TrimSpace(f.Type + " " + f.Text))
	}
	read() // session (the id is random)
	read() // typing
	read() // the greeting
	_ = c.WriteMessage(websocket.TextMessage, []byte(`{"type":"message","id":"c-1","text":"ping"}`))
	read()
	read()
	// Output:
	// session
	// typing
	// message Hi!
	// typing
	// message ping
}
