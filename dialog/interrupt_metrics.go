package dialog

import "github.com/prometheus/client_golang/prometheus"

// What became of an interruption or a held task, the outcome label of
// dialogd_interruptions_total.
const (
	interruptHeld      = "held"        // the running task was held for the new one
	interruptDiscarded = "discarded"   // the running task was dropped for the new one
	interruptRefused   = "not_allowed" // the policy kept the running task
	interruptAsked     = "asked"       // the user was asked what to do
	interruptCapped    = "cap_reached" // held tasks were at the cap: nothing more held
	interruptResumed   = "resumed"     // a held task came back
	interruptDropped   = "dropped"     // a held task was dropped (declined, cancelled, discard all, restart)
)

func newInterruptions() *prometheus.CounterVec {
	return prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "dialogd_interruptions_total",
		Help: "Requests for another task mid-task and held tasks, by outcome (held, discarded, not_allowed, asked, cap_reached, resumed, dropped).",
	}, []string{"outcome"})
}

func (m *Metrics) interrupted(outcome string) {
	if m == nil {
		return
	}
	m.interrupts.WithLabelValues(outcome).Inc()
}
