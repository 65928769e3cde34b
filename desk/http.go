package desk

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"
	"golang.org/x/time/rate"
)

// Server serves the desks of several bots under /desk/: the page, the
// sign-in API and the pages' WebSocket.
type Server struct {
	Desks map[string]*Desk
	// Key signs the agents' session cookies; every instance needs the
	// same one.
	Key []byte
	// CheckOrigin accepts a WebSocket's Origin (the widget's rules).
	CheckOrigin func(*http.Request) bool
	// Page serves the desk page's files (package web).
	Page http.Handler
	// Secure marks the cookie Secure (a public https address).
	Secure bool
	// ClientIP says which address a request comes from, for the sign-in
	// buckets (behind a trusted proxy, the address it forwards); nil:
	// the connection's.
	ClientIP func(*http.Request) string
	Log      *slog.Logger

	once     sync.Once
	upgrader websocket.Upgrader
	lmu      sync.Mutex
	limiters map[string]*rate.Limiter // sign-in attempts by client address
}

// cookieName is the agents' session cookie.
const cookieName = "dialogd_desk"

// sessionTTL is how long a sign-in lasts.
const sessionTTL = 12 * time.Hour

func (s *Server) init() {
	s.once.Do(func() {
		s.upgrader = websocket.Upgrader{ReadBufferSize: 4096, WriteBufferSize: 4096, CheckOrigin: s.CheckOrigin}
		s.limiters = map[string]*rate.Limiter{}
		if s.Log == nil {
			s.Log = slog.Default()
		}
	})
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.init()
	switch r.URL.Path {
	case "/desk":
		http.Redirect(w, r, "/desk/", http.StatusMovedPermanently)
	case "/desk/api/bots":
		s.bots(w, r)
	case "/desk/api/login":
		s.login(w, r)
	case "/desk/api/logout":
		s.logout(w, r)
	case "/desk/ws":
		s.websocket(w, r)
	default:
		if s.Page == nil {
			http.NotFound(w, r)
			return
		}
		s.Page.ServeHTTP(w, r)
	}
}

func (s *Server) bots(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		jsonError(w, http.StatusMethodNotAllowed, "use GET")
		return
	}
	names := slices.Sorted(maps.Keys(s.Desks))
	out := make([]map[string]string, 0, len(names))
	for _, n := range names {
		out = append(out, map[string]string{"name": n, "title": s.Desks[n].Title()})
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		jsonError(w, http.StatusMethodNotAllowed, "use POST")
		return
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		jsonError(w, http.StatusUnsupportedMediaType, "send the sign-in as application/json")
		return
	}
	var in struct{ Bot, Agent, Password string }
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4096)).Decode(&in); err != nil {
		jsonError(w, http.StatusBadRequest, "the sign-in is not a JSON object {bot, agent, password}")
		return
	}
	if !s.allowSignIn(r, in.Bot, in.Agent) {
		w.Header().Set("Retry-After", "60")
		jsonError(w, http.StatusTooManyRequests, "too many sign-in attempts; wait a minute")
		return
	}
	d := s.Desks[in.Bot]
	if d == nil && len(s.Desks) == 1 && in.Bot == "" {
		for _, only := range s.Desks {
			d = only
		}
	}
	if d == nil {
		jsonError(w, http.StatusUnauthorized, "wrong bot, agent or password")
		return
	}
	a, gen, err := d.Login(r.Context(), in.Agent, in.Password)
	if errors.Is(err, ErrBadPassword) {
		jsonError(w, http.StatusUnauthorized, "wrong bot, agent or password")
		return
	}
	if err != nil {
		s.Log.Error("desk: sign in", "bot", d.bot, "err", err)
		jsonError(w, http.StatusServiceUnavailable, "the desk cannot sign you in now; try again")
		return
	}
	http.SetCookie(w, &http.Cookie{Name: cookieName, Value: s.sign(d.bot, a.ID, gen, time.Now().Add(sessionTTL)), Path: "/desk/",
		HttpOnly: true, Secure: s.Secure, SameSite: http.SameSiteStrictMode, MaxAge: int(sessionTTL / time.Second)})
	writeJSON(w, http.StatusOK, map[string]string{"bot": d.bot, "agent": a.ID, "name": d.agentName(a.ID)})
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		jsonError(w, http.StatusMethodNotAllowed, "use POST")
		return
	}
	if d, agent, _, ok := s.signedIn(r); ok {
		if err := d.SignOut(r.Context(), agent); err != nil {
			s.Log.Warn("desk: sign out", "bot", d.bot, "err", err)
		}
	}
	http.SetCookie(w, &http.Cookie{Name: cookieName, Value: "", Path: "/desk/", MaxAge: -1, HttpOnly: true, Secure: s.Secure, SameSite: http.SameSiteStrictMode})
	writeJSON(w, http.StatusOK, map[string]string{})
}

