package main

import (
	"bytes"
	"crypto/rand"
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"time"
)

// demoAPIBaseEnv names the variable the demo bot's bot.yaml builds its
// service URLs from (env.api_base: ${DEMO_API_BASE}).
const demoAPIBaseEnv = "DEMO_API_BASE"

// exportDemoAPIBase tells the demo bot where botd serves the demo API:
// when botd serves it and DEMO_API_BASE is unset or empty, it sets the
// variable to botd's own listen address before the bot files are loaded
// (bot.yaml's ${VAR} references are filled at load time). The call stays on
// the machine even when -public-url names a proxy in front of botd. An
// address that does not parse is left to the listener to report.
func exportDemoAPIBase(cfg *config) {
	if !cfg.DemoAPI || os.Getenv(demoAPIBaseEnv) != "" {
		return
	}
	if base, err := demoAPIBase(cfg.Addr); err == nil {
		os.Setenv(demoAPIBaseEnv, base)
	}
}

// demoAPIBase is the URL of the demo API on the listen address addr. A
// wildcard host (":9090", "0.0.0.0:9090", "[::]:9090") is reached on the
// loopback address of its family.
func demoAPIBase(addr string) (string, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "", fmt.Errorf("botd: demo API address from -addr %q: %w", addr, err)
	}
	switch ip := net.ParseIP(host); {
	case host == "" || ip != nil && ip.IsUnspecified() && ip.To4() != nil:
		host = "127.0.0.1"
	case ip != nil && ip.IsUnspecified():
		host = "::1"
	}
	return "http://" + net.JoinHostPort(host, port) + "/demo/api", nil
}

// demoLatencyEnv names the variable that delays each lead the demo API
// creates (a Go duration such as 500ms), to stand for a slow Salesforce in
// fault and load tests. The delay comes before the lead is created, and a
// caller that hangs up does not stop it, as with a real remote API.
const demoLatencyEnv = "DEMO_API_LATENCY"

// demoAPI is the small lead API the demo bot's service node calls, so the
// demo needs no outside service. It answers like Salesforce's create call:
// 201 {"id":…,"success":true,"errors":[]}, or 400 with an error list. A
// create that carries an Idempotency-Key it has seen (among the last
// demoKeysKept) creates nothing and answers what the first call got, after
// that call finishes; GET /demo/api/leads/count says how many leads it
// created.
func demoAPI(key string) http.Handler {
	api := &demoLeadAPI{key: key, ledger: newLeadLedger(demoKeysKept), latency: demoLatency(os.Getenv(demoLatencyEnv))}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /demo/api/leads", api.create)
	mux.HandleFunc("GET /demo/api/leads/count", api.count)
	return mux
}

// demoLatency parses DEMO_API_LATENCY; a value that is not a duration of
// at least zero is reported and counts as none.
func demoLatency(v string) time.Duration {
	if v == "" {
		return 0
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < 0 {
		slog.Warn("botd: ignoring "+demoLatencyEnv+": want a duration such as 500ms", "value", v)
		return 0
	}
	return d
}

// demoLeadAPI serves the demo API's lead calls.
type demoLeadAPI struct {
	key     string
	ledger  *leadLedger
	latency time.Duration
}

// authorized answers 401 and reports false unless r carries the API key.
func (a *demoLeadAPI) authorized(w http.ResponseWriter, r *http.Request) bool {
	w.Header().Set("Content-Type", "application/json")
	if subtle.ConstantTimeCompare([]byte(r.Header.Get("X-Demo-Key")), []byte(a.key)) == 1 {
		return true
	}
	w.WriteHeader(http.StatusUnauthorized)
	json.NewEncoder(w).Encode(map[string]string{"errorCode": "INVALID_SESSION_ID", "message": "missing or wrong X-Demo-Key"})
	return false
}

// create handles POST /demo/api/leads, once per Idempotency-Key.
func (a *demoLeadAPI) create(w http.ResponseWriter, r *http.Request) {
	if !a.authorized(w, r) {
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 64<<10))
	if err != nil {
		writeOutcome(w, demoError(http.StatusBadRequest, "JSON_PARSER_ERROR", "the body is not a lead"))
		return
	}
	idemKey := r.Header.Get("Idempotency-Key")
	if idemKey == "" {
		writeOutcome(w, a.createLead(body))
		return
	}
	call, first := a.ledger.claim(idemKey, body)
	if first {
		a.ledger.finish(call, a.createLead(body))
		writeOutcome(w, call.outcome)
		return
	}
	if !call.sameBody(body) {
		writeOutcome(w, demoError(http.StatusUnprocessableEntity, "IDEMPOTENCY_KEY_REUSED", "this Idempotency-Key came with another lead"))
		return
	}
	select {
	case <-call.done:
		w.Header().Set("Idempotent-Replayed", "true")
		writeOutcome(w, call.outcome)
	case <-r.Context().Done():
	}
}

// createLead checks body and creates the lead after the configured
// latency. A caller that hangs up meanwhile does not stop it.
func (a *demoLeadAPI) createLead(body []byte) leadOutcome {
	var lead struct{ FirstName, LastName, Company, Email string }
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&lead); err != nil {
		return demoError(http.StatusBadRequest, "JSON_PARSER_ERROR", "the body is not a lead")
	}
	var missing []string
	if strings.TrimSpace(lead.LastName) == "" {
		missing = append(missing, "LastName")
	}
	if strings.TrimSpace(lead.Company) == "" {
		missing = append(missing, "Company")
	}
	if len(missing) > 0 {
		b, _ := json.Marshal(map[string]any{"errorCode": "REQUIRED_FIELD_MISSING", "message": "Required fields are missing: [" + strings.Join(missing, ", ") + "]", "fields": missing})
		return leadOutcome{status: http.StatusBadRequest, body: b}
	}
	time.Sleep(a.latency)
	a.ledger.addLead()
	b, _ := json.Marshal(map[string]any{"id": demoID(), "success": true, "errors": []string{}})
	return leadOutcome{status: http.StatusCreated, body: b}
}

// count handles GET /demo/api/leads/count: {"count":N}, the leads created
// since botd started (calls answered from an Idempotency-Key not counted).
func (a *demoLeadAPI) count(w http.ResponseWriter, r *http.Request) {
	if !a.authorized(w, r) {
		return
	}
	json.NewEncoder(w).Encode(map[string]int{"count": a.ledger.count()})
}

// demoError is an error answer in the demo API's shape.
func demoError(status int, code, message string) leadOutcome {
	b, _ := json.Marshal(map[string]string{"errorCode": code, "message": message})
	return leadOutcome{status: status, body: b}
}

// writeOutcome sends o as a JSON answer.
func writeOutcome(w http.ResponseWriter, o leadOutcome) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(o.status)
	w.Write(append(o.body, '\n'))
}

// demoID makes a Lead-like id: key prefix 00Q and 15 random base-62 characters.
func demoID() string {
	const alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	b := make([]byte, 15)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return "00Q" + string(b)
}
