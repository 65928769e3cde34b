package sfsim

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/xml"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
)

// oauthError is an error of the token, revoke and authorize endpoints, in
// the RFC 6749 shape Salesforce uses: {"error":…,"error_description":…}.
type oauthError struct {
	Status      int
	Code        string // error
	Description string // error_description
}

func (e *oauthError) Error() string { return "sfsim: oauth " + e.Code + ": " + e.Description }

func oauthErr(code, desc string) *oauthError {
	return &oauthError{Status: http.StatusBadRequest, Code: code, Description: desc}
}

// The token-endpoint error catalogue (spec §1.4). They are shared values:
// never modify one.
var (
	errUnknownClient    = oauthErr("invalid_client_id", "client identifier invalid")
	errBadClientSecret  = oauthErr("invalid_client", "invalid client credentials")
	errAuthFailure      = oauthErr("invalid_grant", "authentication failure")
	errBadRefreshToken  = oauthErr("invalid_grant", "expired access/refresh token")
	errBadCode          = oauthErr("invalid_grant", "expired authorization code")
	errBadVerifier      = oauthErr("invalid_grant", "invalid code verifier")
	errNotApproved      = oauthErr("invalid_grant", "user hasn't approved this consumer")
	errBadAudience      = oauthErr("invalid_grant", "audience is invalid")
	errBadAssertion     = oauthErr("invalid_grant", "invalid assertion")
	errIPRestricted     = oauthErr("invalid_grant", "IP restricted or invalid login hours")
	errWrongDomain      = oauthErr("invalid_grant", "request not supported on this domain")
	errNoRunAsUser      = oauthErr("invalid_grant", "no client credentials user enabled")
	errRedirectMismatch = oauthErr("invalid_grant", "redirect_uri must match configuration")
	errInactiveUser     = oauthErr("inactive_user", "User is inactive")
	errUnsupportedGrant = oauthErr("unsupported_grant_type", "grant type not supported")
	errTokenMethod      = oauthErr("invalid_request", "must use HTTP POST")
	errInvalidToken     = oauthErr("invalid_token", "invalid token")
	errUnsupportedToken = oauthErr("unsupported_token_type", "unsupported token type")
)

// Grant types of the token endpoint.
const (
	grantAuthorizationCode = "authorization_code"
	grantRefreshToken      = "refresh_token"
	grantPassword          = "password"
	grantClientCredentials = "client_credentials"
	grantJWTBearer         = "urn:ietf:params:oauth:grant-type:jwt-bearer"
)

// Audiences a JWT bearer assertion may name besides the server's own URL and
// My Domain.
var jwtAudiences = []string{"https://login.salesforce.com", "https://test.salesforce.com"}

// serveOAuth handles everything under /services/oauth2/.
func (s *Server) serveOAuth(w http.ResponseWriter, r *http.Request) {
	switch strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, "/services/oauth2/"), "/") {
	case "token":
		s.serveToken(w, r)
	case "authorize":
		s.serveAuthorize(w, r)
	case "login":
		s.serveLoginForm(w, r)
	case "consent":
		s.serveConsentForm(w, r)
	case "revoke":
		s.serveRevoke(w, r)
	case "userinfo":
		s.serveUserinfo(w, r)
	default:
		http.NotFound(w, r)
	}
}

// tokenResponse is the success body of the token endpoint. Empty fields are
// left out, so one type serves every grant.
type tokenResponse struct {
	XMLName      xml.Name `json:"-" xml:"OAuth"`
	AccessToken  string   `json:"access_token" xml:"access_token"`
	RefreshToken string   `json:"refresh_token,omitempty" xml:"refresh_token,omitempty"`
	Signature    string   `json:"signature,omitempty" xml:"signature,omitempty"`
	Scope        string   `json:"scope,omitempty" xml:"scope,omitempty"`
	InstanceURL  string   `json:"instance_url" xml:"instance_url"`
	ID           string   `json:"id" xml:"id"`
	TokenType    string   `json:"token_type" xml:"token_type"`
	IssuedAt     string   `json:"issued_at,omitempty" xml:"issued_at,omitempty"`
}

