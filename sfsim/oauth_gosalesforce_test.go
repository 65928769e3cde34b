package sfsim

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	salesforce "github.com/k-capehart/go-salesforce/v3"
)

// myDomainTransport dials every host to the test server, so a client can
// use https-less My Domain URLs such as http://oauth-test.my.salesforce.com
// while the Host header keeps the My Domain name.
func myDomainTransport(ts *httptest.Server) *http.Transport {
	addr := ts.Listener.Addr().String()
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.DialContext = func(ctx context.Context, network, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, network, addr)
	}
	return tr
}

// useDefaultTransport swaps http.DefaultTransport for the test: go-salesforce
// sends its token requests with http.Post. Tests using it must not run in
// parallel.
func useDefaultTransport(t *testing.T, tr http.RoundTripper) {
	orig := http.DefaultTransport
	http.DefaultTransport = tr
	t.Cleanup(func() { http.DefaultTransport = orig })
}

// recoversAfterExpiry expires every access token and checks that the client
// logs in again on the 401 INVALID_SESSION_ID and gets a new token.
func recoversAfterExpiry(t *testing.T, s *Server, sf *salesforce.Salesforce) {
	t.Helper()
	before := sf.GetAccessToken()
	s.ExpireAccessTokens()
	limitsOK(t, sf)
	if sf.GetAccessToken() == before {
		t.Errorf("access token unchanged after expiry; want the client to have logged in again")
	}
}

// limitsOK checks that the client's session works on the data API.
func limitsOK(t *testing.T, sf *salesforce.Salesforce) {
	t.Helper()
	resp, err := sf.DoRequest(http.MethodGet, "/limits", nil)
	if err != nil {
		t.Fatalf("GET /limits: %v", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "DailyApiRequests") {
		t.Errorf("GET /limits: status %d body %.200s; want 200 with DailyApiRequests", resp.StatusCode, body)
	}
}

func TestGoSalesforcePasswordLogin(t *testing.T) {
	s, ts, _ := newOAuthServer(t)
	sf, err := salesforce.Init(salesforce.Creds{
		Domain: ts.URL, Username: tUser, Password: tPassword, SecurityToken: tToken,
		ConsumerKey: webKey, ConsumerSecret: webSecret,
	})
	if err != nil {
		t.Fatalf("Init(password) error = %v", err)
	}
	if got := sf.AuthFlow; got != salesforce.AuthFlowUsernamePassword {
		t.Errorf("AuthFlow = %v; want %v", got, salesforce.AuthFlowUsernamePassword)
	}
	if !strings.HasPrefix(sf.GetAccessToken(), "00D") {
		t.Errorf("access token %q; want the 00D…!… shape", sf.GetAccessToken())
	}
	limitsOK(t, sf)
	recoversAfterExpiry(t, s, sf)

	_, err = salesforce.Init(salesforce.Creds{
		Domain: ts.URL, Username: tUser, Password: tPassword, SecurityToken: "WRONG",
		ConsumerKey: webKey, ConsumerSecret: webSecret,
	})
	if err == nil || !strings.Contains(err.Error(), "400") {
		t.Errorf("Init(wrong token) error = %v; want a 400 failure", err)
	}
}

func TestGoSalesforceJWTLogin(t *testing.T) {
	key, _, _ := keys(t)
	// go-salesforce sets exp from the real clock; so the server uses it too.
	s, err := New(WithFixture(oauthFixture(t)))
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(s)
	t.Cleanup(ts.Close)
	sf, err := salesforce.Init(salesforce.Creds{
		Domain: ts.URL, Username: tIntegrator, ConsumerKey: jwtKey, ConsumerRSAPem: privatePEM(key),
	})
	if err != nil {
		t.Fatalf("Init(JWT) error = %v", err)
	}
	if got := sf.AuthFlow; got != salesforce.AuthFlowJWT {
		t.Errorf("AuthFlow = %v; want %v", got, salesforce.AuthFlowJWT)
	}
	limitsOK(t, sf)
	recoversAfterExpiry(t, s, sf)

	// A user who never approved the app is refused.
	_, err = salesforce.Init(salesforce.Creds{Domain: ts.URL, Username: tUser, ConsumerKey: jwtKey, ConsumerRSAPem: privatePEM(key)})
	if err == nil {
		t.Errorf("Init(JWT, unapproved user) succeeded; want an error")
	}
}

func TestGoSalesforceClientCredentialsOnMyDomain(t *testing.T) {
	s, ts, _ := newOAuthServer(t)
	tr := myDomainTransport(ts)
	useDefaultTransport(t, tr)

	// On the plain server URL the flow is refused (login host, not My Domain).
	if _, err := salesforce.Init(salesforce.Creds{Domain: ts.URL, ConsumerKey: webKey, ConsumerSecret: webSecret}); err == nil {
		t.Errorf("Init(client credentials) on %s succeeded; want refusal off My Domain", ts.URL)
	}
	sf, err := salesforce.Init(salesforce.Creds{Domain: "http://" + myDomain, ConsumerKey: webKey, ConsumerSecret: webSecret},
		salesforce.WithRoundTripper(tr))
	if err != nil {
		t.Fatalf("Init(client credentials) on My Domain error = %v", err)
	}
	if got := sf.AuthFlow; got != salesforce.AuthFlowClientCredentials {
		t.Errorf("AuthFlow = %v; want %v", got, salesforce.AuthFlowClientCredentials)
	}
	limitsOK(t, sf)
	recoversAfterExpiry(t, s, sf)
}

func TestGoSalesforceAccessTokenLogin(t *testing.T) {
	s, ts, _ := newOAuthServer(t)
	u := s.userByUsername(tUser)
	g := s.issueGrant(u, s.appByKey(webKey), []string{"api"}, false)
	sf, err := salesforce.Init(salesforce.Creds{Domain: ts.URL, AccessToken: g.AccessToken})
	if err != nil {
		t.Fatalf("Init(access token) error = %v", err)
	}
	limitsOK(t, sf)
	if _, err := salesforce.Init(salesforce.Creds{Domain: ts.URL, AccessToken: "00Dbogus!token"}); err == nil {
		t.Errorf("Init(unknown access token) succeeded; want an error")
	}
}
