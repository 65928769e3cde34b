package main

import (
	"context"
	"log/slog"
	"math"
	"net"
	"net/http"
	"net/url"
	"syscall"

	"github.com/prometheus/client_golang/prometheus"
)

// edge is botd's HTTP edge: the listener's connection caps, the server's
// timeouts and size limits, and the checks every request passes before a
// route sees it (Host, body size, the client a trusted proxy names) and the
// security headers every answer gets.
type edge struct {
	cfg   edgeConfig
	log   *slog.Logger
	hosts hostAllowlist
	hsts  bool // -public-url is https

	refused *prometheus.CounterVec
	open    prometheus.Gauge
}

// openFilesReserve is how many file descriptors -max-conns leaves for
// everything else (Redis, service calls, bot files, the admin listener).
const openFilesReserve = 512

// newEdge builds the edge from the configuration and registers its metrics.
func newEdge(cfg *config, reg prometheus.Registerer, log *slog.Logger) *edge {
	e := &edge{cfg: cfg.Edge, log: log, hosts: newHostAllowlist(cfg)}
	if u, err := url.Parse(cfg.PublicURL); err == nil && u.Scheme == "https" {
		e.hsts = true
	}
	e.refused = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "dialogd_http_refused_total",
		Help: "Connections and requests refused at the HTTP edge, by reason: conns_global, conns_per_ip, host, body_too_large.",
	}, []string{"reason"})
	for _, r := range []string{refusedConnsGlobal, refusedConnsPerIP, refusedHost, refusedBodyTooBig} {
		e.refused.WithLabelValues(r) // every reason shows, at 0
	}
	e.open = prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "dialogd_http_connections",
		Help: "Open connections on the main address (WebSockets included).",
	})
	reg.MustRegister(e.refused, e.open)
	e.fitOpenFiles()
	if !e.hosts.checks() {
		log.Warn("Host is not checked: -allowed-hosts is *")
	}
	return e
}

// fitOpenFiles lowers -max-conns to what the process's open-file limit
// allows, so that a flood meets the cap before accept fails.
func (e *edge) fitOpenFiles() {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil || lim.Cur > math.MaxInt32 {
		return
	}
	fit := int(lim.Cur) - openFilesReserve
	if fit < 1 {
		fit = 1
	}
	if e.cfg.MaxConns > fit {
		e.log.Warn("-max-conns lowered to fit the open-file limit", "max_conns", e.cfg.MaxConns, "open_files", lim.Cur, "now", fit)
		e.cfg.MaxConns = fit
	}
}

// listener wraps botd's main listener with the connection caps.
func (e *edge) listener(ln net.Listener) net.Listener {
	return newConnLimiter(ln, e.cfg.MaxConns, e.cfg.MaxConnsPerIP, e.cfg.ClientNetPrefix, e.cfg.TrustedProxies,
		func(reason string) { e.refused.WithLabelValues(reason).Inc() },
		func(delta int) { e.open.Add(float64(delta)) })
}

// server is the http.Server of the main address, with the edge's
// timeouts and size limits; handler should include wrap's checks.
func (e *edge) server(handler http.Handler, errorLog *slog.Logger) *http.Server {
	return &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: e.cfg.ReadHeaderTimeout,
		// Also bounds a request's body. The WebSocket upgrade clears the
		// connection's deadlines; the channel then sets its own (a read
		// deadline of its pong wait, a write deadline per frame).
		ReadTimeout:    e.cfg.ReadTimeout,
		WriteTimeout:   e.cfg.WriteTimeout,
		IdleTimeout:    e.cfg.IdleTimeout,
		MaxHeaderBytes: e.cfg.MaxHeaderBytes,
		ConnContext:    withLimitedConn,
		ErrorLog:       slog.NewLogLogger(errorLog.Handler(), slog.LevelWarn),
	}
}

// wrap puts the edge's checks in front of handler: security headers on
// every answer, then the Host check, the client's connection cap (behind
// a trusted proxy) and the body cap.
func (e *edge) wrap(handler http.Handler) http.Handler {
	h := e.limitBody(handler)
	h = e.capClient(h)
	h = e.checkHost(h)
	return e.secure(h)
}

type limitedConnKey struct{}

// withLimitedConn keeps the connection in the request context, so that a
// request can count its connection against the client a proxy names.
func withLimitedConn(ctx context.Context, c net.Conn) context.Context {
	if lc, ok := c.(*limitedConn); ok {
		return context.WithValue(ctx, limitedConnKey{}, lc)
	}
	return ctx
}
