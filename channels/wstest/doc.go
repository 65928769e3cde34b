// Package wstest is a protocol-v1 WebSocket client for tests, shared by the
// channel's own tests and botd's end-to-end tests.
//
// Frame is any server frame, decoded (a nodes.Reply plus the channel's
// session and error fields). Every read has a deadline (ReadTimeout): a
// hang fails the test with what was expected instead of stalling it. The
// package-level functions work on a bare *websocket.Conn; Client adds the
// session it was given, the last seq seen, numbered message ids and
// turn-level helpers.
//
//	c := wstest.DialSession(t, wstest.URL(srv.URL, nil), nil)
//	c.ExpectTurn("Hello!")
//	if got, _ := c.Say("help"); got != want { … }
package wstest
