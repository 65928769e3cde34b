package sfsim

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"
)

// FaultKind is an error a fault rule injects into data API calls.
type FaultKind string

const (
	// FaultUnavailable answers 503 SERVER_UNAVAILABLE.
	FaultUnavailable FaultKind = "unavailable"
	// FaultRequestLimit answers 403 REQUEST_LIMIT_EXCEEDED.
	FaultRequestLimit FaultKind = "request_limit"
	// FaultLockRow answers 400 UNABLE_TO_LOCK_ROW.
	FaultLockRow FaultKind = "lock_row"
)

// ErrUnknownFault is returned for a FaultKind sfsim does not know.
var ErrUnknownFault = errors.New("unknown fault kind")

// ErrUnknownUser is returned by the Go API for a username not in the org.
var ErrUnknownUser = errors.New("unknown user")

func (k FaultKind) apiError() (*APIError, error) {
	switch k {
	case FaultUnavailable:
		e := *errOutage
		return &e, nil
	case FaultRequestLimit:
		return &APIError{Status: http.StatusForbidden, Code: "REQUEST_LIMIT_EXCEEDED", Message: "TotalRequests Limit exceeded."}, nil
	case FaultLockRow:
		return &APIError{Status: http.StatusBadRequest, Code: "UNABLE_TO_LOCK_ROW", Message: "unable to obtain exclusive access to this record or 1 records", Fields: []string{}}, nil
	}
	return nil, fmt.Errorf("fault %q: %w", k, ErrUnknownFault)
}

type faultRule struct {
	err       *APIError
	remaining int
	path      string // data path prefix after /services/data/vNN.N, "" = any
}

// faultState holds pending fault rules, the injected latency, the outage
// switch and the countdown to a token expiry.
type faultState struct {
	mu       sync.Mutex
	rules    []*faultRule
	latency  time.Duration
	down     bool // every call but control calls answers 503
	expireIn int  // > 0: access tokens expire after this many more API calls
}

// errOutage is what every call gets while the org is down.
var errOutage = &APIError{Status: http.StatusServiceUnavailable, Code: "SERVER_UNAVAILABLE",
	Message: "Server is temporarily unavailable. Please try again later."}

// isDown reports whether SetDown switched the org off.
func (f *faultState) isDown() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.down
}

// tickExpiry counts one admitted API call against ExpireTokensAfter's
// countdown and reports whether the tokens expire now.
func (f *faultState) tickExpiry() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.expireIn <= 0 {
		return false
	}
	f.expireIn--
	return f.expireIn == 0
}

// take consumes one matching rule and returns its error, or nil.
func (f *faultState) take(r *http.Request) *APIError {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.rules) == 0 {
		return nil
	}
	p := r.URL.Path
	if i := strings.Index(p, ".0/"); i >= 0 {
		p = p[i+2:]
	} else {
		p = strings.TrimPrefix(p, "/services") // /apexrest/…
	}
	for i, rule := range f.rules {
		if rule.path != "" && !strings.HasPrefix(p, rule.path) {
			continue
		}
		rule.remaining--
		if rule.remaining <= 0 {
			f.rules = append(f.rules[:i:i], f.rules[i+1:]...)
		}
		return rule.err
	}
	return nil
}

// delay sleeps for the injected latency (or until the request is cancelled).
func (f *faultState) delay(ctx context.Context) {
	f.mu.Lock()
	d := f.latency
	f.mu.Unlock()
	if d <= 0 {
		return
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}

// FailNext makes the next n data API calls whose path (after
// /services/data/vNN.N, or /apexrest/… for Apex REST) starts with
// pathPrefix fail with kind. An empty prefix matches every data and Apex
// REST call. Authentication and the daily limit are
// checked first, so a faulted call still counts as an API call.
func (s *Server) FailNext(n int, kind FaultKind, pathPrefix string) error {
	e, err := kind.apiError()
	if err != nil {
		return err
	}
	if n <= 0 {
		return nil
	}
	s.faults.mu.Lock()
	s.faults.rules = append(s.faults.rules, &faultRule{err: e, remaining: n, path: pathPrefix})
	s.faults.mu.Unlock()
	return nil
}

// SetLatency delays every request except control calls by d.
func (s *Server) SetLatency(d time.Duration) {
	s.faults.mu.Lock()
	s.faults.latency = d
	s.faults.mu.Unlock()
}

// ClearFaults removes pending faults, latency, an outage and a pending
// token expiry.
func (s *Server) ClearFaults() {
	s.faults.mu.Lock()
	s.faults.rules, s.faults.latency, s.faults.down, s.faults.expireIn = nil, 0, false, 0
	s.faults.mu.Unlock()
}

// SetDown switches the org off (true) or back on: while it is down every
// request but control calls (OAuth, SOAP, data and Apex REST alike) answers
// 503 SERVER_UNAVAILABLE and counts no API call; tokens and records
// survive. It is the "Salesforce down, then back" of a polling client's
// tests, which need not know how many calls the outage lasts.
func (s *Server) SetDown(down bool) {
	s.faults.mu.Lock()
	s.faults.down = down
	s.faults.mu.Unlock()
}

// ExpireTokensAfter makes every access token expire once n more API calls
// (data or Apex REST) have been admitted, as ExpireAccessTokens would then:
// the n-th call is still answered, the next one gets 401
// INVALID_SESSION_ID. It puts a token expiry at an exact point of a sync
// (between two query pages, say). n <= 0 expires the tokens now.
func (s *Server) ExpireTokensAfter(n int) {
	if n <= 0 {
		s.ExpireAccessTokens()
		return
	}
	s.faults.mu.Lock()
	s.faults.expireIn = n
	s.faults.mu.Unlock()
}

// ExpireAccessTokens makes every access token issued so far invalid, as if
// the session timeout had passed; refresh tokens keep working.
func (s *Server) ExpireAccessTokens() {
	s.mu.Lock()
	for _, g := range s.grants {
		g.expired = true
	}
	s.dirty = true
	s.mu.Unlock()
}

// RevokeRefreshTokens revokes every refresh token (and the access tokens
// minted from them). With a username only that user's tokens go.
func (s *Server) RevokeRefreshTokens(username string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	families := map[string]bool{}
	for tok, g := range s.refresh {
		if username == "" || strings.EqualFold(g.User.Username, username) {
			families[g.family] = true
			delete(s.refresh, tok)
		}
	}
	for tok, g := range s.grants {
		if families[g.family] {
			delete(s.grants, tok)
		}
	}
	s.dirty = true
}

// SetUserActive activates or deactivates a user. Tokens of an inactive user
// are refused with INVALID_SESSION_ID and logins fail.
func (s *Server) SetUserActive(username string, active bool) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.userByUsernameLocked(username)
	if u == nil {
		return fmt.Errorf("set user active %q: %w", username, ErrUnknownUser)
	}
	u.Active = active
	s.putUserRecordLocked(u, s.now())
	s.dirty = true
	return nil
}

// IssueToken issues an access token for username through the Go API (no app,
// no refresh token), for clients that log in with an existing access token.
func (s *Server) IssueToken(username string) (*Grant, error) {
	u := s.userByUsername(username)
	if u == nil {
		return nil, fmt.Errorf("issue token for %q: %w", username, ErrUnknownUser)
	}
	return s.issueGrant(u, nil, []string{"api"}, false), nil
}
