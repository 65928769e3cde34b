package auth

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"html/template"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
)

// CallbackOption configures Callback.
type CallbackOption func(*callbackHandler)

// OnDenied sets a hook called when the user declined access at the
// provider (error=access_denied), with the state's bot, session and user.
func OnDenied(f func(ctx context.Context, bot, session, user string)) CallbackOption {
	return func(h *callbackHandler) { h.onDenied = f }
}

// CallbackLogger sets the logger of the callback or the hop (default
// slog.Default()).
func CallbackLogger(l *slog.Logger) CallbackOption {
	return func(h *callbackHandler) { h.log = l }
}

// Endpoints named by OnRefused.
const (
	EndpointCallback = "callback"
	EndpointStart    = "start"
)

// Reasons named by OnRefused besides the StateError reasons.
const (
	RefusedBadRequest = "bad_request" // method, query or state not well formed
	RefusedUnknownBot = "unknown_bot" // the state names no bot with an oauth2 profile
	RefusedWrongPath  = "wrong_path"  // reached on a path other than the configured one
	RefusedStore      = "store"       // the state store failed
)

// OnRefused sets a hook called for every request the callback or the hop
// refuses, with the endpoint (EndpointCallback, EndpointStart) and a
// reason: a StateError reason (StateUnbound, StateWrongBinding,
// StateOpenedElsewhere, StateUsed, …) or one of the Refused… constants.
// Both sets are small and fixed, so they can label a metric.
func OnRefused(f func(ctx context.Context, endpoint, reason string)) CallbackOption {
	return func(h *callbackHandler) { h.onRefused = f }
}

// OpenedFromChat sets the hop's check that a chat user's link is opened
// from a page the chat lives on (its Referer is one of the bot's pages):
// a link forwarded to someone else (in an e-mail, a message, an
// attacker's page) is refused at the first open, before it can bind to
// the victim's browser. Links of an administrator's sign-in (botctl auth
// login) are not checked.
func OpenedFromChat(f func(r *http.Request) bool) CallbackOption {
	return func(h *callbackHandler) { h.openedFrom = f }
}

// Callback returns the handler of GET /oauth/callback for every bot of a
// server. The state names the bot; managers returns its Manager (nil for
// an unknown bot). The handler consumes the state (single use, bound to
// bot, session, user, profile and node, checked against the redirect URI
// the bot is configured with), exchanges the code with the PKCE verifier,
// stores the token and answers with a page that closes itself. Then, for a
// user's sign-in, it calls onAuthorized so the runtime resumes the parked
// node; the call is not cancelled when the browser goes away.
//
// The callback also requires the link's binding cookie, which the hop
// (Start) set in the browser that opened the link: without it, or with
// another one, the request is refused with status 403 and the state is
// not consumed, so that browser can still finish.
//
// Refusals are pages with status 400 that say what happened (link not
// valid, already used, expired), 403 for the binding; a declined
// authorization is a 200 page and calls the OnDenied hook.
func Callback(managers func(bot string) *Manager, onAuthorized func(ctx context.Context, bot, session, user string), opts ...CallbackOption) http.Handler {
	h := &callbackHandler{managers: managers, onAuthorized: onAuthorized}
	for _, o := range opts {
		o(h)
	}
	if h.log == nil {
		h.log = slog.Default()
	}
	return h
}

type callbackHandler struct {
	managers     func(bot string) *Manager
	onAuthorized func(ctx context.Context, bot, session, user string)
	onDenied     func(ctx context.Context, bot, session, user string)
	onRefused    func(ctx context.Context, endpoint, reason string)
	openedFrom   func(r *http.Request) bool
	log          *slog.Logger
}

// refuse answers a refused request and reports it to the OnRefused hook.
func (h *callbackHandler) refuse(ctx context.Context, w http.ResponseWriter, endpoint string, rf refusal) {
	if h.onRefused != nil {
		h.onRefused(ctx, endpoint, rf.reason)
	}
	renderPage(w, rf.status, rf.page)
}

// callbackQuery is the parsed query of a callback request.
type callbackQuery struct {
	state, code, errCode string
}

// parseCallbackQuery reads state, code and error, each at most once.
func parseCallbackQuery(raw string) (callbackQuery, error) {
	var q callbackQuery
	if len(raw) > 8192 {
		return q, errors.New("query too long")
	}
	v, err := url.ParseQuery(raw)
	if err != nil {
		return q, errors.New("malformed query")
	}
	for _, k := range []string{"state", "code", "error"} {
		if len(v[k]) > 1 {
			return q, errors.New("parameter " + k + " repeated")
		}
	}
	q.state, q.code, q.errCode = v.Get("state"), v.Get("code"), v.Get("error")
	if q.state == "" {
		return q, errors.New("state missing")
	}
	if q.code == "" && q.errCode == "" {
		return q, errors.New("neither code nor error")
	}
	return q, nil
}

