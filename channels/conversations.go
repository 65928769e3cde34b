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

// Greeter is implemented by Conversations that can show a new session's
// conversation start without storing anything, so that a connect that
// sends nothing costs the session store nothing. Greet returns the frames
// Start would return for the session (numbered the same), and shown =
// true; Start, called later, must store exactly those. shown is false
// when the start cannot be shown without running it for real (it starts
// a task that may call services): the channel then calls Start at once.
type Greeter interface {
	Greet(ctx context.Context, sessionID, userID string) (frames [][]byte, shown bool, err error)
}

// start runs the start of a new session: shown by the Greeter without
// storing it when the runtime can, else stored by Start at once.
func (c *conn) start(ctx context.Context) ([][]byte, error) {
	conv := c.s.conv
	if g, ok := conv.(Greeter); ok {
		frames, shown, err := g.Greet(ctx, c.session, c.ident.UserID)
		if err != nil || shown {
			c.unstarted = shown
			return frames, err
		}
	}
	return conv.Start(ctx, c.session, c.ident.UserID)
}

// storeStart stores the start of a session that was only shown, before
// the session's first input runs. The frames Start returns are those the
// client has already. The first input of a session that another
// connection has started finds its state there: Start leaves it alone.
func (c *conn) storeStart(ctx context.Context) error {
	if !c.unstarted {
		return nil
	}
	if _, err := c.s.conv.Start(ctx, c.session, c.ident.UserID); err != nil {
		return err
	}
	c.unstarted = false
	return nil
}

// unstoredStart is the replay of a session the store has no frame of: a
// session whose start was shown but never stored (the client reloaded
// before it sent anything), or one that expired. When the Greeter can show
// the start, the replay is its frames, which the first input will store
// with the same numbers; the client keeps its numbering when it has them.
func (c *conn) unstoredStart(ctx context.Context) ([][]byte, error) {
	g, ok := c.s.conv.(Greeter)
	if !ok {
		return nil, nil
	}
	frames, shown, err := g.Greet(ctx, c.session, c.ident.UserID)
	if err != nil || !shown {
		return nil, nil // a replay of nothing, as without a Greeter
	}
	c.unstarted = true
	return frames, nil
}

// resumedStart learns, for a resume without last_seq (which replays
// nothing), what the connection needs to number its frames right: the
// frames the session has, and whether its start was only shown (another
// connection greeted the client and nothing was stored since), in which
// case the first input stores it, so that its reply is numbered after it.
func (c *conn) resumedStart(ctx context.Context) error {
	frames, err := c.s.conv.Missed(ctx, c.session, 0)
	if err != nil {
		return err
	}
	if len(frames) == 0 {
		_, err = c.unstoredStart(ctx) // nothing is written: the client has it
		return err
	}
	for _, f := range frames {
		c.sawSeq(frameSeq(f))
	}
	return nil
}
