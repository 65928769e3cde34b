package auth

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/botforge/dialogd/nodes"
	"github.com/botforge/dialogd/sessions"
)

// CallbackPath is the path of the OAuth redirect URI under the public URL.
const CallbackPath = "/oauth/callback"

// Defaults of Options.
const (
	DefaultStateTTL     = 10 * time.Minute
	DefaultUserTokenTTL = 30 * 24 * time.Hour
)

// ErrAdminReconnect is wrapped by the errors of a pre_authorized profile
// whose credential is missing or no longer accepted: an administrator must
// sign in again (botctl auth login) or fix the configured secrets. The user
// should be told so; the profile's Status is degraded meanwhile.
var ErrAdminReconnect = fmt.Errorf("auth: %w", nodes.ErrReconnectRequired)

// ErrUnknownProfile is wrapped by the error for a profile name the bot
// does not declare.
var ErrUnknownProfile = errors.New("auth: unknown auth profile")

// Options configure a Manager.
type Options struct {
	// PublicURL is the server's public base URL (botd -public-url); the
	// OAuth redirect URI is PublicURL + "/oauth/callback". Required when a
	// profile has kind oauth2.
	PublicURL string
	// Keyring encrypts the stored tokens. Required.
	Keyring *Keyring
	// HTTPClient makes the token, refresh and revoke calls. Default: a
	// client with a 15s timeout.
	HTTPClient *http.Client
	// Logger receives the manager's logs (never a token or a secret).
	// Default: slog.Default().
	Logger *slog.Logger
	// Now is the clock. Default: time.Now.
	Now func() time.Time
	// StateTTL is how long an authorize link stays valid. Default 10 min.
	StateTTL time.Duration
	// UserTokenTTL bounds how long a per_user token is kept after it was
	// last stored (obtained or refreshed). Default 30 days.
	UserTokenTTL time.Duration
	// OnDegraded, when set, is called when a pre_authorized profile's
	// credential stops working (for a metric).
	OnDegraded func(bot, profile string)
}

// Manager applies the auth profiles of one bot: it is the bot's
// nodes.Authorizer, nodes.Refresher and nodes.BaseURLer. It is safe for
// concurrent use; several Managers of the same bot (in one or several
// processes) may share a store.
type Manager struct {
	bot         string
	profiles    map[string]*profile
	store       sessions.Store
	keys        *Keyring
	opts        Options
	http        *http.Client
	log         *slog.Logger
	now         func() time.Time
	callbackURL string
	pub         publicEndpoints // redirect URI, hop URL, binding cookie's path

	flights flightGroup

	appliedMu sync.Mutex
	applied   map[*nodes.Turn]appliedToken
}

// profile is a validated profile with its endpoints resolved.
type profile struct {
	name string
	p    *Profile
	ep   endpoints
	mode string
}

// appliedToken remembers which token a turn's last Apply sent, so that a
// Refresh after a 401 knows whether the stored token is still that one.
type appliedToken struct {
	key string // token key
	fp  string // fingerprint of the access token
	at  time.Time
}

// NewManager validates the profiles and returns the bot's manager.
func NewManager(bot string, profiles map[string]*Profile, store sessions.Store, opts Options) (*Manager, error) {
	if bot == "" {
		return nil, errors.New("auth: bot name is required")
	}
	if store == nil {
		return nil, errors.New("auth: a session store is required")
	}
	if opts.Keyring == nil {
		return nil, errors.New("auth: a keyring is required (derive it from BOT_SECRET_KEY)")
	}
	m := &Manager{bot: bot, profiles: map[string]*profile{}, store: store, keys: opts.Keyring, opts: opts,
		http: opts.HTTPClient, log: opts.Logger, now: opts.Now, applied: map[*nodes.Turn]appliedToken{}}
	if m.http == nil {
		m.http = &http.Client{Timeout: 15 * time.Second}
	}
	if m.log == nil {
		m.log = slog.Default()
	}
	if m.now == nil {
		m.now = time.Now
	}
	if m.opts.StateTTL <= 0 {
		m.opts.StateTTL = DefaultStateTTL
	}
	if m.opts.UserTokenTTL <= 0 {
		m.opts.UserTokenTTL = DefaultUserTokenTTL
	}
	needCallback := false
	for name, p := range profiles {
		if p == nil {
			return nil, fmt.Errorf("auth profile %s: empty", name)
		}
		if err := p.Validate(); err != nil {
			return nil, fmt.Errorf("auth profile %s: %w", name, err)
		}
		ep, _ := p.endpoints()
		m.profiles[name] = &profile{name: name, p: p, ep: ep, mode: p.mode()}
		needCallback = needCallback || p.Kind == KindOAuth2
	}
	if needCallback {
		pub, err := endpointsOf(opts.PublicURL)
		if err != nil {
			return nil, err
		}
		m.pub, m.callbackURL = pub, pub.callback
	}
	return m, nil
}