// serveToken is POST /services/oauth2/token.
func (s *Server) serveToken(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		writeOAuthError(w, r, errTokenMethod)
		return
	}
	params, err := requestParams(r)
	if err != nil {
		writeOAuthError(w, r, oauthErr("invalid_request", "invalid request body"))
		return
	}
	var (
		g        *Grant
		oerr     *oauthError
		withSig  = true
		issuedAt = true
	)
	switch params.Get("grant_type") {
	case grantAuthorizationCode:
		g, oerr = s.grantFromCode(r, params)
	case grantRefreshToken:
		g, oerr = s.grantFromRefresh(r, params)
	case grantPassword:
		g, oerr = s.grantFromPassword(r, params)
	case grantClientCredentials:
		g, oerr = s.grantFromClientCredentials(r, params)
	case grantJWTBearer:
		g, oerr = s.grantFromJWT(r, params)
		withSig, issuedAt = false, false
	default:
		oerr = errUnsupportedGrant
	}
	if oerr != nil {
		writeOAuthError(w, r, oerr)
		return
	}
	resp := s.tokenBody(r, g, withSig)
	if !issuedAt {
		resp.IssuedAt = ""
	}
	writeOAuthBody(w, r, params, http.StatusOK, resp)
}

// tokenBody renders g as the token endpoint's success body.
func (s *Server) tokenBody(r *http.Request, g *Grant, withSig bool) *tokenResponse {
	base := s.instanceURL(r)
	resp := &tokenResponse{
		AccessToken:  g.AccessToken,
		RefreshToken: g.RefreshToken,
		Scope:        strings.Join(g.Scopes, " "),
		InstanceURL:  base,
		ID:           s.identityURL(base, g.User),
		TokenType:    "Bearer",
		IssuedAt:     strconv.FormatInt(g.IssuedAt.UnixMilli(), 10),
	}
	if withSig && g.App != nil {
		resp.Signature = tokenSignature(g.App.ConsumerSecret, resp.ID, resp.IssuedAt)
	}
	return resp
}

// identityURL is base/id/<orgId>/<userId>.
func (s *Server) identityURL(base string, u *User) string {
	return base + "/id/" + s.org.ID + "/" + u.ID
}

// tokenSignature is Base64(HMAC-SHA256(key=client secret, id+issued_at)).
func tokenSignature(secret, id, issuedAt string) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(id + issuedAt))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// requestParams merges the query string and the form body; body values win.
func requestParams(r *http.Request) (url.Values, error) {
	if err := r.ParseForm(); err != nil {
		return nil, err
	}
	return r.Form, nil
}

// clientCredentials returns the client id and secret from the Basic header
// or, failing that, the body.
func clientCredentials(r *http.Request, params url.Values) (id, secret string, hasSecret bool) {
	if u, p, ok := r.BasicAuth(); ok {
		return u, p, true
	}
	_, hasSecret = params["client_secret"]
	return params.Get("client_id"), params.Get("client_secret"), hasSecret
}

// authClient resolves the calling connected app. requireSecret makes a
// missing secret an error; a secret that is given must always match.
func (s *Server) authClient(r *http.Request, params url.Values, requireSecret bool) (*ConnectedApp, *oauthError) {
	id, secret, hasSecret := clientCredentials(r, params)
	app := s.appByKey(id)
	if id == "" || app == nil {
		return nil, errUnknownClient
	}
	if !hasSecret && !requireSecret {
		return app, nil
	}
	if subtle.ConstantTimeCompare([]byte(secret), []byte(app.ConsumerSecret)) != 1 {
		return nil, errBadClientSecret
	}
	return app, nil
}

// grantFromPassword is the username-password flow: the password must carry
// the security token unless the request comes from a trusted IP range.
func (s *Server) grantFromPassword(r *http.Request, params url.Values) (*Grant, *oauthError) {
	app, oerr := s.authClient(r, params, true)
	if oerr != nil {
		return nil, oerr
	}
	if !app.AllowPasswordFlow {
		return nil, errAuthFailure
	}
	u := s.userByUsername(params.Get("username"))
	if u == nil || !passwordMatches(u, params.Get("password"), clientAddr(r)) {
		return nil, errAuthFailure
	}
	if !u.Active {
		return nil, errInactiveUser
	}
	return s.issueGrant(u, app, withoutRefresh(app.Scopes), false), nil
}

// passwordMatches checks password (+ security token) for a login from addr.
func passwordMatches(u *User, given string, addr netip.Addr) bool {
	if constEq(given, u.Password+u.SecurityToken) {
		return true
	}
	return inRanges(addr, u.TrustedIPRanges) && constEq(given, u.Password)
}

func constEq(a, b string) bool { return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1 }

// clientAddr is the request's remote address; the zero Addr if unparsable.
func clientAddr(r *http.Request) netip.Addr {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	a, _ := netip.ParseAddr(host)
	return a.Unmap()
}

// inRanges reports whether addr lies in one of the CIDRs (bad CIDRs are
// skipped; a bare address is a /32 or /128).
func inRanges(addr netip.Addr, cidrs []string) bool {
	if !addr.IsValid() {
		return false
	}
	for _, c := range cidrs {
		if p, err := netip.ParsePrefix(strings.TrimSpace(c)); err == nil {
			if p.Contains(addr) {
				return true
			}
		} else if a, err := netip.ParseAddr(strings.TrimSpace(c)); err == nil && a == addr {
			return true
		}
	}
	return false
}

