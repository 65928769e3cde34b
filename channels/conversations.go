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
