package sfsim

import (
	"crypto/rand"
	"encoding/base64"
	"net/http"
	"strings"
	"time"
)

// Grant is one issued OAuth session: an access token, optionally with the
// refresh token that can mint more access tokens for the same user and app.
type Grant struct {
	AccessToken  string
	RefreshToken string // empty when none was issued
	User         *User
	App          *ConnectedApp // nil for SOAP logins and grants made through the Go API without an app
	Scopes       []string
	IssuedAt     time.Time

	family  string // shared by every grant minted from one refresh token
	expired bool   // forced expiry (ExpireAccessTokens)
}

// newToken returns a random URL-safe string of n random bytes behind prefix.
func newToken(prefix string, n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic("sfsim: crypto/rand failed: " + err.Error())
	}
	return prefix + base64.RawURLEncoding.EncodeToString(b)
}

// issueGrant creates and remembers a new grant for u. With withRefresh a
// refresh token is attached. It takes the lock itself.
func (s *Server) issueGrant(u *User, app *ConnectedApp, scopes []string, withRefresh bool) *Grant {
	org15, _ := idKey(s.org.ID)
	g := &Grant{
		AccessToken: newToken(org15+"!AQ", 60),
		User:        u,
		App:         app,
		Scopes:      append([]string(nil), scopes...),
		IssuedAt:    s.now(),
	}
	if withRefresh {
		g.RefreshToken = newToken("5Aep", 60)
	}
	g.family = g.AccessToken
	s.mu.Lock()
	s.grants[g.AccessToken] = g
	if g.RefreshToken != "" {
		s.refresh[g.RefreshToken] = g
	}
	s.mu.Unlock()
	s.markDirty()
	return g
}

// refreshGrant mints a new access token from the refresh-token grant old. If
// rotate is true the returned grant carries a new refresh token and old's
// refresh token stops working; otherwise the returned grant has no refresh
// token and old's stays valid. Revoking the refresh token later also revokes
// every access token minted from it. It takes the lock itself.
func (s *Server) refreshGrant(old *Grant, rotate bool) *Grant {
	org15, _ := idKey(s.org.ID)
	g := &Grant{
		AccessToken: newToken(org15+"!AQ", 60),
		User:        old.User,
		App:         old.App,
		Scopes:      append([]string(nil), old.Scopes...),
		IssuedAt:    s.now(),
		family:      old.family,
	}
	s.mu.Lock()
	if rotate {
		g.RefreshToken = newToken("5Aep", 60)
		delete(s.refresh, old.RefreshToken)
		s.refresh[g.RefreshToken] = g
	}
	s.grants[g.AccessToken] = g
	s.mu.Unlock()
	s.markDirty()
	return g
}

// grantByRefresh returns the grant a refresh token belongs to, or nil if the
// token is unknown or revoked. It takes the read lock.
func (s *Server) grantByRefresh(token string) *Grant {
	if token == "" {
		return nil
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.refresh[token]
}

// revokeToken revokes an access or a refresh token. Revoking a refresh token
// also revokes every access token of its family. It reports whether the
// token was known. It takes the lock itself.
func (s *Server) revokeToken(token string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if g, ok := s.grants[token]; ok {
		delete(s.grants, token)
		_ = g
		s.dirty = true
		return true
	}
	g, ok := s.refresh[token]
	if !ok {
		return false
	}
	delete(s.refresh, token)
	for k, a := range s.grants {
		if a.family == g.family {
			delete(s.grants, k)
		}
	}
	s.dirty = true
	return true
}

// errInvalidSession is what every data call with a missing, unknown, revoked
// or expired token gets.
var errInvalidSession = &APIError{Status: http.StatusUnauthorized, Code: "INVALID_SESSION_ID", Message: "Session expired or invalid"}

// bearerToken extracts the token of an "Authorization: Bearer x" or
// "Authorization: OAuth x" header.
func bearerToken(r *http.Request) string {
	h := r.Header.Get("Authorization")
	for _, scheme := range []string{"Bearer ", "OAuth "} {
		if len(h) > len(scheme) && strings.EqualFold(h[:len(scheme)], scheme) {
			return strings.TrimSpace(h[len(scheme):])
		}
	}
	return ""
}

// authenticate resolves the request's Bearer (or OAuth) token to a live
// grant. Unknown, revoked and expired tokens, and tokens of inactive users,
// give an *APIError that renders as 401 INVALID_SESSION_ID. It takes the
// read lock.
func (s *Server) authenticate(r *http.Request) (*Grant, error) {
	tok := bearerToken(r)
	if tok == "" {
		return nil, errInvalidSession
	}
	return s.grantForToken(tok)
}

// grantForToken is authenticate for a token given directly (SOAP sessionId).
func (s *Server) grantForToken(tok string) (*Grant, error) {
	now := s.now()
	s.mu.RLock()
	defer s.mu.RUnlock()
	g, ok := s.grants[tok]
	if !ok || g.expired || !g.User.Active {
		return nil, errInvalidSession
	}
	if s.org.SessionTimeout > 0 && now.Sub(g.IssuedAt) >= s.org.SessionTimeout {
		return nil, errInvalidSession
	}
	return g, nil
}

// instanceURL is scheme://host of the request, the base a client should use
// for later calls.
func (s *Server) instanceURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	if p := r.Header.Get("X-Forwarded-Proto"); p == "http" || p == "https" {
		scheme = p
	}
	return scheme + "://" + r.Host
}

// now is the server's clock (WithClock replaces it).
func (s *Server) now() time.Time {
	if s.clock != nil {
		return s.clock()
	}
	return time.Now()
}
