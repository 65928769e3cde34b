package main

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"os"
	"os/signal"
	"runtime/debug"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/gorilla/websocket"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/redis/go-redis/v9"

	"github.com/botforge/dialogd/auth"
	"github.com/botforge/dialogd/channels"
	"github.com/botforge/dialogd/desk"
	"github.com/botforge/dialogd/desk/directory"
	"github.com/botforge/dialogd/desk/presence"
	"github.com/botforge/dialogd/dialog"
	"github.com/botforge/dialogd/examples"
	"github.com/botforge/dialogd/nodes"
	"github.com/botforge/dialogd/sessions"
)

// tenant is one bot served by this process.
type tenant struct {
	bot  *dialog.Bot  // as loaded at start; rt.Bot() is the version serving now
	rt   *dialog.Live // swapped by a reload (reload.go)
	ws   *channels.WebSocket
	auth *auth.Manager // nil when the bot has no auth profiles
	desk *desk.Desk    // the live-agent desk; nil when the bot has none (desk.go)
	// presence keeps the desk's agent states and Omni-Channel in step;
	// nil without desk.presence (presence.go).
	presence *presence.Syncer
	// directory is the customer directory; nil without directory: (directory.go).
	directory *directory.Directory
}

// server is one running botd.
type server struct {
	cfg             *config
	log             *slog.Logger
	store           sessions.Store
	bus             sessions.Bus
	redisLog        *sessions.RedisLogger // nil without Redis
	rdb             redis.UniversalClient // the desks' Redis client (a pool apart from the sessions'); nil without Redis
	deskMetrics     *desk.Metrics         // the desks' metrics, once one bot has a desk
	presenceMetrics *presence.Metrics     // the presence syncs' metrics, once one bot has one
	tenants         map[string]*tenant
	first           *tenant
	http            *http.Server
	ready           atomic.Bool
	metrics         *serverMetrics
	keyring         *auth.Keyring
	reg             *prometheus.Registry
	serviceHC       *http.Client // makes every bot's service calls
	authHC          *http.Client // makes every bot's token calls
	edge            *edge        // connection caps, timeouts, Host check (edge.go)
	admin           *adminServer // -admin-addr: /metrics; nil without one
	reload          *reloader    // bot directories' hot reload (reload.go)
	sfdemo          *sfDemo      // the Salesforce demo's emulated org (sfdemo.go); nil when off
}

// serverMetrics are botd's own metrics; the per-bot ones carry a bot label.
type serverMetrics struct {
	degraded *prometheus.GaugeVec
	resumed  prometheus.Counter // all bots together
}

func loadBots(cfg *config) ([]*dialog.Bot, error) {
	if len(cfg.BotDirs) == 0 {
		b, err := dialog.LoadFS(examples.Demo(), "examples/demo", nodes.Default())
		if err != nil {
			return nil, err
		}
		return []*dialog.Bot{b}, nil
	}
	var bots []*dialog.Bot
	var errs []error
	for _, dir := range cfg.BotDirs {
		b, err := dialog.LoadDir(dir) // through os.Root: nothing outside dir, no FIFO
		if err != nil {
			errs = append(errs, err)
			continue
		}
		bots = append(bots, b)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	if err := dialog.CheckShared(bots); err != nil {
		return nil, err
	}
	return bots, nil
}

// subKey derives a per-purpose key from the server secret, so that (for
// example) a session id signed for one bot is not valid for another.
func subKey(secret []byte, purpose string) []byte {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(purpose))
	return m.Sum(nil)
}

