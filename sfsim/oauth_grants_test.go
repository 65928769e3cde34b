package sfsim

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

// serve runs one request through the server without a network.
func serve(s *Server, method, target, host string, form url.Values, hdr map[string]string) *httptest.ResponseRecorder {
	var body io.Reader
	if form != nil && method != http.MethodGet {
		body = strings.NewReader(form.Encode())
	} else if form != nil {
		target += "?" + form.Encode()
	}
	req := httptest.NewRequest(method, target, body)
	if body != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if host != "" {
		req.Host = host
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	return rec
}

func decodeJSON(t *testing.T, rec *httptest.ResponseRecorder) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &m); err != nil {
		t.Fatalf("body %q is not a JSON object: %v", rec.Body.String(), err)
	}
	return m
}

func TestPasswordGrantResponseFields(t *testing.T) {
	s, _, clock := newOAuthServer(t)
	rec := serve(s, "POST", "/services/oauth2/token", "127.0.0.1:8080", url.Values{"grant_type": {"password"},
		"client_id": {webKey}, "client_secret": {webSecret}, "username": {tUser}, "password": {tPassword + tToken}}, nil)
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d body %s; want 200", rec.Code, rec.Body)
	}
	m := decodeJSON(t, rec)
	u := s.userByUsername(tUser)
	want := map[string]any{
		"instance_url": "http://127.0.0.1:8080",
		"id":           "http://127.0.0.1:8080/id/" + s.org.ID + "/" + u.ID,
		"token_type":   "Bearer",
		"issued_at":    fmt.Sprint(clock.now().UnixMilli()),
	}
	for k, v := range want {
		if m[k] != v {
			t.Errorf("%s = %v; want %v", k, m[k], v)
		}
	}
	if _, ok := m["refresh_token"]; ok {
		t.Errorf("password grant returned a refresh_token; want none")
	}
	if got := rec.Header().Get("Content-Type"); got != "application/json;charset=UTF-8" {
		t.Errorf("Content-Type = %q", got)
	}
}

func TestPasswordGrantTrustedIPNeedsNoToken(t *testing.T) {
	s, _, _ := newOAuthServer(t)
	form := url.Values{"grant_type": {"password"}, "client_id": {webKey}, "client_secret": {webSecret},
		"username": {tTrusted}, "password": {"carol-Passw0rd"}}
	req := httptest.NewRequest("POST", "/services/oauth2/token", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	tests := []struct {
		remote string
		want   int
	}{
		{"127.0.0.1:5555", http.StatusOK},
		{"192.0.2.7:5555", http.StatusBadRequest},
	}
	for _, tt := range tests {
		r := req.Clone(req.Context())
		r.Body = io.NopCloser(strings.NewReader(form.Encode()))
		r.RemoteAddr = tt.remote
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, r)
		if rec.Code != tt.want {
			t.Errorf("login without token from %s: status %d; want %d (%s)", tt.remote, rec.Code, tt.want, rec.Body)
		}
	}
}

func TestTokenFormats(t *testing.T) {
	s, _, _ := newOAuthServer(t)
	form := func(format string) url.Values {
		return url.Values{"grant_type": {"password"}, "client_id": {webKey}, "client_secret": {webSecret},
			"username": {tUser}, "password": {tPassword + tToken}, "format": {format}}
	}
	tests := []struct{ format, ctype, prefix string }{
		{"json", "application/json;charset=UTF-8", `{"access_token":"00D`},
		{"urlencoded", "application/x-www-form-urlencoded;charset=UTF-8", "access_token=00D"},
		{"xml", "application/xml;charset=UTF-8", `<?xml version="1.0" encoding="UTF-8"?>` + "\n<OAuth><access_token>00D"},
	}
	for _, tt := range tests {
		rec := serve(s, "POST", "/services/oauth2/token", "", form(tt.format), nil)
		if got := rec.Header().Get("Content-Type"); got != tt.ctype {
			t.Errorf("format=%s: Content-Type = %q; want %q", tt.format, got, tt.ctype)
		}
		if !strings.HasPrefix(rec.Body.String(), tt.prefix) {
			t.Errorf("format=%s: body %.80q; want prefix %q", tt.format, rec.Body.String(), tt.prefix)
		}
	}
}

func TestClientCredentialsRunsAsUserOnMyDomain(t *testing.T) {
	s, _, _ := newOAuthServer(t)
	rec := serve(s, "POST", "/services/oauth2/token", myDomain, url.Values{"grant_type": {"client_credentials"}}, map[string]string{
		"Authorization": "Basic " + basicAuth(webKey, webSecret),
	})
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d body %s; want 200", rec.Code, rec.Body)
	}
	m := decodeJSON(t, rec)
	integ := s.userByUsername(tIntegrator)
	if want := "http://" + myDomain + "/id/" + s.org.ID + "/" + integ.ID; m["id"] != want {
		t.Errorf("id = %v; want %v (run-as user on the My Domain host)", m["id"], want)
	}
	g, err := s.grantForToken(m["access_token"].(string))
	if err != nil || g.User.Username != tIntegrator {
		t.Errorf("token's user: %v %v; want %s", g, err, tIntegrator)
	}
}

