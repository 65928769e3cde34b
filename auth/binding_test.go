package auth

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestLinkBoundToBrowser: an authorize link completes only in the browser
// that opened it through the hop. Another browser is refused at the hop
// and at the callback, with a 403 page and an OnRefused report, and
// without consuming the state: the browser that opened the link still
// finishes.
func TestLinkBoundToBrowser(t *testing.T) {
	tests := []struct {
		name string
		// attack is what another browser does with the link (the hop URL
		// the chat sent, or the provider URL behind it) after browser A
		// opened it; it returns the response the attacker gets.
		attack  func(t *testing.T, h *harness, link, providerURL string) resp
		page    string
		refusal string // OnRefused endpoint/reason
	}{
		{"provider link completed in a browser without the cookie", func(t *testing.T, h *harness, link, providerURL string) resp {
			b := newBrowser(t)
			return b.do(http.MethodGet, b.authorize(providerURL, h.sf.URL, h.creds.Username, h.creds.Password, true), nil)
		}, "not started in this browser", "callback/" + StateUnbound},
		{"callback with a cookie of the right name and a made-up value", func(t *testing.T, h *harness, link, providerURL string) resp {
			b := newBrowser(t)
			loc := b.authorize(providerURL, h.sf.URL, h.creds.Username, h.creds.Password, true)
			_, _, nonce := nonceOf(t, providerURL)
			cb, _ := url.Parse(h.cb.URL + CallbackPath)
			b.c.Jar.SetCookies(cb, []*http.Cookie{{Name: bindingCookieName(nonce, false), Value: randomNonce(), Path: "/oauth/"}})
			return b.do(http.MethodGet, loc, nil)
		}, "not started in this browser", "callback/" + StateWrongBinding},
		{"callback with the cookie of another link", func(t *testing.T, h *harness, link, providerURL string) resp {
			// The attacker opens a link of their own (same bot) and puts
			// that cookie's value under this link's cookie name.
			m := h.manager("acme")
			own := needAuth(t, m.Apply(context.Background(), turn("acme", "s2", "u2", "n1"), "sf", mustReq(t, h.sf.URL)))
			b := newBrowser(t)
			b.hop(own, h.sf.URL)
			hopURL, _ := url.Parse(h.cb.URL + "/oauth/")
			var value string
			for _, c := range b.c.Jar.Cookies(hopURL) {
				value = c.Value
			}
			if value == "" {
				t.Fatal("the attacker's own link set no cookie")
			}
			loc := b.authorize(providerURL, h.sf.URL, h.creds.Username, h.creds.Password, true)
			_, _, nonce := nonceOf(t, providerURL)
			b.c.Jar.SetCookies(hopURL, []*http.Cookie{{Name: bindingCookieName(nonce, false), Value: value, Path: "/oauth/"}})
			return b.do(http.MethodGet, loc, nil)
		}, "not started in this browser", "callback/" + StateWrongBinding},
		{"hop opened by a second browser", func(t *testing.T, h *harness, link, providerURL string) resp {
			return newBrowser(t).do(http.MethodGet, link, nil)
		}, "already opened in another browser", "start/" + StateOpenedElsewhere},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, harnessConfig{})
			m := h.newManager("acme", map[string]*Profile{"sf": h.perUser()})
			link := needAuth(t, m.Apply(context.Background(), turn("acme", "s1", "u1", "n1"), "sf", mustReq(t, h.sf.URL)))
			a := newBrowser(t)
			providerURL := a.hop(link, h.sf.URL)

			r := tc.attack(t, h, link, providerURL)
			if r.status != http.StatusForbidden || !strings.Contains(r.body, tc.page) {
				t.Errorf("other browser: got status %d, page:\n%s\nwant 403 saying %q", r.status, r.body, tc.page)
			}
			if got := h.refusals(); !slices.Contains(got, tc.refusal) {
				t.Errorf("OnRefused calls = %v; want %s", got, tc.refusal)
			}
			if rec, _ := m.loadToken(context.Background(), "sf", "u1"); rec != nil {
				t.Fatalf("the other browser's sign-in stored a token for u1")
			}
			select {
			case e := <-h.events:
				t.Fatalf("the other browser's sign-in called the %s hook", e.kind)
			default:
			}

			// Browser A may open the link again, and finishes: the refused
			// request consumed nothing.
			if again := a.hop(link, h.sf.URL); again != providerURL {
				t.Errorf("A opening the link again: redirected to %q; want %q", again, providerURL)
			}
			done := a.do(http.MethodGet, a.authorize(providerURL, h.sf.URL, h.creds.Username, h.creds.Password, true), nil)
			if done.status != http.StatusOK || !strings.Contains(done.body, "window.close()") {
				t.Fatalf("A's callback: got %d\n%s\nwant 200 and the self-closing page", done.status, done.body)
			}
			if e := h.event(t); e.kind != "authorized" || e.session != "s1" || e.user != "u1" {
				t.Errorf("hook = %+v; want authorized for s1/u1", e)
			}
			if rec, _ := m.loadToken(context.Background(), "sf", "u1"); rec == nil {
				t.Errorf("no token stored after A's sign-in")
			}
		})
	}
}

