package sfsim

import (
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
)

// Cookies of the interactive flow: the login session, and a per-browser
// nonce that binds the hidden request id of a form to the browser that
// started the authorize request (login CSRF and consent CSRF).
const (
	sessionCookie = "sid"
	browserCookie = "sfsim_auth"
)

// codeChallengeRE matches a base64url S256 challenge (43 characters).
var codeChallengeRE = regexp.MustCompile(`^[A-Za-z0-9_-]{43}$`)

// serveAuthorize is GET /services/oauth2/authorize. Errors found before the
// redirect_uri is known to be registered render an error page; later ones
// redirect to the callback with error, error_description and state.
func (s *Server) serveAuthorize(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		s.renderOAuthError(w, oauthErr("invalid_request", "must use HTTP GET"))
		return
	}
	q := r.URL.Query()
	app := s.appByKey(q.Get("client_id"))
	if q.Get("client_id") == "" || app == nil {
		s.renderOAuthError(w, errUnknownClient)
		return
	}
	redirect := q.Get("redirect_uri")
	if redirect == "" {
		s.renderOAuthError(w, oauthErr("redirect_uri_missing", "redirect_uri must be provided"))
		return
	}
	if !slices.Contains(app.CallbackURLs, redirect) {
		s.renderOAuthError(w, oauthErr("redirect_uri_mismatch", "redirect_uri must match configuration"))
		return
	}
	p := &pendingAuth{app: app, redirectURI: redirect, state: q.Get("state"), created: s.now()}
	fail := func(code, desc string) {
		redirectWith(w, r, p, url.Values{"error": {code}, "error_description": {desc}})
	}

	if q.Get("response_type") != "code" {
		fail("unsupported_response_type", "response type not supported")
		return
	}
	p.challenge = q.Get("code_challenge")
	switch method := q.Get("code_challenge_method"); {
	case p.challenge == "" && method != "":
		fail("invalid_request", "missing code challenge")
		return
	case p.challenge != "" && method != "S256":
		fail("invalid_request", "invalid code challenge method")
		return
	case p.challenge != "" && !codeChallengeRE.MatchString(p.challenge):
		fail("invalid_request", "invalid code challenge")
		return
	case p.challenge == "" && app.RequirePKCE:
		fail("invalid_request", "missing code challenge")
		return
	}
	p.scopes = splitScopes(q.Get("scope"))
	if len(p.scopes) == 0 {
		p.scopes = slices.Clone(app.Scopes)
	}
	for _, sc := range p.scopes {
		if !hasScope(app.Scopes, sc) && !hasScope(app.Scopes, "full") {
			fail("invalid_scope", "the requested scope is not allowed")
			return
		}
	}
	for _, pr := range strings.Fields(q.Get("prompt")) {
		switch pr {
		case "login", "select_account":
			p.forceLogin = true
		case "consent":
			p.forceConsent = true
		}
	}
	immediate := q.Get("immediate") == "true"

	u := s.sessionUser(r)
	if u == nil || p.forceLogin {
		if immediate {
			fail("immediate_unsuccessful", "immediate_unsuccessful")
			return
		}
		s.startLogin(w, r, p, q.Get("login_hint"), "")
		return
	}
	if immediate && s.needsConsent(u, p) {
		fail("immediate_unsuccessful", "immediate_unsuccessful")
		return
	}
	s.continueAuthorize(w, r, p, u)
}

// startLogin stores p and renders the login page.
func (s *Server) startLogin(w http.ResponseWriter, r *http.Request, p *pendingAuth, username, msg string) {
	p.id = randomToken(24)
	browser := s.browserNonce(w, r)
	st := s.oauthState()
	st.mu.Lock()
	st.init()
	st.prune(s.now())
	p.browser = browser
	st.pending[p.id] = p
	st.mu.Unlock()
	renderPage(w, http.StatusOK, loginPage, loginView{Req: p.id, Username: username, Error: msg})
}

// browserNonce returns the browser's nonce cookie, setting one if missing.
func (s *Server) browserNonce(w http.ResponseWriter, r *http.Request) string {
	if c, err := r.Cookie(browserCookie); err == nil && len(c.Value) >= 16 {
		return c.Value
	}
	v := randomToken(18)
	http.SetCookie(w, &http.Cookie{Name: browserCookie, Value: v, Path: "/services/oauth2/", HttpOnly: true, SameSite: http.SameSiteLaxMode})
	return v
}

// sessionUser is the logged-in user of the browser session, if any.
func (s *Server) sessionUser(r *http.Request) *User {
	c, err := r.Cookie(sessionCookie)
	if err != nil || c.Value == "" {
		return nil
	}
	st := s.oauthState()
	st.mu.Lock()
	st.init()
	id, ok := st.sessions[c.Value]
	st.mu.Unlock()
	if !ok {
		return nil
	}
	return s.userByID(id)
}

// takePending finds the pending request named by the form's req field, if it
// belongs to this browser and has not expired.
func (s *Server) takePending(r *http.Request) *pendingAuth {
	c, err := r.Cookie(browserCookie)
	if err != nil {
		return nil
	}
	st := s.oauthState()
	st.mu.Lock()
	defer st.mu.Unlock()
	st.init()
	p := st.pending[r.PostFormValue("req")]
	if p == nil || !constEq(p.browser, c.Value) || s.now().Sub(p.created) > pendingLifetime {
		return nil
	}
	return p
}

