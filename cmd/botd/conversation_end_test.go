package main

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/botforge/dialogd/channels/wstest"
)

// TestEndFrameAndFixedLanguage: through botd, ?lang= fixes the reply
// language whatever the user types, and an end frame ends the conversation
// (its variables are gone; frame numbers go on) while the socket stays
// open.
func TestEndFrameAndFixedLanguage(t *testing.T) {
	in := startBotd(t, nil, "-bot", "testdata/ending")
	q := url.Values{"lang": {"de-DE"}}
	c := &client{wstest.DialSession(t, wstest.URL("http://"+in.addr, q), http.Header{"Origin": {"http://" + in.addr}})}
	c.ExpectTurn("Willkommen!")
	c.SayExpect("count", "1")
	c.SayExpect("count", "2")
	c.SayExpect("restart", "Okay, wir fangen von vorne an.")
	c.SayExpect("count", "3") // a restart keeps conversation variables

	before := c.LastSeq
	wstest.Send(t, c.Conn, `{"type":"end","id":"e1"}`)
	f := c.SayExpect("count", "1") // a new conversation
	if f.Seq <= before {
		t.Errorf("first frame after the end has seq %d; want more than %d", f.Seq, before)
	}
}
