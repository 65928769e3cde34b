package sfsim

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/botforge/dialogd/internal/golden"
)

// catalogueCase is one request of the OAuth error catalogue.
type catalogueCase struct {
	name   string
	method string
	path   string
	host   string            // Host header; 127.0.0.1 when empty
	form   url.Values        // body (POST) or query (GET)
	basic  [2]string         // client id and secret for a Basic header
	header map[string]string // extra request headers
	prep   func(t *testing.T, s *Server, clock *testClock, form url.Values)
}

// catalogue lists every OAuth and identity error sfsim renders, with the
// request that triggers it. The golden file pins status, headers and body.
func catalogue(t *testing.T) []catalogueCase {
	trusted, other, _ := keys(t)
	jwtClaims := func(mod func(map[string]any)) func(*testing.T, *Server, *testClock, url.Values) {
		return func(t *testing.T, s *Server, clock *testClock, form url.Values) {
			c := map[string]any{"iss": jwtKey, "sub": tIntegrator, "aud": "https://login.salesforce.com",
				"exp": fmt.Sprint(clock.now().Add(3 * time.Minute).Unix())}
			key := trusted
			if mod != nil {
				mod(c)
				if _, ok := c["_other"]; ok {
					delete(c, "_other")
					key = other
				}
			}
			form.Set("assertion", signJWT(t, key, c))
		}
	}
	withCode := func(redirect string) func(*testing.T, *Server, *testClock, url.Values) {
		return func(t *testing.T, s *Server, clock *testClock, form url.Values) {
			form.Set("code", issueTestCode(t, s, webKey, tUser, ""))
			form.Set("redirect_uri", redirect)
		}
	}
	pw := func(user, pass, key, secret string) url.Values {
		return url.Values{"grant_type": {"password"}, "client_id": {key}, "client_secret": {secret}, "username": {user}, "password": {pass}}
	}
	cc := func(key, secret string) url.Values {
		return url.Values{"grant_type": {"client_credentials"}, "client_id": {key}, "client_secret": {secret}}
	}
	const tok = "/services/oauth2/token"
	const az = "/services/oauth2/authorize"
	authz := func(mod func(url.Values)) url.Values {
		v := url.Values{"response_type": {"code"}, "client_id": {webKey}, "redirect_uri": {callbackURL}, "state": {"abc"}}
		if mod != nil {
			mod(v)
		}
		return v
	}
	return []catalogueCase{
		{name: "token GET", method: "GET", path: tok, form: url.Values{"grant_type": {"password"}}},
		{name: "token unknown grant_type", method: "POST", path: tok, form: url.Values{"grant_type": {"implicit"}}},
		{name: "token missing grant_type", method: "POST", path: tok, form: url.Values{}},
		{name: "password unknown client_id", method: "POST", path: tok, form: pw(tUser, tPassword+tToken, "nope", webSecret)},
		{name: "password wrong secret in body", method: "POST", path: tok, form: pw(tUser, tPassword+tToken, webKey, "wrong")},
		{name: "password wrong secret in Basic header", method: "POST", path: tok,
			form: url.Values{"grant_type": {"password"}, "username": {tUser}, "password": {tPassword + tToken}}, basic: [2]string{webKey, "wrong"}},
		{name: "password wrong password", method: "POST", path: tok, form: pw(tUser, "wrong"+tToken, webKey, webSecret)},
		{name: "password without security token", method: "POST", path: tok, form: pw(tUser, tPassword, webKey, webSecret)},
		{name: "password unknown user", method: "POST", path: tok, form: pw("ghost@oauth.example", tPassword+tToken, webKey, webSecret)},
		{name: "password inactive user", method: "POST", path: tok, form: pw(tInactive, "bob-Passw0rdBOBtoken", webKey, webSecret)},
		{name: "password flow disabled for app", method: "POST", path: tok, form: pw(tUser, tPassword+tToken, noPwKey, noPwSecret)},
		{name: "client_credentials on login host", method: "POST", path: tok, form: cc(webKey, webSecret)},
		{name: "client_credentials without run-as user", method: "POST", path: tok, host: myDomain, form: cc(pkceKey, pkceSecret)},
		{name: "client_credentials wrong secret", method: "POST", path: tok, host: myDomain, form: cc(webKey, "wrong")},
		{name: "refresh_token unknown", method: "POST", path: tok,
			form: url.Values{"grant_type": {"refresh_token"}, "client_id": {webKey}, "client_secret": {webSecret}, "refresh_token": {"5Aepbogus"}}},
		{name: "authorization_code unknown code", method: "POST", path: tok,
			form: url.Values{"grant_type": {"authorization_code"}, "client_id": {webKey}, "client_secret": {webSecret}, "code": {"aPrxbogus"}, "redirect_uri": {callbackURL}}},
		{name: "authorization_code foreign redirect_uri", method: "POST", path: tok,
			form: url.Values{"grant_type": {"authorization_code"}, "client_id": {webKey}, "client_secret": {webSecret}}, prep: withCode("https://evil.example/cb")},
		{name: "authorization_code wrong secret", method: "POST", path: tok,
			form: url.Values{"grant_type": {"authorization_code"}, "client_id": {webKey}, "client_secret": {"wrong"}}, prep: withCode(callbackURL)},
		{name: "jwt malformed assertion", method: "POST", path: tok, form: url.Values{"grant_type": {grantJWTBearer}, "assertion": {"not.a.jwt"}}},
		{name: "jwt unknown issuer", method: "POST", path: tok, form: url.Values{"grant_type": {grantJWTBearer}},
			prep: jwtClaims(func(c map[string]any) { c["iss"] = "3MVG9unknown" })},
		{name: "jwt signed by another key", method: "POST", path: tok, form: url.Values{"grant_type": {grantJWTBearer}},
			prep: jwtClaims(func(c map[string]any) { c["_other"] = true })},
		{name: "jwt wrong audience", method: "POST", path: tok, form: url.Values{"grant_type": {grantJWTBearer}},
			prep: jwtClaims(func(c map[string]any) { c["aud"] = "https://evil.example" })},
		{name: "jwt expired", method: "POST", path: tok, form: url.Values{"grant_type": {grantJWTBearer}},
			prep: jwtClaims(func(c map[string]any) { c["exp"] = float64(time.Date(2026, 5, 14, 9, 0, 0, 0, time.UTC).Unix()) })},
		{name: "jwt user not approved", method: "POST", path: tok, form: url.Values{"grant_type": {grantJWTBearer}},
			prep: jwtClaims(func(c map[string]any) { c["sub"] = tUser })},
		{name: "revoke without token", method: "POST", path: "/services/oauth2/revoke", form: url.Values{}},
		{name: "revoke unknown token", method: "POST", path: "/services/oauth2/revoke", form: url.Values{"token": {"00Dxx!bogus"}}},
		{name: "authorize POST", method: "POST", path: az, form: authz(nil)},
		{name: "authorize unknown client_id", method: "GET", path: az, form: authz(func(v url.Values) { v.Set("client_id", "nope") })},
		{name: "authorize missing redirect_uri", method: "GET", path: az, form: authz(func(v url.Values) { v.Del("redirect_uri") })},
		{name: "authorize foreign redirect_uri", method: "GET", path: az, form: authz(func(v url.Values) { v.Set("redirect_uri", "https://evil.example/cb") })},
		{name: "authorize response_type token", method: "GET", path: az, form: authz(func(v url.Values) { v.Set("response_type", "token") })},
		{name: "authorize scope not allowed", method: "GET", path: az, form: authz(func(v url.Values) { v.Set("scope", "api chatter_api") })},
		{name: "authorize immediate without session", method: "GET", path: az, form: authz(func(v url.Values) { v.Set("immediate", "true") })},
		{name: "authorize challenge without S256", method: "GET", path: az, form: authz(func(v url.Values) {
			v.Set("code_challenge", pkceS256("verifier-verifier-verifier-verifier-verifier"))
		})},
		{name: "identity without token", method: "GET", path: "/id/00D5g000004XyZ1EAK/005000000000001AAA"},
		{name: "identity with unknown token", method: "GET", path: "/id/00D5g000004XyZ1EAK/005000000000001AAA", header: map[string]string{"Authorization": "Bearer nope"}},
		{name: "userinfo without token", method: "GET", path: "/services/oauth2/userinfo"},
	}
}

