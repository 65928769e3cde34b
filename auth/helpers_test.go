package auth

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/botforge/dialogd/internal/testkeys"
	"github.com/botforge/dialogd/nodes"
	"github.com/botforge/dialogd/sessions"
	"github.com/botforge/dialogd/sfsim"
)

// Principals of the test org (sfsim's demo fixture, adjusted).
const (
	endUser    = "demo@dialogd.example" // signs in interactively, consent shown
	integrator = "integration@dialogd.example"
	testSecret = "an-adequately-long-bot-secret-key"
)

// Environment variables the test profiles refer to.
const (
	envClientSecret  = "AUTH_TEST_CLIENT_SECRET"
	envPassword      = "AUTH_TEST_PASSWORD"
	envSecurityToken = "AUTH_TEST_SECURITY_TOKEN"
)

// syncBuffer collects log output from concurrent goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// authEvent is one onAuthorized or onDenied call.
type authEvent struct {
	kind, bot, session, user string
}

// harness is sfsim plus a callback server plus a store, with debug logs
// captured.
type harness struct {
	t       testing.TB
	sim     *sfsim.Server
	sf      *httptest.Server
	cb      *httptest.Server
	creds   sfsim.DemoCredentials
	store   sessions.Store
	logs    *syncBuffer
	log     *slog.Logger
	keys    *Keyring
	keyFile string // PEM private key for the JWT profile

	clock atomic.Int64 // added to the managers' clock, in ns

	mu       sync.Mutex
	managers map[string]*Manager
	events   chan authEvent
	refused  []string // OnRefused calls, as endpoint/reason
}

// refusals returns the OnRefused calls so far, as endpoint/reason.
func (h *harness) refusals() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]string(nil), h.refused...)
}

type harnessConfig struct {
	store    sessions.Store
	myDomain string
}