func callbackURL(public string) (string, error) {
	if public == "" {
		return "", errors.New("auth: the public URL is required for oauth2 profiles (the redirect URI is derived from it)")
	}
	u, err := url.Parse(public)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return "", fmt.Errorf("auth: public URL %q: want an absolute http or https URL without query", public)
	}
	if u.Scheme == "http" && !isLoopback(u.Hostname()) {
		return "", fmt.Errorf("auth: public URL %q: must be https (http only for 127.0.0.1 or localhost)", public)
	}
	return strings.TrimSuffix(public, "/") + CallbackPath, nil
}

// Bot returns the bot's name.
func (m *Manager) Bot() string { return m.bot }

// CallbackURL returns the OAuth redirect URI to register with the
// provider (empty when the bot has no oauth2 profile).
func (m *Manager) CallbackURL() string { return m.callbackURL }

func (m *Manager) profile(name string) (*profile, error) {
	pr := m.profiles[name]
	if pr == nil {
		return nil, fmt.Errorf("%w %q", ErrUnknownProfile, name)
	}
	return pr, nil
}

// subject is whose token a turn uses: the bot's or the user's.
func (m *Manager) subject(pr *profile, t *nodes.Turn) (string, error) {
	if pr.mode != ModePerUser {
		return botUser, nil
	}
	if t == nil || t.User == "" {
		return "", fmt.Errorf("profile %s is per_user but the turn has no user id", pr.name)
	}
	return t.User, nil
}

// Apply implements nodes.Authorizer: it adds the profile's credential to
// req. A per_user profile without a token for the turn's user returns a
// *nodes.AuthorizationRequiredError carrying a fresh authorize link.
func (m *Manager) Apply(ctx context.Context, t *nodes.Turn, name string, req *http.Request) error {
	pr, err := m.profile(name)
	if err != nil {
		return err
	}
	if !pr.p.IsOAuth() {
		return m.applyStatic(pr, req)
	}
	user, err := m.subject(pr, t)
	if err != nil {
		return err
	}
	rec, err := m.token(ctx, t, pr, user)
	if err != nil {
		return err
	}
	if err := m.checkHost(pr, rec, req.URL); err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+rec.AccessToken)
	if t != nil {
		m.remember(t, tokenKey(m.bot, pr.name, user), rec)
	}
	return nil
}

// applyStatic applies basic, bearer, api_key and none. Secrets are read
// when used.
func (m *Manager) applyStatic(pr *profile, req *http.Request) error {
	if err := m.checkHost(pr, nil, req.URL); err != nil {
		return err
	}
	if pr.p.Kind == KindNone {
		return nil
	}
	secret, err := pr.p.Secret.Resolve()
	if err != nil {
		return fmt.Errorf("auth profile %s: %w", pr.name, err)
	}
	switch pr.p.Kind {
	case KindBasic:
		req.SetBasicAuth(pr.p.Username, secret)
	case KindBearer:
		req.Header.Set("Authorization", "Bearer "+secret)
	case KindAPIKey:
		if pr.p.Query != "" {
			q := req.URL.Query()
			q.Set(pr.p.Query, secret)
			req.URL.RawQuery = q.Encode()
		} else {
			h := pr.p.Header
			if h == "" {
				h = "X-API-Key"
			}
			req.Header.Set(h, secret)
		}
	}
	return nil
}

// checkHost refuses to send a credential anywhere but the profile's own
// address (its base_url, or for Salesforce the instance and login hosts),
// so a URL built from user input cannot leak it.
func (m *Manager) checkHost(pr *profile, rec *tokenRecord, u *url.URL) error {
	var allowed []string
	switch {
	case pr.p.BaseURL != "":
		allowed = append(allowed, pr.p.BaseURL)
	case pr.p.Salesforce != nil:
		allowed = append(allowed, pr.ep.login)
		if rec != nil && rec.InstanceURL != "" {
			allowed = append(allowed, rec.InstanceURL)
		}
	default:
		return nil
	}
	for _, a := range allowed {
		au, err := url.Parse(a)
		if err == nil && strings.EqualFold(au.Scheme, u.Scheme) && strings.EqualFold(au.Host, u.Host) {
			return nil
		}
	}
	return fmt.Errorf("auth profile %s: refusing to send its credential to %s://%s (not the profile's host)", pr.name, u.Scheme, u.Host)
}

