package sfsim

import (
	"net/http"
	"sync"
	"time"
)

const defaultLogSize = 10000

// LoggedRequest is one entry of the request log. Bodies and credentials are
// never recorded; Query keeps the URL query string, which for /query holds
// the SOQL text.
type LoggedRequest struct {
	Time     time.Time     `json:"time"`
	Method   string        `json:"method"`
	Path     string        `json:"path"`
	Query    string        `json:"query,omitempty"`
	Status   int           `json:"status"`
	Duration time.Duration `json:"durationNs"`
}

// reqLog keeps the most recent requests.
type reqLog struct {
	mu      sync.Mutex
	max     int
	entries []LoggedRequest
}

func (l *reqLog) add(r *http.Request, status int, start time.Time, d time.Duration) {
	e := LoggedRequest{Time: start, Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery, Status: status, Duration: d}
	if r.URL.Path == "/services/oauth2/token" || r.URL.Path == "/services/oauth2/revoke" {
		e.Query = "" // may carry credentials
	}
	l.mu.Lock()
	if len(l.entries) >= l.max {
		n := copy(l.entries, l.entries[len(l.entries)-l.max/2:])
		l.entries = l.entries[:n]
	}
	l.entries = append(l.entries, e)
	l.mu.Unlock()
}

// Requests returns a copy of the logged requests, oldest first (at most the
// last 10,000).
func (s *Server) Requests() []LoggedRequest {
	s.reqlog.mu.Lock()
	defer s.reqlog.mu.Unlock()
	return append([]LoggedRequest(nil), s.reqlog.entries...)
}

// ResetRequests empties the request log.
func (s *Server) ResetRequests() {
	s.reqlog.mu.Lock()
	s.reqlog.entries = nil
	s.reqlog.mu.Unlock()
}
