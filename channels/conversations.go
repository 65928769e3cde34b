package channels

import (
	"context"

	"github.com/botforge/dialogd/nodes"
)

// Conversations is the dialog runtime as the WebSocket channel uses it. The
// frames it returns are complete protocol v1 JSON frames, already numbered
// and stored in the session's outbox, in the order they must be sent.
//
// Errors that carry a client-facing code implement `Code() string` (for
// example "unavailable" when the session store is down); the channel sends
// them as error frames with that code, and uses "internal" for others.
type Conversations interface {
	// Start runs the conversation-start event of a new session.
	Start(ctx context.Context, sessionID, userID string) ([][]byte, error)
	// Handle runs one user input. A message id seen before is not run
	// again; its frames are returned again instead.
	Handle(ctx context.Context, sessionID, userID string, in nodes.Input) ([][]byte, error)
	// Missed returns the session's kept frames with seq > after.
	Missed(ctx context.Context, sessionID string, after uint64) ([][]byte, error)
}

// Ender is implemented by Conversations that act when the user closes a
// conversation (an end frame): the dialog runtime runs its
// conversation_end event and forgets the conversation, so that the
// session's next message starts a new one. A disconnect is not an end: the
// user may reconnect and carry on. msgID is the end frame's id: an end
// sent again (after a reconnect) must not end a conversation begun since.
type Ender interface {
	End(ctx context.Context, sessionID, userID, msgID string) ([][]byte, error)
}

// endPayload is how an end frame travels as a nodes.Input, so that client
// frames have one parser: a postback payload no button carries (a NUL
// byte first). A postback that spells it ends the conversation too, which
// is no more than the client could do with an end frame.
const endPayload = "\x00end"

// endConversation ends the session's conversation when conv supports it.
func endConversation(ctx context.Context, conv Conversations, sessionID, userID, msgID string) ([][]byte, error) {
	if e, ok := conv.(Ender); ok {
		return e.End(ctx, sessionID, userID, msgID)
	}
	return nil, nil
}
