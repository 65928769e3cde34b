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
// -max-conns-per-ip. Connections from anywhere else were counted against
// their own IP when accepted.
func (e *edge) capClient(next http.Handler) http.Handler {
	if len(e.cfg.TrustedProxies) == 0 || e.cfg.MaxConnsPerIP == 0 {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		lc, _ := r.Context().Value(limitedConnKey{}).(*limitedConn)
		if lc != nil && lc.lim.isTrusted(lc.peer) {
			client := forwardedClient(r.Header.Values(e.cfg.ClientIPHeader), lc.lim.isTrusted)
			if client.IsValid() && !lc.claimClient(client) {
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

// forwardedClient is the client a chain of proxies names: the rightmost
// address of the header's comma-separated lists that is not a trusted
// proxy (each proxy appends the address it got the request from, so
// everything left of the first untrusted one may be forged). The zero Addr
// when the header holds no address.
func forwardedClient(values []string, trusted func(netip.Addr) bool) netip.Addr {
	var hops []netip.Addr
	for _, v := range values {
		for _, part := range strings.Split(v, ",") {
			a, err := netip.ParseAddr(strings.TrimSpace(part))
			if err != nil {
				if ap, perr := netip.ParseAddrPort(strings.TrimSpace(part)); perr == nil {
					a, err = ap.Addr(), nil
				}
			}
			if err != nil {
				return netip.Addr{} // a malformed chain names nobody
			}
			hops = append(hops, a.Unmap())
		}
	}
	for i := len(hops) - 1; i >= 0; i-- {
		if !trusted(hops[i]) || i == 0 {
			return hops[i]
		}
	}
	return netip.Addr{}
}
