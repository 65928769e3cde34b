package dialog

import (
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
}

// NewMetrics creates the runtime metrics and registers them with reg.
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
			Name: "dialogd_service_call_duration_seconds", Help: "Service node HTTP call latency, by node and status class.",
			Buckets: prometheus.DefBuckets,
		}, []string{"node", "class"}),
		serviceErrs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "dialogd_service_call_errors_total", Help: "Service node calls that failed (transport error, timeout or non-2xx), by node.",
		}, []string{"node"}),
	}
	if reg != nil {
		reg.MustRegister(m.turns, m.turnLatency, m.tasksEnded, m.serviceCalls, m.serviceErrs)
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
	class := "error"
	switch {
	case err == nil && status >= 200 && status < 300:
		class = "2xx"
	case err == nil && status >= 400 && status < 500:
		class = "4xx"
	case err == nil && status >= 500:
		class = "5xx"
	case err == nil:
		class = "other"
	}
	m.serviceCalls.WithLabelValues(node, class).Observe(d.Seconds())
	if class != "2xx" {
		m.serviceErrs.WithLabelValues(node).Inc()
	}
}
