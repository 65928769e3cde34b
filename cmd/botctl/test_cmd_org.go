package main

import (
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/botforge/dialogd/dialog/convtest"
	"github.com/botforge/dialogd/sfsim"
)

// testOrgUser is the sfsim user whose token the tests' calls carry.
const testOrgUser = "demo@dialogd.example"

// testOrgClient makes the tests' calls: to the test orgs and whatever
// else the bot calls.
var testOrgClient = &http.Client{Timeout: 30 * time.Second}

// testOrg is a Salesforce botctl test runs against: sfsim with its demo
// data, in this process, on a loopback port of its own. Every tests file
// gets a fresh one, so no file's tests see another's records.
type testOrg struct {
	srv *http.Server
	sf  *convtest.Salesforce // its address and a token of the demo user
}

// startTestOrg starts a new org on 127.0.0.1, on a free port.
func startTestOrg() (*testOrg, error) {
	sim, err := sfsim.New()
	if err != nil {
		return nil, fmt.Errorf("test: sfsim: %w", err)
	}
	grant, err := sim.IssueToken(testOrgUser)
	if err != nil {
		return nil, fmt.Errorf("test: sfsim token: %w", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("test: start sfsim: %w", err)
	}
	o := &testOrg{srv: &http.Server{Handler: sim, ReadHeaderTimeout: 10 * time.Second}}
	go func() { _ = o.srv.Serve(ln) }() // returns when closed
	o.sf = &convtest.Salesforce{BaseURL: "http://" + ln.Addr().String(), Token: grant.AccessToken, HTTP: testOrgClient}
	return o, nil
}

func (o *testOrg) close() { _ = o.srv.Close() }