// ServeHTTP answers the provider's redirect. Its log lines carry the
// request's context (botd adds the request id from it).
func (h *callbackHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	if r.Method != http.MethodGet {
		w.Header().Set("Allow", http.MethodGet)
		h.refuse(ctx, w, EndpointCallback, refusal{http.StatusMethodNotAllowed, pageInvalid, RefusedBadRequest})
		return
	}
	cb, rf := h.admit(ctx, r)
	if cb == nil {
		h.refuse(ctx, w, EndpointCallback, rf)
		return
	}
	// The link is spent: its binding cookie has no further use.
	http.SetCookie(w, cb.m.bindingCookie(cb.nonce, "", -1))
	if cb.q.errCode != "" {
		h.providerError(ctx, w, cb)
		return
	}
	h.complete(ctx, w, cb)
}

// callback is a callback request whose state was valid and is now used.
type callback struct {
	q     callbackQuery
	bot   string
	nonce string
	m     *Manager
	rec   *stateRecord
}

// refusal is the page a refused request gets, and why (for OnRefused).
type refusal struct {
	status int
	page   page
	reason string
}

// admit checks the request and takes its state: a nil callback comes with
// the page to answer instead.
func (h *callbackHandler) admit(ctx context.Context, r *http.Request) (*callback, refusal) {
	q, err := parseCallbackQuery(r.URL.RawQuery)
	if err != nil {
		h.log.InfoContext(ctx, "auth callback: bad request", "reason", err.Error())
		return nil, refusal{http.StatusBadRequest, pageInvalid, RefusedBadRequest}
	}
	bot, nonce, m, rf := h.managerOf(ctx, "auth callback", q.state, r.URL.Path, func(m *Manager) string { return m.callbackURL })
	if m == nil {
		return nil, rf
	}
	rec, err := m.takeState(ctx, nonce, m.requestBindings(r, nonce))
	if err == nil && rec.RedirectURI != m.callbackURL {
		err = &StateError{Reason: StateMismatch}
	}
	if err != nil {
		return nil, h.stateRefusal(ctx, "auth callback", bot, err)
	}
	return &callback{q: q, bot: bot, nonce: nonce, m: m, rec: rec}, refusal{}
}

// managerOf finds the manager of a state's bot and checks that the
// request reached the path of the endpoint's public URL (urlOf). A nil
// manager comes with the refusal to answer.
func (h *callbackHandler) managerOf(ctx context.Context, what, state, path string, urlOf func(*Manager) string) (bot, nonce string, m *Manager, rf refusal) {
	bot, nonce, err := decodeState(state)
	if err != nil {
		h.log.InfoContext(ctx, what+": malformed state")
		return "", "", nil, refusal{http.StatusBadRequest, pageInvalid, RefusedBadRequest}
	}
	m = h.managers(bot)
	if m == nil || m.callbackURL == "" {
		h.log.InfoContext(ctx, what+": state names no known bot")
		return "", "", nil, refusal{http.StatusBadRequest, pageInvalid, RefusedUnknownBot}
	}
	if u, _ := url.Parse(urlOf(m)); u == nil || path != u.Path {
		h.log.WarnContext(ctx, what+": reached on a path other than the configured one", "bot", bot)
		return "", "", nil, refusal{http.StatusBadRequest, pageInvalid, RefusedWrongPath}
	}
	return bot, nonce, m, refusal{}
}

// stateRefusal logs why a state was not accepted and picks the page.
func (h *callbackHandler) stateRefusal(ctx context.Context, what, bot string, err error) refusal {
	var se *StateError
	if !errors.As(err, &se) {
		h.log.WarnContext(ctx, what+": state store failed", "bot", bot, "err", err)
		return refusal{http.StatusServiceUnavailable, pageFailed, RefusedStore}
	}
	switch se.Reason {
	case StateUnbound, StateWrongBinding, StateOpenedElsewhere, StateNotFromChat:
		// Someone else's browser, or a forwarded link: worth a warning.
		h.log.WarnContext(ctx, what+": link not bound to this browser", "bot", bot, "reason", se.Reason)
	default:
		h.log.InfoContext(ctx, what+": state refused", "bot", bot, "reason", se.Reason)
	}
	switch se.Reason {
	case StateUsed:
		return refusal{http.StatusBadRequest, pageUsed, se.Reason}
	case StateExpired:
		return refusal{http.StatusBadRequest, pageExpired, se.Reason}
	case StateUnbound, StateWrongBinding:
		return refusal{http.StatusForbidden, pageOtherBrowser, se.Reason}
	case StateOpenedElsewhere:
		return refusal{http.StatusForbidden, pageOpenedElsewhere, se.Reason}
	case StateNotFromChat:
		return refusal{http.StatusForbidden, pageNotFromChat, se.Reason}
	}
	return refusal{http.StatusBadRequest, pageInvalid, se.Reason}
}