// withoutRefresh drops refresh_token/offline_access: flows that never return
// a refresh token do not report that scope.
func withoutRefresh(scopes []string) []string {
	out := make([]string, 0, len(scopes))
	for _, sc := range scopes {
		if !isRefreshScope(sc) {
			out = append(out, sc)
		}
	}
	return out
}

// isMyDomainHost reports whether the request came to the org's My Domain.
func (s *Server) isMyDomainHost(r *http.Request) bool {
	s.mu.RLock()
	md := s.org.MyDomain
	s.mu.RUnlock()
	return md != "" && strings.EqualFold(hostOnly(r.Host), hostOnly(md))
}

func hostOnly(hostport string) string {
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		return h
	}
	return hostport
}

// grantFromClientCredentials is the client-credentials flow, served on the
// My Domain host only, running as the app's run-as user.
func (s *Server) grantFromClientCredentials(r *http.Request, params url.Values) (*Grant, *oauthError) {
	if !s.isMyDomainHost(r) {
		return nil, errWrongDomain
	}
	app, oerr := s.authClient(r, params, true)
	if oerr != nil {
		return nil, oerr
	}
	if app.ClientCredentialsUser == "" {
		return nil, errNoRunAsUser
	}
	u := s.userByUsername(app.ClientCredentialsUser)
	if u == nil {
		return nil, errNoRunAsUser
	}
	if !u.Active {
		return nil, errInactiveUser
	}
	return s.issueGrant(u, app, withoutRefresh(app.Scopes), false), nil
}

// grantFromRefresh is the refresh-token flow; with rotation on, the response
// carries a new refresh token and the old one dies.
func (s *Server) grantFromRefresh(r *http.Request, params url.Values) (*Grant, *oauthError) {
	app, oerr := s.authClient(r, params, false)
	if oerr != nil {
		return nil, oerr
	}
	old := s.grantByRefresh(params.Get("refresh_token"))
	if old == nil || old.App == nil || old.App.ConsumerKey != app.ConsumerKey {
		return nil, errBadRefreshToken
	}
	if !old.User.Active {
		return nil, errInactiveUser
	}
	return s.refreshGrant(old, app.RotateRefreshTokens), nil
}

// grantFromJWT is the JWT bearer flow (RS256, checked against the app's
// certificate; the user must be pre-approved or have approved the app with
// the refresh_token scope).
func (s *Server) grantFromJWT(r *http.Request, params url.Values) (*Grant, *oauthError) {
	a, err := parseJWTAssertion(params.Get("assertion"))
	if err != nil {
		return nil, errBadAssertion
	}
	app := s.appByKey(a.Issuer)
	if a.Issuer == "" || app == nil {
		return nil, errUnknownClient
	}
	if app.CertificatePEM == "" || a.verify(app.CertificatePEM) != nil {
		return nil, errBadAssertion
	}
	if !s.audienceOK(r, a.Audience) {
		return nil, errBadAudience
	}
	if !a.HasExp || !s.now().Before(a.Expiry) {
		return nil, errBadCode
	}
	u := s.userByUsername(a.Subject)
	if u == nil || !s.userApproved(u, app, true) {
		return nil, errNotApproved
	}
	if !u.Active {
		return nil, errInactiveUser
	}
	return s.issueGrant(u, app, withoutRefresh(app.Scopes), false), nil
}

// audienceOK accepts the login and test hosts, the server's own URL and the
// My Domain URL.
func (s *Server) audienceOK(r *http.Request, aud []string) bool {
	s.mu.RLock()
	md := s.org.MyDomain
	s.mu.RUnlock()
	ok := append([]string{s.instanceURL(r)}, jwtAudiences...)
	if md != "" {
		ok = append(ok, "https://"+md)
	}
	for _, a := range aud {
		for _, o := range ok {
			if strings.EqualFold(strings.TrimSuffix(a, "/"), o) {
				return true
			}
		}
	}
	return false
}

// userApproved reports whether u may use app without the consent page: an
// admin pre-approved the user, or the user approved it earlier (with the
// refresh_token scope when needRefresh is set, as the JWT flow requires).
func (s *Server) userApproved(u *User, app *ConnectedApp, needRefresh bool) bool {
	for _, p := range app.PreApprovedUsers {
		if strings.EqualFold(p, u.Username) || strings.EqualFold(p, u.ID) {
			return true
		}
	}
	st := s.oauthState()
	st.mu.Lock()
	defer st.mu.Unlock()
	ap, ok := st.approvals[approvalKey{u.ID, app.ConsumerKey}]
	return ok && (!needRefresh || ap.refreshToken)
}

