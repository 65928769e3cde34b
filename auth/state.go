package auth

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"

	"golang.org/x/oauth2"

	"github.com/botforge/dialogd/nodes"
)

// ErrInvalidState is wrapped by the callback's errors for a state that is
// malformed, unknown, already used, expired or issued for another bot.
var ErrInvalidState = errors.New("auth: invalid authorization state")

// StateError says why a callback's state was refused.
type StateError struct {
	Reason string // one of the StateReason constants
}

// Reasons of a StateError.
const (
	StateMalformed = "malformed"
	StateUnknown   = "unknown"
	StateUsed      = "used"
	StateExpired   = "expired"
	StateForeign   = "foreign"
	StateMismatch  = "redirect_mismatch"
)

func (e *StateError) Error() string { return ErrInvalidState.Error() + ": " + e.Reason }

// Unwrap lets errors.Is find ErrInvalidState.
func (e *StateError) Unwrap() error { return ErrInvalidState }

// stateRecord is what an authorize link is bound to, kept sealed in the
// store under a digest of its nonce.
type stateRecord struct {
	Bot         string `json:"b"`
	Session     string `json:"s,omitempty"`
	User        string `json:"u,omitempty"` // botUser for an admin sign-in
	Profile     string `json:"p"`
	Node        string `json:"n,omitempty"`
	Verifier    string `json:"v,omitempty"` // PKCE; cleared once used
	RedirectURI string `json:"r"`
	Expires     int64  `json:"e"` // Unix milliseconds
	Used        bool   `json:"x,omitempty"`
	Binding     string `json:"k,omitempty"` // digest of the binding cookie the hop set (binding.go)
}

// stateGrace keeps a used or expired state's record, so a replay is
// reported as such rather than as unknown.
const stateGrace = 10 * time.Minute

// nonceLen is the random part of a state, in bytes.
const nonceLen = 32

// encodeState is base64url(bot) "." nonce.
func encodeState(bot, nonce string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(bot)) + "." + nonce
}

// decodeState splits a state into bot and nonce, refusing anything that
// encodeState cannot have made.
func decodeState(s string) (bot, nonce string, err error) {
	malformed := &StateError{Reason: StateMalformed}
	if len(s) == 0 || len(s) > 512 {
		return "", "", malformed
	}
	b64, nonce, ok := strings.Cut(s, ".")
	if !ok || b64 == "" {
		return "", "", malformed
	}
	raw, err := base64.RawURLEncoding.DecodeString(b64)
	if err != nil || len(raw) == 0 || base64.RawURLEncoding.EncodeToString(raw) != b64 {
		return "", "", malformed
	}
	nb, err := base64.RawURLEncoding.DecodeString(nonce)
	if err != nil || len(nb) != nonceLen || base64.RawURLEncoding.EncodeToString(nb) != nonce {
		return "", "", malformed
	}
	return string(raw), nonce, nil
}

// newState stores a fresh state bound to the turn (or to the bot for an
// admin sign-in) and returns the link to send: the first-party hop
// (StartPath), which binds the link to the browser that opens it and
// then redirects to the provider's authorize URL.
func (m *Manager) newState(ctx context.Context, pr *profile, t *nodes.Turn, user string) (link, state string, err error) {
	if pr.p.Kind != KindOAuth2 {
		return "", "", fmt.Errorf("auth profile %s: kind %s has no sign-in link", pr.name, pr.p.Kind)
	}
	// The hop builds the provider's URL; a profile that cannot is
	// reported now, in the turn, rather than in the user's browser.
	if _, err := m.codeConfig(pr, pr.ep.token); err != nil {
		return "", "", err
	}
	nb := make([]byte, nonceLen)
	if _, err := rand.Read(nb); err != nil {
		return "", "", fmt.Errorf("auth: state nonce: %w", err)
	}
	nonce := base64.RawURLEncoding.EncodeToString(nb)
	rec := stateRecord{Bot: m.bot, User: user, Profile: pr.name, Verifier: oauth2.GenerateVerifier(),
		RedirectURI: m.callbackURL, Expires: m.now().Add(m.opts.StateTTL).UnixMilli()}
	if t != nil {
		rec.Session, rec.Node = t.Session, t.NodeID
	}
	if err := m.storeSealed(ctx, stateKey(m.bot, nonce), &rec, m.opts.StateTTL+stateGrace); err != nil {
		return "", "", fmt.Errorf("auth profile %s: store state: %w", pr.name, err)
	}
	state = encodeState(m.bot, nonce)
	return m.startLink(state), state, nil
}

