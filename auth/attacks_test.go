package auth

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/botforge/dialogd/nodes"
)

// nonceOf returns the nonce of an authorize URL's state.
func nonceOf(t *testing.T, authURL string) (state, bot, nonce string) {
	t.Helper()
	u, err := url.Parse(authURL)
	if err != nil {
		t.Fatal(err)
	}
	state = u.Query().Get("state")
	bot, nonce, err = decodeState(state)
	if err != nil {
		t.Fatalf("decodeState(%q) error = %v", state, err)
	}
	return state, bot, nonce
}

func randomNonce() string {
	b := make([]byte, nonceLen)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func TestCallbackAttacks(t *testing.T) {
	type check struct {
		status int
		page   string // substring of the page
		stored bool   // whether u1's token exists afterwards
		event  string // hook called: "", "authorized", "denied"
	}
	tests := []struct {
		name string
		// run performs the attack and returns the callback's response.
		run  func(t *testing.T, h *harness, m *Manager, authURL string) resp
		want check
	}{
		{"forged state", func(t *testing.T, h *harness, m *Manager, authURL string) resp {
			loc := newBrowser(t).authorize(authURL, h.sf.URL, h.creds.Username, h.creds.Password, true)
			u, _ := url.Parse(loc)
			q := u.Query()
			q.Set("state", encodeState("acme", randomNonce()))
			u.RawQuery = q.Encode()
			return newBrowser(t).do(http.MethodGet, u.String(), nil)
		}, check{status: 400, page: "not valid"}},
		{"malformed state", func(t *testing.T, h *harness, m *Manager, authURL string) resp {
			return newBrowser(t).do(http.MethodGet, h.cb.URL+CallbackPath+"?code=x&state=acme.short", nil)
		}, check{status: 400, page: "not valid"}},
		{"reused state", func(t *testing.T, h *harness, m *Manager, authURL string) resp {
			b := newBrowser(t)
			loc := b.authorize(authURL, h.sf.URL, h.creds.Username, h.creds.Password, true)
			if r := b.do(http.MethodGet, loc, nil); r.status != 200 {
				t.Fatalf("first callback: %d", r.status)
			}
			h.event(t)
			return b.do(http.MethodGet, loc, nil)
		}, check{status: 400, page: "already been used", stored: true}},
		{"foreign state (another bot)", func(t *testing.T, h *harness, m *Manager, authURL string) resp {
			h.newManager("globex", map[string]*Profile{"sf": h.perUser()})
			loc := newBrowser(t).authorize(authURL, h.sf.URL, h.creds.Username, h.creds.Password, true)
			u, _ := url.Parse(loc)
			q := u.Query()
			_, _, nonce := nonceOf(t, authURL)
			q.Set("state", encodeState("globex", nonce))
			u.RawQuery = q.Encode()
			return newBrowser(t).do(http.MethodGet, u.String(), nil)
		}, check{status: 400, page: "not valid"}},
		{"state of an unknown bot", func(t *testing.T, h *harness, m *Manager, authURL string) resp {
			_, _, nonce := nonceOf(t, authURL)
			return newBrowser(t).do(http.MethodGet, h.cb.URL+CallbackPath+"?code=x&state="+encodeState("nobody", nonce), nil)
		}, check{status: 400, page: "not valid"}},
		{"access denied", func(t *testing.T, h *harness, m *Manager, authURL string) resp {
			b := newBrowser(t)
			loc := b.authorize(authURL, h.sf.URL, h.creds.Username, h.creds.Password, false)
			if !strings.Contains(loc, "error=access_denied") {
				t.Fatalf("deny redirected to %q; want error=access_denied", loc)
			}
			return b.do(http.MethodGet, loc, nil)
		}, check{status: 200, page: "did not allow access", event: "denied"}},
		{"wrong client secret", func(t *testing.T, h *harness, m *Manager, authURL string) resp {
			t.Setenv(envClientSecret, "not-the-secret")
			b := newBrowser(t)
			return b.do(http.MethodGet, b.authorize(authURL, h.sf.URL, h.creds.Username, h.creds.Password, true), nil)
		}, check{status: 502, page: "could not be completed"}},
		{"wrong PKCE verifier", func(t *testing.T, h *harness, m *Manager, authURL string) resp {
			b := newBrowser(t)
			authURL = b.hop(authURL, h.sf.URL) // the challenge is of the real verifier
			_, _, nonce := nonceOf(t, authURL)
			key := stateKey("acme", nonce)
			var rec stateRecord
			if ok, err := m.loadSealed(context.Background(), key, &rec, 0); !ok || err != nil {
				t.Fatalf("state record: %v %v", ok, err)
			}
			rec.Verifier = "a-different-verifier-of-sufficient-length-0123456789"
			if err := m.storeSealed(context.Background(), key, &rec, time.Hour); err != nil {
				t.Fatal(err)
			}
			return b.do(http.MethodGet, b.authorize(authURL, h.sf.URL, h.creds.Username, h.creds.Password, true), nil)
		}, check{status: 502, page: "could not be completed"}},
		{"callback on another path", func(t *testing.T, h *harness, m *Manager, authURL string) resp {
			b := newBrowser(t)
			loc := b.authorize(authURL, h.sf.URL, h.creds.Username, h.creds.Password, true)
			u, _ := url.Parse(loc)
			srv := Callback(h.manager, nil)
			rec := httptest.NewRecorder()
			r, _ := http.NewRequest(http.MethodGet, "/elsewhere/callback?"+u.RawQuery, nil)
			srv.ServeHTTP(rec, r)
			// The state was not consumed by the refused request.
			if r := b.do(http.MethodGet, loc, nil); r.status != 200 {
				t.Errorf("real callback after the refused one: %d; want 200", r.status)
			}
			h.event(t)
			return resp{status: rec.Code, body: rec.Body.String(), header: rec.Header()}
		}, check{status: 400, page: "not valid", stored: true}},
		{"redirect URI changed since the link was issued", func(t *testing.T, h *harness, m *Manager, authURL string) resp {
			b := newBrowser(t)
			loc := b.authorize(authURL, h.sf.URL, h.creds.Username, h.creds.Password, true)
			// The bot is now configured with another public URL.
			m2, err := NewManager("acme", map[string]*Profile{"sf": h.perUser()}, h.store, Options{PublicURL: "http://127.0.0.1:1", Keyring: h.keys, Logger: h.log})
			if err != nil {
				t.Fatal(err)
			}
			h.mu.Lock()
			h.managers["acme"] = m2
			h.mu.Unlock()
			return b.do(http.MethodGet, loc, nil)
		}, check{status: 400, page: "not valid"}},
		{"redirect URI tampered in the authorize link", func(t *testing.T, h *harness, m *Manager, authURL string) resp {
			u, _ := url.Parse(newBrowser(t).hop(authURL, h.sf.URL))
			q := u.Query()
			q.Set("redirect_uri", "https://evil.example/oauth/callback")
			u.RawQuery = q.Encode()
			r := newBrowser(t).do(http.MethodGet, u.String(), nil)
			if r.status == http.StatusFound {
				t.Fatalf("sfsim redirected to %q for an unregistered redirect URI", r.location)
			}
			return r
		}, check{status: 400, page: "redirect_uri"}},
		{"expired state", func(t *testing.T, h *harness, m *Manager, authURL string) resp {
			b := newBrowser(t)
			authURL = b.hop(authURL, h.sf.URL)
			h.clock.Add(int64(11 * time.Minute))
			return b.do(http.MethodGet, b.authorize(authURL, h.sf.URL, h.creds.Username, h.creds.Password, true), nil)
		}, check{status: 400, page: "expired"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, harnessConfig{})
			m := h.newManager("acme", map[string]*Profile{"sf": h.perUser()})
			u := needAuth(t, m.Apply(context.Background(), turn("acme", "s1", "u1", "n1"), "sf", mustReq(t, h.sf.URL)))
			r := tc.run(t, h, m, u)
			if r.status != tc.want.status || !strings.Contains(r.body, tc.want.page) {
				t.Errorf("got status %d, page:\n%s\nwant %d and a page saying %q", r.status, r.body, tc.want.status, tc.want.page)
			}
			rec, _ := m.loadToken(context.Background(), "sf", "u1")
			if (rec != nil) != tc.want.stored {
				t.Errorf("token stored = %v; want %v", rec != nil, tc.want.stored)
			}
			select {
			case e := <-h.events:
				if e.kind != tc.want.event {
					t.Errorf("hook %q called; want %q", e.kind, tc.want.event)
				}
			default:
				if tc.want.event != "" {
					t.Errorf("no hook called; want %q", tc.want.event)
				}
			}
		})
	}
}

