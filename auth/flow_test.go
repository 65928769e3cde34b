package auth

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/botforge/dialogd/nodes"
	"github.com/botforge/dialogd/sessions"
	"github.com/botforge/dialogd/sessions/redistest"
)

func TestPreAuthorizedGrants(t *testing.T) {
	tests := []struct {
		name     string
		myDomain string
		profile  func(h *harness) *Profile
		admin    bool
	}{
		{name: "password with security token", profile: (*harness).password},
		{name: "jwt bearer", profile: (*harness).jwtBearer},
		{name: "client credentials on my domain", myDomain: "127.0.0.1", profile: (*harness).clientCreds},
		{name: "authorization code via admin login", profile: (*harness).adminCode, admin: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, harnessConfig{myDomain: tc.myDomain})
			m := h.newManager("acme", map[string]*Profile{"sf": tc.profile(h)})
			tu := turn("acme", "sess-1", "visitor-1", "create_lead")
			if tc.admin {
				if _, err := h.call(m, tu, "sf"); !errors.Is(err, ErrAdminReconnect) {
					t.Fatalf("call before the admin signed in: got %v; want ErrAdminReconnect", err)
				}
				st, _ := m.Status(context.Background())
				if st[0].State != StateNotConnected {
					t.Errorf("Status before admin login = %q; want %q", st[0].State, StateNotConnected)
				}
				u, state, err := m.AdminAuthURL(context.Background(), "sf")
				if err != nil || state == "" || u != m.StartURL()+"?state="+state {
					t.Fatalf("AdminAuthURL() = %q, %q, %v; want the hop %s with the state", u, state, err, m.StartURL())
				}
				if r := h.signIn(u); r.status != http.StatusOK || !strings.Contains(r.body, "window.close()") {
					t.Fatalf("callback: got %d\n%s\nwant 200 self-closing page", r.status, r.body)
				}
				select {
				case e := <-h.events:
					t.Errorf("admin sign-in called %s hook; want no call (no session to resume)", e.kind)
				default:
				}
			}
			before := h.tokenCalls()
			for i := range 3 {
				st, err := h.call(m, tu, "sf")
				if err != nil || st != http.StatusOK {
					t.Fatalf("call %d: got status %d, err %v; want 200", i, st, err)
				}
			}
			wantCalls := 1
			if tc.admin {
				wantCalls = 0 // the token came from the admin login
			}
			if got := h.tokenCalls() - before; got != wantCalls {
				t.Errorf("token endpoint calls for 3 API calls = %d; want %d (token cached)", got, wantCalls)
			}
			base, err := m.BaseURL(context.Background(), tu, "sf")
			if err != nil || base != h.sf.URL {
				t.Errorf("BaseURL() = %q, %v; want instance_url %q", base, err, h.sf.URL)
			}
			st, err := m.Status(context.Background())
			if err != nil || len(st) != 1 || st[0].State != StateOK || st[0].Mode != ModePreAuthorized {
				t.Errorf("Status() = %+v, %v; want one ok pre_authorized profile", st, err)
			}
		})
	}
}

func TestPerUserFlowEndToEnd(t *testing.T) {
	h := newHarness(t, harnessConfig{})
	m := h.newManager("acme", map[string]*Profile{"salesforce": h.perUser()})
	tu := turn("acme", "sess-42", "visitor-7", "create_lead")

	req, _ := http.NewRequest(http.MethodGet, h.sf.URL+"/services/data/v62.0/limits", nil)
	u := needAuth(t, m.Apply(context.Background(), tu, "salesforce", req))
	if req.Header.Get("Authorization") != "" {
		t.Fatalf("Apply without a token set Authorization")
	}
	if !strings.HasPrefix(u, h.cb.URL+StartPath+"?state=") {
		t.Fatalf("authorize link %q; want botd's hop %s", u, h.cb.URL+StartPath)
	}
	b := newBrowser(t)
	pu := b.hop(u, h.sf.URL)
	if !strings.Contains(pu, "code_challenge=") || !strings.Contains(pu, "code_challenge_method=S256") {
		t.Fatalf("the hop redirects to %q; want sfsim's authorize endpoint with a PKCE S256 challenge", pu)
	}
	if _, err := m.BaseURL(context.Background(), tu, "salesforce"); !errors.As(err, new(*nodesAuthErr)) {
		t.Fatalf("BaseURL without a token: got %v; want an AuthorizationRequiredError", err)
	}

	r := b.do(http.MethodGet, b.authorize(pu, h.sf.URL, h.creds.Username, h.creds.Password, true), nil)
	if r.status != http.StatusOK || !strings.Contains(r.body, "window.close()") || !strings.Contains(r.body, "can close this window") {
		t.Fatalf("callback: got %d\n%s\nwant 200 page that closes itself", r.status, r.body)
	}
	if csp := r.header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'sha256-") {
		t.Errorf("callback page CSP = %q; want a hash-pinned script-src", csp)
	}
	if got, want := h.event(t), (authEvent{"authorized", "acme", "sess-42", "visitor-7"}); got != want {
		t.Errorf("onAuthorized got %+v; want %+v", got, want)
	}
	if st, err := h.call(m, tu, "salesforce"); err != nil || st != http.StatusOK {
		t.Fatalf("call after sign-in: got %d, %v; want 200", st, err)
	}
	req, _ = http.NewRequest(http.MethodGet, h.sf.URL+"/services/data/v62.0/limits", nil)
	if err := m.Apply(context.Background(), tu, "salesforce", req); err != nil || !strings.HasPrefix(req.Header.Get("Authorization"), "Bearer 00D") {
		t.Errorf("Apply after sign-in: header %q, err %v; want a Salesforce bearer token", req.Header.Get("Authorization"), err)
	}

	// Disconnect: revoked at sfsim, gone here.
	rec, _ := m.loadToken(context.Background(), "salesforce", "visitor-7")
	if err := m.Revoke(context.Background(), "visitor-7", "salesforce"); err != nil {
		t.Fatalf("Revoke() error = %v", err)
	}
	if got, _ := m.loadToken(context.Background(), "salesforce", "visitor-7"); got != nil {
		t.Errorf("token still stored after Revoke")
	}
	probe, _ := http.NewRequest(http.MethodGet, h.sf.URL+"/services/data/v62.0/limits", nil)
	probe.Header.Set("Authorization", "Bearer "+rec.AccessToken)
	if resp, err := h.sf.Client().Do(probe); err != nil || resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("revoked access token: got %v, %v; want 401 at sfsim", resp.StatusCode, err)
	}
	needAuth(t, m.Apply(context.Background(), tu, "salesforce", req))
}

