package main

import (
	"sync"
	"testing"
)

// adminAddrs maps the main address of a botd a test started in-process to
// its -admin-addr, where /metrics is.
var adminAddrs sync.Map

// noteAdmin records s's admin address under its main address addr.
func noteAdmin(addr string, s *server) {
	if a := s.adminAddr(); a != "" {
		adminAddrs.Store(addr, a)
	}
}

// metricsURL is the /metrics URL of the botd serving addr.
func metricsURL(t testing.TB, addr string) string {
	t.Helper()
	a, ok := adminAddrs.Load(addr)
	if !ok {
		t.Fatalf("botd on %s has no admin address (start it with -admin-addr)", addr)
	}
	return "http://" + a.(string) + "/metrics"
}
