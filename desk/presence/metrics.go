package presence

import "github.com/prometheus/client_golang/prometheus"

// Metrics are the sync's Prometheus collectors, shared by every bot's
// Syncer of a process (each Syncer labels with its bot).
type Metrics struct {
	behind *prometheus.GaugeVec
	total  *prometheus.CounterVec
}

// NewMetrics creates the collectors and registers them with reg (nil:
// not registered). Call it once per registry.
//
//	dialogd_presence_sync_behind{bot}                    1 while the sync is behind (Status.Behind)
//	dialogd_presence_sync_total{bot,direction,result}    direction: publish | subscribe
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		behind: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "dialogd_presence_sync_behind",
			Help: "1 while a bot's Omni-Channel presence sync is behind: its last successful poll is older than three poll intervals, or publishes are failing.",
		}, []string{"bot"}),
		total: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "dialogd_presence_sync_total",
			Help: "Presence changes the Omni-Channel sync handled, by direction (publish: desk to Salesforce; subscribe: Salesforce to desk) and result (ok, error, unmapped, unlinked, echo, unchanged, no_rule).",
		}, []string{"bot", "direction", "result"}),
	}
	if reg != nil {
		reg.MustRegister(m.behind, m.total)
	}
	return m
}

// Results counted by dialogd_presence_sync_total.
const (
	resultOK        = "ok"        // written to the other side
	resultError     = "error"     // the write failed (a publish is retried)
	resultUnmapped  = "unmapped"  // the agent's rule has no line for the state or status
	resultUnlinked  = "unlinked"  // the agent has no linked Salesforce user (publish), or no agent has the user (subscribe)
	resultEcho      = "echo"      // the change came from the other side (not sent back)
	resultUnchanged = "unchanged" // the desk already shows the mapped state
	resultNoRule    = "no_rule"   // no rule covers the agent
)

func (m *Metrics) count(bot, direction, result string) {
	if m != nil {
		m.total.WithLabelValues(bot, direction, result).Inc()
	}
}

func (m *Metrics) setBehind(bot string, behind bool) {
	if m == nil {
		return
	}
	v := 0.0
	if behind {
		v = 1
	}
	m.behind.WithLabelValues(bot).Set(v)
}