// newServer loads the bots and wires store, metrics, bots and routes; it
// does not listen yet (see serve).
func newServer(cfg *config, stderr io.Writer) (*server, error) {
	log := newLogger(stderr, cfg.LogLevel)
	s := &server{cfg: cfg, log: log, tenants: map[string]*tenant{}}

	exportDemoAPIBase(cfg) // before loading: the demo bot's env.api_base names botd's own address
	bots, err := loadBots(cfg)
	if err != nil {
		return nil, fmt.Errorf("load bot:\n%w", err)
	}
	if bots, err = s.addSalesforceDemo(bots); err != nil { // sfdemo.go
		return nil, err
	}
	if err := s.initSecrets(); err != nil {
		return nil, err
	}
	if err := s.openStore(); err != nil {
		return nil, err
	}
	s.initMetrics()
	// Outgoing calls send the request id of the turn or callback they serve.
	s.serviceHC = &http.Client{Transport: s.inProcessTransport(requestIDTransport{serviceTransport()})}
	s.authHC = &http.Client{Transport: s.serviceHC.Transport, Timeout: 15 * time.Second}
	for _, bot := range bots {
		if err := s.addTenant(bot); err != nil {
			return nil, err
		}
	}
	s.reload = newReloader(s)
	s.edge = newEdge(cfg, s.reg, log)
	s.http = s.edge.server(withRequestIDs(s.edge.wrap(s.routes())), log)
	if err := s.openAdmin(); err != nil {
		return nil, err
	}
	log.Info("store", "kind", storeKind(cfg), "public_url", cfg.PublicURL)
	return s, nil
}

// initSecrets makes up a server secret when none is configured, builds the
// token keyring, and gives the demo bot's API a key.
func (s *server) initSecrets() error {
	cfg := s.cfg
	if cfg.Secret == nil {
		s.log.Warn("BOT_SECRET_KEY is not set: using a random key, so session ids and stored tokens do not survive a restart and cannot be shared between instances")
		cfg.Secret = make([]byte, 32)
		if _, err := rand.Read(cfg.Secret); err != nil {
			return err
		}
	}
	keyring, err := auth.KeyringFromSecrets(cfg.Secret, cfg.OldSecrets...)
	if err != nil {
		return fmt.Errorf("BOT_SECRET_KEY: %w", err)
	}
	s.keyring = keyring
	if cfg.DemoAPI && os.Getenv("DEMO_API_KEY") == "" {
		// The demo bot's auth profile reads this; botd makes one up.
		key := make([]byte, 16)
		_, _ = rand.Read(key)
		os.Setenv("DEMO_API_KEY", hex.EncodeToString(key))
	}
	return nil
}

// openStore opens the session store and its bus: Redis when configured,
// with go-redis's own log lines routed to botd's log; memory otherwise.
func (s *server) openStore() error {
	opts := sessions.Options{IdleTTL: s.cfg.IdleTTL, LockTTL: s.cfg.LeaseTTL}
	if s.cfg.RedisURL == "" {
		m := sessions.NewMemory(opts)
		s.store, s.bus = m, m
		return nil
	}
	ropts, err := sessions.ParseRedisURL(s.cfg.RedisURL)
	if err != nil {
		return fmt.Errorf("-redis: %w", err)
	}
	s.redisLog = sessions.NewRedisLogger(s.log, ropts.Password, ropts.SentinelPassword)
	redis.SetLogger(s.redisLog)
	// The desks, presence syncs and directories get a client (a
	// connection pool) of their own: their background work never holds
	// the connections turns need.
	s.rdb = redis.NewUniversalClient(ropts)
	r := sessions.NewRedis(redis.NewUniversalClient(ropts), opts)
	s.store, s.bus = r, r
	return nil
}

// initMetrics creates the registry with the process, Go, build and
// server-wide metrics; each bot adds its own (addTenant).
func (s *server) initMetrics() {
	s.reg = prometheus.NewRegistry()
	s.reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}), readBuildInfo().collector())
	s.metrics = &serverMetrics{
		degraded: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "dialogd_auth_profile_degraded", Help: "1 when a pre-authorized auth profile's credential stopped working and an administrator must reconnect it."}, []string{"bot", "profile"}),
		resumed:  prometheus.NewCounter(prometheus.CounterOpts{Name: "dialogd_oauth_resumed_total", Help: "Dialogs resumed after an end user granted access."}),
	}
	s.reg.MustRegister(s.metrics.degraded, s.metrics.resumed)
}

