package main

// End-to-end tests of in-chat authorization (issue 4, "Must show"): botd
// in-process on real sockets, sfsim on an httptest server, a cookie-keeping
// HTTP client in the role of the user's browser, and Redis where the test
// says so.

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"net"
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
	"text/template"
	"time"

	"github.com/botforge/dialogd/auth"
	"github.com/botforge/dialogd/channels/wstest"
	"github.com/botforge/dialogd/internal/testkeys"
	"github.com/botforge/dialogd/sessions/redistest"
	"github.com/botforge/dialogd/sfsim"
)

// Environment variables the test bots' auth profiles refer to.
const (
	envSFSecret   = "E2E_SF_CLIENT_SECRET"
	envSFPassword = "E2E_SF_PASSWORD"
	envSFToken    = "E2E_SF_SECURITY_TOKEN"
)

// Users of sfsim's demo org.
const (
	demoUser  = "demo@dialogd.example"
	integUser = "integration@dialogd.example"
)

// ---- sfsim ----------------------------------------------------------------

// sfEnv is sfsim on a real port with a tap on its token endpoint.
type sfEnv struct {
	sim       *sfsim.Server
	srv       *httptest.Server
	creds     sfsim.DemoCredentials
	tap       *tokenTap
	passwords map[string]string // username → interactive password
	keyFile   string            // PEM RSA key of the JWT bearer app, when configured
}

type sfConfig struct {
	callbacks []string // redirect URIs registered with the connected app
	myDomain  string   // sfsim.WithMyDomain (client credentials)
	jwt       bool     // give the app a certificate and write its key to keyFile
}

// startSF starts sfsim with the demo fixture adjusted: the app accepts
// exactly cfg.callbacks and only the integration user is pre-approved, so
// the demo user sees the consent page. The profile secrets are put into
// the environment variables the test bots name.
func startSF(t *testing.T, cfg sfConfig) *sfEnv {
	t.Helper()
	fx, err := sfsim.DemoFixture()
	if err != nil {
		t.Fatal(err)
	}
	env := &sfEnv{passwords: map[string]string{}}
	for _, u := range fx.Users {
		env.passwords[u.Username] = u.Password
	}
	app := &fx.Apps[0]
	app.CallbackURLs = cfg.callbacks
	app.PreApprovedUsers = []string{integUser}
	if cfg.jwt {
		key, cert := testkeys.RSA(t)
		app.CertificatePEM = cert
		env.keyFile = filepath.Join(t.TempDir(), "jwt.key")
		der := x509.MarshalPKCS1PrivateKey(key)
		if err := os.WriteFile(env.keyFile, pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: der}), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	opts := []sfsim.Option{sfsim.WithFixture(fx)}
	if cfg.myDomain != "" {
		opts = append(opts, sfsim.WithMyDomain(cfg.myDomain))
	}
	if env.sim, err = sfsim.New(opts...); err != nil {
		t.Fatal(err)
	}
	env.tap = &tokenTap{next: env.sim}
	env.srv = httptest.NewServer(env.tap)
	t.Cleanup(env.srv.Close)
	if env.creds, err = env.sim.Credentials(); err != nil {
		t.Fatal(err)
	}
	t.Setenv(envSFSecret, env.creds.ClientSecret)
	t.Setenv(envSFPassword, env.creds.Password)
	t.Setenv(envSFToken, env.creds.SecurityToken)
	return env
}

// tokenTap passes every request to sfsim and notes, for the token
// endpoint, the grant type asked for and the tokens issued, so tests can
// count refreshes and search logs and Redis for the tokens.
type tokenTap struct {
	next   http.Handler
	mu     sync.Mutex
	grants []string
	tokens []string
}

func (tp *tokenTap) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/services/oauth2/token" {
		tp.next.ServeHTTP(w, r)
		return
	}
	body, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(body))
	form, _ := url.ParseQuery(string(body))
	rec := httptest.NewRecorder()
	tp.next.ServeHTTP(rec, r)
	var tok struct {
		AccessToken  string `json:"access_token"`
		RefreshToken string `json:"refresh_token"`
	}
	_ = json.Unmarshal(rec.Body.Bytes(), &tok)
	tp.mu.Lock()
	tp.grants = append(tp.grants, form.Get("grant_type"))
	for _, s := range []string{tok.AccessToken, tok.RefreshToken} {
		if s != "" {
			tp.tokens = append(tp.tokens, s)
		}
	}
	tp.mu.Unlock()
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.WriteHeader(rec.Code)
	w.Write(rec.Body.Bytes())
}

// count returns how many token requests asked for grant.
func (tp *tokenTap) count(grant string) int {
	tp.mu.Lock()
	defer tp.mu.Unlock()
	n := 0
	for _, g := range tp.grants {
		if g == grant {
			n++
		}
	}
	return n
}

func (tp *tokenTap) issued() []string {
	tp.mu.Lock()
	defer tp.mu.Unlock()
	return append([]string(nil), tp.tokens...)
}

// lead returns the Lead with lastName (failing unless exactly one exists).
func (sf *sfEnv) lead(t *testing.T, lastName string) map[string]any {
	t.Helper()
	res, err := sf.sim.RunQuery("SELECT Id, LastName, Company, CreatedById FROM Lead WHERE LastName = '"+lastName+"'", false)
	if err != nil {
		t.Fatalf("query leads: %v", err)
	}
	if len(res.Records) != 1 {
		t.Fatalf("sfsim has %d leads named %s; want 1: %v", len(res.Records), lastName, res.Records)
	}
	return res.Records[0]
}

func (sf *sfEnv) userID(t *testing.T, username string) string {
	t.Helper()
	for _, u := range sf.sim.Org().Users {
		if u.Username == username {
			return u.ID
		}
	}
	t.Fatalf("no sfsim user %s", username)
	return ""
}

// Auth profile bodies for the test bot (YAML, unindented).

func (sf *sfEnv) perUser() string {
	return fmt.Sprintf("kind: oauth2\nmode: per_user\nsalesforce: {login: %q}\nclient_id: %q\nclient_secret: {env: %s}\nscopes: [api, refresh_token]",
		sf.srv.URL, sf.creds.ClientID, envSFSecret)
}