func fingerprint(rec *tokenRecord) string {
	if rec == nil {
		return ""
	}
	sum := sha256.Sum256([]byte(rec.AccessToken))
	return hex.EncodeToString(sum[:8])
}

func (m *Manager) remember(t *nodes.Turn, key string, rec *tokenRecord) {
	now := time.Now()
	m.appliedMu.Lock()
	defer m.appliedMu.Unlock()
	if len(m.applied) >= 512 {
		for k, v := range m.applied {
			if now.Sub(v.at) > time.Minute {
				delete(m.applied, k)
			}
		}
	}
	m.applied[t] = appliedToken{key: key, fp: fingerprint(rec), at: now}
}

// appliedFingerprint returns what the turn's last Apply sent for key.
func (m *Manager) appliedFingerprint(t *nodes.Turn, key string) (string, bool) {
	m.appliedMu.Lock()
	defer m.appliedMu.Unlock()
	a, ok := m.applied[t]
	if !ok || a.key != key {
		return "", false
	}
	delete(m.applied, t)
	return a.fp, true
}

// errNeedAuth tells a flight's callers to send an authorize link.
var errNeedAuth = errors.New("auth: user authorization needed")

// token returns a usable token of the subject, obtaining or refreshing it
// when needed.
func (m *Manager) token(ctx context.Context, t *nodes.Turn, pr *profile, user string) (*tokenRecord, error) {
	rec, err := m.loadToken(ctx, pr.name, user)
	if err != nil {
		return nil, fmt.Errorf("auth profile %s: %w", pr.name, err)
	}
	if rec != nil && !rec.expired(m.now()) {
		return rec, nil
	}
	// Missing, or past an expiry the provider announced: obtain or
	// refresh, once for all concurrent callers.
	err = m.renew(ctx, pr, user, fingerprint(rec))
	if errors.Is(err, errNeedAuth) {
		return nil, m.authRequired(ctx, t, pr)
	}
	if err != nil {
		return nil, err
	}
	rec, err = m.loadToken(ctx, pr.name, user)
	if err != nil {
		return nil, fmt.Errorf("auth profile %s: %w", pr.name, err)
	}
	if rec == nil {
		return nil, fmt.Errorf("auth profile %s: token vanished after it was stored", pr.name)
	}
	return rec, nil
}

// Refresh implements nodes.Refresher: after a 401 it renews the token the
// turn's last Apply sent, once for all concurrent turns of the same bot,
// user and profile, in this process and in every other one sharing the
// store. When another turn renewed it meanwhile, Refresh returns at once
// and the caller retries with the new token.
//
// A per_user refresh the provider refuses deletes the token and returns a
// *nodes.AuthorizationRequiredError with a new link; a pre_authorized one
// returns an error wrapping ErrAdminReconnect and marks the profile
// degraded.
func (m *Manager) Refresh(ctx context.Context, t *nodes.Turn, name string) error {
	pr, err := m.profile(name)
	if err != nil {
		return err
	}
	if !pr.p.IsOAuth() {
		return fmt.Errorf("auth profile %s: kind %s cannot be refreshed", pr.name, pr.p.Kind)
	}
	user, err := m.subject(pr, t)
	if err != nil {
		return err
	}
	seen, ok := m.appliedFingerprint(t, tokenKey(m.bot, pr.name, user))
	if !ok {
		cur, err := m.loadToken(ctx, pr.name, user)
		if err != nil {
			return fmt.Errorf("auth profile %s: %w", pr.name, err)
		}
		seen = fingerprint(cur)
	}
	err = m.renew(ctx, pr, user, seen)
	if errors.Is(err, errNeedAuth) {
		return m.authRequired(ctx, t, pr)
	}
	return err
}

