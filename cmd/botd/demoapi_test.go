package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

const demoTestKey = "demo-test-key"

// demoAnswer is one answer of the demo API, decoded.
type demoAnswer struct {
	status   int
	id       string
	code     string
	replayed bool
}

// postLead posts body to the demo API at base with the Idempotency-Key
// idemKey (none when empty).
func postLead(t *testing.T, base, idemKey, body string) demoAnswer {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, base+"/demo/api/leads", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("X-Demo-Key", demoTestKey)
	if idemKey != "" {
		req.Header.Set("Idempotency-Key", idemKey)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Errorf("post lead: %v", err)
		return demoAnswer{}
	}
	defer resp.Body.Close()
	var got struct{ ID, ErrorCode string }
	if err := json.NewDecoder(resp.Body).Decode(&got); err != nil {
		t.Errorf("post lead: answer is not JSON: %v", err)
	}
	return demoAnswer{status: resp.StatusCode, id: got.ID, code: got.ErrorCode, replayed: resp.Header.Get("Idempotent-Replayed") == "true"}
}

// leadCount asks the demo API at base how many leads it created.
func leadCount(t *testing.T, base, apiKey string) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, base+"/demo/api/leads/count", nil)
	req.Header.Set("X-Demo-Key", apiKey)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("lead count: %v", err)
	}
	defer resp.Body.Close()
	var got struct{ Count int }
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("lead count: HTTP %d %s", resp.StatusCode, b)
	}
	if err := json.NewDecoder(resp.Body).Decode(&got); err != nil {
		t.Fatalf("lead count: %v", err)
	}
	return got.Count
}

const adaLead = `{"FirstName":"Ada","LastName":"Lovelace","Company":"Engines","Email":"ada@example.com"}`

// A create sent again with its Idempotency-Key gets the first answer and
// creates nothing; other keys, or no key, create.
func TestDemoAPIIdempotencyKey(t *testing.T) {
	srv := httptest.NewServer(demoAPI(demoTestKey))
	defer srv.Close()

	first := postLead(t, srv.URL, "k1", adaLead)
	if first.status != http.StatusCreated || first.id == "" || first.replayed {
		t.Fatalf("first create = %+v; want 201 with an id, not replayed", first)
	}
	tests := []struct {
		name        string
		key, body   string
		wantStatus  int
		wantSameID  bool
		wantCode    string
		wantCreated int // leads created after this call
	}{
		{"same key again", "k1", adaLead, http.StatusCreated, true, "", 1},
		{"same key a third time", "k1", adaLead, http.StatusCreated, true, "", 1},
		{"same key, another lead", "k1", `{"LastName":"Hopper","Company":"Navy"}`, http.StatusUnprocessableEntity, false, "IDEMPOTENCY_KEY_REUSED", 1},
		{"another key", "k2", adaLead, http.StatusCreated, false, "", 2},
		{"no key", "", adaLead, http.StatusCreated, false, "", 3},
		{"no key again", "", adaLead, http.StatusCreated, false, "", 4},
		{"invalid lead", "k3", `{"FirstName":"Ada"}`, http.StatusBadRequest, false, "REQUIRED_FIELD_MISSING", 4},
		{"invalid lead again", "k3", `{"FirstName":"Ada"}`, http.StatusBadRequest, false, "REQUIRED_FIELD_MISSING", 4},
	}
	for _, tt := range tests {
		got := postLead(t, srv.URL, tt.key, tt.body)
		if got.status != tt.wantStatus || got.code != tt.wantCode {
			t.Errorf("%s: status %d code %q; want %d %q", tt.name, got.status, got.code, tt.wantStatus, tt.wantCode)
		}
		if sameID := got.id != "" && got.id == first.id; sameID != tt.wantSameID {
			t.Errorf("%s: id %q, first id %q; want same = %v", tt.name, got.id, first.id, tt.wantSameID)
		}
		if n := leadCount(t, srv.URL, demoTestKey); n != tt.wantCreated {
			t.Errorf("%s: %d leads created; want %d", tt.name, n, tt.wantCreated)
		}
	}
}

// Calls with one key that arrive while the first is still running (a
// slow API, a client that gave up and retried) wait for it and get its
// answer: one lead.
func TestDemoAPIIdempotencyKeyConcurrent(t *testing.T) {
	t.Setenv(demoLatencyEnv, "200ms")
	srv := httptest.NewServer(demoAPI(demoTestKey))
	defer srv.Close()

	const callers = 8
	answers := make([]demoAnswer, callers)
	var wg sync.WaitGroup
	for i := range answers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			answers[i] = postLead(t, srv.URL, "same", adaLead)
		}()
	}
	wg.Wait()
	replayed := 0
	for i, a := range answers {
		if a.status != http.StatusCreated || a.id != answers[0].id {
			t.Errorf("caller %d got %+v; want 201 with id %q", i, a, answers[0].id)
		}
		if a.replayed {
			replayed++
		}
	}
	if replayed != callers-1 {
		t.Errorf("%d answers replayed; want %d", replayed, callers-1)
	}
	if n := leadCount(t, srv.URL, demoTestKey); n != 1 {
		t.Errorf("%d leads created; want 1", n)
	}
}

// The API remembers at most demoKeysKept keys: the oldest is forgotten
// first, so memory stays bounded.
func TestLeadLedgerForgetsOldestKey(t *testing.T) {
	const limit = 3
	l := newLeadLedger(limit)
	for i := range limit + 2 {
		c, first := l.claim(fmt.Sprint("k", i), nil)
		if !first {
			t.Fatalf("k%d: claimed before", i)
		}
		l.finish(c, leadOutcome{status: http.StatusCreated})
	}
	if n := l.keys(); n != limit {
		t.Errorf("%d keys kept; want %d", n, limit)
	}
	tests := []struct {
		key       string
		wantFirst bool
	}{
		{"k4", false},
		{"k3", false},
		{"k2", false},
		{"k0", true}, // forgotten; claiming it again pushes k2 out
		{"k2", true},
	}
	for _, tt := range tests {
		if _, first := l.claim(tt.key, nil); first != tt.wantFirst {
			t.Errorf("claim %s: first = %v; want %v", tt.key, first, tt.wantFirst)
		}
	}
}

// The count needs the API key like the create.
func TestDemoAPICountNeedsKey(t *testing.T) {
	srv := httptest.NewServer(demoAPI(demoTestKey))
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/demo/api/leads/count")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("count without key: HTTP %d; want 401", resp.StatusCode)
	}
}
