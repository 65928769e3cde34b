// Package channels is the WebSocket channel of dialogd: it speaks protocol v1
// (see docs/protocol.md) with the web widget and hands each user input to the
// dialog runtime through the [Conversations] interface.
//
// A [WebSocket] is an http.Handler for the /ws endpoint. It issues signed
// session ids bound to their user ([Signer.IssueSession]: a session
// resumes only for the user it was issued to), resumes sessions after a
// reconnect by replaying the frames a client missed, runs the turns of one
// connection strictly in order, and pushes frames produced outside a turn
// with [WebSocket.Deliver]. A client may present its ids in a hello frame
// (?hello=1) instead of the URL.
//
// Hostile clients are bounded: inputs pass per-connection, per-session and
// per-client-address token buckets (an input over a limit gets a
// rate_limited error frame, does not run, and the connection's next frame
// is read only when its buckets have a token again; a client whose inputs
// are still refused then is closed with 1008), binary frames close with
// 1003 and text that is not UTF-8 with 1007, the same-origin check compares the scheme as well as the
// host, and a connect that sends nothing stores nothing when the runtime
// is a [Greeter].
//
// Every connection has a user: an anonymous user id the channel issues and
// signs ([Signer.IssueUser]) and the client presents again as ?user=, or a
// verified user named by a host site's signed identity token (?identity=,
// see [ParseIdentityToken]), whose user id is "id:" + the token's subject.
// The channel passes the user id as the userID argument of Conversations
// and puts the full [nodes.Identity] into the context of every call
// ([nodes.WithIdentity]). A refused identity token closes the connection
// with 1008 after a bad_identity error frame; there is no silent fallback.
//
// The connection handling follows gorilla's chat example (one reader, read
// limits, deadlines refreshed by pongs) but keeps an idle connection cheap:
// there is no writer goroutine per connection (writes are serialised by a
// mutex and bounded by a write deadline), one shared ticker sends every ping,
// write buffers come from a shared pool, and a turn goroutine exists only
// while a connection has queued input.
package channels
