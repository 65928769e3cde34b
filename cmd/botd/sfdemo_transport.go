package main

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
)

// inProcess is the transport of botd's own calls to the Salesforce demo's
// emulated org: a request for the org's address is served by the emulator
// in this process, not through botd's listener, where the desk's
// background syncs would count against the connection caps meant for
// visitors. Other requests (botd's demo API on the same address, say) go
// to next.
type inProcess struct {
	host string       // the org's host:port
	org  http.Handler // the emulator
	next http.RoundTripper
}

func (t inProcess) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.URL.Host != t.host || !orgPath(req.URL.Path) {
		return t.next.RoundTrip(req)
	}
	in := req.Clone(req.Context())
	in.RemoteAddr = "127.0.0.1:1" // as from botd's own loopback address
	in.RequestURI = in.URL.RequestURI()
	rec := httptest.NewRecorder()
	t.org.ServeHTTP(rec, in)
	resp := rec.Result()
	resp.Request = req
	return resp, nil
}

// orgPath reports whether botd serves path from the emulated org
// (sfDemoPaths); botd's other paths on the same address (the demo API)
// are not the org's.
func orgPath(path string) bool {
	for _, p := range sfDemoPaths {
		if path == p || strings.HasSuffix(p, "/") && strings.HasPrefix(path, p) {
			return true
		}
	}
	return false
}

// inProcessTransport wraps next so that calls to the demo org stay in
// this process; next itself when the demo is off.
func (s *server) inProcessTransport(next http.RoundTripper) http.RoundTripper {
	if s.sfdemo == nil {
		return next
	}
	u, err := url.Parse(s.sfdemo.login)
	if err != nil {
		return next
	}
	return inProcess{host: u.Host, org: s.sfdemo.sim, next: next}
}