func TestExpiryIsRefreshed(t *testing.T) {
	for _, kind := range []string{"per_user", "password"} {
		t.Run(kind, func(t *testing.T) {
			h := newHarness(t, harnessConfig{})
			p := h.password()
			if kind == "per_user" {
				p = h.perUser()
			}
			m := h.newManager("acme", map[string]*Profile{"sf": p})
			tu := turn("acme", "s1", "u1", "n1")
			if kind == "per_user" {
				h.signIn(needAuth(t, m.Apply(context.Background(), tu, "sf", mustReq(t, h.sf.URL))))
				h.event(t)
			}
			if st, err := h.call(m, tu, "sf"); st != http.StatusOK {
				t.Fatalf("first call: %d, %v", st, err)
			}
			h.sim.ExpireAccessTokens()
			before := h.tokenCalls()
			st, err := h.callWithRefresh(m, tu, "sf")
			if err != nil || st != http.StatusOK {
				t.Fatalf("call after expiry: got %d, %v; want 200 after one refresh", st, err)
			}
			if got := h.tokenCalls() - before; got != 1 {
				t.Errorf("token calls = %d; want 1", got)
			}
		})
	}
}

func TestRefreshRevokedPerUserGetsNewLink(t *testing.T) {
	h := newHarness(t, harnessConfig{})
	m := h.newManager("acme", map[string]*Profile{"sf": h.perUser()})
	tu := turn("acme", "s1", "u1", "create_lead")
	h.signIn(needAuth(t, m.Apply(context.Background(), tu, "sf", mustReq(t, h.sf.URL))))
	h.event(t)
	h.sim.RevokeRefreshTokens(endUser)
	_, err := h.callWithRefresh(m, tu, "sf")
	u := needAuth(t, err)
	if rec, _ := m.loadToken(context.Background(), "sf", "u1"); rec != nil {
		t.Errorf("refused token still stored")
	}
	// The new link works and the same session resumes.
	h.signIn(u)
	if got := h.event(t); got.session != "s1" || got.user != "u1" {
		t.Errorf("resume event %+v; want session s1 user u1", got)
	}
	if st, err := h.call(m, tu, "sf"); st != http.StatusOK {
		t.Errorf("call after re-authorization: %d, %v; want 200", st, err)
	}
}

