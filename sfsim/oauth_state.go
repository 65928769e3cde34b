package sfsim

import (
	"crypto/rand"
	"encoding/base64"
	"strings"
	"sync"
	"time"
)

// Lifetimes of the short-lived OAuth artefacts.
const (
	codeLifetime      = 15 * time.Minute // authorization codes, as on Salesforce
	pendingLifetime   = 30 * time.Minute // an authorize request waiting for login or consent
	maxPendingEntries = 10000            // bound on stored pending requests and codes
)

// oauthState is what the OAuth side keeps besides the grants held by the
// core: pending authorize requests, authorization codes, browser login
// sessions and the approvals users gave to connected apps. It has its own
// lock and is never used while the server lock is held.
type oauthState struct {
	mu        sync.Mutex
	pending   map[string]*pendingAuth // by request id (hidden form field)
	codes     map[string]*authCode    // by code
	sessions  map[string]string       // browser session cookie -> user id
	approvals map[approvalKey]approval
}

type approvalKey struct{ userID, consumerKey string }

type approval struct {
	scopes       []string
	refreshToken bool // the approval included refresh_token/offline_access
}

// pendingAuth is an authorize request that passed validation and waits for
// the user to log in and approve.
type pendingAuth struct {
	id           string
	app          *ConnectedApp
	redirectURI  string
	state        string
	scopes       []string
	challenge    string
	forceLogin   bool
	forceConsent bool
	userID       string // set once the user logged in through this request
	browser      string // nonce cookie of the browser that started the request
	created      time.Time
}

// authCode is an issued authorization code; used is set on first redemption.
type authCode struct {
	consumerKey string
	redirectURI string
	userID      string
	scopes      []string
	challenge   string
	expires     time.Time
	used        bool
}

// oauthState returns the server's OAuth state (the Server.oauth field).
func (s *Server) oauthState() *oauthState { return &s.oauth }

// init makes the maps; callers hold st.mu.
func (st *oauthState) init() {
	if st.pending == nil {
		st.pending = make(map[string]*pendingAuth)
		st.codes = make(map[string]*authCode)
		st.sessions = make(map[string]string)
		st.approvals = make(map[approvalKey]approval)
	}
}

// prune drops expired pending requests and codes; callers hold st.mu.
func (st *oauthState) prune(now time.Time) {
	if len(st.pending)+len(st.codes) < maxPendingEntries {
		return
	}
	for id, p := range st.pending {
		if now.Sub(p.created) > pendingLifetime {
			delete(st.pending, id)
		}
	}
	for c, ac := range st.codes {
		if ac.used || now.After(ac.expires) {
			delete(st.codes, c)
		}
	}
}

// randomToken returns n random bytes as unpadded base64url.
func randomToken(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic("sfsim: crypto/rand failed: " + err.Error())
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// hasScope reports whether scopes holds want; refresh_token and
// offline_access are the same scope.
func hasScope(scopes []string, want string) bool {
	for _, s := range scopes {
		if s == want || (isRefreshScope(s) && isRefreshScope(want)) {
			return true
		}
	}
	return false
}

func isRefreshScope(s string) bool { return s == "refresh_token" || s == "offline_access" }

// splitScopes splits a space-separated scope parameter (Salesforce also
// tolerates '+' left undecoded and commas).
func splitScopes(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == '+' || r == ',' })
}