func basicAuth(id, secret string) string {
	r := httptest.NewRequest("GET", "/", nil)
	r.SetBasicAuth(id, secret)
	return strings.TrimPrefix(r.Header.Get("Authorization"), "Basic ")
}

func TestJWTGrantVariants(t *testing.T) {
	key, _, _ := keys(t)
	s, _, clock := newOAuthServer(t)
	exp := clock.now().Add(3 * time.Minute).Unix()
	tests := []struct {
		name   string
		claims map[string]any
		inURL  bool
		want   int
	}{
		{"exp as string", map[string]any{"iss": jwtKey, "sub": tIntegrator, "aud": "https://login.salesforce.com", "exp": fmt.Sprint(exp)}, false, 200},
		{"exp as number, test audience", map[string]any{"iss": jwtKey, "sub": tIntegrator, "aud": "https://test.salesforce.com", "exp": exp}, false, 200},
		{"aud array with My Domain", map[string]any{"iss": jwtKey, "sub": tIntegrator, "aud": []string{"https://" + myDomain}, "exp": exp}, false, 200},
		{"prn wins over sub", map[string]any{"iss": jwtKey, "sub": tUser, "prn": tIntegrator, "aud": "https://login.salesforce.com", "exp": exp}, false, 200},
		{"parameters in the query string", map[string]any{"iss": jwtKey, "sub": tIntegrator, "aud": "https://login.salesforce.com", "exp": exp}, true, 200},
		{"no exp", map[string]any{"iss": jwtKey, "sub": tIntegrator, "aud": "https://login.salesforce.com"}, false, 400},
		{"exp now", map[string]any{"iss": jwtKey, "sub": tIntegrator, "aud": "https://login.salesforce.com", "exp": clock.now().Unix()}, false, 400},
		{"unknown user", map[string]any{"iss": jwtKey, "sub": "ghost@oauth.example", "aud": "https://login.salesforce.com", "exp": exp}, false, 400},
	}
	for _, tt := range tests {
		form := url.Values{"grant_type": {grantJWTBearer}, "assertion": {signJWT(t, key, tt.claims)}}
		var rec *httptest.ResponseRecorder
		if tt.inURL {
			rec = serve(s, "POST", "/services/oauth2/token?"+form.Encode(), "", url.Values{}, nil)
		} else {
			rec = serve(s, "POST", "/services/oauth2/token", "", form, nil)
		}
		if rec.Code != tt.want {
			t.Errorf("%s: status %d body %s; want %d", tt.name, rec.Code, rec.Body, tt.want)
			continue
		}
		if tt.want == 200 {
			m := decodeJSON(t, rec)
			if _, ok := m["refresh_token"]; ok {
				t.Errorf("%s: JWT grant returned a refresh_token", tt.name)
			}
			if _, ok := m["issued_at"]; ok {
				t.Errorf("%s: JWT grant returned issued_at; Salesforce's JWT response has none", tt.name)
			}
		}
	}
}

func TestJWTAfterUserApprovedWithRefreshScope(t *testing.T) {
	key, _, _ := keys(t)
	s, ts, clock := newOAuthServer(t)
	assertion := func() url.Values {
		return url.Values{"grant_type": {grantJWTBearer}, "assertion": {signJWT(t, key, map[string]any{
			"iss": jwtKey, "sub": tUser, "aud": "https://login.salesforce.com", "exp": clock.now().Add(time.Minute).Unix()})}}
	}
	if rec := serve(s, "POST", "/services/oauth2/token", "", assertion(), nil); rec.Code != http.StatusBadRequest {
		t.Fatalf("before approval: status %d; want 400", rec.Code)
	}
	b := newBrowser(t, ts)
	b.authorize(authURL(ts.URL, url.Values{"response_type": {"code"}, "client_id": {jwtKey}, "redirect_uri": {callbackURL},
		"scope": {"api refresh_token"}}), tUser, tPassword)
	if rec := serve(s, "POST", "/services/oauth2/token", "", assertion(), nil); rec.Code != http.StatusOK {
		t.Errorf("after approval with refresh_token: status %d %s; want 200", rec.Code, rec.Body)
	}
}

