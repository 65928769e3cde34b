package main

import (
	"context"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/botforge/dialogd/channels"
	"github.com/botforge/dialogd/nodes"
)

// requestIDHeader carries a request id: botd answers every HTTP request
// with the id it logged it under, and sends the id of the turn on the
// service calls the turn makes.
const requestIDHeader = "X-Request-Id"

type requestIDKey struct{}

// withRequestID returns ctx carrying a new request id: a UUIDv7, so ids
// sort by the time they were minted.
func withRequestID(ctx context.Context) (context.Context, string) {
	id, err := uuid.NewV7()
	if err != nil {
		// Only a failing system random source ends here.
		return ctx, ""
	}
	s := id.String()
	return context.WithValue(ctx, requestIDKey{}, s), s
}

// lazyRequestID is a turn's request id, minted when something first asks
// for it (a log record, a service call): most turns of a bot without
// service calls, logged at info, never need one.
type lazyRequestID struct {
	once sync.Once
	id   string
}

// withLazyRequestID returns ctx carrying a request id minted on first use.
func withLazyRequestID(ctx context.Context) context.Context {
	return context.WithValue(ctx, requestIDKey{}, new(lazyRequestID))
}

// requestIDFrom returns the request id ctx carries, or "".
func requestIDFrom(ctx context.Context) string {
	switch v := ctx.Value(requestIDKey{}).(type) {
	case string:
		return v
	case *lazyRequestID:
		v.once.Do(func() {
			if id, err := uuid.NewV7(); err == nil {
				v.id = id.String()
			}
		})
		return v.id
	}
	return ""
}

// withRequestIDs gives every HTTP request a request id, in its context
// and in the X-Request-Id response header. An X-Request-Id sent by a
// proxy in front of botd is kept when it is a UUID; anything else is
// replaced, so a client cannot put arbitrary text in the logs.
func withRequestIDs(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		var id string
		if in, err := uuid.Parse(r.Header.Get(requestIDHeader)); err == nil {
			id = in.String()
			ctx = context.WithValue(ctx, requestIDKey{}, id)
		} else {
			ctx, id = withRequestID(ctx)
		}
		w.Header().Set(requestIDHeader, id)
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// tracedConversations gives each WebSocket turn its own request id, which
// the logs written with the turn's context and its service calls carry.
type tracedConversations struct {
	channels.Conversations
	log *slog.Logger
}

func (c tracedConversations) Start(ctx context.Context, session, user string) ([][]byte, error) {
	ctx = withLazyRequestID(ctx)
	began := time.Now()
	frames, err := c.Conversations.Start(ctx, session, user)
	c.done(ctx, "start", began, len(frames))
	return frames, err
}

func (c tracedConversations) Handle(ctx context.Context, session, user string, in nodes.Input) ([][]byte, error) {
	ctx = withLazyRequestID(ctx)
	began := time.Now()
	frames, err := c.Conversations.Handle(ctx, session, user, in)
	c.done(ctx, "message", began, len(frames))
	return frames, err
}

// End passes the user's closing of a conversation on to the runtime
// (channels.Ender), traced like a turn.
func (c tracedConversations) End(ctx context.Context, session, user, msgID string) ([][]byte, error) {
	e, ok := c.Conversations.(channels.Ender)
	if !ok {
		return nil, nil
	}
	ctx = withLazyRequestID(ctx)
	began := time.Now()
	frames, err := e.End(ctx, session, user, msgID)
	c.done(ctx, "end", began, len(frames))
	return frames, err
}

var _ channels.Ender = tracedConversations{}

// done logs a finished turn at debug level (errors are logged by the channel).
func (c tracedConversations) done(ctx context.Context, kind string, began time.Time, frames int) {
	if c.log.Enabled(ctx, slog.LevelDebug) {
		c.log.DebugContext(ctx, "turn", "kind", kind, "frames", frames, "took_ms", millis(time.Since(began)))
	}
}

// requestIDTransport sends the request id of the call's context as
// X-Request-Id, unless the call sets that header itself.
type requestIDTransport struct{ next http.RoundTripper }

func (t requestIDTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	id := requestIDFrom(req.Context())
	if id == "" || req.Header.Get(requestIDHeader) != "" {
		return t.next.RoundTrip(req)
	}
	out := req.Clone(req.Context())
	out.Header.Set(requestIDHeader, id)
	return t.next.RoundTrip(out)
}
