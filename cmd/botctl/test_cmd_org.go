package main

import (
	"fmt"
	"net"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/botforge/dialogd/dialog/convtest"
	"github.com/botforge/dialogd/sfsim"
)

// testOrgUser is the sfsim user whose token the tests' calls carry.
const testOrgUser = "demo@dialogd.example"

// testOrg is the Salesforce botctl test runs against: sfsim, in this
// process, on a loopback port. Every tests file gets a fresh org with
// the emulator's demo data behind the same address, so no file's tests
// see another's records.
type testOrg struct {
	url     string
	srv     *http.Server
	current atomic.Pointer[sfsim.Server]
	client  *http.Client
}

// startTestOrg listens on 127.0.0.1 on a free port.
func startTestOrg() (*testOrg, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("test: start sfsim: %w", err)
	}
	o := &testOrg{url: "http://" + ln.Addr().String()}
	o.srv = &http.Server{Handler: http.HandlerFunc(o.serve), ReadHeaderTimeout: 10 * time.Second}
	o.client = &http.Client{Timeout: 30 * time.Second}
	go func() { _ = o.srv.Serve(ln) }() // returns when closed
	return o, nil
}

func (o *testOrg) serve(w http.ResponseWriter, r *http.Request) {
	sim := o.current.Load()
	if sim == nil {
		http.Error(w, "no test is running", http.StatusServiceUnavailable)
		return
	}
	sim.ServeHTTP(w, r)
}

// fresh starts a new org with the demo data and returns it as the tests
// see it: its address and a token of the demo user.
func (o *testOrg) fresh() (*convtest.Salesforce, error) {
	sim, err := sfsim.New()
	if err != nil {
		return nil, fmt.Errorf("test: sfsim: %w", err)
	}
	grant, err := sim.IssueToken(testOrgUser)
	if err != nil {
		return nil, fmt.Errorf("test: sfsim token: %w", err)
	}
	o.current.Store(sim)
	return &convtest.Salesforce{BaseURL: o.url, Token: grant.AccessToken, HTTP: o.client}, nil
}

func (o *testOrg) close() { _ = o.srv.Close() }
