package sfsim

import (
	"net/http"
	"strings"
	"testing"
)

func TestSmokeCreateReadQuery(t *testing.T) {
	e := newEnv(t)
	resp, b := e.call("POST", "/services/data/v62.0/sobjects/Lead", map[string]any{"LastName": "Smoke", "Company": "Acme", "Email": "smoke@x.example"})
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("create: %d %s", resp.StatusCode, b)
	}
	id := mustJSON(t, b).(map[string]any)["id"].(string)
	resp, b = e.call("GET", "/services/data/v62.0/sobjects/Lead/"+id, nil)
	if resp.StatusCode != 200 || !strings.Contains(string(b), `"Status":"Open - Not Contacted"`) {
		t.Fatalf("read: %d %s", resp.StatusCode, b)
	}
	resp, b = e.call("GET", "/services/data/v62.0/query?q=SELECT+Id,Name+FROM+Lead+WHERE+Email='smoke@x.example'", nil)
	if resp.StatusCode != 200 || !strings.Contains(string(b), id) {
		t.Fatalf("query: %d %s", resp.StatusCode, b)
	}
	t.Logf("%s", b)
	if got := resp.Header.Get("Sforce-Limit-Info"); !strings.HasPrefix(got, "api-usage=3/") {
		t.Errorf("Sforce-Limit-Info = %q", got)
	}
}