// addTenant builds one bot's runtime, auth manager and WebSocket channel.
// Its metrics carry its name as the bot label: bot names come from the
// configuration, so the label's values are bounded.
func (s *server) addTenant(bot *dialog.Bot) error {
	name := bot.Config.Name
	botLog := s.log.With("bot", name)
	botReg := prometheus.WrapRegistererWith(prometheus.Labels{"bot": name}, s.reg)
	tn := &tenant{bot: bot}
	ropts := dialog.Options{Logger: botLog, Metrics: dialog.NewMetrics(botReg), HTTPClient: s.serviceHC, IdleTTL: s.cfg.IdleTTL, Versions: dialog.NewTaskVersions(s.cfg.Reload.KeepVersions), EndHold: s.cfg.EndHold, EndRetryMaxAge: s.cfg.EndRetryMaxAge}
	if len(bot.Config.AuthProfiles) > 0 {
		var err error
		tn.auth, err = auth.NewManager(name, bot.Config.AuthProfiles, s.store, auth.Options{
			PublicURL: s.cfg.PublicURL, Keyring: s.keyring, HTTPClient: s.authHC, Logger: s.log, // auth logs the bot itself
			OnDegraded: func(bot, profile string) { s.metrics.degraded.WithLabelValues(bot, profile).Set(1) },
		})
		if err != nil {
			return fmt.Errorf("bot %s: %w", name, err)
		}
		ropts.Auth = tn.auth
	}
	if err := s.openDesk(bot, tn, &ropts); err != nil {
		return err
	}
	if err := s.openDirectory(bot, tn, &ropts); err != nil {
		return err
	}
	tn.rt = dialog.NewLive(bot, s.store, ropts)
	identity, err := identitySecret(bot)
	if err != nil {
		return err
	}
	tn.ws = channels.New(tracedConversations{Conversations: tn.rt, log: botLog}, channels.Options{
		AllowedOrigins: s.cfg.AllowedOrigins,
		Secret:         subKey(s.cfg.Secret, "sessions:"+name),
		IdentitySecret: identity,
		Bot:            name,
		Logger:         botLog,
		Registerer:     botReg,
		// Typing shows only for turns a person would notice.
		TypingDelay: 250 * time.Millisecond,
		// The origin check's scheme and the turn rate limits (wsconfig.go).
		PublicURL:        s.cfg.PublicURL,
		ConnTurnRate:     s.cfg.WS.ConnTurnRate,
		ConnTurnBurst:    s.cfg.WS.ConnTurnBurst,
		SessionTurnRate:  s.cfg.WS.SessionTurnRate,
		SessionTurnBurst: s.cfg.WS.SessionTurnBurst,
		IPTurnRate:       s.cfg.WS.IPTurnRate,
		IPTurnBurst:      s.cfg.WS.IPTurnBurst,
		ClientIP:         wsClientIP(&s.cfg.Edge),
	})
	s.tenants[name] = tn
	if s.first == nil {
		s.first = tn
	}
	s.log.Info("bot loaded", "bot", name, "tasks", len(bot.Tasks), "auth_profiles", len(bot.Config.AuthProfiles))
	return nil
}

// identitySecret is the bot's key for identity tokens, nil when it has none.
func identitySecret(bot *dialog.Bot) ([]byte, error) {
	ref := bot.Config.Settings.IdentitySecret
	if ref.Env == "" && ref.File == "" {
		return nil, nil
	}
	v, err := ref.Resolve()
	if err != nil {
		return nil, fmt.Errorf("bot %s: settings.identity_secret: %w", bot.Config.Name, err)
	}
	return []byte(v), nil
}

// routes is botd's HTTP API.
func (s *server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/ws", s.serveWS)
	s.oauthRoutes(mux) // /oauth/start and /oauth/callback (oauthroutes.go)
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok\n") })
	mux.HandleFunc("/readyz", s.readyz(loopbackOnly(s.cfg.Addr)))
	if ds := s.deskServer(); ds != nil {
		mux.Handle("/desk", ds)
		mux.Handle("/desk/", ds)
	}
	if s.cfg.DemoAPI {
		mux.Handle("/demo/api/", demoAPI(os.Getenv("DEMO_API_KEY")))
	}
	if s.sfdemo != nil {
		s.sfdemo.mount(mux) // the emulated org the Salesforce demo bot signs in to
	}
	mux.Handle("/", s.demoPages()) // widget files; the demo page names the default bot (demopage.go)
	return mux
}

// serviceTransport is shared by every bot's service calls.
func serviceTransport() http.RoundTripper {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConns = 512
	tr.MaxIdleConnsPerHost = 256
	return tr
}

