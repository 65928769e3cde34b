package auth

import (
	"errors"
	"log/slog"
	"net/http"
	"net/url"
)

// Start returns the handler of GET /oauth/start, the first-party hop every
// authorize link points at. It binds the link to the browser that opens
// it first: it sets the link's binding cookie (random, HttpOnly,
// SameSite=Lax, Secure on https, path /oauth/, living as long as the
// link; only its digest is stored, in the link's state record) and
// redirects (302) to the provider's authorize URL. The same browser may
// open the link again; another browser is refused (403), as are used,
// expired and unknown links (400). The hop consumes nothing: the callback
// takes the state, and only together with the cookie.
//
// Options: CallbackLogger, OnRefused (endpoint EndpointStart) and
// OpenedFromChat.
func Start(managers func(bot string) *Manager, opts ...CallbackOption) http.Handler {
	h := &callbackHandler{managers: managers}
	for _, o := range opts {
		o(h)
	}
	if h.log == nil {
		h.log = slog.Default()
	}
	return startHandler{h}
}

type startHandler struct{ h *callbackHandler }

func (s startHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h, ctx := s.h, r.Context()
	if r.Method != http.MethodGet {
		w.Header().Set("Allow", http.MethodGet)
		h.refuse(ctx, w, EndpointStart, refusal{http.StatusMethodNotAllowed, pageInvalid, RefusedBadRequest})
		return
	}
	state, err := parseStartQuery(r.URL.RawQuery)
	if err != nil {
		h.log.InfoContext(ctx, "auth start: bad request", "reason", err.Error())
		h.refuse(ctx, w, EndpointStart, refusal{http.StatusBadRequest, pageInvalid, RefusedBadRequest})
		return
	}
	bot, nonce, m, rf := h.managerOf(ctx, "auth start", state, r.URL.Path, func(m *Manager) string { return m.pub.start })
	if m == nil {
		h.refuse(ctx, w, EndpointStart, rf)
		return
	}
	fromChat := h.openedFrom == nil || h.openedFrom(r)
	authURL, cookie, err := m.bindState(ctx, nonce, m.requestBindings(r, nonce), fromChat)
	if err != nil {
		h.refuse(ctx, w, EndpointStart, h.stateRefusal(ctx, "auth start", bot, err))
		return
	}
	if cookie != nil {
		http.SetCookie(w, cookie)
	}
	hd := w.Header()
	hd.Set("Cache-Control", "no-store")
	// The hop's URL carries the state: not a referrer for the provider.
	hd.Set("Referrer-Policy", "no-referrer")
	hd.Set("Location", authURL)
	w.WriteHeader(http.StatusFound)
}

// parseStartQuery reads the hop's one parameter, state, exactly once.
func parseStartQuery(raw string) (string, error) {
	if len(raw) > 1024 {
		return "", errors.New("query too long")
	}
	v, err := url.ParseQuery(raw)
	if err != nil {
		return "", errors.New("malformed query")
	}
	if len(v["state"]) != 1 || v.Get("state") == "" {
		return "", errors.New("want exactly one state")
	}
	return v.Get("state"), nil
}
