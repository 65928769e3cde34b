package sfsim

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

// TestControlRoutes calls every control route once, in order, and checks
// the answer and, where it is cheap to see, the effect.
func TestControlRoutes(t *testing.T) {
	e := newEnv(t)
	send := func(method, path, body string) (int, string) {
		t.Helper()
		req, err := http.NewRequest(method, e.ts.URL+path, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		if body == "" {
			req.Body, req.ContentLength = nil, 0
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	steps := []struct {
		method, path, body string
		wantStatus         int
		wantInBody         string
	}{
		{"POST", "/__sim__/faults", `{"kind":"unavailable","count":3}`, 200, `{"ok":true}`},
		{"DELETE", "/__sim__/faults", "", 200, `{"ok":true}`},
		{"POST", "/__sim__/latency/", `{"ms":0}`, 200, `{"ok":true}`},
		{"GET", "/__sim__/faults", "", 404, "NOT_FOUND"},
		{"POST", "/__sim__/users/active", `{"username":"nobody@x.example","active":true}`, 404, "SIM_ERROR"},
		{"POST", "/__sim__/users/active", `{"username":"` + demoUser + `","active":true}`, 200, `{"ok":true}`},
		{"POST", "/__sim__/revoke-refresh-tokens", `{"username":"` + demoUser + `"}`, 200, `{"ok":true}`},
		{"POST", "/__sim__/api-usage", `{}`, 400, "used is required"},
		{"POST", "/__sim__/api-usage", `{"used":42}`, 200, `{"ok":true}`},
		{"POST", "/__sim__/token", `{"username":"` + demoUser + `"}`, 200, `"instance_url":"` + e.ts.URL + `"`},
		{"DELETE", "/__sim__/requests", "", 200, `{"ok":true}`},
		{"GET", "/__sim__/requests", "", 200, "null"},
	}
	for _, st := range steps {
		status, body := send(st.method, st.path, st.body)
		if status != st.wantStatus || !strings.Contains(body, st.wantInBody) {
			t.Errorf("%s %s %s = %d %s; want %d with %s", st.method, st.path, st.body, status, body, st.wantStatus, st.wantInBody)
		}
	}
	// The faults were cleared before any data call could meet them.
	if resp, b := e.call("GET", v+"/limits", nil); resp.StatusCode != 200 {
		t.Errorf("data call after DELETE /faults = %d %s; want 200", resp.StatusCode, b)
	}
	if used, _ := e.s.APIUsage(); used != 43 {
		t.Errorf("API usage = %d; want 43 (42 set, then one call)", used)
	}
}
