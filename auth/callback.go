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

// CallbackLogger sets the callback's logger (default slog.Default()).
func CallbackLogger(l *slog.Logger) CallbackOption {
	return func(h *callbackHandler) { h.log = l }
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
// Refusals are pages with status 400 that say what happened (link not
// valid, already used, expired); a declined authorization is a 200 page and
// calls the OnDenied hook.
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
	log          *slog.Logger
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
	if r.Method != http.MethodGet {
		w.Header().Set("Allow", http.MethodGet)
		renderPage(w, http.StatusMethodNotAllowed, pageInvalid)
		return
	}
	ctx := r.Context()
	cb, refusal := h.admit(ctx, r)
	if cb == nil {
		renderPage(w, refusal.status, refusal.page)
		return
	}
	if cb.q.errCode != "" {
		h.providerError(ctx, w, cb)
		return
	}
	h.complete(ctx, w, cb)
}

// callback is a callback request whose state was valid and is now used.
type callback struct {
	q   callbackQuery
	bot string
	m   *Manager
	rec *stateRecord
}

// refusal is the page a refused callback request gets.
type refusal struct {
	status int
	page   page
}

// admit checks the request and takes its state: a nil callback comes with
// the page to answer instead.
func (h *callbackHandler) admit(ctx context.Context, r *http.Request) (*callback, refusal) {
	invalid := refusal{http.StatusBadRequest, pageInvalid}
	q, err := parseCallbackQuery(r.URL.RawQuery)
	if err != nil {
		h.log.InfoContext(ctx, "auth callback: bad request", "reason", err.Error())
		return nil, invalid
	}
	bot, nonce, err := decodeState(q.state)
	if err != nil {
		h.log.InfoContext(ctx, "auth callback: malformed state")
		return nil, invalid
	}
	m := h.managers(bot)
	if m == nil || m.callbackURL == "" {
		h.log.InfoContext(ctx, "auth callback: state names no known bot")
		return nil, invalid
	}
	if cb, _ := url.Parse(m.callbackURL); cb == nil || r.URL.Path != cb.Path {
		h.log.WarnContext(ctx, "auth callback: reached on a path other than the configured redirect URI", "bot", bot)
		return nil, invalid
	}
	rec, err := m.takeState(ctx, nonce)
	if err == nil && rec.RedirectURI != m.callbackURL {
		err = &StateError{Reason: StateMismatch}
	}
	if err != nil {
		return nil, h.stateRefusal(ctx, bot, err)
	}
	return &callback{q: q, bot: bot, m: m, rec: rec}, refusal{}
}

// stateRefusal logs why a state was not accepted and picks the page.
func (h *callbackHandler) stateRefusal(ctx context.Context, bot string, err error) refusal {
	var se *StateError
	if !errors.As(err, &se) {
		h.log.WarnContext(ctx, "auth callback: state store failed", "bot", bot, "err", err)
		return refusal{http.StatusServiceUnavailable, pageFailed}
	}
	h.log.InfoContext(ctx, "auth callback: state refused", "bot", bot, "reason", se.Reason)
	switch se.Reason {
	case StateUsed:
		return refusal{http.StatusBadRequest, pageUsed}
	case StateExpired:
		return refusal{http.StatusBadRequest, pageExpired}
	}
	return refusal{http.StatusBadRequest, pageInvalid}
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