// grantFromCode redeems an authorization code (single use, 15 minutes,
// bound to the client and redirect URI, PKCE S256 when a challenge was sent).
func (s *Server) grantFromCode(r *http.Request, params url.Values) (*Grant, *oauthError) {
	id, _, hasSecret := clientCredentials(r, params)
	code := params.Get("code")
	st := s.oauthState()
	st.mu.Lock()
	st.init()
	ac := st.codes[code]
	var stale bool
	if ac != nil {
		stale = ac.used || !s.now().Before(ac.expires)
		ac.used = true // any redemption attempt burns the code
	}
	st.mu.Unlock()
	// A public client (PKCE, no secret sent) need not authenticate.
	app, oerr := s.authClient(r, params, !(ac != nil && ac.challenge != "" && !hasSecret))
	if oerr != nil {
		return nil, oerr
	}
	if ac == nil || stale || ac.consumerKey != id {
		return nil, errBadCode
	}
	if params.Get("redirect_uri") != ac.redirectURI {
		return nil, errRedirectMismatch
	}
	if ac.challenge != "" {
		v := params.Get("code_verifier")
		if v == "" || !constEq(pkceS256(v), ac.challenge) {
			return nil, errBadVerifier
		}
	}
	u := s.userByID(ac.userID)
	if u == nil {
		return nil, errBadCode
	}
	if !u.Active {
		return nil, errInactiveUser
	}
	refresh := hasScope(ac.scopes, "refresh_token")
	return s.issueGrant(u, app, ac.scopes, refresh), nil
}

// pkceS256 is base64url(SHA-256(verifier)) without padding.
func pkceS256(verifier string) string {
	sum := sha256.Sum256([]byte(verifier))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// serveRevoke is /services/oauth2/revoke (POST form or GET query): 200 with
// an empty body, or 400 invalid_token / unsupported_token_type.
func (s *Server) serveRevoke(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost && r.Method != http.MethodGet {
		writeOAuthError(w, r, oauthErr("invalid_request", "must use HTTP POST"))
		return
	}
	params, err := requestParams(r)
	if err != nil {
		writeOAuthError(w, r, oauthErr("invalid_request", "invalid request body"))
		return
	}
	tok := params.Get("token")
	if tok == "" {
		writeOAuthError(w, r, errUnsupportedToken)
		return
	}
	if !s.revokeToken(tok) {
		writeOAuthError(w, r, errInvalidToken)
		return
	}
	w.Header().Set("Cache-Control", noStore)
	w.WriteHeader(http.StatusOK)
}

// noStore is the Cache-Control Salesforce sends on token responses.
const noStore = "no-cache,must-revalidate,max-age=0,no-store,private"

// writeOAuthError renders e as JSON (the only error format clients parse).
func writeOAuthError(w http.ResponseWriter, r *http.Request, e *oauthError) {
	w.Header().Set("Cache-Control", noStore)
	writeJSON(w, e.Status, map[string]string{"error": e.Code, "error_description": e.Description})
}

// writeOAuthBody writes v in the format asked for by the format parameter or
// the Accept header: json (default), urlencoded or xml.
func writeOAuthBody(w http.ResponseWriter, r *http.Request, params url.Values, status int, v *tokenResponse) {
	w.Header().Set("Cache-Control", noStore)
	format := params.Get("format")
	if format == "" {
		accept := r.Header.Get("Accept")
		switch {
		case strings.Contains(accept, "application/x-www-form-urlencoded"):
			format = "urlencoded"
		case strings.Contains(accept, "xml") && !strings.Contains(accept, "json"):
			format = "xml"
		}
	}
	switch format {
	case "urlencoded":
		q := url.Values{}
		add := func(k, val string) {
			if val != "" {
				q.Set(k, val)
			}
		}
		add("access_token", v.AccessToken)
		add("refresh_token", v.RefreshToken)
		add("signature", v.Signature)
		add("scope", v.Scope)
		add("instance_url", v.InstanceURL)
		add("id", v.ID)
		add("token_type", v.TokenType)
		add("issued_at", v.IssuedAt)
		w.Header().Set("Content-Type", "application/x-www-form-urlencoded;charset=UTF-8")
		w.WriteHeader(status)
		_, _ = w.Write([]byte(q.Encode()))
	case "xml":
		b, _ := xml.Marshal(v)
		w.Header().Set("Content-Type", "application/xml;charset=UTF-8")
		w.WriteHeader(status)
		_, _ = w.Write([]byte(xml.Header))
		_, _ = w.Write(b)
	default:
		writeJSON(w, status, v)
	}
}
