package sfsim

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/botforge/dialogd/internal/testkeys"
)

// Test principals of the OAuth fixture.
const (
	tUser       = "alice@oauth.example"
	tPassword   = "alice-Passw0rd"
	tToken      = "ALICEtoken123"
	tInactive   = "bob@oauth.example"
	tTrusted    = "carol@oauth.example"
	tIntegrator = "integ@oauth.example"

	webKey      = "3MVG9web.app"
	webSecret   = "WEBSECRET0123456789"
	pkceKey     = "3MVG9pkce.app"
	pkceSecret  = "PKCESECRET0123456789"
	jwtKey      = "3MVG9jwt.app"
	jwtSecret   = "JWTSECRET0123456789"
	rotateKey   = "3MVG9rotate.app"
	rotSecret   = "ROTSECRET0123456789"
	noPwKey     = "3MVG9nopw.app"
	noPwSecret  = "NOPWSECRET0123456789"
	callbackURL = "http://localhost:9999/oauth/callback"
	myDomain    = "oauth-test.my.salesforce.com"
)

// keys returns the RSA key whose certificate the JWT app trusts, a
// stranger's key, and the certificate (internal/testkeys).
func keys(t testing.TB) (*rsa.PrivateKey, *rsa.PrivateKey, string) {
	t.Helper()
	key, cert := testkeys.RSA(t)
	return key, testkeys.Other(t), cert
}

func privatePEM(k *rsa.PrivateKey) string { return testkeys.PrivatePEM(k) }

// testClock is an adjustable clock for WithClock.
type testClock struct{ ns atomic.Int64 }

func newTestClock() *testClock {
	c := &testClock{}
	c.ns.Store(time.Date(2026, 5, 14, 9, 30, 0, 0, time.UTC).UnixNano())
	return c
}
func (c *testClock) now() time.Time          { return time.Unix(0, c.ns.Load()).UTC() }
func (c *testClock) advance(d time.Duration) { c.ns.Add(int64(d)) }

func boolp(b bool) *bool { return &b }

// oauthFixture is a small org with one app per OAuth situation.
func oauthFixture(t testing.TB) *Fixture {
	_, _, cert := keys(t)
	fx, err := DemoFixture()
	if err != nil {
		t.Fatalf("DemoFixture() error = %v", err)
	}
	fx.Org.MyDomain = myDomain
	fx.Org.SessionTimeout = 2 * time.Hour
	fx.Users = []FixtureUser{
		{Username: tUser, Password: tPassword, SecurityToken: tToken, Email: tUser, FirstName: "Alice", LastName: "Adams", Alias: "aadams"},
		{Username: tInactive, Password: "bob-Passw0rd", SecurityToken: "BOBtoken", Email: tInactive, FirstName: "Bob", LastName: "Brown", Alias: "bbrown", Active: boolp(false)},
		{Username: tTrusted, Password: "carol-Passw0rd", SecurityToken: "CAROLtoken", Email: tTrusted, FirstName: "Carol", LastName: "Clark", Alias: "cclark", TrustedIPRanges: []string{"127.0.0.0/8"}},
		{Username: tIntegrator, Password: "integ-Passw0rd", SecurityToken: "INTEGtoken", Email: tIntegrator, FirstName: "Integration", LastName: "User", Alias: "integ"},
	}
	all := []string{"api", "refresh_token", "id", "openid", "web"}
	fx.Apps = []FixtureApp{
		{Name: "Web <App> & Co", ConsumerKey: webKey, ConsumerSecret: webSecret, CallbackURLs: []string{callbackURL}, Scopes: all,
			AllowPasswordFlow: true, ClientCredentialsUser: tIntegrator},
		{Name: "PKCE App", ConsumerKey: pkceKey, ConsumerSecret: pkceSecret, CallbackURLs: []string{callbackURL}, Scopes: all, RequirePKCE: true},
		{Name: "JWT App", ConsumerKey: jwtKey, ConsumerSecret: jwtSecret, CallbackURLs: []string{callbackURL}, Scopes: []string{"api", "refresh_token"},
			CertificatePEM: cert, PreApprovedUsers: []string{tIntegrator}},
		{Name: "Rotating App", ConsumerKey: rotateKey, ConsumerSecret: rotSecret, CallbackURLs: []string{callbackURL}, Scopes: all,
			PreApprovedUsers: []string{tUser}, RotateRefreshTokens: true},
		{Name: "No Password App", ConsumerKey: noPwKey, ConsumerSecret: noPwSecret, CallbackURLs: []string{callbackURL}, Scopes: all},
	}
	return fx
}

// newOAuthServer starts sfsim with the OAuth fixture on a loopback listener.
func newOAuthServer(t testing.TB) (*Server, *httptest.Server, *testClock) {
	t.Helper()
	clock := newTestClock()
	s, err := New(WithFixture(oauthFixture(t)), WithClock(clock.now))
	if err != nil {
		t.Fatalf("New() error = %v", err)
	}
	ts := httptest.NewServer(s)
	t.Cleanup(ts.Close)
	return s, ts, clock
}

// signJWT builds an RS256 assertion with the given claims.
func signJWT(t testing.TB, key *rsa.PrivateKey, claims map[string]any) string {
	t.Helper()
	enc := func(v any) string {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		return base64.RawURLEncoding.EncodeToString(b)
	}
	in := enc(map[string]string{"alg": "RS256"}) + "." + enc(claims)
	sum := sha256.Sum256([]byte(in))
	sig, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, sum[:])
	if err != nil {
		t.Fatal(err)
	}
	return in + "." + base64.RawURLEncoding.EncodeToString(sig)
}

// noRedirect is an http.Client that returns redirects instead of following.
func noRedirectClient(jar http.CookieJar) *http.Client {
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}