func (s *Server) websocket(w http.ResponseWriter, r *http.Request) {
	d, agent, exp, ok := s.signedIn(r)
	if !ok {
		jsonError(w, http.StatusUnauthorized, "sign in first")
		return
	}
	ws, err := s.upgrader.Upgrade(w, r, nil)
	if err != nil {
		return // the upgrader answered
	}
	defer ws.Close()
	lang := "en"
	if l := r.URL.Query().Get("lang"); l == "de" || l == "ja" {
		lang = l
	}
	ctx, cancel := context.WithCancel(context.WithoutCancel(r.Context()))
	defer cancel()
	// The page closes when its sign-in runs out; it signs in again.
	expire := time.AfterFunc(time.Until(exp), func() { _ = ws.Close() })
	defer expire.Stop()
	d.serve(ctx, ws, agent, lang)
}

// allowSignIn takes a token from the sign-in buckets of r's client
// address (100 attempts, then one a second) and of the agent named (10,
// then one every 6 seconds): guessing one agent's password is slow, and
// so is trying many agents from one address.
func (s *Server) allowSignIn(r *http.Request, bot, agent string) bool {
	addr := r.RemoteAddr
	if s.ClientIP != nil {
		addr = s.ClientIP(r)
	}
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		host = addr
	}
	return s.limiter("addr\x00"+host, rate.Every(time.Second), 100).Allow() &&
		s.limiter("agent\x00"+bot+"\x00"+agent, rate.Every(6*time.Second), 10).Allow()
}

func (s *Server) limiter(key string, every rate.Limit, burst int) *rate.Limiter {
	s.lmu.Lock()
	defer s.lmu.Unlock()
	if len(s.limiters) > 10_000 {
		// Forget the buckets that are full again (nobody tried for a
		// while); the ones still counting down stay, so that flooding
		// the table does not reset a guessed agent's.
		for k, l := range s.limiters {
			if l.Tokens() >= float64(l.Burst()) {
				delete(s.limiters, k)
			}
		}
	}
	l := s.limiters[key]
	if l == nil {
		l = rate.NewLimiter(every, burst)
		s.limiters[key] = l
	}
	return l
}

// sign makes a session cookie's value: bot, agent, the agent's sign-in
// generation and the expiry, and their HMAC.
func (s *Server) sign(bot, agent string, gen int64, exp time.Time) string {
	fields := []string{bot, agent, strconv.FormatInt(gen, 10), strconv.FormatInt(exp.Unix(), 10)}
	payload := base64.RawURLEncoding.EncodeToString([]byte(strings.Join(fields, "\x00")))
	return payload + "." + base64.RawURLEncoding.EncodeToString(s.mac(payload))
}

func (s *Server) mac(payload string) []byte {
	m := hmac.New(sha256.New, s.Key)
	m.Write([]byte("desk session\x00" + payload))
	return m.Sum(nil)
}

// signedIn returns the desk and agent of r's session cookie and when it
// runs out: signed by this deployment's key, not expired, and of the
// agent's current sign-in generation (not signed out since).
func (s *Server) signedIn(r *http.Request) (*Desk, string, time.Time, bool) {
	ck, err := r.Cookie(cookieName)
	if err != nil {
		return nil, "", time.Time{}, false
	}
	payload, sig, ok := strings.Cut(ck.Value, ".")
	if !ok {
		return nil, "", time.Time{}, false
	}
	got, err := base64.RawURLEncoding.DecodeString(sig)
	if err != nil || !hmac.Equal(got, s.mac(payload)) {
		return nil, "", time.Time{}, false
	}
	raw, err := base64.RawURLEncoding.DecodeString(payload)
	if err != nil {
		return nil, "", time.Time{}, false
	}
	parts := strings.Split(string(raw), "\x00")
	if len(parts) != 4 {
		return nil, "", time.Time{}, false
	}
	gen, err1 := strconv.ParseInt(parts[2], 10, 64)
	exp, err2 := strconv.ParseInt(parts[3], 10, 64)
	if err1 != nil || err2 != nil || time.Now().Unix() > exp {
		return nil, "", time.Time{}, false
	}
	d := s.Desks[parts[0]]
	if d == nil || d.cfg.agent(parts[1]) == nil || !d.sessionValid(r.Context(), parts[1], gen) {
		return nil, "", time.Time{}, false
	}
	return d, parts[1], time.Unix(exp, 0), true
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func jsonError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"error": msg})
}
