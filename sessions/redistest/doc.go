// Package redistest runs a throwaway redis-server for tests.
//
// Start launches Debian's redis-server (found on PATH) on a free
// 127.0.0.1 port with persistence off, waits until it answers PING and
// registers a cleanup that kills exactly that process. A missing
// redis-server fails the test instead of skipping it, so a machine without
// Redis cannot pass the integration tests by accident; `make deps` installs it.
// Under `go test -short` (the fast tier, `make test-short`) Start skips the
// test instead, with a message that says so.
//
//	srv := redistest.Start(t)
//	rdb := srv.Client(t)
//	srv.Restart() // same port, empty data
//
// StartCluster launches a 3-master Redis Cluster on loopback the same way
// (redis-cli --cluster create; no replicas); its URL is the
// redis://h1:p1,h2:p2,h3:p3 form the session store takes for a cluster.
package redistest