func TestRefreshRevokedPreAuthorizedDegrades(t *testing.T) {
	h := newHarness(t, harnessConfig{})
	var degraded []string
	m, err := NewManager("acme", map[string]*Profile{"sf": h.adminCode()}, h.store, Options{PublicURL: h.cb.URL, Keyring: h.keys,
		Logger: h.log, HTTPClient: h.sf.Client(), OnDegraded: func(bot, p string) { degraded = append(degraded, bot+"/"+p) }})
	if err != nil {
		t.Fatal(err)
	}
	h.managers["acme"] = m
	u, _, err := m.AdminAuthURL(context.Background(), "sf")
	if err != nil {
		t.Fatal(err)
	}
	h.signIn(u)
	tu := turn("acme", "s1", "u1", "n1")
	if st, _ := h.call(m, tu, "sf"); st != http.StatusOK {
		t.Fatalf("call after admin login: %d; want 200", st)
	}
	h.sim.RevokeRefreshTokens("")
	_, err = h.callWithRefresh(m, tu, "sf")
	if !errors.Is(err, ErrAdminReconnect) {
		t.Fatalf("refresh after revocation: got %v; want ErrAdminReconnect", err)
	}
	if errors.Is(err, errNeedAuth) || errors.As(err, new(*nodesAuthErr)) {
		t.Errorf("pre_authorized refusal asked the user to authorize: %v", err)
	}
	st, _ := m.Status(context.Background())
	if st[0].State != StateDegraded {
		t.Errorf("Status = %q; want degraded", st[0].State)
	}
	if len(degraded) != 1 || degraded[0] != "acme/sf" {
		t.Errorf("OnDegraded calls = %v; want [acme/sf]", degraded)
	}
	if !strings.Contains(h.logs.String(), "level=ERROR") {
		t.Errorf("no error-level log for the degraded profile:\n%s", h.logs.String())
	}
	// The admin reconnects: ok again.
	u, _, _ = m.AdminAuthURL(context.Background(), "sf")
	h.signIn(u)
	st, _ = m.Status(context.Background())
	if st[0].State != StateOK {
		t.Errorf("Status after reconnect = %q; want ok", st[0].State)
	}
}

func TestPasswordRefusedDegrades(t *testing.T) {
	h := newHarness(t, harnessConfig{})
	m := h.newManager("acme", map[string]*Profile{"sf": h.password()})
	t.Setenv(envPassword, "wrong-password")
	_, err := h.call(m, turn("acme", "s", "u", "n"), "sf")
	var ge *GrantError
	if !errors.Is(err, ErrAdminReconnect) || !errors.As(err, &ge) || ge.Code != "invalid_grant" {
		t.Fatalf("call with a wrong password: got %v; want ErrAdminReconnect wrapping invalid_grant", err)
	}
	if st, _ := m.Status(context.Background()); st[0].State != StateDegraded {
		t.Errorf("Status = %q; want degraded", st[0].State)
	}
}

// nodesAuthErr aliases the nodes error for errors.As targets.
type nodesAuthErr = nodes.AuthorizationRequiredError

// harnessTurn is one turn of one manager.
type harnessTurn struct {
	m  *Manager
	tu *nodes.Turn
}

func mustReq(t testing.TB, base string) *http.Request {
	t.Helper()
	r, err := http.NewRequest(http.MethodGet, base+"/services/data/v62.0/limits", nil)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestConcurrentRefreshSharesOneTokenCall(t *testing.T) {
	stores := map[string]func(t *testing.T) sessions.Store{
		"memory": func(t *testing.T) sessions.Store {
			s := sessions.NewMemory(sessions.Options{})
			t.Cleanup(func() { s.Close() })
			return s
		},
		"redis": func(t *testing.T) sessions.Store {
			srv := redistest.Start(t)
			s := sessions.NewRedis(srv.Client(t), sessions.Options{})
			return s
		},
	}
	for name, mk := range stores {
		t.Run(name, func(t *testing.T) {
			h := newHarness(t, harnessConfig{store: mk(t)})
			m1 := h.newManager("acme", map[string]*Profile{"sf": h.perUser()})
			m2 := h.newManager("acme", map[string]*Profile{"sf": h.perUser()}) // a second instance
			h.signIn(needAuth(t, m1.Apply(context.Background(), turn("acme", "s", "u1", "n"), "sf", mustReq(t, h.sf.URL))))
			h.event(t)
			h.sim.ExpireAccessTokens()

			const perManager = 4
			var wg sync.WaitGroup
			type result struct {
				status int
				err    error
			}
			// Every turn applies the expired token and gets 401 first.
			all := make([]*harnessTurn, 0, 2*perManager)
			for i := range 2 * perManager {
				m := m1
				if i%2 == 1 {
					m = m2
				}
				ht := &harnessTurn{m: m, tu: turn("acme", "s", "u1", "n")}
				if st, err := h.call(m, ht.tu, "sf"); st != http.StatusUnauthorized {
					t.Fatalf("call with expired token: %d, %v; want 401", st, err)
				}
				all = append(all, ht)
			}
			before := h.tokenCalls()
			results := make([]result, len(all))
			for i, ht := range all {
				wg.Add(1)
				go func() {
					defer wg.Done()
					if err := ht.m.Refresh(context.Background(), ht.tu, "sf"); err != nil {
						results[i] = result{err: err}
						return
					}
					st, err := h.call(ht.m, ht.tu, "sf")
					results[i] = result{st, err}
				}()
			}
			wg.Wait()
			for i, r := range results {
				if r.err != nil || r.status != http.StatusOK {
					t.Errorf("turn %d after refresh: %d, %v; want 200", i, r.status, r.err)
				}
			}
			if got := h.tokenCalls() - before; got != 1 {
				t.Errorf("token endpoint calls for %d concurrent refreshes on 2 managers = %d; want 1", len(all), got)
			}
		})
	}
}
