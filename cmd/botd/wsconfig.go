package main

import (
	"flag"
	"fmt"
	"strconv"

	"github.com/botforge/dialogd/channels"
)

// wsConfig is the configuration of the web channel's turn rate limits:
// how many inputs one connection, and all connections of one session
// together, may send (token buckets: a burst, refilled at a rate).
type wsConfig struct {
	ConnTurnRate     float64
	ConnTurnBurst    int
	SessionTurnRate  float64
	SessionTurnBurst int
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
		return nil
	}
}
