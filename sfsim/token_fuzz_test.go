package sfsim

import (
	"encoding/json"
	"encoding/xml"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

// FuzzTokenForm: any form posted to /services/oauth2/token, with any
// Accept header, gets a token in the asked format that then works, or an
// OAuth error (JSON error and error_description) with a 4xx; never a 5xx
// or a panic. Neither answer is cached, and an error never echoes the
// password or client secret it was sent.
func FuzzTokenForm(f *testing.F) {
	key, _, _ := keys(f)
	clock := newTestClock()
	s, err := New(WithFixture(oauthFixture(f)), WithClock(clock.now))
	if err != nil {
		f.Fatal(err)
	}
	assertion := signJWT(f, key, map[string]any{"iss": jwtKey, "sub": tIntegrator, "aud": "https://login.salesforce.com",
		"exp": clock.now().Add(3 * time.Minute).Unix()})
	pw := url.Values{"grant_type": {"password"}, "client_id": {webKey}, "client_secret": {webSecret}, "username": {tUser}, "password": {tPassword + tToken}}
	for _, seed := range []struct{ form, accept string }{
		{pw.Encode(), ""},
		{pw.Encode() + "&format=xml", ""},
		{pw.Encode(), "application/x-www-form-urlencoded"},
		{"grant_type=client_credentials&client_id=" + webKey + "&client_secret=" + webSecret, "application/xml"},
		{"grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion=" + assertion, ""},
		{"grant_type=refresh_token&client_id=" + rotateKey + "&client_secret=" + rotSecret + "&refresh_token=5Aep861xyz", ""},
		{"grant_type=authorization_code&client_id=" + pkceKey + "&code=aPrx.x&redirect_uri=" + url.QueryEscape(callbackURL) + "&code_verifier=v", ""},
		{"grant_type=password&client_id=" + webKey + "&client_secret=wrong-secret-value&username=" + tUser + "&password=wrong-password-value", ""},
		{"grant_type=password&grant_type=client_credentials&client_id=" + webKey, "text/html"},
		{"grant_type=%zz", ""}, {"", ""}, {"format=urlencoded&grant_type=x", ""},
	} {
		f.Add(seed.form, seed.accept)
	}
	f.Fuzz(func(t *testing.T, form, accept string) {
		if strings.ContainsAny(accept, "\r\n\x00") {
			return
		}
		req := httptest.NewRequest(http.MethodPost, "/services/oauth2/token", strings.NewReader(form))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if accept != "" {
			req.Header.Set("Accept", accept)
		}
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, req)
		if cc := rec.Header().Get("Cache-Control"); !strings.Contains(cc, "no-store") {
			t.Fatalf("token answer %d has Cache-Control %q; want no-store", rec.Code, cc)
		}
		if rec.Code == http.StatusOK {
			checkIssuedToken(t, s, rec)
			return
		}
		checkOAuthError(t, rec, form)
	})
}

// checkIssuedToken reads the access token in whichever format the answer
// has and calls the REST API with it.
func checkIssuedToken(t *testing.T, s *Server, rec *httptest.ResponseRecorder) {
	t.Helper()
	var tok tokenResponse
	body := rec.Body.Bytes()
	ct := rec.Header().Get("Content-Type")
	switch {
	case strings.Contains(ct, "xml"):
		if err := xml.Unmarshal(body, &tok); err != nil {
			t.Fatalf("XML token answer %s: %v", body, err)
		}
	case strings.Contains(ct, "x-www-form-urlencoded"):
		q, err := url.ParseQuery(string(body))
		if err != nil {
			t.Fatalf("form token answer %s: %v", body, err)
		}
		tok.AccessToken, tok.InstanceURL = q.Get("access_token"), q.Get("instance_url")
	default:
		if err := json.Unmarshal(body, &tok); err != nil {
			t.Fatalf("token answer (%s) %s: %v", ct, body, err)
		}
	}
	if tok.AccessToken == "" || tok.InstanceURL == "" {
		t.Fatalf("token answer without access_token or instance_url: %s", body)
	}
	req := httptest.NewRequest(http.MethodGet, "/services/data/v62.0/limits", nil)
	req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	got := httptest.NewRecorder()
	s.ServeHTTP(got, req)
	if got.Code != http.StatusOK {
		t.Fatalf("an issued token does not work: %d %s", got.Code, got.Body)
	}
}

// checkOAuthError wants a 4xx JSON OAuth error that echoes no secret of
// the form.
func checkOAuthError(t *testing.T, rec *httptest.ResponseRecorder, form string) {
	t.Helper()
	if rec.Code < 400 || rec.Code >= 500 {
		t.Fatalf("token endpoint answered %d to %q: %s", rec.Code, form, rec.Body)
	}
	var e struct {
		Error       string `json:"error"`
		Description string `json:"error_description"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil || e.Error == "" {
		t.Fatalf("error answer %d %s: want JSON with error (%v)", rec.Code, rec.Body, err)
	}
	q, _ := url.ParseQuery(form)
	for _, k := range []string{"password", "client_secret", "assertion", "refresh_token", "code", "code_verifier"} {
		if v := q.Get(k); len(v) >= 6 && strings.Contains(rec.Body.String(), v) {
			t.Fatalf("error answer echoes the %s: %s", k, rec.Body)
		}
	}
}
