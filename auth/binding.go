package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"golang.org/x/oauth2"
)

// StartPath is the path, under the public URL, of the first-party hop
// that binds an authorize link to the browser opening it: the link a
// chat user gets is PublicURL + StartPath + "?state=…", and the hop sets
// the link's binding cookie before it redirects to the provider.
const StartPath = "/oauth/start"

// Reasons of a StateError about the browser binding of a link.
const (
	// StateUnbound: the callback came without the link's binding cookie
	// (another browser, or the provider's link reached without the hop).
	StateUnbound = "unbound"
	// StateWrongBinding: the callback came with a binding cookie that is
	// not the one the hop set for this link.
	StateWrongBinding = "binding_mismatch"
	// StateOpenedElsewhere: the hop was passed already, by another
	// browser; a link binds to the first browser that opens it.
	StateOpenedElsewhere = "opened_elsewhere"
	// StateNotFromChat: a chat user's link opened first from somewhere
	// else than the chat's page (a forwarded link); see OpenedFromChat.
	StateNotFromChat = "not_from_chat"
)

// bindingLen is the size of a binding cookie's random value, in bytes.
const bindingLen = 32

// publicEndpoints derives the redirect URI, the hop's URL and the
// binding cookie's path and Secure flag from the public base URL.
type publicEndpoints struct {
	callback, start string
	cookiePath      string // the public path of /oauth/, so the cookie goes to the hop and the callback only
	secure          bool   // https: the cookie is Secure and __Secure- prefixed
}

func endpointsOf(public string) (publicEndpoints, error) {
	cb, err := callbackURL(public)
	if err != nil {
		return publicEndpoints{}, err
	}
	u, _ := url.Parse(public) // callbackURL parsed it already
	base := strings.TrimSuffix(public, "/")
	return publicEndpoints{
		callback:   cb,
		start:      base + StartPath,
		cookiePath: strings.TrimSuffix(u.EscapedPath(), "/") + "/oauth/",
		secure:     u.Scheme == "https",
	}, nil
}

// StartURL returns the first-party hop's URL (empty when the bot has no
// oauth2 profile); authorize links point at it.
func (m *Manager) StartURL() string { return m.pub.start }

// startLink is the hop's URL for state: what the chat user is sent.
func (m *Manager) startLink(state string) string {
	return m.pub.start + "?" + url.Values{"state": {state}}.Encode()
}

// bindingCookieName names the cookie of one link. The name is derived
// from the nonce, so links opened at the same time in one browser do not
// overwrite each other's cookies; it reveals nothing about the value.
func bindingCookieName(nonce string, secure bool) string {
	sum := sha256.Sum256([]byte("dialogd oauth binding cookie name\x00" + nonce))
	name := "dlgd_oauth_" + base64.RawURLEncoding.EncodeToString(sum[:12])
	if secure {
		// Only a secure origin can set a __Secure- cookie.
		name = "__Secure-" + name
	}
	return name
}

