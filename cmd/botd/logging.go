package main

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"time"
)

// newLogger returns botd's logger: JSON lines on w at level, durations
// written as <key>_ms numbers of milliseconds, and the request_id of the
// context on every record logged with one (InfoContext and the like).
func newLogger(w io.Writer, level slog.Level) *slog.Logger {
	h := slog.NewJSONHandler(w, &slog.HandlerOptions{Level: level, ReplaceAttr: durationInMS})
	return slog.New(requestIDHandler{h})
}

// durationInMS is the one convention for durations in botd's logs: a
// time.Duration attribute "took" is written as "took_ms", a number of
// milliseconds (fractions down to the microsecond). Packages that log
// durations directly should name them <something>_ms themselves; this
// catches the rest.
func durationInMS(_ []string, a slog.Attr) slog.Attr {
	if a.Value.Kind() != slog.KindDuration {
		return a
	}
	key := a.Key
	if !strings.HasSuffix(key, "_ms") {
		key += "_ms"
	}
	return slog.Float64(key, millis(a.Value.Duration()))
}

// millis is d in milliseconds, to the microsecond.
func millis(d time.Duration) float64 {
	return float64(d.Microseconds()) / 1000
}

// requestIDHandler adds the context's request id to each record.
type requestIDHandler struct{ slog.Handler }

func (h requestIDHandler) Handle(ctx context.Context, r slog.Record) error {
	if id := requestIDFrom(ctx); id != "" {
		r.AddAttrs(slog.String("request_id", id))
	}
	return h.Handler.Handle(ctx, r)
}

func (h requestIDHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return requestIDHandler{h.Handler.WithAttrs(as)}
}

func (h requestIDHandler) WithGroup(name string) slog.Handler {
	return requestIDHandler{h.Handler.WithGroup(name)}
}