// renew replaces the subject's token unless it changed from seen
// meanwhile. It runs once per subject in this process (flight) and holds
// the store lease so other processes wait and then find the new token.
func (m *Manager) renew(ctx context.Context, pr *profile, user, seen string) error {
	key := tokenKey(m.bot, pr.name, user)
	return m.flights.do(ctx, key, func() error {
		lease, err := m.store.Acquire(ctx, refreshLeaseID(m.bot, pr.name, user))
		if err != nil {
			return fmt.Errorf("auth profile %s: refresh lock: %w", pr.name, err)
		}
		defer lease.Release(context.WithoutCancel(ctx))
		cur, err := m.loadToken(ctx, pr.name, user)
		if err != nil {
			return fmt.Errorf("auth profile %s: %w", pr.name, err)
		}
		if cur != nil && fingerprint(cur) != seen && !cur.expired(m.now()) {
			m.log.Debug("auth: token already renewed by another turn", "bot", m.bot, "profile", pr.name)
			return nil
		}
		var next *tokenRecord
		switch {
		case pr.p.Kind != KindOAuth2:
			next, err = m.fetch(ctx, pr)
		case pr.mode == ModePerUser && (cur == nil || cur.RefreshToken == ""):
			if cur != nil {
				_ = m.deleteToken(ctx, pr.name, user)
			}
			return errNeedAuth
		case cur == nil:
			m.log.Warn("auth: profile is not connected; an administrator must sign in", "bot", m.bot, "profile", pr.name)
			return fmt.Errorf("auth profile %s: no administrator has signed in yet: %w", pr.name, ErrAdminReconnect)
		case cur.RefreshToken == "":
			return m.degrade(ctx, pr, "the stored sign-in has no refresh token (request the refresh_token scope)", nil)
		default:
			next, err = m.refreshWith(ctx, pr, cur)
		}
		if err != nil {
			if !isRefusal(err) {
				m.log.Warn("auth: token request failed", "bot", m.bot, "profile", pr.name, "err", err)
				return err
			}
			if pr.mode == ModePerUser {
				m.log.Info("auth: refresh refused; the user must authorize again", "bot", m.bot, "profile", pr.name, "err", err)
				if derr := m.deleteToken(ctx, pr.name, user); derr != nil {
					return fmt.Errorf("auth profile %s: delete refused token: %w", pr.name, derr)
				}
				return errNeedAuth
			}
			return m.degrade(ctx, pr, "the token endpoint refused the credential", err)
		}
		if err := m.saveToken(ctx, pr.name, user, next); err != nil {
			return fmt.Errorf("auth profile %s: %w", pr.name, err)
		}
		if user == botUser {
			m.clearDegraded(ctx, pr)
		}
		m.log.Debug("auth: token renewed", "bot", m.bot, "profile", pr.name)
		return nil
	})
}

// Profile states reported by Status.
const (
	StateOK           = "ok"
	StateDegraded     = "degraded"
	StateNotConnected = "not_connected"
)

const degradedMarker = "degraded"

// degrade marks a pre_authorized profile degraded, deletes its dead token,
// logs at error level and returns the ErrAdminReconnect error.
func (m *Manager) degrade(ctx context.Context, pr *profile, why string, cause error) error {
	_ = m.deleteToken(ctx, pr.name, botUser)
	if err := m.store.Set(ctx, statusKey(m.bot, pr.name), []byte(degradedMarker), 0); err != nil {
		m.log.Warn("auth: could not record the degraded state", "bot", m.bot, "profile", pr.name, "err", err)
	}
	args := []any{"bot", m.bot, "profile", pr.name, "kind", pr.p.Kind, "reason", why}
	if cause != nil {
		args = append(args, "err", cause)
	}
	m.log.Error("auth: profile degraded; an administrator must reconnect it", args...)
	if m.opts.OnDegraded != nil {
		m.opts.OnDegraded(m.bot, pr.name)
	}
	if cause != nil {
		return fmt.Errorf("auth profile %s: %s: %w (%w)", pr.name, why, ErrAdminReconnect, cause)
	}
	return fmt.Errorf("auth profile %s: %s: %w", pr.name, why, ErrAdminReconnect)
}

func (m *Manager) clearDegraded(ctx context.Context, pr *profile) {
	if err := m.store.Delete(ctx, statusKey(m.bot, pr.name)); err != nil {
		m.log.Warn("auth: could not clear the degraded state", "bot", m.bot, "profile", pr.name, "err", err)
	}
}

// BaseURL implements nodes.BaseURLer: the Salesforce instance_url of the
// subject's token, or the profile's base_url.
func (m *Manager) BaseURL(ctx context.Context, t *nodes.Turn, name string) (string, error) {
	pr, err := m.profile(name)
	if err != nil {
		return "", err
	}
	if pr.p.BaseURL != "" {
		return strings.TrimSuffix(pr.p.BaseURL, "/"), nil
	}
	if pr.p.Salesforce == nil {
		return "", fmt.Errorf("auth profile %s has no base URL (set base_url, or use the salesforce preset)", pr.name)
	}
	user, err := m.subject(pr, t)
	if err != nil {
		return "", err
	}
	rec, err := m.token(ctx, t, pr, user)
	if err != nil {
		return "", err
	}
	if rec.InstanceURL == "" {
		return "", fmt.Errorf("auth profile %s: the token response had no instance_url", pr.name)
	}
	return strings.TrimSuffix(rec.InstanceURL, "/"), nil
}