func (sf *sfEnv) adminCode() string {
	return strings.Replace(sf.perUser(), "mode: per_user", "mode: pre_authorized", 1)
}

func (sf *sfEnv) password() string {
	return fmt.Sprintf("kind: oauth2_password\nsalesforce: {login: %q}\nclient_id: %q\nclient_secret: {env: %s}\nusername: %q\npassword: {env: %s}\nsecurity_token: {env: %s}",
		sf.srv.URL, sf.creds.ClientID, envSFSecret, sf.creds.Username, envSFPassword, envSFToken)
}

func (sf *sfEnv) jwtBearer() string {
	return fmt.Sprintf("kind: oauth2_jwt_bearer\nsalesforce: {login: %q}\nclient_id: %q\nusername: %q\nprivate_key: {file: %q}",
		sf.srv.URL, sf.creds.ClientID, integUser, sf.keyFile)
}

func (sf *sfEnv) clientCreds() string {
	return fmt.Sprintf("kind: oauth2_client_credentials\nsalesforce: {login: %q}\nclient_id: %q\nclient_secret: {env: %s}",
		sf.srv.URL, sf.creds.ClientID, envSFSecret)
}

// writeBot renders testdata/authbot into a temporary directory as bot
// name whose "salesforce" auth profile is profile.
func writeAuthBot(t *testing.T, name, profile string) string {
	t.Helper()
	dir := t.TempDir()
	tmpl := template.Must(template.ParseFiles("testdata/authbot/bot.yaml.tmpl"))
	var b strings.Builder
	indented := "    " + strings.ReplaceAll(profile, "\n", "\n    ")
	if err := tmpl.Execute(&b, map[string]string{"Name": name, "Profile": indented}); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "bot.yaml"), []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(dir, "tasks"), 0o755); err != nil {
		t.Fatal(err)
	}
	task, err := os.ReadFile("testdata/authbot/tasks/create_lead.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "tasks", "create_lead.yaml"), task, 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// ---- botd -----------------------------------------------------------------

// listen reserves botd's port before sfsim starts, since the connected
// app must know the redirect URI.
func reservePort(t *testing.T) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	return ln
}

func lnURL(ln net.Listener) string { return "http://" + ln.Addr().String() }

// authLogBuffer collects log output written from many goroutines.
type authLogBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *authLogBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *authLogBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

type botdOptions struct {
	args []string
	// logs, when set, receives botd's log at debug level (else warn-level
	// lines go to t.Log).
	logs *authLogBuffer
	// clock, when set, shifts the clock of the managers serving
	// /oauth/callback by its value in ns (the runtime's managers keep the
	// real clock): a way to reach the callback after a link expired.
	clock *atomic.Int64
}

type authBotd struct {
	*instance
	srv *server
}

