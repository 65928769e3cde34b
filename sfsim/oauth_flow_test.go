package sfsim

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"
)

var reqFieldRE = regexp.MustCompile(`name="req" value="([^"]+)"`)

// browser is a cookie-keeping client that stops at every redirect, so the
// test sees each hop of the authorization-code flow.
type browser struct {
	t      *testing.T
	base   string
	client *http.Client
}

func newBrowser(t *testing.T, ts *httptest.Server) *browser {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &browser{t: t, base: ts.URL, client: noRedirectClient(jar)}
}

// page is one response: status, Location and body.
type page struct {
	status   int
	location string
	body     string
}

func (b *browser) do(req *http.Request) page {
	b.t.Helper()
	resp, err := b.client.Do(req)
	if err != nil {
		b.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return page{status: resp.StatusCode, location: resp.Header.Get("Location"), body: string(body)}
}

func (b *browser) get(rawURL string) page {
	b.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, rawURL, nil)
	return b.do(req)
}

func (b *browser) post(path string, form url.Values) page {
	b.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, b.base+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.do(req)
}

// reqID extracts the hidden request id of a login or consent page.
func (p page) reqID(t *testing.T) string {
	t.Helper()
	m := reqFieldRE.FindStringSubmatch(p.body)
	if m == nil {
		t.Fatalf("no hidden req field in page (status %d):\n%s", p.status, p.body)
	}
	return m[1]
}

// callbackParams checks that p redirects to the registered callback and
// returns the query it carries.
func (p page) callbackParams(t *testing.T) url.Values {
	t.Helper()
	if p.status != http.StatusFound || !strings.HasPrefix(p.location, callbackURL+"?") {
		t.Fatalf("got status %d location %q; want 302 to %s?…\n%s", p.status, p.location, callbackURL, p.body)
	}
	u, err := url.Parse(p.location)
	if err != nil {
		t.Fatal(err)
	}
	return u.Query()
}

// authorize drives GET authorize → login → consent (approve) and returns the
// callback's query.
func (b *browser) authorize(authURL, username, password string) url.Values {
	b.t.Helper()
	p := b.get(authURL)
	if strings.Contains(p.body, `action="/services/oauth2/login"`) {
		p = b.post("/services/oauth2/login", url.Values{"req": {p.reqID(b.t)}, "username": {username}, "password": {password}})
	}
	if strings.Contains(p.body, `action="/services/oauth2/consent"`) {
		p = b.post("/services/oauth2/consent", url.Values{"req": {p.reqID(b.t)}, "approve": {"Allow"}})
	}
	return p.callbackParams(b.t)
}

func authURL(base string, v url.Values) string {
	return base + "/services/oauth2/authorize?" + v.Encode()
}