func TestAuthorizationCodeExpiresAfter15Minutes(t *testing.T) {
	s, _, clock := newOAuthServer(t)
	exchange := func(code string) *httptest.ResponseRecorder {
		return serve(s, "POST", "/services/oauth2/token", "", url.Values{"grant_type": {"authorization_code"}, "code": {code},
			"client_id": {webKey}, "client_secret": {webSecret}, "redirect_uri": {callbackURL}}, nil)
	}
	code := issueTestCode(t, s, webKey, tUser, "")
	clock.advance(14*time.Minute + 59*time.Second)
	if rec := exchange(code); rec.Code != http.StatusOK {
		t.Errorf("after 14m59s: status %d %s; want 200", rec.Code, rec.Body)
	}
	code = issueTestCode(t, s, webKey, tUser, "")
	clock.advance(15 * time.Minute)
	if rec := exchange(code); rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), "expired authorization code") {
		t.Errorf("after 15m: status %d %s; want 400 expired authorization code", rec.Code, rec.Body)
	}
	// A code is bound to the app it was issued to.
	code = issueTestCode(t, s, webKey, tUser, "")
	rec := serve(s, "POST", "/services/oauth2/token", "", url.Values{"grant_type": {"authorization_code"}, "code": {code},
		"client_id": {rotateKey}, "client_secret": {rotSecret}, "redirect_uri": {callbackURL}}, nil)
	if rec.Code != http.StatusBadRequest {
		t.Errorf("code redeemed by another app: status %d; want 400", rec.Code)
	}
}

func TestRefreshRotationAndRevoke(t *testing.T) {
	s, ts, _ := newOAuthServer(t)
	refresh := func(key, secret, rt string) *httptest.ResponseRecorder {
		return serve(s, "POST", "/services/oauth2/token", "", url.Values{"grant_type": {"refresh_token"},
			"client_id": {key}, "client_secret": {secret}, "refresh_token": {rt}}, nil)
	}
	codeFor := func(key string) string {
		b := newBrowser(t, ts)
		return b.authorize(authURL(ts.URL, url.Values{"response_type": {"code"}, "client_id": {key}, "redirect_uri": {callbackURL},
			"scope": {"api refresh_token"}}), tUser, tPassword).Get("code")
	}
	exchange := func(key, secret string) map[string]any {
		rec := serve(s, "POST", "/services/oauth2/token", "", url.Values{"grant_type": {"authorization_code"}, "code": {codeFor(key)},
			"client_id": {key}, "client_secret": {secret}, "redirect_uri": {callbackURL}}, nil)
		if rec.Code != 200 {
			t.Fatalf("exchange for %s: %d %s", key, rec.Code, rec.Body)
		}
		return decodeJSON(t, rec)
	}

	// Without rotation: no new refresh token; the old one keeps working.
	tok := exchange(webKey, webSecret)
	rt := tok["refresh_token"].(string)
	for i := 0; i < 2; i++ {
		rec := refresh(webKey, webSecret, rt)
		if rec.Code != 200 {
			t.Fatalf("refresh %d: %d %s", i, rec.Code, rec.Body)
		}
		if _, ok := decodeJSON(t, rec)["refresh_token"]; ok {
			t.Errorf("refresh without rotation returned a refresh_token")
		}
	}
	// Another app cannot use this refresh token.
	if rec := refresh(rotateKey, rotSecret, rt); rec.Code != 400 {
		t.Errorf("refresh token used by another app: %d; want 400", rec.Code)
	}
	// Revoking the refresh token kills it and the access tokens minted from it.
	minted := decodeJSON(t, refresh(webKey, webSecret, rt))["access_token"].(string)
	if rec := serve(s, "POST", "/services/oauth2/revoke", "", url.Values{"token": {rt}}, nil); rec.Code != 200 || rec.Body.Len() != 0 {
		t.Errorf("revoke: %d %q; want 200 with an empty body", rec.Code, rec.Body)
	}
	if rec := refresh(webKey, webSecret, rt); rec.Code != 400 || !strings.Contains(rec.Body.String(), "expired access/refresh token") {
		t.Errorf("refresh after revoke: %d %s; want 400 expired access/refresh token", rec.Code, rec.Body)
	}
	if _, err := s.grantForToken(minted); err == nil {
		t.Errorf("access token minted from a revoked refresh token still works")
	}

	// With rotation: a new refresh token each time, the old one dies.
	tok = exchange(rotateKey, rotSecret)
	rt1 := tok["refresh_token"].(string)
	rec := refresh(rotateKey, rotSecret, rt1)
	rt2, _ := decodeJSON(t, rec)["refresh_token"].(string)
	if rec.Code != 200 || rt2 == "" || rt2 == rt1 {
		t.Fatalf("rotating refresh: %d %s; want a new refresh_token", rec.Code, rec.Body)
	}
	if rec := refresh(rotateKey, rotSecret, rt1); rec.Code != 400 {
		t.Errorf("old refresh token after rotation: %d; want 400", rec.Code)
	}
	if rec := refresh(rotateKey, rotSecret, rt2); rec.Code != 200 {
		t.Errorf("new refresh token after rotation: %d %s; want 200", rec.Code, rec.Body)
	}
}

