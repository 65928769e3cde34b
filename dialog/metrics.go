package dialog

import (
	"errors"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/botforge/dialogd/nodes"
)

// Metrics are the runtime's Prometheus metrics. A nil *Metrics records nothing.
type Metrics struct {
	turns        *prometheus.CounterVec
	turnLatency  prometheus.Histogram
	tasksEnded   *prometheus.CounterVec
	serviceCalls *prometheus.HistogramVec
	serviceErrs  *prometheus.CounterVec
	convEnds     *prometheus.CounterVec // conversation_end.go
	interrupts   *prometheus.CounterVec // interrupt_metrics.go
}

// NewMetrics creates the runtime metrics and registers them with reg. A
// server of several bots creates one Metrics per bot, each with reg
// wrapped to add the bot's label (prometheus.WrapRegistererWith), so that
// every series says which bot it counts.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		turns: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "dialogd_turns_total", Help: "User turns processed, by result (ok, replayed, error, unavailable).",
		}, []string{"result"}),
		turnLatency: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "dialogd_turn_duration_seconds", Help: "Time to process one user turn, store round trips included.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 20},
		}),
		tasksEnded: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "dialogd_tasks_ended_total", Help: "Dialog tasks ended, by task and reason.",
		}, []string{"task", "reason"}),
		serviceCalls: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "dialogd_service_call_duration_seconds", Help: "Service node HTTP call latency, by node and class (2xx, 4xx, 5xx, other, error, authorization_required).",
			Buckets: prometheus.DefBuckets,
		}, []string{"node", "class"}),
		serviceErrs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "dialogd_service_call_errors_total", Help: "Service node calls that failed (transport error, timeout or non-2xx), by node; a call that waits for the user's authorization is not a failure.",
		}, []string{"node"}),
		convEnds:   newConversationEndRuns(),
		interrupts: newInterruptions(),
	}
	if reg != nil {
		reg.MustRegister(m.turns, m.turnLatency, m.tasksEnded, m.serviceCalls, m.serviceErrs, m.convEnds, m.interrupts)
	}
	return m
}

func (m *Metrics) turnDone(result string, began time.Time) {
	if m == nil {
		return
	}
	m.turns.WithLabelValues(result).Inc()
	if result == "ok" {
		m.turnLatency.Observe(time.Since(began).Seconds())
	}
}

func (m *Metrics) taskEnded(task string, reason nodes.Reason) {
	if m == nil || task == "" {
		return
	}
	m.tasksEnded.WithLabelValues(task, string(reason)).Inc()
}

func (m *Metrics) observeService(node string, status int, d time.Duration, err error) {
	class := serviceClass(status, err)
	m.serviceCalls.WithLabelValues(node, class).Observe(d.Seconds())
	if class != "2xx" && class != classAuthorizationRequired {
		m.serviceErrs.WithLabelValues(node).Inc()
	}
}

// classAuthorizationRequired is the class of a call that parked its task
// until the user grants access: an outcome of its own, not an error.
const classAuthorizationRequired = "authorization_required"

// serviceClass is the class label of a service call's outcome.
func serviceClass(status int, err error) string {
	switch {
	case errors.Is(err, nodes.ErrAuthorizationRequired):
		return classAuthorizationRequired
	case err != nil:
		return "error"
	case status >= 200 && status < 300:
		return "2xx"
	case status >= 400 && status < 500:
		return "4xx"
	case status >= 500:
		return "5xx"
	}
	return "other"
}
