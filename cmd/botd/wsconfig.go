package main

import (
	"flag"
	"fmt"
	"net/http"
	"net/netip"
	"strconv"

	"github.com/botforge/dialogd/channels"
)

// wsConfig is the configuration of the web channel's turn rate limits:
// how many inputs one connection, all connections of one session, and all
// connections of one client address may send (token buckets: a burst,
// refilled at a rate).
type wsConfig struct {
	ConnTurnRate     float64
	ConnTurnBurst    int
	SessionTurnRate  float64
	SessionTurnBurst int
	IPTurnRate       float64
	IPTurnBurst      int
}

// register adds the web channel's flags to fl; env gives each flag's
// environment fallback. The returned finish parses what the flags hold
// once fl.Parse has run.
func (w *wsConfig) register(fl *flag.FlagSet, env func(name, def string) string) (finish func() error) {
	limits := []struct {
		name, envName string
		def           float64
		integer       bool
		usage         string
		raw           *string
	}{
		{"ws-turn-rate", "WS_TURN_RATE", channels.DefaultConnTurnRate, false, "inputs per second one WebSocket connection may send on average; more get a rate_limited error frame", nil},
		{"ws-turn-burst", "WS_TURN_BURST", channels.DefaultConnTurnBurst, true, "inputs one WebSocket connection may send at once", nil},
		{"ws-session-turn-rate", "WS_SESSION_TURN_RATE", channels.DefaultSessionTurnRate, false, "inputs per second the connections of one session (tabs) may send together to this instance", nil},
		{"ws-session-turn-burst", "WS_SESSION_TURN_BURST", channels.DefaultSessionTurnBurst, true, "inputs the connections of one session may send at once", nil},
		{"ws-ip-turn-rate", "WS_IP_TURN_RATE", channels.DefaultIPTurnRate, false, "inputs per second the WebSocket connections of one client address (IPv4, or IPv6 /64; behind -trusted-proxies the client they name) may send together to this instance", nil},
		{"ws-ip-turn-burst", "WS_IP_TURN_BURST", channels.DefaultIPTurnBurst, true, "inputs the connections of one client address may send at once", nil},
	}
	for i := range limits {
		l := &limits[i]
		l.raw = fl.String(l.name, env(l.envName, strconv.FormatFloat(l.def, 'g', -1, 64)), l.usage+" (env "+l.envName+")")
	}
	return func() error {
		vals := make([]float64, len(limits))
		for i, l := range limits {
			v, err := strconv.ParseFloat(*l.raw, 64)
			if l.integer && err == nil && v != float64(int(v)) {
				err = strconv.ErrSyntax
			}
			if err != nil || !(v > 0) || v > 1e9 {
				return fmt.Errorf("-%s: want a positive number such as %g, got %q", l.name, l.def, *l.raw)
			}
			vals[i] = v
		}
		w.ConnTurnRate, w.ConnTurnBurst = vals[0], int(vals[1])
		w.SessionTurnRate, w.SessionTurnBurst = vals[2], int(vals[3])
		w.IPTurnRate, w.IPTurnBurst = vals[4], int(vals[5])
		return nil
	}
}

// wsClientIP is the channel's Options.ClientIP: the peer's address, or,
// for a peer in -trusted-proxies, the client it names in
// -client-ip-header, as the HTTP edge counts connections ("" when a
// trusted proxy names nobody: no per-address input limit then).
func wsClientIP(e *edgeConfig) func(*http.Request) string {
	trusted := func(ip netip.Addr) bool {
		for _, p := range e.TrustedProxies {
			if p.Contains(ip) {
				return true
			}
		}
		return false
	}
	return func(r *http.Request) string {
		ap, err := netip.ParseAddrPort(r.RemoteAddr)
		if err != nil || !trusted(ap.Addr().Unmap()) {
			return r.RemoteAddr
		}
		if client := forwardedClient(r.Header.Values(e.ClientIPHeader), trusted); client.IsValid() {
			return client.String()
		}
		// A trusted proxy that names no client: the proxy is the client
		// (never nobody, which would skip the per-address bucket).
		return ap.Addr().Unmap().String()
	}
}