func TestAccessTokenExpiresAfterSessionTimeout(t *testing.T) {
	s, _, clock := newOAuthServer(t)
	rec := serve(s, "POST", "/services/oauth2/token", "", url.Values{"grant_type": {"password"}, "client_id": {webKey},
		"client_secret": {webSecret}, "username": {tUser}, "password": {tPassword + tToken}}, nil)
	at := decodeJSON(t, rec)["access_token"].(string)
	auth := map[string]string{"Authorization": "Bearer " + at}
	if rec := serve(s, "GET", "/services/oauth2/userinfo", "", nil, auth); rec.Code != 200 {
		t.Fatalf("userinfo with a fresh token: %d %s", rec.Code, rec.Body)
	}
	clock.advance(2 * time.Hour)
	rec = serve(s, "GET", "/services/data/v63.0/limits", "", nil, auth)
	if rec.Code != http.StatusUnauthorized || !strings.Contains(rec.Body.String(), "INVALID_SESSION_ID") {
		t.Errorf("data call after the session timeout: %d %s; want 401 INVALID_SESSION_ID", rec.Code, rec.Body)
	}
}

func TestIdentityURL(t *testing.T) {
	s, _, _ := newOAuthServer(t)
	u := s.userByUsername(tUser)
	g := s.issueGrant(u, s.appByKey(webKey), []string{"api", "id"}, false)
	path := "/id/" + s.org.ID + "/" + u.ID
	tests := []struct {
		name   string
		target string
		hdr    map[string]string
		want   int
	}{
		{"bearer header", path, map[string]string{"Authorization": "Bearer " + g.AccessToken}, 200},
		{"OAuth header, version", path + "?version=63.0", map[string]string{"Authorization": "OAuth " + g.AccessToken}, 200},
		{"oauth_token parameter", path + "?oauth_token=" + url.QueryEscape(g.AccessToken), nil, 200},
		{"15-character ids", "/id/" + s.org.ID[:15] + "/" + u.ID[:15], map[string]string{"Authorization": "Bearer " + g.AccessToken}, 200},
		{"other org", "/id/00D000000000001AAA/" + u.ID, map[string]string{"Authorization": "Bearer " + g.AccessToken}, 403},
		{"unknown user", "/id/" + s.org.ID + "/005000000000999AAA", map[string]string{"Authorization": "Bearer " + g.AccessToken}, 404},
	}
	for _, tt := range tests {
		rec := serve(s, "GET", tt.target, "acme.my.salesforce.com", nil, tt.hdr)
		if rec.Code != tt.want {
			t.Errorf("%s: status %d %s; want %d", tt.name, rec.Code, rec.Body, tt.want)
			continue
		}
		if tt.want != 200 {
			continue
		}
		m := decodeJSON(t, rec)
		if m["username"] != tUser || m["user_id"] != u.ID || m["organization_id"] != s.org.ID || m["asserted_user"] != true {
			t.Errorf("%s: body %v; want the user's identity", tt.name, m)
		}
		rest := m["urls"].(map[string]any)["rest"]
		want := "http://acme.my.salesforce.com/services/data/v{version}/"
		if strings.Contains(tt.target, "version=63.0") {
			want = "http://acme.my.salesforce.com/services/data/v63.0/"
		}
		if rest != want {
			t.Errorf("%s: urls.rest = %v; want %v", tt.name, rest, want)
		}
	}
}

func TestCodeRedeemedOnceUnderConcurrency(t *testing.T) {
	s, _, _ := newOAuthServer(t)
	code := issueTestCode(t, s, webKey, tUser, "")
	const n = 16
	statuses := make(chan int, n)
	var start sync.WaitGroup
	start.Add(1)
	for i := 0; i < n; i++ {
		go func() {
			start.Wait()
			rec := serve(s, "POST", "/services/oauth2/token", "", url.Values{"grant_type": {"authorization_code"}, "code": {code},
				"client_id": {webKey}, "client_secret": {webSecret}, "redirect_uri": {callbackURL}}, nil)
			statuses <- rec.Code
		}()
	}
	start.Done()
	ok := 0
	for i := 0; i < n; i++ {
		if <-statuses == http.StatusOK {
			ok++
		}
	}
	if ok != 1 {
		t.Errorf("%d of %d concurrent redemptions succeeded; want exactly 1", ok, n)
	}
}