// tokenCall posts form to the token endpoint and decodes the JSON answer.
func tokenCall(t *testing.T, ts *httptest.Server, form url.Values, basic ...string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, ts.URL+"/services/oauth2/token", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if len(basic) == 2 {
		req.SetBasicAuth(basic[0], basic[1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var m map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&m); err != nil {
		t.Fatalf("token response is not JSON: %v", err)
	}
	return resp.StatusCode, m
}

func TestAuthorizationCodeFlowWithBrowser(t *testing.T) {
	_, ts, _ := newOAuthServer(t)
	b := newBrowser(t, ts)
	q := url.Values{"response_type": {"code"}, "client_id": {webKey}, "redirect_uri": {callbackURL},
		"state": {"s-123 ünïcode&x"}, "scope": {"api refresh_token id"}}

	// First visit: login page, then consent page, then the callback.
	p := b.get(authURL(ts.URL, q))
	if p.status != http.StatusOK || !strings.Contains(p.body, `name="username"`) || !strings.Contains(p.body, `name="password"`) {
		t.Fatalf("authorize: got status %d; want 200 login page with username and password fields\n%s", p.status, p.body)
	}
	bad := b.post("/services/oauth2/login", url.Values{"req": {p.reqID(t)}, "username": {tUser}, "password": {"wrong"}})
	if bad.status != http.StatusOK || !strings.Contains(bad.body, "Please check your username and password") {
		t.Fatalf("wrong password: got status %d; want 200 login page with the generic message\n%s", bad.status, bad.body)
	}
	unknown := b.post("/services/oauth2/login", url.Values{"req": {bad.reqID(t)}, "username": {"nobody@oauth.example"}, "password": {"x"}})
	if got, want := strings.ReplaceAll(unknown.body, "nobody@oauth.example", tUser), strings.ReplaceAll(bad.body, bad.reqID(t), unknown.reqID(t)); got != want {
		t.Errorf("unknown username page differs from wrong-password page; it must not reveal which usernames exist")
	}
	p = b.post("/services/oauth2/login", url.Values{"req": {unknown.reqID(t)}, "username": {tUser}, "password": {tPassword}})
	if !strings.Contains(p.body, `name="approve"`) {
		t.Fatalf("after login: got status %d; want the consent page with an approve button\n%s", p.status, p.body)
	}
	if !strings.Contains(p.body, "Web &lt;App&gt; &amp; Co") {
		t.Errorf("consent page does not show the escaped app name:\n%s", p.body)
	}
	cb := b.post("/services/oauth2/consent", url.Values{"req": {p.reqID(t)}, "approve": {"Allow"}}).callbackParams(t)
	if got, want := cb.Get("state"), q.Get("state"); got != want {
		t.Errorf("state = %q; want %q", got, want)
	}
	code := cb.Get("code")
	if code == "" {
		t.Fatalf("callback has no code: %v", cb)
	}

	status, tok := tokenCall(t, ts, url.Values{"grant_type": {"authorization_code"}, "code": {code},
		"client_id": {webKey}, "client_secret": {webSecret}, "redirect_uri": {callbackURL}})
	if status != http.StatusOK {
		t.Fatalf("exchange: status %d body %v; want 200", status, tok)
	}
	for _, k := range []string{"access_token", "refresh_token", "signature", "scope", "instance_url", "id", "token_type", "issued_at"} {
		if _, ok := tok[k]; !ok {
			t.Errorf("token response lacks %q: %v", k, tok)
		}
	}
	if got, want := tok["scope"], "api refresh_token id"; got != want {
		t.Errorf("scope = %v; want %q", got, want)
	}
	if id, _ := tok["id"].(string); !strings.HasPrefix(id, ts.URL+"/id/00D") {
		t.Errorf("id = %q; want %s/id/00D…", id, ts.URL)
	}
	wantSig := tokenSignature(webSecret, tok["id"].(string), tok["issued_at"].(string))
	if tok["signature"] != wantSig {
		t.Errorf("signature = %v; want %v", tok["signature"], wantSig)
	}

	// Second visit: the session cookie and the earlier approval skip both pages.
	cb2 := b.get(authURL(ts.URL, q)).callbackParams(t)
	if cb2.Get("code") == "" || cb2.Get("code") == code {
		t.Errorf("second authorize: code %q; want a fresh code without login or consent", cb2.Get("code"))
	}
	// prompt=login forces the login page again.
	q.Set("prompt", "login")
	if p := b.get(authURL(ts.URL, q)); !strings.Contains(p.body, `action="/services/oauth2/login"`) {
		t.Errorf("prompt=login: got status %d; want the login page", p.status)
	}
	// prompt=consent forces the consent page even though approved.
	q.Set("prompt", "consent")
	if p := b.get(authURL(ts.URL, q)); !strings.Contains(p.body, `name="approve"`) {
		t.Errorf("prompt=consent: got status %d; want the consent page", p.status)
	}
}

func TestAuthorizeDenyRedirectsAccessDenied(t *testing.T) {
	_, ts, _ := newOAuthServer(t)
	b := newBrowser(t, ts)
	p := b.get(authURL(ts.URL, url.Values{"response_type": {"code"}, "client_id": {webKey}, "redirect_uri": {callbackURL}, "state": {"st"}}))
	p = b.post("/services/oauth2/login", url.Values{"req": {p.reqID(t)}, "username": {tUser}, "password": {tPassword}})
	cb := b.post("/services/oauth2/consent", url.Values{"req": {p.reqID(t)}, "deny": {"Deny"}}).callbackParams(t)
	want := url.Values{"error": {"access_denied"}, "error_description": {"end-user denied authorization"}, "state": {"st"}}
	if cb.Encode() != want.Encode() {
		t.Errorf("deny: callback query = %v; want %v", cb, want)
	}
}

func TestConsentFormNeedsTheSameBrowser(t *testing.T) {
	_, ts, _ := newOAuthServer(t)
	b := newBrowser(t, ts)
	p := b.get(authURL(ts.URL, url.Values{"response_type": {"code"}, "client_id": {webKey}, "redirect_uri": {callbackURL}}))
	p = b.post("/services/oauth2/login", url.Values{"req": {p.reqID(t)}, "username": {tUser}, "password": {tPassword}})
	req := p.reqID(t)
	// An attacker's browser (no cookies) posting the victim's request id.
	evil := newBrowser(t, ts)
	if got := evil.post("/services/oauth2/consent", url.Values{"req": {req}, "approve": {"Allow"}}); got.status != http.StatusBadRequest {
		t.Errorf("consent from another browser: status %d location %q; want 400 error page", got.status, got.location)
	}
	if got := evil.post("/services/oauth2/login", url.Values{"req": {req}, "username": {tUser}, "password": {tPassword}}); got.status != http.StatusBadRequest {
		t.Errorf("login from another browser: status %d; want 400 error page", got.status)
	}
}

func TestOAuth2LibraryWithPKCE(t *testing.T) {
	_, ts, _ := newOAuthServer(t)
	conf := &oauth2.Config{
		ClientID:     pkceKey,
		ClientSecret: pkceSecret,
		RedirectURL:  callbackURL,
		Scopes:       []string{"api", "refresh_token"},
		Endpoint: oauth2.Endpoint{
			AuthURL:   ts.URL + "/services/oauth2/authorize",
			TokenURL:  ts.URL + "/services/oauth2/token",
			AuthStyle: oauth2.AuthStyleInHeader,
		},
	}
	verifier := oauth2.GenerateVerifier()
	b := newBrowser(t, ts)
	cb := b.authorize(conf.AuthCodeURL("xyz", oauth2.S256ChallengeOption(verifier)), tUser, tPassword)
	if cb.Get("state") != "xyz" {
		t.Errorf("state = %q; want xyz", cb.Get("state"))
	}
	ctx := context.Background()
	tok, err := conf.Exchange(ctx, cb.Get("code"), oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatalf("Exchange() error = %v", err)
	}
	if tok.AccessToken == "" || tok.RefreshToken == "" || tok.TokenType != "Bearer" {
		t.Errorf("token = %+v; want access and refresh tokens of type Bearer", tok)
	}
	if got, want := tok.Extra("instance_url"), ts.URL; got != want {
		t.Errorf("instance_url = %v; want %v", got, want)
	}
	// The same code again fails (single use).
	_, err = conf.Exchange(ctx, cb.Get("code"), oauth2.VerifierOption(verifier))
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) || re.ErrorCode != "invalid_grant" || re.ErrorDescription != "expired authorization code" {
		t.Errorf("second Exchange() error = %v; want invalid_grant expired authorization code", err)
	}
	// The refresh token mints a new access token for the same user.
	old := *tok
	old.Expiry = time.Now().Add(-time.Hour)
	next, err := conf.TokenSource(ctx, &old).Token()
	if err != nil {
		t.Fatalf("refresh: %v", err)
	}
	if next.AccessToken == tok.AccessToken || next.AccessToken == "" {
		t.Errorf("refresh returned access token %q; want a new one", next.AccessToken)
	}
	// userinfo with the new token names the user.
	req, _ := http.NewRequest(http.MethodGet, ts.URL+"/services/oauth2/userinfo", nil)
	req.Header.Set("Authorization", "Bearer "+next.AccessToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var ui map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&ui)
	if resp.StatusCode != http.StatusOK || ui["preferred_username"] != tUser {
		t.Errorf("userinfo: status %d preferred_username %v; want 200 %s", resp.StatusCode, ui["preferred_username"], tUser)
	}
}

func TestPKCERequiredAndVerified(t *testing.T) {
	_, ts, _ := newOAuthServer(t)
	b := newBrowser(t, ts)
	base := url.Values{"response_type": {"code"}, "client_id": {pkceKey}, "redirect_uri": {callbackURL}, "state": {"p"}}
	cb := b.get(authURL(ts.URL, base)).callbackParams(t)
	if cb.Get("error") != "invalid_request" {
		t.Errorf("PKCE app without challenge: callback %v; want error=invalid_request", cb)
	}
	verifier := oauth2.GenerateVerifier()
	q := url.Values{}
	for k, v := range base {
		q[k] = v
	}
	q.Set("code_challenge", pkceS256(verifier))
	q.Set("code_challenge_method", "plain")
	if cb := b.get(authURL(ts.URL, q)).callbackParams(t); cb.Get("error") != "invalid_request" {
		t.Errorf("method plain: callback %v; want error=invalid_request", cb)
	}
	q.Set("code_challenge_method", "S256")
	code := b.authorize(authURL(ts.URL, q), tUser, tPassword).Get("code")
	form := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "client_id": {pkceKey},
		"redirect_uri": {callbackURL}, "code_verifier": {oauth2.GenerateVerifier()}}
	status, body := tokenCall(t, ts, form)
	if status != http.StatusBadRequest || body["error"] != "invalid_grant" || body["error_description"] != "invalid code verifier" {
		t.Errorf("wrong verifier: %d %v; want 400 invalid_grant invalid code verifier", status, body)
	}
	// The failed attempt burned the code.
	form.Set("code_verifier", verifier)
	status, body = tokenCall(t, ts, form)
	if status != http.StatusBadRequest || body["error_description"] != "expired authorization code" {
		t.Errorf("right verifier after a failed attempt: %d %v; want 400 expired authorization code", status, body)
	}
	// A fresh code with the right verifier and no secret (public client) works.
	code = b.authorize(authURL(ts.URL, q), tUser, tPassword).Get("code")
	form.Set("code", code)
	if status, body = tokenCall(t, ts, form); status != http.StatusOK {
		t.Errorf("right verifier: %d %v; want 200", status, body)
	}
}
