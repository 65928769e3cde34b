package main

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/json"
	"net/http"
	"strings"
)

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
