package desk

import "github.com/prometheus/client_golang/prometheus"

// Metrics are the desks' Prometheus metrics, labelled by bot.
type Metrics struct {
	requests     *prometheus.CounterVec
	noAgent      *prometheus.CounterVec
	assigned     *prometheus.CounterVec
	ended        *prometheus.CounterVec
	relayed      *prometheus.CounterVec
	stateChanges *prometheus.CounterVec
	waitSeconds  *prometheus.HistogramVec
}

// NewMetrics creates the metrics and registers them with reg (nil: not
// registered).
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		requests:     prometheus.NewCounterVec(prometheus.CounterOpts{Name: "dialogd_desk_handoffs_total", Help: "Conversations handed over to the desk (queued or taken at once), by queue."}, []string{"bot", "queue"}),
		noAgent:      prometheus.NewCounterVec(prometheus.CounterOpts{Name: "dialogd_desk_no_agent_total", Help: "Handoff requests no agent could take (the user was offered to leave a message or wait), by queue."}, []string{"bot", "queue"}),
		assigned:     prometheus.NewCounterVec(prometheus.CounterOpts{Name: "dialogd_desk_assigned_total", Help: "Conversations routing gave to an agent, by queue."}, []string{"bot", "queue"}),
		ended:        prometheus.NewCounterVec(prometheus.CounterOpts{Name: "dialogd_desk_ended_total", Help: "Handed-off conversations that ended, by who ended them: agent, user, or offline (the agent went offline holding it)."}, []string{"bot", "by"}),
		relayed:      prometheus.NewCounterVec(prometheus.CounterOpts{Name: "dialogd_desk_messages_total", Help: "Messages relayed between users and agents, by direction (to_agent, to_user)."}, []string{"bot", "direction"}),
		stateChanges: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "dialogd_desk_agent_state_changes_total", Help: "Agent state changes, by new state."}, []string{"bot", "state"}),
		waitSeconds:  prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "dialogd_desk_wait_seconds", Help: "How long handed-off conversations waited for an agent, by queue.", Buckets: []float64{1, 5, 15, 30, 60, 120, 300, 600, 1800}}, []string{"bot", "queue"}),
	}
	if reg != nil {
		reg.MustRegister(m.requests, m.noAgent, m.assigned, m.ended, m.relayed, m.stateChanges, m.waitSeconds)
	}
	return m
}