// bindingDigest is what the state record keeps of a cookie value: the
// store (or a dump of it) never holds a usable cookie.
func bindingDigest(value string) string {
	sum := sha256.Sum256([]byte("dialogd oauth binding\x00" + value))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// requestBindings returns the values of the request's cookies for the
// link (normally one; a planted duplicate does not hide the real one).
func (m *Manager) requestBindings(r *http.Request, nonce string) []string {
	var out []string
	for _, c := range r.CookiesNamed(bindingCookieName(nonce, m.pub.secure)) {
		if len(c.Value) <= 2*bindingLen {
			out = append(out, c.Value)
		}
	}
	return out
}

// bindingRefusal says why the cookies do not complete rec's link: "" when
// one of them is the link's binding, otherwise StateUnbound (none) or
// StateWrongBinding. A record the hop never bound is unbound.
func bindingRefusal(rec *stateRecord, cookies []string) string {
	if len(cookies) == 0 || rec.Binding == "" {
		return StateUnbound
	}
	for _, v := range cookies {
		if subtle.ConstantTimeCompare([]byte(bindingDigest(v)), []byte(rec.Binding)) == 1 {
			return ""
		}
	}
	return StateWrongBinding
}

// bindingCookie is the cookie the hop sets: HttpOnly, SameSite=Lax (sent
// on the provider's top-level redirect to the callback, not on cross-site
// subrequests), Secure on https, scoped to /oauth/, and living as long as
// the link. A negative life deletes it.
func (m *Manager) bindingCookie(nonce, value string, life time.Duration) *http.Cookie {
	maxAge := int(life / time.Second)
	switch {
	case life < 0:
		maxAge = -1
	case maxAge < 1:
		maxAge = 1
	}
	return &http.Cookie{Name: bindingCookieName(nonce, m.pub.secure), Value: value, Path: m.pub.cookiePath,
		MaxAge: maxAge, HttpOnly: true, Secure: m.pub.secure, SameSite: http.SameSiteLaxMode}
}

// bindState passes the hop for a link: the first browser to open it gets
// a fresh binding cookie (its digest goes into the state record); the
// same browser opening it again is sent on without a new cookie; any
// other browser is refused with StateOpenedElsewhere. It returns the
// provider's authorize URL. A used, expired or unknown link is refused as
// the callback would refuse it; nothing is consumed.
func (m *Manager) bindState(ctx context.Context, nonce string, cookies []string, fromChat bool) (authURL string, cookie *http.Cookie, err error) {
	lease, err := m.store.Acquire(ctx, stateLeaseID(m.bot, nonce))
	if err != nil {
		return "", nil, fmt.Errorf("auth: state lock: %w", err)
	}
	defer lease.Release(context.WithoutCancel(ctx))
	key := stateKey(m.bot, nonce)
	var rec stateRecord
	ok, err := m.loadSealed(ctx, key, &rec, m.opts.StateTTL+stateGrace)
	switch {
	case errors.Is(err, ErrUndecryptable), err == nil && !ok:
		return "", nil, &StateError{Reason: StateUnknown}
	case err != nil:
		return "", nil, err
	}
	now := m.now()
	if err := m.checkOpenable(&rec, now); err != nil {
		return "", nil, err
	}
	authURL, err = m.providerURL(&rec, encodeState(m.bot, nonce))
	if err != nil {
		return "", nil, err
	}
	if rec.Binding != "" {
		if bindingRefusal(&rec, cookies) == "" {
			return authURL, nil, nil
		}
		return "", nil, &StateError{Reason: StateOpenedElsewhere}
	}
	if rec.Session != "" && !fromChat {
		// A chat user's link that the chat's page did not open: refused
		// before it binds, so that the chat's own browser can still.
		return "", nil, &StateError{Reason: StateNotFromChat}
	}
	vb := make([]byte, bindingLen)
	if _, err := rand.Read(vb); err != nil {
		return "", nil, fmt.Errorf("auth: binding cookie: %w", err)
	}
	value := base64.RawURLEncoding.EncodeToString(vb)
	rec.Binding = bindingDigest(value)
	life := time.UnixMilli(rec.Expires).Sub(now)
	if err := m.storeSealed(ctx, key, &rec, life+stateGrace); err != nil {
		return "", nil, fmt.Errorf("auth: bind state: %w", err)
	}
	return authURL, m.bindingCookie(nonce, value, life), nil
}

// checkOpenable refuses a link the callback would refuse anyway.
func (m *Manager) checkOpenable(rec *stateRecord, now time.Time) error {
	switch {
	case rec.Used:
		return &StateError{Reason: StateUsed}
	case now.UnixMilli() >= rec.Expires:
		return &StateError{Reason: StateExpired}
	case rec.Bot != m.bot:
		return &StateError{Reason: StateForeign}
	case rec.RedirectURI != m.callbackURL:
		return &StateError{Reason: StateMismatch}
	}
	return nil
}

// providerURL is the provider's authorize URL for a state record: its
// profile's endpoint, the redirect URI and the PKCE S256 challenge of the
// record's verifier.
func (m *Manager) providerURL(rec *stateRecord, state string) (string, error) {
	pr := m.profiles[rec.Profile]
	if pr == nil || pr.p.Kind != KindOAuth2 {
		m.log.Warn("auth: an authorize link's profile is no longer configured", "bot", m.bot, "profile", rec.Profile)
		return "", &StateError{Reason: StateUnknown}
	}
	cfg, err := m.codeConfig(pr, pr.ep.token)
	if err != nil {
		return "", err
	}
	return cfg.AuthCodeURL(state, oauth2.S256ChallengeOption(rec.Verifier)), nil
}
