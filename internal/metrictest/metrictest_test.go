package metrictest_test

import (
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/botforge/dialogd/internal/metrictest"
)

func TestValue(t *testing.T) {
	reg := prometheus.NewRegistry()
	c := prometheus.NewCounterVec(prometheus.CounterOpts{Name: "c_total", Help: "c"}, []string{"bot", "result"})
	g := prometheus.NewGauge(prometheus.GaugeOpts{Name: "g", Help: "g"})
	reg.MustRegister(c, g)
	c.WithLabelValues("a", "ok").Add(2)
	c.WithLabelValues("b", "ok").Add(3)
	c.WithLabelValues("a", "error").Inc()
	g.Set(7)
	tests := []struct {
		name   string
		labels map[string]string
		want   float64
	}{
		{"c_total", map[string]string{"bot": "a", "result": "ok"}, 2},
		{"c_total", map[string]string{"result": "ok"}, 5},
		{"c_total", nil, 6},
		{"c_total", map[string]string{"result": "busy"}, 0},
		{"g", nil, 7},
		{"missing", nil, 0},
	}
	for _, tt := range tests {
		if got := metrictest.Value(t, reg, tt.name, tt.labels); got != tt.want {
			t.Errorf("Value(%s, %v): got %v, want %v", tt.name, tt.labels, got, tt.want)
		}
	}
}