// newHarness starts sfsim and the callback server. The demo fixture's app
// gets the callback URL and the test certificate; only the integration
// user is pre-approved, so the end user sees the consent page.
func newHarness(t testing.TB, cfg harnessConfig) *harness {
	t.Helper()
	h := &harness{t: t, logs: &syncBuffer{}, managers: map[string]*Manager{}, events: make(chan authEvent, 16)}
	h.log = slog.New(slog.NewTextHandler(h.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	onRefused := OnRefused(func(_ context.Context, endpoint, reason string) {
		h.mu.Lock()
		h.refused = append(h.refused, endpoint+"/"+reason)
		h.mu.Unlock()
	})
	mux := http.NewServeMux()
	mux.Handle(CallbackPath, Callback(h.manager, func(_ context.Context, bot, session, user string) {
		h.events <- authEvent{"authorized", bot, session, user}
	}, OnDenied(func(_ context.Context, bot, session, user string) {
		h.events <- authEvent{"denied", bot, session, user}
	}), CallbackLogger(h.log), onRefused))
	mux.Handle(StartPath, Start(h.manager, CallbackLogger(h.log), onRefused))
	h.cb = httptest.NewServer(mux)
	t.Cleanup(h.cb.Close)

	key, cert := testkeys.RSA(t)
	fx, err := sfsim.DemoFixture()
	if err != nil {
		t.Fatal(err)
	}
	app := &fx.Apps[0]
	app.CallbackURLs = append(app.CallbackURLs, h.cb.URL+CallbackPath)
	app.CertificatePEM = cert
	app.PreApprovedUsers = []string{integrator}
	opts := []sfsim.Option{sfsim.WithFixture(fx)}
	if cfg.myDomain != "" {
		opts = append(opts, sfsim.WithMyDomain(cfg.myDomain))
	}
	h.sim, err = sfsim.New(opts...)
	if err != nil {
		t.Fatal(err)
	}
	h.sf = httptest.NewServer(h.sim)
	t.Cleanup(h.sf.Close)
	if h.creds, err = h.sim.Credentials(); err != nil {
		t.Fatal(err)
	}
	t.Setenv(envClientSecret, h.creds.ClientSecret)
	t.Setenv(envPassword, h.creds.Password)
	t.Setenv(envSecurityToken, h.creds.SecurityToken)
	h.keyFile = filepath.Join(t.TempDir(), "jwt.key")
	if err := os.WriteFile(h.keyFile, []byte(testkeys.PrivatePEM(key)), 0o600); err != nil {
		t.Fatal(err)
	}
	h.store = cfg.store
	if h.store == nil {
		mem := sessions.NewMemory(sessions.Options{})
		t.Cleanup(func() { mem.Close() })
		h.store = mem
	}
	if h.keys, err = KeyringFromSecrets([]byte(testSecret)); err != nil {
		t.Fatal(err)
	}
	return h
}

func (h *harness) now() time.Time { return time.Now().Add(time.Duration(h.clock.Load())) }

func (h *harness) manager(bot string) *Manager {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.managers[bot]
}

// newManager builds a manager for bot over the harness store and
// registers it with the callback (the last one per bot wins).
func (h *harness) newManager(bot string, profiles map[string]*Profile) *Manager {
	h.t.Helper()
	m, err := NewManager(bot, profiles, h.store, Options{PublicURL: h.cb.URL, Keyring: h.keys, Logger: h.log, HTTPClient: h.sf.Client(), Now: h.now})
	if err != nil {
		h.t.Fatalf("NewManager(%s) error = %v", bot, err)
	}
	h.mu.Lock()
	h.managers[bot] = m
	h.mu.Unlock()
	return m
}

func (h *harness) login() *SalesforcePreset { return &SalesforcePreset{Login: h.sf.URL} }

func (h *harness) perUser() *Profile {
	return &Profile{Kind: KindOAuth2, Mode: ModePerUser, Salesforce: h.login(), ClientID: h.creds.ClientID,
		ClientSecret: SecretRef{Env: envClientSecret}, Scopes: Scopes{"api", "refresh_token"}}
}

func (h *harness) adminCode() *Profile {
	p := h.perUser()
	p.Mode = ModePreAuthorized
	return p
}

func (h *harness) password() *Profile {
	return &Profile{Kind: KindOAuth2Password, Salesforce: h.login(), ClientID: h.creds.ClientID,
		ClientSecret: SecretRef{Env: envClientSecret}, Username: h.creds.Username,
		Password: SecretRef{Env: envPassword}, SecurityToken: SecretRef{Env: envSecurityToken}}
}

func (h *harness) jwtBearer() *Profile {
	return &Profile{Kind: KindOAuth2JWTBearer, Salesforce: h.login(), ClientID: h.creds.ClientID,
		Username: integrator, PrivateKey: SecretRef{File: h.keyFile}}
}

func (h *harness) clientCreds() *Profile {
	return &Profile{Kind: KindOAuth2ClientCreds, Salesforce: h.login(), ClientID: h.creds.ClientID,
		ClientSecret: SecretRef{Env: envClientSecret}}
}

// turn is a turn of user in session at node.
func turn(bot, session, user, node string) *nodes.Turn {
	return &nodes.Turn{Bot: bot, Session: session, User: user, NodeID: node, Lang: "en"}
}

// call makes a REST call to sfsim with the profile's credentials: the base
// URL from BaseURL, the header from Apply. It returns the status.
func (h *harness) call(m *Manager, t *nodes.Turn, profile string) (int, error) {
	h.t.Helper()
	ctx := context.Background()
	base, err := m.BaseURL(ctx, t, profile)
	if err != nil {
		return 0, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/services/data/v62.0/limits", nil)
	if err != nil {
		return 0, err
	}
	if err := m.Apply(ctx, t, profile, req); err != nil {
		return 0, err
	}
	resp, err := h.sf.Client().Do(req)
	if err != nil {
		return 0, err
	}
	resp.Body.Close()
	return resp.StatusCode, nil
}

// callWithRefresh is what the service node does: call, and after a 401
// refresh once and retry.
func (h *harness) callWithRefresh(m *Manager, t *nodes.Turn, profile string) (int, error) {
	h.t.Helper()
	st, err := h.call(m, t, profile)
	if err != nil || st != http.StatusUnauthorized {
		return st, err
	}
	if err := m.Refresh(context.Background(), t, profile); err != nil {
		return st, err
	}
	return h.call(m, t, profile)
}

// tokenCalls counts the requests to sfsim's token endpoint.
func (h *harness) tokenCalls() int {
	n := 0
	for _, r := range h.sim.Requests() {
		if r.Path == "/services/oauth2/token" {
			n++
		}
	}
	return n
}

var reqField = regexp.MustCompile(`name="req" value="([^"]+)"`)

// browser is a cookie-keeping client that stops at redirects.
type browser struct {
	t testing.TB
	c *http.Client
}

func newBrowser(t testing.TB) *browser {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &browser{t: t, c: &http.Client{Jar: jar, Timeout: 10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

type resp struct {
	status   int
	location string
	body     string
	header   http.Header
}

func (b *browser) do(method, u string, form url.Values) resp {
	b.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, u, body)
	if err != nil {
		b.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	r, err := b.c.Do(req)
	if err != nil {
		b.t.Fatalf("%s %s: %v", method, u, err)
	}
	defer r.Body.Close()
	data, _ := io.ReadAll(r.Body)
	return resp{status: r.StatusCode, location: r.Header.Get("Location"), body: string(data), header: r.Header}
}

// authorize walks sfsim's login and consent pages (approving, or denying
// when approve is false) and returns the redirect to the callback, not yet
// followed.
func (b *browser) authorize(authURL, sfBase, username, password string, approve bool) string {
	b.t.Helper()
	p := b.do(http.MethodGet, b.hop(authURL, sfBase), nil)
	if strings.Contains(p.body, `action="/services/oauth2/login"`) {
		m := reqField.FindStringSubmatch(p.body)
		if m == nil {
			b.t.Fatalf("login page without req field:\n%s", p.body)
		}
		p = b.do(http.MethodPost, sfBase+"/services/oauth2/login", url.Values{"req": {m[1]}, "username": {username}, "password": {password}})
	}
	if strings.Contains(p.body, `action="/services/oauth2/consent"`) {
		m := reqField.FindStringSubmatch(p.body)
		if m == nil {
			b.t.Fatalf("consent page without req field:\n%s", p.body)
		}
		form := url.Values{"req": {m[1]}, "approve": {"Allow"}}
		if !approve {
			form = url.Values{"req": {m[1]}, "deny": {"Deny"}}
		}
		p = b.do(http.MethodPost, sfBase+"/services/oauth2/consent", form)
	}
	if p.status != http.StatusFound || p.location == "" {
		b.t.Fatalf("authorize: got status %d location %q; want a redirect to the callback\n%s", p.status, p.location, p.body)
	}
	return p.location
}

// hop opens a link through botd's first-party hop (StartPath), which sets
// the link's binding cookie in this browser, and returns the provider URL
// it redirects to. A provider URL (sfBase) is returned as it is.
func (b *browser) hop(link, sfBase string) string {
	b.t.Helper()
	if strings.HasPrefix(link, sfBase) {
		return link
	}
	p := b.do(http.MethodGet, link, nil)
	if p.status != http.StatusFound || !strings.HasPrefix(p.location, sfBase+"/services/oauth2/authorize?") {
		b.t.Fatalf("hop %s: got status %d location %q; want a redirect to the provider\n%s", link, p.status, p.location, p.body)
	}
	return p.location
}

// signIn runs a user's whole sign-in: it follows authURL through sfsim and
// then the callback, and returns the callback's response.
func (h *harness) signIn(authURL string) resp {
	h.t.Helper()
	b := newBrowser(h.t)
	loc := b.authorize(authURL, h.sf.URL, h.creds.Username, h.creds.Password, true)
	if !strings.HasPrefix(loc, h.cb.URL+CallbackPath+"?") {
		h.t.Fatalf("sfsim redirected to %q; want the callback %s", loc, h.cb.URL+CallbackPath)
	}
	return b.do(http.MethodGet, loc, nil)
}

// needAuth asserts that err is an AuthorizationRequiredError and returns
// its URL.
func needAuth(t testing.TB, err error) string {
	t.Helper()
	var ae *nodes.AuthorizationRequiredError
	if !errors.As(err, &ae) {
		t.Fatalf("got error %v; want *nodes.AuthorizationRequiredError", err)
	}
	if ae.URL == "" || ae.Text == "" {
		t.Fatalf("AuthorizationRequiredError = %+v; want URL and Text", ae)
	}
	return ae.URL
}

func (h *harness) event(t *testing.T) authEvent {
	t.Helper()
	select {
	case e := <-h.events:
		return e
	case <-time.After(10 * time.Second):
		t.Fatal("no onAuthorized/onDenied call")
		return authEvent{}
	}
}