func TestTokenNeverCrossesUsersOrBots(t *testing.T) {
	h := newHarness(t, harnessConfig{})
	m := h.newManager("acme", map[string]*Profile{"sf": h.perUser()})
	other := h.newManager("globex", map[string]*Profile{"sf": h.perUser()})
	h.manager("acme") // keep acme's manager registered for the callback
	h.mu.Lock()
	h.managers["acme"] = m
	h.mu.Unlock()
	a := turn("acme", "sa", "user-a", "n")
	h.signIn(needAuth(t, m.Apply(context.Background(), a, "sf", mustReq(t, h.sf.URL))))
	h.event(t)
	if st, _ := h.call(m, a, "sf"); st != 200 {
		t.Fatalf("user A's call: %d; want 200", st)
	}
	// User B of the same bot, and user A on another bot, have no token.
	needAuth(t, m.Apply(context.Background(), turn("acme", "sb", "user-b", "n"), "sf", mustReq(t, h.sf.URL)))
	needAuth(t, other.Apply(context.Background(), turn("globex", "sa", "user-a", "n"), "sf", mustReq(t, h.sf.URL)))

	// A sealed token copied into B's slot does not open there.
	ctx := context.Background()
	sealed, err := h.store.Get(ctx, tokenKey("acme", "sf", "user-a"))
	if err != nil || sealed == nil {
		t.Fatalf("A's sealed token: %v", err)
	}
	for _, key := range []string{tokenKey("acme", "sf", "user-b"), tokenKey("globex", "sf", "user-a")} {
		if err := h.store.Set(ctx, key, sealed, 0); err != nil {
			t.Fatal(err)
		}
	}
	needAuth(t, m.Apply(ctx, turn("acme", "sb", "user-b", "n"), "sf", mustReq(t, h.sf.URL)))
	needAuth(t, other.Apply(ctx, turn("globex", "sa", "user-a", "n"), "sf", mustReq(t, h.sf.URL)))

	// And A's token is never sent to another host.
	evil, _ := http.NewRequest(http.MethodGet, "https://evil.example/services/data/v62.0/limits", nil)
	if err := m.Apply(ctx, a, "sf", evil); err == nil || evil.Header.Get("Authorization") != "" {
		t.Errorf("Apply to a foreign host: err %v, header %q; want a refusal and no header", err, evil.Header.Get("Authorization"))
	}
}

func TestLiteralSecretsRefused(t *testing.T) {
	tests := []struct{ name, yaml string }{
		{"client secret", "kind: oauth2\nmode: per_user\nclient_id: x\nclient_secret: hunter2\nsalesforce: {login: production}\n"},
		{"password", "kind: oauth2_password\nclient_id: x\nclient_secret: {env: S}\nusername: u\npassword: hunter2\nsalesforce: {login: production}\n"},
		{"private key", "kind: oauth2_jwt_bearer\nclient_id: x\nusername: u\nprivate_key: \"-----BEGIN RSA PRIVATE KEY-----\"\nsalesforce: {login: production}\n"},
		{"bearer secret", "kind: bearer\nsecret: abc\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var p Profile
			err := nodes.UnmarshalStrict("profile.yaml", []byte(tc.yaml), &p)
			if !errors.Is(err, ErrLiteralSecret) && (err == nil || !strings.Contains(err.Error(), "literal secrets are not allowed")) {
				t.Errorf("decode: got %v; want the literal-secret refusal", err)
			}
		})
	}
}