// startAuthBotd runs botd on ln until the test ends.
func startAuthBotd(t *testing.T, ln net.Listener, o botdOptions) *authBotd {
	t.Helper()
	addr := ln.Addr().String()
	getenv := func(k string) string {
		if k == "BOT_SECRET_KEY" {
			return testSecret
		}
		return ""
	}
	level := "warn"
	var w io.Writer = &testLog{t: t}
	if o.logs != nil {
		level, w = "debug", o.logs
		t.Cleanup(func() {
			if t.Failed() {
				t.Logf("botd log:\n%s", o.logs.String())
			}
		})
	}
	cfg, err := parseConfig(append([]string{"-addr", addr, "-log-level", level, "-admin-addr", "127.0.0.1:0"}, o.args...), getenv, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	s, err := newServer(cfg, w)
	if err != nil {
		t.Fatal(err)
	}
	noteAdmin(addr, s)
	if o.clock != nil {
		keys, err := auth.KeyringFromSecrets([]byte(testSecret))
		if err != nil {
			t.Fatal(err)
		}
		for name, tn := range s.tenants {
			if tn.auth == nil {
				continue
			}
			tn.auth, err = auth.NewManager(name, tn.bot.Config.AuthProfiles, s.store, auth.Options{
				PublicURL: cfg.PublicURL, Keyring: keys, Logger: s.log,
				Now: func() time.Time { return time.Now().Add(time.Duration(o.clock.Load())) },
			})
			if err != nil {
				t.Fatal(err)
			}
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	in := &instance{addr: addr, cancel: cancel, done: make(chan error, 1)}
	go func() { in.done <- s.serve(ctx, ln) }()
	t.Cleanup(in.stop)
	return &authBotd{instance: in, srv: s}
}

// ---- WebSocket client -----------------------------------------------------

// wsFrame is a server frame (channels/wstest).
type wsFrame = wstest.Frame

// authChat is one WebSocket connection of a user.
type authChat struct{ *wstest.Client }

// openChat connects to botd at addr with the query q (session, last_seq,
// user, bot) and reads the session frame, which must name a user too.
func openChat(t *testing.T, addr string, q url.Values) *authChat {
	t.Helper()
	c := &authChat{wstest.DialSession(t, wstest.URL("http://"+addr, q), http.Header{"Origin": {"http://" + addr}})}
	if c.UserID == "" {
		t.Fatalf("session frame without a user id; want session and user ids")
	}
	if n, err := fmt.Sscan(q.Get("last_seq"), &c.LastSeq); n != 1 || err != nil {
		c.LastSeq = 0
	}
	return c
}

// newChat opens a new session on bot (empty: the first bot) and reads the
// greeting.
func newChat(t *testing.T, addr, bot string) *authChat {
	t.Helper()
	q := url.Values{}
	if bot != "" {
		q.Set("bot", bot)
	}
	c := openChat(t, addr, q)
	if got, _ := c.ReadTurn(); got != "Hi, I create leads in Salesforce." {
		t.Fatalf("greeting = %q", got)
	}
	return c
}

// toConfirm runs "create a lead" up to the confirmation question.
func (c *authChat) toConfirm(lastName, company string) {
	c.TB.Helper()
	steps := []struct{ say, want string }{
		{"create a lead", "Last name of the lead?"},
		{lastName, "Which company?"},
		{company, fmt.Sprintf("Create a lead for %s at %s?", lastName, company)},
	}
	for _, s := range steps {
		if got, _ := c.Say(s.say); got != s.want {
			c.TB.Fatalf("say %q: got %q, want %q", s.say, got, s.want)
		}
	}
}

// authorizeFrame confirms and expects an authorize frame for the
// salesforce profile pointing at botd's hop (auth.StartPath), which
// redirects to sfsim's authorize page.
func (c *authChat) authorizeFrame(sf *sfEnv) wsFrame {
	c.TB.Helper()
	got, f := c.Say("yes")
	if f.Type != "authorize" {
		c.TB.Fatalf("after yes: got %q (%+v); want an authorize frame", got, f)
	}
	if f.Profile != "salesforce" || f.Text == "" || !strings.Contains(f.URL, auth.StartPath+"?state=") {
		c.TB.Fatalf("authorize frame = %+v; want profile salesforce, a text and botd's %s link", f, auth.StartPath)
	}
	return f
}

var leadCreated = regexp.MustCompile(`^Created lead (00Q[0-9A-Za-z]{15}) for (\S+)\.$`)

// wantCreated checks text is the task's final message for lastName and
// returns the lead id it names.
func wantCreated(t *testing.T, text, lastName string) string {
	t.Helper()
	m := leadCreated.FindStringSubmatch(text)
	if m == nil || m[2] != lastName {
		t.Fatalf("got %q; want \"Created lead 00Q… for %s.\"", text, lastName)
	}
	return m[1]
}

// ---- the user's browser ---------------------------------------------------

var sfReqField = regexp.MustCompile(`name="req" value="([^"]+)"`)

// browser is a cookie-keeping HTTP client that does not follow redirects.
type uaClient struct {
	t *testing.T
	c *http.Client
	// forwarded: this browser got the link from someone else (an e-mail,
	// a message), not from the chat's page.
	forwarded bool
}

func newUA(t *testing.T) *uaClient {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &uaClient{t: t, c: &http.Client{Jar: jar, Timeout: 10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

type webPage struct {
	status   int
	location string
	body     string
}

func (b *uaClient) do(method, u string, form url.Values) webPage {
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
	if req.URL.Path == auth.StartPath && !b.forwarded {
		// The widget opens the link from the chat's page: the browser
		// says so (a forwarded link comes without it).
		req.Header.Set("Referer", req.URL.Scheme+"://"+req.URL.Host+"/")
	}
	r, err := b.c.Do(req)
	if err != nil {
		b.t.Fatalf("%s %s: %v", method, u, err)
	}
	defer r.Body.Close()
	data, _ := io.ReadAll(r.Body)
	return webPage{status: r.StatusCode, location: r.Header.Get("Location"), body: string(data)}
}

func (b *uaClient) get(u string) webPage { b.t.Helper(); return b.do(http.MethodGet, u, nil) }

// authorize logs in as user on sfsim's login page and approves (or
// denies) on its consent page, returning sfsim's redirect to the callback
// without following it.
func (b *uaClient) authorize(sf *sfEnv, authURL, user string, approve bool) string {
	b.t.Helper()
	p := b.get(b.hop(sf, authURL))
	if strings.Contains(p.body, `action="/services/oauth2/login"`) {
		m := sfReqField.FindStringSubmatch(p.body)
		if m == nil {
			b.t.Fatalf("login page without req field:\n%s", p.body)
		}
		p = b.do(http.MethodPost, sf.srv.URL+"/services/oauth2/login",
			url.Values{"req": {m[1]}, "username": {user}, "password": {sf.passwords[user]}})
	}
	if strings.Contains(p.body, `action="/services/oauth2/consent"`) {
		m := sfReqField.FindStringSubmatch(p.body)
		if m == nil {
			b.t.Fatalf("consent page without req field:\n%s", p.body)
		}
		form := url.Values{"req": {m[1]}, "approve": {"Allow"}}
		if !approve {
			form = url.Values{"req": {m[1]}, "deny": {"Deny"}}
		}
		p = b.do(http.MethodPost, sf.srv.URL+"/services/oauth2/consent", form)
	}
	if p.status != http.StatusFound || p.location == "" {
		b.t.Fatalf("authorize: status %d, location %q; want a redirect to the callback\n%s", p.status, p.location, p.body)
	}
	return p.location
}

// hop opens a link the chat sent (botd's auth.StartPath, which sets the
// link's binding cookie in this client) and returns the provider URL it
// redirects to; a link that already is sfsim's is returned as it is.
func (b *uaClient) hop(sf *sfEnv, link string) string {
	b.t.Helper()
	if strings.HasPrefix(link, sf.srv.URL) {
		return link
	}
	p := b.get(link)
	if p.status != http.StatusFound || !strings.HasPrefix(p.location, sf.srv.URL+"/services/oauth2/authorize?") {
		b.t.Fatalf("hop %s: status %d, location %q; want a redirect to sfsim's authorize page\n%s", link, p.status, p.location, p.body)
	}
	return p.location
}

// signIn is a user's whole sign-in: sfsim's pages as user, then the
// redirect to callbackBase's /oauth/callback, whose page must close itself.
func signIn(t *testing.T, sf *sfEnv, authURL, user, callbackBase string) {
	t.Helper()
	signInWith(t, newUA(t), sf, authURL, user, callbackBase)
}

// signInWith is signIn in browser b (which may have opened the link).
func signInWith(t *testing.T, b *uaClient, sf *sfEnv, authURL, user, callbackBase string) {
	t.Helper()
	loc := b.authorize(sf, authURL, user, true)
	if !strings.HasPrefix(loc, callbackBase+auth.CallbackPath+"?") {
		t.Fatalf("sfsim redirected to %q; want %s", loc, callbackBase+auth.CallbackPath)
	}
	if p := b.get(loc); p.status != http.StatusOK || !strings.Contains(p.body, "window.close()") {
		t.Fatalf("callback page: status %d\n%s\nwant 200 and a page that closes itself", p.status, p.body)
	}
}

// ---- tests ----------------------------------------------------------------

// TestAuthorizeInChatResumes is the "Must show": a per-user
// Salesforce bot asks for authorization at the service node, the user signs
// in and approves in another "window", and the task continues on the same
// socket without a word from the user; the Lead exists in sfsim.
func TestAuthorizeInChatResumes(t *testing.T) {
	ln := reservePort(t)
	sf := startSF(t, sfConfig{callbacks: []string{lnURL(ln) + auth.CallbackPath}})
	bd := startAuthBotd(t, ln, botdOptions{args: []string{"-bot", writeAuthBot(t, "sales", sf.perUser())}})

	c := newChat(t, bd.addr, "")
	c.toConfirm("Lovelace", "Analytical Engines")
	f := c.authorizeFrame(sf)
	if want := lnURL(ln) + auth.StartPath + "?state="; !strings.HasPrefix(f.URL, want) {
		t.Errorf("authorize link %q; want botd's hop %s…", f.URL, want)
	}
	b := newUA(t)
	u, _ := url.Parse(b.hop(sf, f.URL))
	q := u.Query()
	checks := []struct{ what, got, want string }{
		{"redirect_uri", q.Get("redirect_uri"), lnURL(ln) + auth.CallbackPath},
		{"code_challenge_method", q.Get("code_challenge_method"), "S256"},
		{"client_id", q.Get("client_id"), sf.creds.ClientID},
		{"response_type", q.Get("response_type"), "code"},
	}
	for _, ck := range checks {
		if ck.got != ck.want {
			t.Errorf("authorize URL %s = %q; want %q", ck.what, ck.got, ck.want)
		}
	}
	if len(q.Get("state")) < 40 {
		t.Errorf("state %q is too short to be unguessable", q.Get("state"))
	}
	seqBefore := c.LastSeq

	signInWith(t, b, sf, f.URL, demoUser, lnURL(ln))

	// No input: the resumed task's frames arrive by themselves.
	got, last := c.ReadTurn()
	id := wantCreated(t, got, "Lovelace")
	if last.ReplyTo != "" {
		t.Errorf("resumed frame has reply_to %q; want none (no client input)", last.ReplyTo)
	}
	if last.Seq != seqBefore+1 {
		t.Errorf("resumed frame seq = %d; want %d (next after the authorize frame)", last.Seq, seqBefore+1)
	}
	lead := sf.lead(t, "Lovelace")
	if lead["Id"] != id || lead["Company"] != "Analytical Engines" || lead["CreatedById"] != sf.userID(t, demoUser) {
		t.Errorf("lead in sfsim = %v; want id %s, company Analytical Engines, created by the signed-in user", lead, id)
	}

	// A second lead needs no new sign-in: the user's token is kept.
	c.toConfirm("Babbage", "Difference Ltd")
	got, f = c.Say("yes")
	if f.Type == "authorize" {
		t.Fatalf("second lead asked to authorize again: %+v", f)
	}
	wantCreated(t, got, "Babbage")
}

// TestAuthorizeCallbackOnOtherInstance: the socket is on botd A, the
// provider redirects to botd B (both share Redis and the public URL of B);
// A's socket gets the resumed frames through the store's bus.
func TestAuthorizeCallbackOnOtherInstance(t *testing.T) {
	rs := redistest.Start(t)
	lnA, lnB := reservePort(t), reservePort(t)
	public := lnURL(lnB)
	sf := startSF(t, sfConfig{callbacks: []string{public + auth.CallbackPath}})
	dir := writeAuthBot(t, "sales", sf.perUser())
	args := []string{"-bot", dir, "-redis", rs.URL(), "-public-url", public}
	a := startAuthBotd(t, lnA, botdOptions{args: args})
	b := startAuthBotd(t, lnB, botdOptions{args: args})

	c := newChat(t, a.addr, "")
	c.toConfirm("Hopper", "Navy Compilers")
	f := c.authorizeFrame(sf)
	signIn(t, sf, f.URL, demoUser, "http://"+b.addr)

	got, _ := c.ReadTurn()
	id := wantCreated(t, got, "Hopper")
	if lead := sf.lead(t, "Hopper"); lead["Id"] != id {
		t.Errorf("lead in sfsim = %v; want id %s", lead, id)
	}
	if n := getMetric(t, b.addr, "dialogd_oauth_resumed_total"); n != "1" {
		t.Errorf("B's dialogd_oauth_resumed_total = %s; want 1 (B resumed the dialog)", n)
	}
	if n := getMetric(t, a.addr, "dialogd_oauth_resumed_total"); n != "0" {
		t.Errorf("A's dialogd_oauth_resumed_total = %s; want 0", n)
	}
}

// TestAuthorizeWhileDisconnected: the socket drops before the callback;
// reconnecting with last_seq replays exactly the missed frames, once.
func TestAuthorizeWhileDisconnected(t *testing.T) {
	ln := reservePort(t)
	sf := startSF(t, sfConfig{callbacks: []string{lnURL(ln) + auth.CallbackPath}})
	bd := startAuthBotd(t, ln, botdOptions{args: []string{"-bot", writeAuthBot(t, "sales", sf.perUser())}})

	c := newChat(t, bd.addr, "")
	c.toConfirm("Noether", "Erlangen Algebra")
	f := c.authorizeFrame(sf)
	last := c.LastSeq
	c.Conn.Close()

	signIn(t, sf, f.URL, demoUser, lnURL(ln))
	// The callback page is sent before the dialog resumes; reconnect only
	// once the resumed frames are committed (the metric counts them), so
	// that what follows is the outbox replay.
	waitMetric(t, bd.addr, "dialogd_oauth_resumed_total", "1")
	c2 := openChat(t, bd.addr, url.Values{"session": {c.Session}, "last_seq": {fmt.Sprint(last)}, "user": {c.UserID}})
	if c2.Session != c.Session || c2.UserID != c.UserID {
		t.Fatalf("reconnect got session %q user %q; want the same %q %q", c2.Session, c2.UserID, c.Session, c.UserID)
	}
	var replayed []wsFrame
	for {
		f := c2.Read()
		if f.Type == "typing" {
			continue
		}
		replayed = append(replayed, f)
		if f.Type == "message" && f.Input != "ignoring" {
			break
		}
	}
	for i, f := range replayed {
		if f.Seq != last+1+uint64(i) {
			t.Fatalf("replayed seqs %v; want %d, %d, … without gaps or repeats", seqs(replayed), last+1, last+2)
		}
	}
	wantCreated(t, replayed[len(replayed)-1].Text, "Noether")
	sf.lead(t, "Noether")

	// Nothing else is pending: the next frame answers the next input and
	// continues the numbering.
	c2.N = c.N // message ids go on (a repeated id would get the old reply)
	got, nf := c2.Say("create a lead")
	if got != "Last name of the lead?" || nf.Seq != replayed[len(replayed)-1].Seq+1 {
		t.Errorf("after replay: got %q seq %d; want the next question with seq %d (no duplicate frames)",
			got, nf.Seq, replayed[len(replayed)-1].Seq+1)
	}
}

func seqs(fs []wsFrame) []uint64 {
	var out []uint64
	for _, f := range fs {
		out = append(out, f.Seq)
	}
	return out
}

// TestTokenExpiryRefreshedSilently: the user's access token expires
// between two leads; the service call gets 401, botd refreshes once and
// retries, and the user sees no authorize frame.
func TestTokenExpiryRefreshedSilently(t *testing.T) {
	ln := reservePort(t)
	sf := startSF(t, sfConfig{callbacks: []string{lnURL(ln) + auth.CallbackPath}})
	bd := startAuthBotd(t, ln, botdOptions{args: []string{"-bot", writeAuthBot(t, "sales", sf.perUser())}})

	c := newChat(t, bd.addr, "")
	c.toConfirm("Curie", "Radium Works")
	signIn(t, sf, c.authorizeFrame(sf).URL, demoUser, lnURL(ln))
	got, _ := c.ReadTurn()
	wantCreated(t, got, "Curie")

	c.toConfirm("Meitner", "Fission Partners")
	sf.sim.ExpireAccessTokens()
	refreshes := sf.tap.count("refresh_token")
	got, f := c.Say("yes")
	if f.Type == "authorize" {
		t.Fatalf("expired token led to an authorize frame %+v; want a silent refresh", f)
	}
	wantCreated(t, got, "Meitner")
	if n := sf.tap.count("refresh_token") - refreshes; n != 1 {
		t.Errorf("refresh requests = %d; want 1", n)
	}
	sf.lead(t, "Meitner")
}

// TestRefreshRevokedAsksAgain: with the refresh token revoked, the 401 is
// followed by a refused refresh, a new authorize link, and after signing in
// the same node runs again and completes.
func TestRefreshRevokedAsksAgain(t *testing.T) {
	ln := reservePort(t)
	sf := startSF(t, sfConfig{callbacks: []string{lnURL(ln) + auth.CallbackPath}})
	bd := startAuthBotd(t, ln, botdOptions{args: []string{"-bot", writeAuthBot(t, "sales", sf.perUser())}})

	c := newChat(t, bd.addr, "")
	c.toConfirm("Franklin", "Helix Labs")
	first := c.authorizeFrame(sf)
	signIn(t, sf, first.URL, demoUser, lnURL(ln))
	got, _ := c.ReadTurn()
	wantCreated(t, got, "Franklin")

	c.toConfirm("Wilkins", "Kings Diffraction")
	sf.sim.RevokeRefreshTokens(demoUser)
	sf.sim.ExpireAccessTokens()
	second := c.authorizeFrame(sf)
	if second.URL == first.URL {
		t.Errorf("the new authorize link repeats the first one; want a fresh state")
	}
	if got := sf.tap.count("refresh_token"); got != 1 {
		t.Errorf("refresh requests = %d; want 1 (refused)", got)
	}
	signIn(t, sf, second.URL, demoUser, lnURL(ln))
	got, _ = c.ReadTurn()
	wantCreated(t, got, "Wilkins")
	sf.lead(t, "Wilkins")
}

// TestPreAuthorizedGrantsThroughBotd: each pre-authorized grant kind
// completes the lead dialog with no authorize frame.
func TestPreAuthorizedGrantsThroughBotd(t *testing.T) {
	tests := []struct {
		name     string
		cfg      sfConfig
		profile  func(*sfEnv) string
		grant    string // token request the first call makes
		creator  string
		adminURL bool
	}{
		{name: "password with security token", profile: (*sfEnv).password, grant: "password", creator: demoUser},
		{name: "jwt bearer", cfg: sfConfig{jwt: true}, profile: (*sfEnv).jwtBearer, grant: "urn:ietf:params:oauth:grant-type:jwt-bearer", creator: integUser},
		{name: "client credentials on the my domain host", cfg: sfConfig{myDomain: "127.0.0.1"}, profile: (*sfEnv).clientCreds, grant: "client_credentials", creator: integUser},
		{name: "authorization code via admin login", profile: (*sfEnv).adminCode, grant: "authorization_code", creator: integUser, adminURL: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ln := reservePort(t)
			tc.cfg.callbacks = []string{lnURL(ln) + auth.CallbackPath}
			sf := startSF(t, tc.cfg)
			bd := startAuthBotd(t, ln, botdOptions{args: []string{"-bot", writeAuthBot(t, "sales", tc.profile(sf))}})
			if tc.adminURL {
				m := bd.srv.tenants["sales"].auth
				u, _, err := m.AdminAuthURL(context.Background(), "salesforce")
				if err != nil {
					t.Fatalf("AdminAuthURL: %v", err)
				}
				signIn(t, sf, u, integUser, lnURL(ln))
			}
			c := newChat(t, bd.addr, "")
			c.toConfirm("Turing", "Bletchley Ltd")
			got, f := c.Say("yes")
			if f.Type == "authorize" {
				t.Fatalf("pre-authorized profile sent an authorize frame %+v", f)
			}
			id := wantCreated(t, got, "Turing")
			lead := sf.lead(t, "Turing")
			if lead["Id"] != id || lead["CreatedById"] != sf.userID(t, tc.creator) {
				t.Errorf("lead = %v; want id %s created by %s", lead, id, tc.creator)
			}
			if n := sf.tap.count(tc.grant); n != 1 {
				t.Errorf("%s token requests = %d; want 1", tc.grant, n)
			}
			if body := getBody(t, "http://"+bd.addr+"/readyz"); body != "ok\n" {
				t.Errorf("/readyz = %q; want ok with no degraded profile", body)
			}
		})
	}
}

// TestCallbackAttacks drives botd's real /oauth/callback with bad states
// and a declined consent, checks that one user's token never serves
// another, and that neither Redis nor botd's debug log holds a token or a
// secret in clear text.
func TestCallbackAttacks(t *testing.T) {
	rs := redistest.Start(t)
	ln := reservePort(t)
	public := lnURL(ln)
	sf := startSF(t, sfConfig{callbacks: []string{public + auth.CallbackPath}})
	logs := &authLogBuffer{}
	clock := &atomic.Int64{}
	bd := startAuthBotd(t, ln, botdOptions{logs: logs, clock: clock, args: []string{
		"-redis", rs.URL(), "-bot", writeAuthBot(t, "alpha", sf.perUser()) + "," + writeAuthBot(t, "beta", sf.perUser()),
	}})
	cb := public + auth.CallbackPath
	secrets := map[string]string{"client secret": sf.creds.ClientSecret, "bot secret key": testSecret,
		"demo password": sf.passwords[demoUser], "integration password": sf.passwords[integUser]}

	// Alice (alpha) and Bob (alpha) each reach the service node.
	alice := newChat(t, bd.addr, "alpha")
	alice.toConfirm("Alice", "Alpha One")
	aliceLink := alice.authorizeFrame(sf).URL
	aliceState := stateOf(t, aliceLink)
	bob := newChat(t, bd.addr, "alpha")
	bob.toConfirm("Bob", "Alpha Two")
	bobLink := bob.authorizeFrame(sf).URL
	secrets["alice state"], secrets["bob state"] = aliceState, stateOf(t, bobLink)
	// Session ids name the session's Redis keys by design, so they are
	// only searched for in the log.
	sessionIDs := map[string]string{"alice session": alice.Session, "bob session": bob.Session}

	botPart, _, _ := strings.Cut(aliceState, ".")
	forged := botPart + "." + base64.RawURLEncoding.EncodeToString(bytes.Repeat([]byte{7}, 32))
	otherBot := base64.RawURLEncoding.EncodeToString([]byte("beta")) + "." + strings.SplitN(aliceState, ".", 2)[1]
	nobody := base64.RawURLEncoding.EncodeToString([]byte("gamma")) + "." + strings.SplitN(aliceState, ".", 2)[1]
	refused := []struct {
		name, query, want string
	}{
		{"forged nonce", "state=" + forged + "&code=x", "not valid"},
		{"malformed state", "state=not-a-state&code=x", "not valid"},
		{"alice's nonce presented as bot beta's", "state=" + otherBot + "&code=x", "not valid"},
		{"state of an unknown bot", "state=" + nobody + "&code=x", "not valid"},
		{"no state", "code=x", "not valid"},
		{"state twice", "state=" + aliceState + "&state=" + aliceState + "&code=x", "not valid"},
	}
	b := newUA(t)
	for _, tc := range refused {
		if p := b.get(cb + "?" + tc.query); p.status != http.StatusBadRequest || !strings.Contains(p.body, tc.want) {
			t.Errorf("%s: callback = %d\n%s\nwant 400 saying %q", tc.name, p.status, p.body, tc.want)
		}
	}

	// Bob declines at the consent page: he sees a clear page, his chat is
	// told that the task stopped (pushed, without input), and the declined
	// link is spent; asking again gives a fresh link.
	bb := newUA(t)
	denied := bb.authorize(sf, bobLink, demoUser, false)
	if du, _ := url.Parse(denied); du.Query().Get("error") != "access_denied" {
		t.Fatalf("deny redirected to %q; want error=access_denied", denied)
	}
	if p := bb.get(denied); p.status != http.StatusOK || !strings.Contains(p.body, "did not allow access") {
		t.Errorf("access_denied page: %d\n%s\nwant 200 explaining access was not granted", p.status, p.body)
	}
	if p := bb.get(denied); p.status != http.StatusBadRequest || !strings.Contains(p.body, "already been used") {
		t.Errorf("declined state replayed: %d\n%s\nwant 400 already used", p.status, p.body)
	}
	if got, f := bob.ReadTurn(); !strings.Contains(got, "Access was not granted") || f.Input != "accepting" {
		t.Errorf("after declining, the chat got %q %+v; want the task stopped", got, f)
	}
	bob.toConfirm("Bob", "Alpha Two")
	f := bob.authorizeFrame(sf)
	if f.URL == bobLink {
		t.Errorf("after declining, asking again reused the spent link")
	}
	bobLink = f.URL

	// Alice's link, completed: the code is single use and the state too.
	ab := newUA(t)
	loc := ab.authorize(sf, aliceLink, demoUser, true)
	secrets["alice code"] = codeOf(t, loc)
	oauthDir, _ := url.Parse(public + "/oauth/")
	var bindings []*http.Cookie // the jar ignores ports: sfsim's cookies are there too
	for _, ck := range ab.c.Jar.Cookies(oauthDir) {
		if strings.HasPrefix(ck.Name, "dlgd_oauth_") {
			bindings = append(bindings, ck)
		}
	}
	if len(bindings) != 1 {
		t.Fatalf("alice's browser holds %d cookies for /oauth/ after the hop; want her link's binding cookie", len(bindings))
	}
	secrets["alice's binding cookie"] = bindings[0].Value
	if p := ab.get(loc); p.status != http.StatusOK || !strings.Contains(p.body, "window.close()") {
		t.Fatalf("alice's callback: %d\n%s", p.status, p.body)
	}
	got, _ := alice.ReadTurn()
	aliceLead := wantCreated(t, got, "Alice")
	if p := ab.get(loc); p.status != http.StatusBadRequest || !strings.Contains(p.body, "already been used") {
		t.Errorf("replayed callback: %d\n%s\nwant 400 already used", p.status, p.body)
	}
	if p := newUA(t).get(loc); p.status != http.StatusBadRequest || !strings.Contains(p.body, "already been used") {
		t.Errorf("replayed callback from another browser: %d\n%s\nwant 400 already used", p.status, p.body)
	}

	// Alice's token is not Bob's: Bob still has to sign in, as another
	// Salesforce user, and his lead is created by that user.
	got, f = bob.Say("still there?")
	if f.Type != "authorize" {
		t.Fatalf("bob after alice signed in: %q %+v; want an authorize frame", got, f)
	}
	bobLink = f.URL
	signIn(t, sf, bobLink, integUser, public)
	got, _ = bob.ReadTurn()
	bobLead := wantCreated(t, got, "Bob")
	checks := []struct{ who, id, creator string }{{"Alice", aliceLead, demoUser}, {"Bob", bobLead, integUser}}
	for _, ck := range checks {
		if l := sf.lead(t, ck.who); l["Id"] != ck.id || l["CreatedById"] != sf.userID(t, ck.creator) {
			t.Errorf("%s's lead = %v; want id %s created by %s", ck.who, l, ck.id, ck.creator)
		}
	}
	// A third user on bot beta has no token either.
	carol := newChat(t, bd.addr, "beta")
	carol.toConfirm("Carol", "Beta Corp")
	carolLink := carol.authorizeFrame(sf).URL

	// A link used after its TTL (the callback's clock runs 11 minutes
	// ahead) is refused as expired, and then also as used.
	cb2 := newUA(t)
	carolLink = cb2.hop(sf, carolLink) // opened in time, completed late
	clock.Store(int64(11 * time.Minute))
	cloc := cb2.authorize(sf, carolLink, demoUser, true)
	if p := newUA(t).get(cloc); p.status != http.StatusBadRequest || !strings.Contains(p.body, "expired") {
		t.Errorf("late callback: %d\n%s\nwant 400 expired", p.status, p.body)
	}
	clock.Store(0)
	if p := newUA(t).get(cloc); p.status != http.StatusBadRequest || !strings.Contains(p.body, "already been used") {
		t.Errorf("late callback replayed: %d\n%s\nwant 400 already used", p.status, p.body)
	}

	// Nothing in Redis or in the debug log is a token or a secret.
	for i, tok := range sf.tap.issued() {
		secrets[fmt.Sprintf("issued token %d", i)] = tok
	}
	if len(sf.tap.issued()) < 3 {
		t.Fatalf("only %d tokens issued; the search below would be vacuous", len(sf.tap.issued()))
	}
	dump := redisDump(t, rs)
	for _, want := range []string{"auth:tok:alpha:salesforce:", "auth:state:alpha:"} {
		if !strings.Contains(dump, want) {
			t.Fatalf("redis dump lacks %q keys; the search would be vacuous", want)
		}
	}
	log := logs.String()
	if !strings.Contains(log, `"level":"DEBUG"`) {
		t.Fatalf("no debug lines in botd's log; the search would be vacuous")
	}
	for label, s := range sessionIDs {
		if strings.Contains(log, s) {
			t.Errorf("botd's log contains the %s", label)
		}
	}
	for label, s := range secrets {
		if len(s) < 8 {
			t.Fatalf("%s %q is too short to search for", label, s)
		}
		if strings.Contains(dump, s) {
			t.Errorf("redis dump contains the %s", label)
		}
		if strings.Contains(log, s) {
			t.Errorf("botd's log contains the %s", label)
		}
	}
}

func stateOf(t *testing.T, authURL string) string {
	t.Helper()
	u, err := url.Parse(authURL)
	if err != nil || u.Query().Get("state") == "" {
		t.Fatalf("no state in %q", authURL)
	}
	return u.Query().Get("state")
}

func codeOf(t *testing.T, callbackURL string) string {
	t.Helper()
	u, err := url.Parse(callbackURL)
	if err != nil || u.Query().Get("code") == "" {
		t.Fatalf("no code in %q", callbackURL)
	}
	return u.Query().Get("code")
}

func getBody(t *testing.T, u string) string {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

// getMetric reads one sample (name with its labels, as exposed) from
// botd's /metrics.
func getMetric(t *testing.T, addr, name string) string {
	t.Helper()
	for _, line := range strings.Split(getBody(t, metricsURL(t, addr)), "\n") {
		if v, ok := strings.CutPrefix(line, name+" "); ok {
			return v
		}
	}
	return "(absent)"
}

// redisDump is every key of the Redis server with, for string keys, the
// value (GET) and, for every key, its serialized form (DUMP).
func redisDump(t *testing.T, rs *redistest.Server) string {
	t.Helper()
	ctx := context.Background()
	rdb := rs.Client(t)
	keys, err := rdb.Keys(ctx, "*").Result()
	if err != nil || len(keys) == 0 {
		t.Fatalf("redis KEYS: %v (%d keys)", err, len(keys))
	}
	var b strings.Builder
	for _, k := range keys {
		b.WriteString(k + "\n")
		if typ, _ := rdb.Type(ctx, k).Result(); typ == "string" {
			v, _ := rdb.Get(ctx, k).Result()
			b.WriteString(v + "\n")
		}
		d, _ := rdb.Dump(ctx, k).Result()
		b.WriteString(d + "\n")
	}
	return b.String()
}

// waitMetric polls botd's /metrics until the sample name has value want,
// failing after 10 s.
func waitMetric(t *testing.T, addr, name, want string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		got := getMetric(t, addr, name)
		if got == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s = %s after 10s; want %s", name, got, want)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestPreAuthorizedRevokedDegrades: the administrator's refresh token of a
// pre_authorized oauth2 profile is revoked; the next lead fails with a
// message instead of an authorize link, /readyz and the metric report the
// profile as degraded, and a new admin sign-in repairs it.
func TestPreAuthorizedRevokedDegrades(t *testing.T) {
	ln := reservePort(t)
	sf := startSF(t, sfConfig{callbacks: []string{lnURL(ln) + auth.CallbackPath}})
	bd := startAuthBotd(t, ln, botdOptions{args: []string{"-bot", writeAuthBot(t, "sales", sf.adminCode())}})
	m := bd.srv.tenants["sales"].auth
	adminSignIn := func() {
		t.Helper()
		u, _, err := m.AdminAuthURL(context.Background(), "salesforce")
		if err != nil {
			t.Fatalf("AdminAuthURL: %v", err)
		}
		signIn(t, sf, u, integUser, lnURL(ln))
	}
	adminSignIn()

	c := newChat(t, bd.addr, "")
	sf.sim.RevokeRefreshTokens(integUser)
	sf.sim.ExpireAccessTokens()
	c.toConfirm("Lamarr", "Frequency Hopping")
	got, f := c.Say("yes")
	if f.Type == "authorize" || strings.Contains(got, "Created lead") {
		t.Fatalf("with the admin's token revoked: got %q %+v; want a failure message and no authorize link", got, f)
	}
	// The refused refresh and, while the profile stays degraded, every
	// later call tell the user plainly that an administrator must
	// reconnect (nodes.ErrReconnectRequired), whatever the task's own
	// error branches say.
	const reconnect = "Sorry, my connection to that service has stopped working and an administrator needs to reconnect it. Please try again later."
	if got != reconnect {
		t.Errorf("first failure: got %q; want %q", got, reconnect)
	}
	c.toConfirm("Lamarr", "Frequency Hopping")
	if got, _ := c.Say("yes"); got != reconnect {
		t.Errorf("while degraded: got %q; want %q", got, reconnect)
	}
	if body := getBody(t, "http://"+bd.addr+"/readyz"); body != "ok, degraded auth profiles: sales/salesforce\n" {
		t.Errorf("/readyz = %q; want the profile listed as degraded", body)
	}
	if v := getMetric(t, bd.addr, `dialogd_auth_profile_degraded{bot="sales",profile="salesforce"}`); v != "1" {
		t.Errorf("degraded metric = %s; want 1", v)
	}

	adminSignIn()
	if body := getBody(t, "http://"+bd.addr+"/readyz"); body != "ok\n" {
		t.Errorf("/readyz after the admin reconnected = %q; want ok", body)
	}
	c.toConfirm("Lamarr", "Frequency Hopping")
	got, _ = c.Say("yes")
	wantCreated(t, got, "Lamarr")
}

// TestAuthorizeLinkBoundToBrowser (issue 11, item 4): the authorize link
// completes only in the browser that opened it through botd's hop. The
// provider page behind it, forwarded to another browser and completed there
// with another Salesforce account, is refused at the callback (403, a
// metric) without consuming the link; that browser opening the chat's link
// itself is refused too; and the chat user's own browser then finishes, so
// the lead is created by the chat user's Salesforce account, never by the
// other one.
func TestAuthorizeLinkBoundToBrowser(t *testing.T) {
	ln := reservePort(t)
	sf := startSF(t, sfConfig{callbacks: []string{lnURL(ln) + auth.CallbackPath}})
	bd := startAuthBotd(t, ln, botdOptions{args: []string{"-bot", writeAuthBot(t, "sales", sf.perUser())}})

	c := newChat(t, bd.addr, "")
	c.toConfirm("Hamilton", "Apollo Guidance")
	link := c.authorizeFrame(sf).URL
	if want := lnURL(ln) + auth.StartPath + "?state="; !strings.HasPrefix(link, want) {
		t.Fatalf("authorize link %q; want botd's hop %s…", link, want)
	}
	owner := newUA(t)
	providerURL := owner.hop(sf, link)

	// The provider page, completed in another browser: refused.
	other := newUA(t)
	loc := other.authorize(sf, providerURL, integUser, true)
	refusals := []struct {
		what   string
		page   webPage
		text   string
		metric string
	}{
		{"callback in a browser without the cookie", other.get(loc), "not started in this browser",
			`dialogd_oauth_refused_total{endpoint="callback",reason="unbound"}`},
		{"the chat's link opened by a second browser", other.get(link), "already opened in another browser",
			`dialogd_oauth_refused_total{endpoint="start",reason="opened_elsewhere"}`},
	}
	for _, r := range refusals {
		if r.page.status != http.StatusForbidden || !strings.Contains(r.page.body, r.text) {
			t.Errorf("%s: status %d\n%s\nwant 403 saying %q", r.what, r.page.status, r.page.body, r.text)
		}
		if got := getMetric(t, bd.addr, r.metric); got != "1" {
			t.Errorf("%s: %s = %s; want 1", r.what, r.metric, got)
		}
	}
	if got := getMetric(t, bd.addr, "dialogd_oauth_resumed_total"); got != "0" {
		t.Fatalf("dialogd_oauth_resumed_total = %s after the refused callback; want 0", got)
	}

	// The browser that opened the link finishes: nothing was consumed.
	signInWith(t, owner, sf, providerURL, demoUser, lnURL(ln))
	got, _ := c.ReadTurn()
	id := wantCreated(t, got, "Hamilton")
	if lead := sf.lead(t, "Hamilton"); lead["Id"] != id || lead["CreatedById"] != sf.userID(t, demoUser) {
		t.Errorf("lead = %v; want id %s created by %s (the browser that opened the link), not %s", lead, id, demoUser, integUser)
	}
}

// TestForwardedLinkRefused: a chat user who forwards an authorize link
// they never opened (to grant themselves a victim's Salesforce access)
// gets nothing: the victim's browser opens it from an e-mail, not from the
// chat's page, and the hop refuses before binding it (it used to bind to
// whoever opened it first). The chat's own browser can still finish.
func TestForwardedLinkRefused(t *testing.T) {
	ln := reservePort(t)
	sf := startSF(t, sfConfig{callbacks: []string{lnURL(ln) + auth.CallbackPath}})
	bd := startAuthBotd(t, ln, botdOptions{args: []string{"-bot", writeAuthBot(t, "sales", sf.perUser())}})

	c := newChat(t, bd.addr, "")
	c.toConfirm("Hopper", "Navy Labs")
	link := c.authorizeFrame(sf).URL
	victim := newUA(t)
	victim.forwarded = true
	if p := victim.get(link); p.status != http.StatusForbidden || !strings.Contains(p.body, "only when opened from the chat window") {
		t.Fatalf("the forwarded link: status %d\n%s\nwant 403 saying to open it from the chat", p.status, p.body)
	}
	if got := getMetric(t, bd.addr, `dialogd_oauth_refused_total{endpoint="start",reason="not_from_chat"}`); got != "1" {
		t.Errorf("not_from_chat refusals = %s; want 1", got)
	}
	owner := newUA(t)
	signInWith(t, owner, sf, owner.hop(sf, link), demoUser, lnURL(ln))
	got, _ := c.ReadTurn()
	wantCreated(t, got, "Hopper")
}