// serveWS routes /ws to a bot: ?bot=NAME, else the first bot. A request
// that is not a WebSocket handshake and one for a bot that does not exist
// get the same answer, so that bot names cannot be probed with plain
// requests.
func (s *server) serveWS(w http.ResponseWriter, r *http.Request) {
	tn := s.first
	if name := r.URL.Query().Get("bot"); name != "" {
		tn = s.tenants[name]
	}
	if tn == nil || !websocket.IsWebSocketUpgrade(r) {
		http.Error(w, "botd: not a WebSocket handshake for a bot served here", http.StatusBadRequest)
		return
	}
	tn.ws.ServeHTTP(w, r)
}

func (s *server) authManager(bot string) *auth.Manager {
	if tn := s.tenants[bot]; tn != nil {
		return tn.auth
	}
	return nil
}

// resume runs the dialog a user just authorized and sends its frames to
// whichever instance holds the user's socket (through the bus); frames are
// in the outbox already, so a user who is not connected gets them on
// reconnecting.
func (s *server) resume(ctx context.Context, bot, session, user string) {
	tn := s.tenants[bot]
	if tn == nil {
		return
	}
	frames, err := tn.rt.Resume(ctx, session, user)
	if err != nil {
		s.log.ErrorContext(ctx, "resume after authorization", "bot", bot, "err", err)
		return
	}
	if len(frames) == 0 {
		return
	}
	s.metrics.resumed.Inc()
	if err := s.bus.Publish(ctx, bot+"\x00"+session, frames); err != nil {
		s.log.ErrorContext(ctx, "deliver resumed frames", "bot", bot, "err", err)
	}
}

// denied tells a user who refused access that the waiting task stopped.
func (s *server) denied(ctx context.Context, bot, session, user string) {
	tn := s.tenants[bot]
	if tn == nil {
		return
	}
	frames, err := tn.rt.Denied(ctx, session, user)
	if err != nil {
		s.log.ErrorContext(ctx, "end task after denied authorization", "bot", bot, "err", err)
		return
	}
	if len(frames) > 0 {
		if err := s.bus.Publish(ctx, bot+"\x00"+session, frames); err != nil {
			s.log.ErrorContext(ctx, "deliver denial", "bot", bot, "err", err)
		}
	}
}

// deliver is the bus subscriber: it hands frames to a local socket, if any.
func (s *server) deliver(key string, frames [][]byte) {
	bot, session, ok := strings.Cut(key, "\x00")
	if tn := s.tenants[bot]; ok && tn != nil {
		tn.ws.Deliver(session, frames)
	}
}

func storeKind(c *config) string {
	if c.RedisURL != "" {
		return "redis"
	}
	return "memory"
}

// readyz reports 503 while the session store is unreachable or the server
// is starting or stopping. Degraded auth profiles (an administrator must
// reconnect them) are listed in the body with status 200: the server still
// serves every task that does not need them. A refused reload's problems
// are listed when detail is set (the -admin-addr endpoint, or a public
// address on loopback, as on a designer's machine): they quote the bot's
// files, which are not for anyone who can reach a public address.
func (s *server) readyz(detail bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) { s.writeReady(w, r, detail) }
}

func (s *server) writeReady(w http.ResponseWriter, r *http.Request, detail bool) {
	if !s.ready.Load() {
		http.Error(w, "not ready: shutting down or starting\n", http.StatusServiceUnavailable)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), time.Second)
	defer cancel()
	if err := s.store.Ping(ctx); err != nil {
		s.log.WarnContext(ctx, "readiness: session store unreachable", "err", err)
		http.Error(w, "not ready: session store unreachable\n", http.StatusServiceUnavailable)
		return
	}
	var degraded []string
	for name, tn := range s.tenants {
		if tn.auth == nil {
			continue
		}
		st, err := tn.auth.Status(ctx)
		if err != nil {
			continue
		}
		for _, p := range st {
			if p.State == "degraded" {
				degraded = append(degraded, name+"/"+p.Name)
			}
		}
	}
	// A bot whose last reload was refused serves its last good version:
	// listed with why, and still ready (reload.go).
	bots, why := s.reload.degraded(detail)
	io.WriteString(w, readyLine(degraded, bots))
	if behind := s.presenceBehind(); len(behind) > 0 {
		// Still ready: chats and handoffs work; agents' Omni-Channel
		// status lags until Salesforce answers again.
		sort.Strings(behind)
		io.WriteString(w, "presence sync behind: "+strings.Join(behind, ", ")+"\n")
	}
	io.WriteString(w, why)
}

