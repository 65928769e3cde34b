package dialog

import "github.com/prometheus/client_golang/prometheus"

// Outcomes of a conversation_end handler run, the outcome label of
// dialogd_conversation_end_runs_total.
const (
	endOK      = "ok"       // finished on its first run, or an idle conversation's run
	endFailed  = "failed"   // did not finish: it is run again later
	endRetried = "retried"  // a closed conversation's handler finished on a later run
	endGivenUp = "given_up" // a closed conversation's handler is not run again (Options.EndRetryMaxAge, or its kept state is gone)
)

func newConversationEndRuns() *prometheus.CounterVec {
	return prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "dialogd_conversation_end_runs_total",
		Help: "conversation_end handler runs, by outcome (ok, failed, retried, given_up).",
	}, []string{"outcome"})
}

// conversationEnd counts one conversation_end handler run.
func (m *Metrics) conversationEnd(outcome string) {
	if m == nil {
		return
	}
	m.convEnds.WithLabelValues(outcome).Inc()
}
