package dialog

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/botforge/dialogd/nodes"
)

// TestServiceMetricsAuthorizationIsNotAnError: a call that parks its task
// for the user's authorization has its own class and is not counted in
// dialogd_service_call_errors_total.
func TestServiceMetricsAuthorizationIsNotAnError(t *testing.T) {
	tests := []struct {
		name      string
		status    int
		err       error
		wantClass string
		wantErrs  float64
	}{
		{"ok", 201, nil, "2xx", 0},
		{"authorization required", 0, &nodes.AuthorizationRequiredError{Profile: "crm"}, "authorization_required", 0},
		{"wrapped authorization required", 0, fmt.Errorf("call: %w", nodes.ErrAuthorizationRequired), "authorization_required", 0},
		{"reconnect required", 401, fmt.Errorf("call: %w", nodes.ErrReconnectRequired), "error", 1},
		{"transport error", 0, errors.New("connection refused"), "error", 1},
		{"client error", 404, nil, "4xx", 1},
		{"server error", 503, nil, "5xx", 1},
		{"redirect", 302, nil, "other", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			reg := prometheus.NewRegistry()
			m := NewMetrics(reg)
			m.observeService("create", tt.status, 20*time.Millisecond, tt.err)
			if got := gathered(t, reg, "dialogd_service_call_duration_seconds", "class"); got != tt.wantClass {
				t.Errorf("class = %q, want %q", got, tt.wantClass)
			}
			errs := 0.0
			if gathered(t, reg, "dialogd_service_call_errors_total", "node") == "create" {
				errs = 1
			}
			if errs != tt.wantErrs {
				t.Errorf("errors counted: got %v, want %v", errs, tt.wantErrs)
			}
		})
	}
}

// gathered returns the value of label on the one series of the metric
// name in reg, "" when the metric has no series.
func gathered(t *testing.T, reg *prometheus.Registry, name, label string) string {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		if n := len(mf.GetMetric()); n != 1 {
			t.Fatalf("%s has %d series, want 1", name, n)
		}
		for _, lp := range mf.GetMetric()[0].GetLabel() {
			if lp.GetName() == label {
				return lp.GetValue()
			}
		}
	}
	return ""
}
