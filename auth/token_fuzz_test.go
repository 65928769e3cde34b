package auth

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/botforge/dialogd/sessions"
)

// tokenEndpoint answers every request with the response set last; a fuzz
// worker runs one input at a time.
type tokenEndpoint struct {
	mu     sync.Mutex
	status int
	ctype  string
	body   string
}

func (te *tokenEndpoint) set(status int, ctype, body string) {
	te.mu.Lock()
	defer te.mu.Unlock()
	te.status, te.ctype, te.body = status, ctype, body
}

func (te *tokenEndpoint) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	_, _ = io.Copy(io.Discard, r.Body)
	te.mu.Lock()
	status, ctype, body := te.status, te.ctype, te.body
	te.mu.Unlock()
	w.Header()["Content-Type"] = nil
	if ctype != "" {
		w.Header().Set("Content-Type", ctype)
	}
	w.WriteHeader(status)
	_, _ = io.WriteString(w, body)
}

// envFuzzClientSecret holds the client secret of FuzzTokenResponse's
// profiles.
const envFuzzClientSecret = "AUTH_FUZZ_CLIENT_SECRET"

// FuzzTokenResponse: whatever a token endpoint answers (status, type,
// JSON or form body), a client-credentials grant and a refresh neither
// panic nor accept a token without an access token, and the instance_url
// the Salesforce preset takes from the answer is only ever an absolute
// https URL (http on loopback) of scheme and host alone: it becomes the
// base of every service URL and a host the credential may be sent to.
func FuzzTokenResponse(f *testing.F) {
	te := &tokenEndpoint{}
	srv := httptest.NewServer(te)
	f.Cleanup(srv.Close)
	if err := os.Setenv(envFuzzClientSecret, "fuzz-client-secret"); err != nil {
		f.Fatal(err)
	}
	store := sessions.NewMemory(sessions.Options{})
	f.Cleanup(func() { store.Close() })
	kr, err := KeyringFromSecrets([]byte(testSecret))
	if err != nil {
		f.Fatal(err)
	}
	secret := SecretRef{Env: envFuzzClientSecret}
	login := &SalesforcePreset{Login: srv.URL}
	m, err := NewManager("fuzz", map[string]*Profile{
		"cc": {Kind: KindOAuth2ClientCreds, Salesforce: login, ClientID: "c", ClientSecret: secret},
		"pu": {Kind: KindOAuth2, Mode: ModePerUser, Salesforce: login, ClientID: "c", ClientSecret: secret},
	}, store, Options{Keyring: kr, PublicURL: "https://bots.example", Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		f.Fatal(err)
	}
	const ok = `{"access_token":"00D!AQ.x","instance_url":"https://acme.my.salesforce.com","id":"https://login.salesforce.com/id/00D/005","token_type":"Bearer","issued_at":"1700000000000","signature":"c2ln","scope":"api"}`
	f.Add(200, "application/json", ok)
	f.Add(200, "application/json;charset=UTF-8", `{"access_token":"a","refresh_token":"r","expires_in":3600,"instance_url":"http://127.0.0.1:9100"}`)
	f.Add(200, "text/plain", "access_token=a&instance_url=https%3A%2F%2Facme.my.salesforce.com&token_type=Bearer")
	f.Add(200, "application/x-www-form-urlencoded", "access_token=a&expires_in=-1&instance_url=https://evil.example@acme.my.salesforce.com")
	f.Add(200, "application/json", `{"access_token":"a","instance_url":"https://acme.my.salesforce.com/services/data?x=1#y"}`)
	f.Add(200, "application/json", `{"access_token":"a","instance_url":"javascript:alert(1)"}`)
	f.Add(200, "application/json", `{"access_token":"a","instance_url":"//evil.example"}`)
	f.Add(200, "application/json", `{"access_token":"a","instance_url":{"x":1},"expires_in":"soon"}`)
	f.Add(200, "application/json", `{"access_token":"","instance_url":"https://acme.my.salesforce.com"}`)
	f.Add(200, "application/json", `{"access_token":7}`)
	f.Add(400, "application/json", `{"error":"invalid_grant","error_description":"authentication failure"}`)
	f.Add(401, "application/json", `{"error":{"nested":true}}`)
	f.Add(500, "text/html", "<html>down</html>")
	f.Add(200, "", "")
	f.Fuzz(func(t *testing.T, status int, ctype, body string) {
		if status < 200 || status > 599 || strings.ContainsFunc(ctype, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
			return // not a response a server can send
		}
		te.set(status, ctype, body)
		ctx := context.Background()
		_ = m.deleteToken(ctx, "cc", botUser)
		base, err := m.BaseURL(ctx, nil, "cc")
		if err == nil {
			checkInstanceBase(t, m, base)
		}
		pr, _ := m.profile("pu")
		prev := &tokenRecord{AccessToken: "old", RefreshToken: "keep", InstanceURL: "https://acme.my.salesforce.com"}
		rec, err := m.refreshWith(ctx, pr, prev)
		if err != nil {
			return
		}
		if rec.RefreshToken == "" {
			t.Fatalf("a refresh answered with %q lost the refresh token", body)
		}
		checkInstanceBase(t, m, rec.InstanceURL)
	})
}

// checkInstanceBase wants base to be scheme://host of an https URL (http
// on loopback), and the credential to go there and nowhere else.
func checkInstanceBase(t *testing.T, m *Manager, base string) {
	t.Helper()
	u, err := url.Parse(base)
	switch {
	case err != nil || u.Host == "" || u.Opaque != "":
		t.Fatalf("instance_url %q accepted: not an absolute URL (%v)", base, err)
	case u.User != nil || strings.Contains(u.Host, "@"):
		t.Fatalf("instance_url %q accepted with credentials", base)
	case u.Scheme != "https" && !(u.Scheme == "http" && isLoopback(u.Hostname())):
		t.Fatalf("instance_url %q accepted: neither https nor loopback http", base)
	case strings.TrimSuffix(u.Path, "/") != "" || u.RawQuery != "" || u.ForceQuery || u.Fragment != "":
		t.Fatalf("instance_url %q accepted with a path, query or fragment: service paths are appended to it", base)
	}
	pr, _ := m.profile("cc")
	rec := &tokenRecord{AccessToken: "a", InstanceURL: base}
	target, _ := url.Parse(strings.TrimSuffix(base, "/") + "/services/data/v62.0/sobjects/Lead")
	if err := m.checkHost(pr, rec, target); err != nil {
		t.Fatalf("the credential may not go to its own instance %s: %v", target, err)
	}
	evil, _ := url.Parse("https://evil.example/services/data")
	if strings.EqualFold(u.Host, evil.Host) {
		return // the instance itself
	}
	if err := m.checkHost(pr, rec, evil); err == nil {
		t.Fatalf("instance_url %q lets the credential go to %s", base, evil)
	}
}
