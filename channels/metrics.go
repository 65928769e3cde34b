package channels

import (
	"errors"
	"log/slog"

	"github.com/prometheus/client_golang/prometheus"
)

// metrics are the channel's Prometheus collectors. They exist (and count)
// even when no Registerer is given.
type metrics struct {
	conns prometheus.Gauge
	in    prometheus.Counter
	out   prometheus.Counter
	// refused counts client frames and connects the channel refused, by
	// reason (a rate limit, a binary frame, a resume of another user's
	// session, ...).
	refused *prometheus.CounterVec
}

func newMetrics(reg prometheus.Registerer, log *slog.Logger) *metrics {
	conns := prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "dialogd_ws_connections",
		Help: "Open WebSocket connections of the web channel.",
	})
	frames := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "dialogd_ws_frames_total",
		Help: "WebSocket data frames of the web channel, by direction (in = from clients, out = to clients).",
	}, []string{"direction"})
	refused := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "dialogd_ws_refused_total",
		Help: "Client frames and connects the web channel refused, by reason (rate_limited_connection, rate_limited_session, rate_limited_ip, rate_limited_closed, rate_limited_connect, binary_frame, invalid_utf8, bad_hello, resume_refused).",
	}, []string{"reason"})
	if reg != nil {
		conns = register(reg, conns, log)
		frames = register(reg, frames, log)
		refused = register(reg, refused, log)
	}
	return &metrics{conns: conns, in: frames.WithLabelValues("in"), out: frames.WithLabelValues("out"), refused: refused}
}

// register registers c, or returns the identical collector already
// registered (several WebSocket handlers may share one registry).
func register[C prometheus.Collector](reg prometheus.Registerer, c C, log *slog.Logger) C {
	err := reg.Register(c)
	if err == nil {
		return c
	}
	var are prometheus.AlreadyRegisteredError
	if errors.As(err, &are) {
		if existing, ok := are.ExistingCollector.(C); ok {
			return existing
		}
	}
	log.Warn("websocket metrics not registered", "err", err)
	return c
}
