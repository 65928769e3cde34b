package main

import (
	"errors"
	"io"
	"net/http"
	"net/netip"
	"strings"
	"sync"
)

// limitBody answers 413 to a request whose declared body is larger than
// -max-body-bytes, and cuts every other body at that size, so that no
// handler reads (or waits for) more. -read-timeout bounds how long it may
// take to arrive.
func (e *edge) limitBody(next http.Handler) http.Handler {
	max := e.cfg.MaxBodyBytes
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength > max {
			e.refused.WithLabelValues(refusedBodyTooBig).Inc()
			w.Header().Set("Connection", "close")
			http.Error(w, "botd: request body too large", http.StatusRequestEntityTooLarge)
			return
		}
		if r.Body != nil && r.Body != http.NoBody {
			r.Body = &countedBody{ReadCloser: http.MaxBytesReader(w, r.Body, max), onLimit: func() {
				e.refused.WithLabelValues(refusedBodyTooBig).Inc()
			}}
		}
		next.ServeHTTP(w, r)
	})
}

// countedBody calls onLimit once when the body turns out too large.
type countedBody struct {
	io.ReadCloser
	onLimit func()
	once    sync.Once
}

func (b *countedBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	var tooLarge *http.MaxBytesError
	if err != nil && errors.As(err, &tooLarge) {
		b.once.Do(b.onLimit)
	}
	return n, err
}

// capClient counts a trusted proxy's connection against the client IP the
// proxy names in -client-ip-header, and answers 503 when that client is at
// -max-conns-per-ip. When the header names no client it can believe
// (missing, or malformed where the client should be), the connection counts
// against the proxy's own address: a connection through a proxy is always
// counted against someone. Connections from anywhere else were counted
// against their own IP when accepted.
func (e *edge) capClient(next http.Handler) http.Handler {
	if len(e.cfg.TrustedProxies) == 0 || e.cfg.MaxConnsPerIP == 0 {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		lc, _ := r.Context().Value(limitedConnKey{}).(*limitedConn)
		if lc != nil && lc.lim.isTrusted(lc.peer) {
			client := forwardedClient(r.Header.Values(e.cfg.ClientIPHeader), lc.lim.isTrusted)
			if !client.IsValid() {
				client = lc.peer // never nobody: the proxy itself
			}
			if !lc.claimClient(client) {
				e.refused.WithLabelValues(refusedConnsPerIP).Inc()
				w.Header().Set("Connection", "close")
				w.Header().Set("Retry-After", "5")
				http.Error(w, "botd: too many open connections from your address; close some and try again later", http.StatusServiceUnavailable)
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// forwardedClient is the client a chain of proxies names, for a request
// that came from a trusted proxy. Each proxy appends the
// address it got the request from, so the header's comma-separated lists
// are read from the right: trusted proxies are skipped and the first other
// address is the client; everything left of it may be forged and is not
// read. When that entry is not an address, or the header is missing or
// empty, it is the zero Addr (the caller counts the proxy itself); when
// every entry is a trusted proxy, the leftmost one (the request began
// inside).
func forwardedClient(values []string, trusted func(netip.Addr) bool) netip.Addr {
	var leftmost netip.Addr
	for i := len(values) - 1; i >= 0; i-- {
		parts := strings.Split(values[i], ",")
		for j := len(parts) - 1; j >= 0; j-- {
			entry := strings.TrimSpace(parts[j])
			if entry == "" && len(parts) == 1 {
				continue // an empty header line names nobody
			}
			hop, ok := parseHop(entry)
			if !ok {
				return netip.Addr{} // malformed where the client should be
			}
			if !trusted(hop) {
				return hop
			}
			leftmost = hop
		}
	}
	return leftmost
}

// parseHop parses one entry of a forwarding header: an IP address, with
// or without a port (IPv4-mapped IPv6 as IPv4, no IPv6 zone).
func parseHop(entry string) (netip.Addr, bool) {
	a, err := netip.ParseAddr(entry)
	if err != nil {
		ap, perr := netip.ParseAddrPort(entry)
		if perr != nil {
			return netip.Addr{}, false
		}
		a = ap.Addr()
	}
	return a.Unmap().WithZone(""), true
}
