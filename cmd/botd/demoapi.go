package main

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"strings"
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

// demoAPI is the small lead API the demo bot's service node calls, so the
// demo needs no outside service. It answers like Salesforce's create call:
// 201 {"id":…,"success":true,"errors":[]}, or 400 with an error list.
func demoAPI(key string) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /demo/api/leads", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if subtle.ConstantTimeCompare([]byte(r.Header.Get("X-Demo-Key")), []byte(key)) != 1 {
			w.WriteHeader(http.StatusUnauthorized)
			json.NewEncoder(w).Encode(map[string]string{"errorCode": "INVALID_SESSION_ID", "message": "missing or wrong X-Demo-Key"})
			return
		}
		var lead struct{ FirstName, LastName, Company, Email string }
		dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 64<<10))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&lead); err != nil {
			w.WriteHeader(http.StatusBadRequest)
			json.NewEncoder(w).Encode(map[string]string{"errorCode": "JSON_PARSER_ERROR", "message": "the body is not a lead"})
			return
		}
		var missing []string
		if strings.TrimSpace(lead.LastName) == "" {
			missing = append(missing, "LastName")
		}
		if strings.TrimSpace(lead.Company) == "" {
			missing = append(missing, "Company")
		}
		if len(missing) > 0 {
			w.WriteHeader(http.StatusBadRequest)
			json.NewEncoder(w).Encode(map[string]any{"errorCode": "REQUIRED_FIELD_MISSING", "message": "Required fields are missing: [" + strings.Join(missing, ", ") + "]", "fields": missing})
			return
		}
		w.WriteHeader(http.StatusCreated)
		json.NewEncoder(w).Encode(map[string]any{"id": demoID(), "success": true, "errors": []string{}})
	})
	return mux
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