// issueTestCode stores an authorization code as the authorize flow would.
func issueTestCode(t *testing.T, s *Server, appKey, username, challenge string) string {
	t.Helper()
	u := s.userByUsername(username)
	app := s.appByKey(appKey)
	if u == nil || app == nil {
		t.Fatalf("issueTestCode: unknown user %q or app %q", username, appKey)
	}
	rec := httptest.NewRecorder()
	p := &pendingAuth{app: app, redirectURI: callbackURL, scopes: []string{"api"}, challenge: challenge}
	s.issueCode(rec, httptest.NewRequest("GET", "/", nil), p, u)
	loc, err := url.Parse(rec.Header().Get("Location"))
	if err != nil || loc.Query().Get("code") == "" {
		t.Fatalf("issueTestCode: no code in %q", rec.Header().Get("Location"))
	}
	return loc.Query().Get("code")
}

func TestOAuthErrorCatalogueGolden(t *testing.T) {
	s, _, clock := newOAuthServer(t)
	var out strings.Builder
	for _, c := range catalogue(t) {
		form := url.Values{}
		for k, v := range c.form {
			form[k] = append([]string(nil), v...)
		}
		if c.prep != nil {
			c.prep(t, s, clock, form)
		}
		var req *http.Request
		if c.method == http.MethodGet {
			req = httptest.NewRequest(c.method, c.path+"?"+form.Encode(), nil)
		} else {
			req = httptest.NewRequest(c.method, c.path, strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		req.Host = "127.0.0.1"
		if c.host != "" {
			req.Host = c.host
		}
		if c.basic[0] != "" {
			req.SetBasicAuth(c.basic[0], c.basic[1])
		}
		for k, v := range c.header {
			req.Header.Set(k, v)
		}
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, req)
		fmt.Fprintf(&out, "=== %s\n%s %s\nstatus: %d\n", c.name, c.method, c.path, rec.Code)
		for _, h := range []string{"Content-Type", "Cache-Control", "Location"} {
			if v := rec.Header().Get(h); v != "" {
				fmt.Fprintf(&out, "%s: %s\n", h, v)
			}
		}
		fmt.Fprintf(&out, "\n%s\n\n", strings.TrimSpace(rec.Body.String()))
		if rec.Code < 300 {
			t.Errorf("%s: status %d; want an error status", c.name, rec.Code)
		}
	}
	golden.Check(t, filepath.Join("testdata", "oauth_errors.golden"), []byte(out.String()))
}