// Revoke disconnects: it posts the token to the profile's revoke endpoint
// and deletes it. user is ignored for pre_authorized profiles (the bot's
// token goes). The token is deleted even when the provider cannot be
// reached; that error is returned.
func (m *Manager) Revoke(ctx context.Context, user, name string) error {
	pr, err := m.profile(name)
	if err != nil {
		return err
	}
	if !pr.p.IsOAuth() {
		return fmt.Errorf("auth profile %s: kind %s holds no token to revoke", pr.name, pr.p.Kind)
	}
	subj := botUser
	if pr.mode == ModePerUser {
		if user == "" {
			return fmt.Errorf("auth profile %s: revoke needs a user id", pr.name)
		}
		subj = user
	}
	rec, err := m.loadToken(ctx, pr.name, subj)
	if err != nil {
		return fmt.Errorf("auth profile %s: %w", pr.name, err)
	}
	if rec == nil {
		return nil
	}
	tok := rec.RefreshToken
	if tok == "" {
		tok = rec.AccessToken
	}
	rerr := m.revokeRemote(ctx, pr, tok)
	if err := m.deleteToken(ctx, pr.name, subj); err != nil {
		return fmt.Errorf("auth profile %s: delete token: %w", pr.name, err)
	}
	m.log.Info("auth: token revoked", "bot", m.bot, "profile", pr.name)
	return rerr
}

// ProfileStatus describes one profile for botctl auth status and /readyz.
// It holds no secret.
type ProfileStatus struct {
	Name  string `json:"name"`
	Kind  string `json:"kind"`
	Mode  string `json:"mode"`
	State string `json:"state"` // ok, degraded or not_connected
}

// Status lists the bot's profiles by name. A pre_authorized profile is
// degraded after its credential was refused, and an oauth2 one is
// not_connected until an administrator signs in; per_user profiles and
// the static kinds are ok.
func (m *Manager) Status(ctx context.Context) ([]ProfileStatus, error) {
	names := make([]string, 0, len(m.profiles))
	for n := range m.profiles {
		names = append(names, n)
	}
	slices.Sort(names)
	out := make([]ProfileStatus, 0, len(names))
	for _, n := range names {
		pr := m.profiles[n]
		st := ProfileStatus{Name: n, Kind: pr.p.Kind, Mode: pr.mode, State: StateOK}
		if pr.p.IsOAuth() && pr.mode == ModePreAuthorized {
			mark, err := m.store.Get(ctx, statusKey(m.bot, n))
			if err != nil {
				return nil, fmt.Errorf("auth status: %w", err)
			}
			switch {
			case string(mark) == degradedMarker:
				st.State = StateDegraded
			case pr.p.Kind == KindOAuth2:
				b, err := m.store.Get(ctx, tokenKey(m.bot, n, botUser))
				if err != nil {
					return nil, fmt.Errorf("auth status: %w", err)
				}
				if b == nil {
					st.State = StateNotConnected
				}
			}
		}
		out = append(out, st)
	}
	return out, nil
}

// flightGroup runs one function per key at a time; callers that arrive
// while it runs wait for its result.
type flightGroup struct {
	mu    sync.Mutex
	calls map[string]*flightCall
}

type flightCall struct {
	done chan struct{}
	err  error
}

func (g *flightGroup) do(ctx context.Context, key string, fn func() error) error {
	g.mu.Lock()
	if g.calls == nil {
		g.calls = map[string]*flightCall{}
	}
	if c, ok := g.calls[key]; ok {
		g.mu.Unlock()
		select {
		case <-c.done:
			return c.err
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	c := &flightCall{done: make(chan struct{})}
	g.calls[key] = c
	g.mu.Unlock()
	defer func() {
		g.mu.Lock()
		delete(g.calls, key)
		g.mu.Unlock()
		close(c.done)
	}()
	c.err = fn()
	return c.err
}

var (
	_ nodes.Authorizer = (*Manager)(nil)
	_ nodes.Refresher  = (*Manager)(nil)
	_ nodes.BaseURLer  = (*Manager)(nil)
)