// authRequired builds the error that makes the service node park and send
// the user an authorize card.
func (m *Manager) authRequired(ctx context.Context, t *nodes.Turn, pr *profile) error {
	user, err := m.subject(pr, t)
	if err != nil {
		return err
	}
	u, _, err := m.newState(ctx, pr, t, user)
	if err != nil {
		return err
	}
	lang := ""
	if t != nil {
		lang = t.Lang
	}
	m.log.Debug("auth: authorization link issued", "bot", m.bot, "profile", pr.name)
	return &nodes.AuthorizationRequiredError{Profile: pr.name, URL: u, Text: cardText(lang, m.providerName(pr))}
}

func (m *Manager) providerName(pr *profile) string {
	switch {
	case pr.p.IdentityProvider != "":
		return pr.p.IdentityProvider
	case pr.p.Salesforce != nil:
		return "Salesforce"
	}
	return pr.name
}

func cardText(lang, provider string) string {
	switch strings.ToLower(strings.SplitN(lang, "-", 2)[0]) {
	case "de":
		return "Bitte melden Sie sich bei " + provider + " an, damit ich fortfahren kann."
	case "ja":
		return "続行するには " + provider + " にサインインしてください。"
	}
	return "Please sign in to " + provider + " so I can continue."
}

// AdminAuthURL starts an administrator's sign-in for a pre_authorized
// oauth2 profile (botctl auth login): it returns the URL to open and the
// state; the callback stores the resulting token for the whole bot.
func (m *Manager) AdminAuthURL(ctx context.Context, name string) (authURL, state string, err error) {
	pr, err := m.profile(name)
	if err != nil {
		return "", "", err
	}
	if pr.p.Kind != KindOAuth2 || pr.mode != ModePreAuthorized {
		return "", "", fmt.Errorf("auth profile %s: an administrator sign-in is for pre_authorized oauth2 profiles (this one is %s, %s)", pr.name, pr.p.Kind, pr.mode)
	}
	return m.newState(ctx, pr, nil, botUser)
}

// takeState consumes a state: it returns its record once; later calls get
// StateUsed, and after its TTL StateExpired (then StateUnknown). A store
// lease on the nonce makes this single-use across processes. cookies are
// the request's binding cookies for the link: without the one the hop set,
// a live state is refused (StateUnbound, StateWrongBinding) and NOT
// consumed, so the browser that opened the link can still finish.
func (m *Manager) takeState(ctx context.Context, nonce string, cookies []string) (*stateRecord, error) {
	lease, err := m.store.Acquire(ctx, stateLeaseID(m.bot, nonce))
	if err != nil {
		return nil, fmt.Errorf("auth: state lock: %w", err)
	}
	defer lease.Release(context.WithoutCancel(ctx))
	key := stateKey(m.bot, nonce)
	var rec stateRecord
	ok, err := m.loadSealed(ctx, key, &rec, stateGrace)
	if errors.Is(err, ErrUndecryptable) {
		return nil, &StateError{Reason: StateUnknown}
	}
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, &StateError{Reason: StateUnknown}
	}
	if rec.Used {
		return nil, &StateError{Reason: StateUsed}
	}
	live := m.now().UnixMilli() < rec.Expires && rec.Bot == m.bot
	if reason := bindingRefusal(&rec, cookies); live && reason != "" {
		return nil, &StateError{Reason: reason}
	}
	taken := rec
	rec.Used, rec.Verifier = true, ""
	if err := m.storeSealed(ctx, key, &rec, stateGrace); err != nil {
		return nil, fmt.Errorf("auth: consume state: %w", err)
	}
	if m.now().UnixMilli() >= taken.Expires {
		return nil, &StateError{Reason: StateExpired}
	}
	if taken.Bot != m.bot {
		return nil, &StateError{Reason: StateForeign}
	}
	return &taken, nil
}