// serveLoginForm is POST /services/oauth2/login, the login page's form.
func (s *Server) serveLoginForm(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	p := s.takePending(r)
	if p == nil {
		s.renderOAuthError(w, oauthErr("invalid_request", "login request expired or unknown"))
		return
	}
	username := r.PostFormValue("username")
	u := s.userByUsername(username)
	if u == nil || !u.Active || !constEq(r.PostFormValue("password"), u.Password) {
		renderPage(w, http.StatusOK, loginPage, loginView{Req: p.id, Username: username, Error: loginMessage})
		return
	}
	sid := randomToken(32)
	st := s.oauthState()
	st.mu.Lock()
	st.sessions[sid] = u.ID
	delete(st.pending, p.id)
	st.mu.Unlock()
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: sid, Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: r.TLS != nil})
	p.forceLogin = false
	s.continueAuthorize(w, r, p, u)
}

// needsConsent reports whether the consent page must be shown.
func (s *Server) needsConsent(u *User, p *pendingAuth) bool {
	if p.forceConsent {
		return true
	}
	for _, pre := range p.app.PreApprovedUsers {
		if strings.EqualFold(pre, u.Username) || strings.EqualFold(pre, u.ID) {
			return false
		}
	}
	st := s.oauthState()
	st.mu.Lock()
	defer st.mu.Unlock()
	st.init()
	ap, ok := st.approvals[approvalKey{u.ID, p.app.ConsumerKey}]
	if !ok {
		return true
	}
	for _, sc := range p.scopes {
		if !hasScope(ap.scopes, sc) {
			return true
		}
	}
	return false
}

// continueAuthorize runs once the user is known: consent page or code.
func (s *Server) continueAuthorize(w http.ResponseWriter, r *http.Request, p *pendingAuth, u *User) {
	if !u.Active {
		redirectWith(w, r, p, url.Values{"error": {"inactive_user"}, "error_description": {"user is inactive"}})
		return
	}
	if !s.needsConsent(u, p) {
		s.issueCode(w, r, p, u)
		return
	}
	p.id = randomToken(24)
	p.userID = u.ID
	browser := s.browserNonce(w, r)
	st := s.oauthState()
	st.mu.Lock()
	st.init()
	st.prune(s.now())
	p.browser = browser
	st.pending[p.id] = p
	st.mu.Unlock()
	renderPage(w, http.StatusOK, consentPage, consentView{
		Req: p.id, App: p.app.Name, Username: u.Username, Scopes: scopeDescriptions(p.scopes),
	})
}

// serveConsentForm is POST /services/oauth2/consent: approve or deny.
func (s *Server) serveConsentForm(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	p := s.takePending(r)
	u := s.sessionUser(r)
	if p == nil || p.userID == "" || u == nil || u.ID != p.userID {
		s.renderOAuthError(w, oauthErr("invalid_request", "consent request expired or unknown"))
		return
	}
	st := s.oauthState()
	st.mu.Lock()
	delete(st.pending, p.id)
	st.mu.Unlock()
	if _, ok := r.PostForm["approve"]; !ok {
		redirectWith(w, r, p, url.Values{"error": {"access_denied"}, "error_description": {"end-user denied authorization"}})
		return
	}
	st.mu.Lock()
	k := approvalKey{u.ID, p.app.ConsumerKey}
	ap := st.approvals[k]
	for _, sc := range p.scopes {
		if !slices.Contains(ap.scopes, sc) {
			ap.scopes = append(ap.scopes, sc)
		}
	}
	ap.refreshToken = ap.refreshToken || hasScope(p.scopes, "refresh_token")
	st.approvals[k] = ap
	st.mu.Unlock()
	s.issueCode(w, r, p, u)
}

// issueCode stores a fresh authorization code and redirects to the callback.
func (s *Server) issueCode(w http.ResponseWriter, r *http.Request, p *pendingAuth, u *User) {
	code := "aPrx" + randomToken(48)
	st := s.oauthState()
	st.mu.Lock()
	st.init()
	st.prune(s.now())
	st.codes[code] = &authCode{
		consumerKey: p.app.ConsumerKey,
		redirectURI: p.redirectURI,
		userID:      u.ID,
		scopes:      p.scopes,
		challenge:   p.challenge,
		expires:     s.now().Add(codeLifetime),
	}
	st.mu.Unlock()
	redirectWith(w, r, p, url.Values{"code": {code}})
}

// redirectWith sends a 302 to p's redirect URI with params (and state) added
// to its query.
func redirectWith(w http.ResponseWriter, r *http.Request, p *pendingAuth, params url.Values) {
	u, err := url.Parse(p.redirectURI)
	if err != nil { // registered callbacks are trusted, but be safe
		http.Error(w, "bad callback", http.StatusInternalServerError)
		return
	}
	q := u.Query()
	for k, v := range params {
		q[k] = v
	}
	if p.state != "" {
		q.Set("state", p.state)
	}
	u.RawQuery = q.Encode()
	w.Header().Set("Cache-Control", noStore)
	http.Redirect(w, r, u.String(), http.StatusFound)
}

// renderOAuthError renders the error page used when the callback cannot be
// trusted.
func (s *Server) renderOAuthError(w http.ResponseWriter, e *oauthError) {
	renderPage(w, http.StatusBadRequest, errorPage, e)
}