// TestBindingCookieAttributes checks the cookie the hop sets and the one
// the callback clears it with, on http (loopback) and https public URLs.
func TestBindingCookieAttributes(t *testing.T) {
	h := newHarness(t, harnessConfig{})
	m := h.newManager("acme", map[string]*Profile{"sf": h.perUser()})
	link := needAuth(t, m.Apply(context.Background(), turn("acme", "s1", "u1", "n1"), "sf", mustReq(t, h.sf.URL)))
	b := newBrowser(t)
	r := b.do(http.MethodGet, link, nil)
	cookies := (&http.Response{Header: r.header}).Cookies()
	if r.status != http.StatusFound || len(cookies) != 1 {
		t.Fatalf("hop: status %d, cookies %v; want 302 with one cookie", r.status, cookies)
	}
	c := cookies[0]
	checks := []struct {
		what      string
		got, want any
	}{
		{"HttpOnly", c.HttpOnly, true},
		{"SameSite", c.SameSite, http.SameSiteLaxMode},
		{"Secure (http loopback public URL)", c.Secure, false},
		{"Path", c.Path, "/oauth/"},
		{"Max-Age within the link's life", c.MaxAge > 0 && c.MaxAge <= int(DefaultStateTTL/time.Second), true},
		{"value length", len(c.Value), 43},
		{"Cache-Control", r.header.Get("Cache-Control"), "no-store"},
		{"Referrer-Policy", r.header.Get("Referrer-Policy"), "no-referrer"},
	}
	for _, ck := range checks {
		if ck.got != ck.want {
			t.Errorf("hop cookie %s = %v; want %v", ck.what, ck.got, ck.want)
		}
	}
	if strings.Contains(link, c.Value) || strings.Contains(r.location, c.Value) {
		t.Errorf("the cookie value appears in the link or the provider URL")
	}
	done := b.do(http.MethodGet, b.authorize(r.location, h.sf.URL, h.creds.Username, h.creds.Password, true), nil)
	cleared := (&http.Response{Header: done.header}).Cookies()
	if done.status != http.StatusOK || len(cleared) != 1 || cleared[0].Name != c.Name || cleared[0].MaxAge >= 0 {
		t.Errorf("callback: status %d, cookies %v; want 200 and %s deleted", done.status, cleared, c.Name)
	}

	pub, err := endpointsOf("https://bots.example.com/chat/")
	if err != nil {
		t.Fatal(err)
	}
	sm := &Manager{pub: pub}
	sc := sm.bindingCookie("n", "v", time.Minute)
	if !sc.Secure || !strings.HasPrefix(sc.Name, "__Secure-") || sc.Path != "/chat/oauth/" || pub.start != "https://bots.example.com/chat/oauth/start" {
		t.Errorf("https public URL: cookie %+v, hop %s; want a Secure __Secure- cookie on /chat/oauth/ and the hop under /chat", sc, pub.start)
	}
}

// FuzzStartLink sends arbitrary queries and Cookie headers to the hop of a
// bot with one link, already opened by its browser. The hop must never
// redirect to the provider, nor set a cookie, for a request that does not
// carry that browser's binding cookie.
func FuzzStartLink(f *testing.F) {
	h := newHarness(f, harnessConfig{})
	m := h.newManager("acme", map[string]*Profile{"sf": h.perUser()})
	link, err := url.Parse(needAuth(f, m.Apply(context.Background(), turn("acme", "s1", "u1", "n1"), "sf", mustReq(f, h.sf.URL))))
	if err != nil {
		f.Fatal(err)
	}
	state := link.Query().Get("state")
	_, nonce, _ := decodeState(state)
	name := bindingCookieName(nonce, false)
	owner := Start(h.manager)
	first := httptest.NewRecorder()
	owner.ServeHTTP(first, httptest.NewRequest(http.MethodGet, link.String(), nil))
	if first.Code != http.StatusFound {
		f.Fatalf("the owner's hop: %d", first.Code)
	}
	real := first.Result().Cookies()[0].Value

	f.Add(link.RawQuery, "")
	f.Add(link.RawQuery, name+"="+randomNonce())
	f.Add(link.RawQuery, name+"=; "+name+"="+randomNonce())
	f.Add("state="+state+"&state="+state, name+"="+real)
	f.Add("state=%zz", "")
	f.Add("state="+encodeState("acme", randomNonce()), name+"="+real)
	f.Fuzz(func(t *testing.T, query, cookie string) {
		r := httptest.NewRequest(http.MethodGet, "/x", nil)
		r.URL.Path, r.URL.RawQuery = StartPath, query
		if cookie != "" {
			r.Header.Set("Cookie", cookie)
		}
		w := httptest.NewRecorder()
		owner.ServeHTTP(w, r)
		if strings.Contains(cookie, real) {
			return // the owner's browser may be sent on
		}
		if w.Code == http.StatusFound || w.Header().Get("Set-Cookie") != "" {
			t.Errorf("query %q, cookie %q: status %d, Set-Cookie %q; want a refusal", query, cookie, w.Code, w.Header().Get("Set-Cookie"))
		}
	})
}

// BenchmarkStartHop measures the hop for the browser that owns a link
// (memory store): the lease on the link, reading its sealed record and
// building the provider URL.
func BenchmarkStartHop(b *testing.B) {
	h := newHarness(b, harnessConfig{})
	m := h.newManager("acme", map[string]*Profile{"sf": h.perUser()})
	link := needAuth(b, m.Apply(context.Background(), turn("acme", "s1", "u1", "n1"), "sf", mustReq(b, h.sf.URL)))
	hop := Start(h.manager)
	first := httptest.NewRecorder()
	hop.ServeHTTP(first, httptest.NewRequest(http.MethodGet, link, nil))
	cookie := first.Result().Cookies()[0]
	for b.Loop() {
		r := httptest.NewRequest(http.MethodGet, link, nil)
		r.AddCookie(cookie)
		w := httptest.NewRecorder()
		hop.ServeHTTP(w, r)
		if w.Code != http.StatusFound {
			b.Fatalf("hop: %d", w.Code)
		}
	}
}
