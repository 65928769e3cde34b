package main

import (
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
)

// hostAllowlist is the set of host names botd answers to. It stops DNS
// rebinding: a page on an attacker's domain that resolves to botd's
// address sends that domain as Host, which is not in the set. IP
// addresses and "localhost" always pass, as no attacker can rebind them;
// ports are not compared.
type hostAllowlist struct {
	any   bool // -allowed-hosts *
	names map[string]bool
}

// newHostAllowlist allows -allowed-hosts, the host of -public-url and the
// hosts of -addr, -admin-addr and -debug-addr. The main, admin and debug
// addresses share it: a rebinding page must not read /metrics or pprof
// from a loopback admin port either.
func newHostAllowlist(cfg *config) hostAllowlist {
	a := hostAllowlist{names: map[string]bool{"localhost": true}}
	for _, h := range cfg.Edge.AllowedHosts {
		if h == "*" {
			a.any = true
		}
		a.names[hostName(h)] = true
	}
	if u, err := url.Parse(cfg.PublicURL); err == nil && u.Host != "" {
		a.names[hostName(u.Host)] = true
	}
	for _, addr := range []string{cfg.Addr, cfg.Edge.AdminAddr, cfg.DebugAddr} {
		if host, _, err := net.SplitHostPort(addr); err == nil && host != "" {
			a.names[hostName(host)] = true
		}
	}
	return a
}

func (a hostAllowlist) checks() bool { return !a.any }

// allows reports whether a request naming hostport in Host is served.
func (a hostAllowlist) allows(hostport string) bool {
	name := hostName(hostport)
	if a.any || name == "" || a.names[name] {
		return true
	}
	_, err := netip.ParseAddr(name)
	return err == nil
}

// hostName is the lower-case host of a Host value or flag entry, without
// port, IPv6 brackets or a trailing dot.
func hostName(hostport string) string {
	h := strings.TrimSpace(hostport)
	if host, _, err := net.SplitHostPort(h); err == nil {
		h = host
	}
	h = strings.TrimSuffix(strings.TrimPrefix(h, "["), "]")
	return strings.TrimSuffix(strings.ToLower(h), ".")
}

// checkHost answers 421 (Misdirected Request) to a request whose Host is
// not allowed.
func (e *edge) checkHost(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !e.hosts.allows(r.Host) {
			e.refused.WithLabelValues(refusedHost).Inc()
			e.log.DebugContext(r.Context(), "request for a host not served", "host", truncate(r.Host, 100))
			http.Error(w, "botd: this server does not answer to the host name in your request; its operator can add it to -allowed-hosts", http.StatusMisdirectedRequest)
			return
		}
		next.ServeHTTP(w, r)
	})
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}