// providerError answers a redirect that carries an error instead of a
// code; a user who declined access ends the waiting task (OnDenied).
func (h *callbackHandler) providerError(ctx context.Context, w http.ResponseWriter, cb *callback) {
	rec := cb.rec
	if cb.q.errCode != "access_denied" {
		h.log.InfoContext(ctx, "auth callback: provider reported an error", "bot", cb.bot, "profile", rec.Profile, "error", oauthCode(cb.q.errCode))
		renderPage(w, http.StatusBadRequest, pageFailed)
		return
	}
	h.log.InfoContext(ctx, "auth callback: the user declined access", "bot", cb.bot, "profile", rec.Profile)
	renderPage(w, http.StatusOK, pageDenied)
	if h.onDenied != nil && rec.Session != "" {
		h.onDenied(context.WithoutCancel(ctx), cb.bot, rec.Session, rec.User)
	}
}

// complete exchanges the code, stores the token and resumes the user's
// parked dialog (not cancelled when the browser goes away).
func (h *callbackHandler) complete(ctx context.Context, w http.ResponseWriter, cb *callback) {
	m, rec := cb.m, cb.rec
	pr := m.profiles[rec.Profile]
	if pr == nil || pr.p.Kind != KindOAuth2 {
		h.log.WarnContext(ctx, "auth callback: the state's profile is no longer configured", "bot", cb.bot, "profile", rec.Profile)
		renderPage(w, http.StatusBadRequest, pageInvalid)
		return
	}
	tok, err := m.exchange(ctx, pr, cb.q.code, rec.Verifier)
	if err != nil {
		h.log.WarnContext(ctx, "auth callback: code exchange failed", "bot", cb.bot, "profile", rec.Profile, "err", err)
		renderPage(w, http.StatusBadGateway, pageFailed)
		return
	}
	if err := m.saveToken(ctx, pr.name, rec.User, tok); err != nil {
		h.log.WarnContext(ctx, "auth callback: storing the token failed", "bot", cb.bot, "profile", rec.Profile, "err", err)
		renderPage(w, http.StatusServiceUnavailable, pageFailed)
		return
	}
	if rec.User == botUser {
		m.clearDegraded(ctx, pr)
	}
	h.log.InfoContext(ctx, "auth callback: authorized", "bot", cb.bot, "profile", rec.Profile, "admin", rec.User == botUser)
	renderPage(w, http.StatusOK, pageDone)
	if f, ok := w.(http.Flusher); ok {
		f.Flush()
	}
	if h.onAuthorized != nil && rec.Session != "" {
		h.onAuthorized(context.WithoutCancel(ctx), cb.bot, rec.Session, rec.User)
	}
}

// oauthCode keeps an error code printable in logs (it comes from the URL).
func oauthCode(s string) string {
	if len(s) > 40 {
		s = s[:40]
	}
	return strings.Map(func(r rune) rune {
		if r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, s)
}

// page is one of the callback's result pages.
type page struct {
	Title, Message string
	Close          bool // the page closes its window
}

var (
	pageDone    = page{Title: "Signed in", Message: "You are signed in. You can close this window and return to the chat.", Close: true}
	pageDenied  = page{Title: "Access not granted", Message: "You did not allow access, so the chat cannot continue with that request. You can close this window."}
	pageInvalid = page{Title: "Link not valid", Message: "This sign-in link is not valid. Please use the newest link from the chat."}
	pageUsed    = page{Title: "Link already used", Message: "This sign-in link has already been used. If the chat is still waiting, ask it for a new link."}
	pageExpired = page{Title: "Link expired", Message: "This sign-in link has expired. Please ask the chat for a new link."}
	pageFailed  = page{Title: "Sign-in failed", Message: "The sign-in could not be completed. Please try again from the chat."}

	pageOtherBrowser    = page{Title: "Not started in this browser", Message: "This sign-in was not started in this browser, so it cannot be completed here. Open the sign-in link from the chat in this browser, or ask the chat for a new link."}
	pageOpenedElsewhere = page{Title: "Link opened in another browser", Message: "This sign-in link was already opened in another browser and only works there. If that was not you, ask the chat for a new link."}
	pageNotFromChat     = page{Title: "Open this link from the chat", Message: "This sign-in link works only when opened from the chat window that asked for it. If someone sent it to you, do not use it: it would give them your access."}
)

const closeScript = `setTimeout(function(){window.close()},1500)`

var (
	pageCSP = "default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-" + scriptHash(closeScript) + "'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
	pageTpl = template.Must(template.New("page").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>{{.Title}}</title>
<style>body{font:16px/1.5 system-ui,sans-serif;margin:3em auto;max-width:30em;padding:0 1em;color:#222}</style>
</head><body><h1>{{.Title}}</h1><p>{{.Message}}</p>{{if .Close}}<script>` + closeScript + `</script>{{end}}</body></html>
`))
)

func scriptHash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return base64.StdEncoding.EncodeToString(sum[:])
}

func renderPage(w http.ResponseWriter, status int, p page) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	// The callback URL carries the code: never hand it on as a referrer.
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", pageCSP)
	w.WriteHeader(status)
	_ = pageTpl.Execute(w, p)
}
