package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/pprof"

	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// adminServer serves the operator's endpoints on -admin-addr, apart from
// the public address: /metrics, and /healthz and /readyz for probes that
// must answer while the public address is at its connection cap. It
// checks Host as the main address does.
type adminServer struct {
	ln   net.Listener
	http *http.Server
}

// openAdmin listens on -admin-addr; without one, botd serves no metrics.
func (s *server) openAdmin() error {
	addr := s.cfg.Edge.AdminAddr
	if addr == "" {
		s.log.Info("metrics off: set -admin-addr to serve /metrics on a separate address")
		return nil
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("-admin-addr: %w", err)
	}
	mux := http.NewServeMux()
	mux.Handle("/metrics", promhttp.HandlerFor(s.reg, promhttp.HandlerOpts{}))
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok\n") })
	mux.HandleFunc("/readyz", s.readyz(true))
	e := s.cfg.Edge
	s.admin = &adminServer{ln: ln, http: &http.Server{
		Handler:           s.edge.checkHost(mux),
		ReadHeaderTimeout: e.ReadHeaderTimeout,
		ReadTimeout:       e.ReadTimeout,
		WriteTimeout:      e.WriteTimeout,
		IdleTimeout:       e.IdleTimeout,
		MaxHeaderBytes:    e.MaxHeaderBytes,
	}}
	s.log.Info("admin listening", "addr", ln.Addr().String())
	return nil
}

// debugHandler serves Go's pprof profiles on -debug-addr, behind the Host
// check of the main address (a rebinding page could otherwise read the
// heap of a loopback botd).
func (s *server) debugHandler() http.Handler {
	dbg := http.NewServeMux()
	dbg.HandleFunc("/debug/pprof/", pprof.Index)
	dbg.HandleFunc("/debug/pprof/profile", pprof.Profile)
	dbg.HandleFunc("/debug/pprof/trace", pprof.Trace)
	return s.edge.checkHost(dbg)
}

// adminAddr is the admin listener's address, "" without one.
func (s *server) adminAddr() string {
	if s.admin == nil {
		return ""
	}
	return s.admin.ln.Addr().String()
}

// serveAdmin serves the admin address until stopAdmin.
func (s *server) serveAdmin() {
	if s.admin == nil {
		return
	}
	go func() {
		if err := s.admin.http.Serve(s.admin.ln); !errors.Is(err, http.ErrServerClosed) {
			s.log.Error("admin listener stopped", "err", err)
		}
	}()
}

func (s *server) stopAdmin(ctx context.Context) {
	if s.admin != nil {
		_ = s.admin.http.Shutdown(ctx)
	}
}