// loopbackOnly reports whether a listen address takes connections from
// this machine only (localhost or a loopback IP; not every interface).
func loopbackOnly(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.IsLoopback()
}

// readyLine is /readyz's first line: ok, then what is degraded, auth
// profiles and bots alike (one never hides the other).
func readyLine(profiles, bots []string) string {
	var parts []string
	if len(profiles) > 0 {
		sort.Strings(profiles)
		parts = append(parts, "degraded auth profiles: "+strings.Join(profiles, ", "))
	}
	if len(bots) > 0 {
		parts = append(parts, "degraded bots (reload refused): "+strings.Join(bots, ", "))
	}
	if len(parts) == 0 {
		return "ok\n"
	}
	return "ok, " + strings.Join(parts, "; ") + "\n"
}

// serve runs until ctx ends, then shuts down gracefully: readiness goes
// off, in-flight turns finish, sockets close with "going away".
func (s *server) serve(ctx context.Context, ln net.Listener) error {
	s.ready.Store(true)
	busCtx, stopBus := context.WithCancel(context.Background())
	defer stopBus()
	busDone := make(chan struct{})
	go func() {
		defer close(busDone)
		var sweepers sync.WaitGroup
		for _, tn := range s.tenants {
			// conversation_end for conversations that idled out
			sweepers.Go(func() { tn.rt.WatchEnds(busCtx, s.cfg.EndSweepEvery) })
		}
		go s.reload.run(busCtx) // SIGHUP, and -reload's watching
		s.runDesks(busCtx)      // desk.go
		sessions.KeepSubscribed(busCtx, s.bus, s.deliver, s.log)
		sweepers.Wait()
	}()
	errc := make(chan error, 1)
	go func() { errc <- s.http.Serve(s.edge.listener(ln)) }()
	s.serveAdmin()
	s.log.Info("listening", "addr", ln.Addr().String())
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	s.ready.Store(false)
	sctx, cancel := context.WithTimeout(context.Background(), 25*time.Second)
	defer cancel()
	for _, tn := range s.tenants {
		if err := tn.ws.Shutdown(sctx); err != nil {
			s.log.Warn("websocket shutdown", "err", err)
		}
	}
	err := s.http.Shutdown(sctx)
	s.stopAdmin(sctx)
	stopBus()
	<-busDone
	if cerr := s.store.Close(); err == nil {
		err = cerr
	}
	if s.rdb != nil {
		_ = s.rdb.Close()
	}
	if s.redisLog != nil {
		s.redisLog.Detach()
	}
	s.log.Info("stopped")
	return err
}

// run runs botd with args until ctx ends; -version prints to os.Stdout.
func run(ctx context.Context, args []string, getenv func(string) string, stderr io.Writer) error {
	return runWith(ctx, args, getenv, os.Stdout, stderr)
}

func runWith(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cfg, err := parseConfig(args, getenv, stderr)
	if err != nil {
		return err
	}
	if cfg.ShowVersion {
		_, err := fmt.Fprintln(stdout, readBuildInfo())
		return err
	}
	// Listen first, so that a port the system picks (-addr 127.0.0.1:0)
	// is known before the bots load: the demo bot and the default public
	// URL name the real one.
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return err
	}
	cfg.bind(ln.Addr().String())
	s, err := newServer(cfg, stderr)
	if err != nil {
		ln.Close()
		return err
	}
	// SIGUSR2 returns freed memory to the OS (used by the idle-memory bench).
	usr2 := make(chan os.Signal, 1)
	signal.Notify(usr2, syscall.SIGUSR2)
	defer signal.Stop(usr2)
	go func() {
		for range usr2 {
			debug.FreeOSMemory()
		}
	}()
	if cfg.DebugAddr != "" {
		dbg := s.debugHandler()
		go func() {
			// Profiles stream for as long as asked: no write timeout.
			srv := &http.Server{Addr: cfg.DebugAddr, Handler: dbg, ReadHeaderTimeout: cfg.Edge.ReadHeaderTimeout, ReadTimeout: cfg.Edge.ReadTimeout, IdleTimeout: cfg.Edge.IdleTimeout}
			err := srv.ListenAndServe()
			s.log.Error("debug listener stopped", "err", err)
		}()
	}
	return s.serve(ctx, ln)
}
