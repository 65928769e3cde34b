package sfsim_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/botforge/dialogd/sfsim"
)

// A test starts the demo org, takes an access token through the Go API and
// talks to the REST API like any Salesforce client would.
func ExampleNew() {
	s, err := sfsim.New()
	if err != nil {
		panic(err)
	}
	ts := httptest.NewServer(s)
	defer ts.Close()
	g, err := s.IssueToken("demo@dialogd.example")
	if err != nil {
		panic(err)
	}
	req, _ := http.NewRequest("POST", ts.URL+"/services/data/v62.0/sobjects/Lead",
		strings.NewReader(`{"LastName":"Example","Company":"Example Inc"}`))
	req.Header.Set("Authorization", "Bearer "+g.AccessToken)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		panic(err)
	}
	defer resp.Body.Close()
	var out struct {
		ID      string `json:"id"`
		Success bool   `json:"success"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&out)
	fmt.Println(resp.StatusCode, out.Success, out.ID[:3], len(out.ID))
	fmt.Println(resp.Header.Get("Sforce-Limit-Info"))

	// Fault injection: the next data call fails with 503.
	_ = s.FailNext(1, sfsim.FaultUnavailable, "")
	req, _ = http.NewRequest("GET", ts.URL+"/services/data/v62.0/limits", nil)
	req.Header.Set("Authorization", "Bearer "+g.AccessToken)
	resp2, err := http.DefaultClient.Do(req)
	if err != nil {
		panic(err)
	}
	resp2.Body.Close()
	fmt.Println(resp2.StatusCode)
	// Output:
	// 201 true 00Q 18
	// api-usage=1/15000
	// 503
}
