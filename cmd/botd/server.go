package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/redis/go-redis/v9"

	"github.com/botforge/dialogd/channels"
	"github.com/botforge/dialogd/dialog"
	"github.com/botforge/dialogd/examples"
	"github.com/botforge/dialogd/nodes"
	"github.com/botforge/dialogd/sessions"
	"github.com/botforge/dialogd/web"
)

// config is botd's configuration: flags, with environment variables as
// fallbacks.
type config struct {
	Addr           string
	BotDir         string
	RedisURL       string
	AllowedOrigins []string
	LogLevel       slog.Level
	Secret         []byte
	DemoAPI        bool
	IdleTTL        time.Duration
	DebugAddr      string
}

func parseConfig(args []string, getenv func(string) string, stderr io.Writer) (*config, error) {
	fl := flag.NewFlagSet("botd", flag.ContinueOnError)
	fl.SetOutput(stderr)
	env := func(name, def string) string {
		if v := getenv(name); v != "" {
			return v
		}
		return def
	}
	c := &config{}
	fl.StringVar(&c.Addr, "addr", env("ADDR", "localhost:8080"), "listen address (env ADDR)")
	fl.StringVar(&c.BotDir, "bot", env("BOT_DIR", ""), "bot directory; empty serves the embedded demo bot (env BOT_DIR)")
	fl.StringVar(&c.RedisURL, "redis", env("REDIS_URL", ""), "Redis URL (redis://host:port/db, cluster: redis://h1:p1,h2:p2, sentinel: ?master_name=NAME); empty keeps sessions in memory (env REDIS_URL)")
	origins := fl.String("allowed-origins", env("ALLOWED_ORIGINS", ""), "comma-separated origins allowed to open the WebSocket, e.g. https://shop.example.com; empty allows same-origin only (env ALLOWED_ORIGINS)")
	level := fl.String("log-level", env("LOG_LEVEL", "info"), "debug, info, warn or error (env LOG_LEVEL)")
	demo := fl.String("demo-api", env("DEMO_API", "auto"), "serve the demo bot's API at /demo/api: on, off or auto (= when serving the embedded demo bot) (env DEMO_API)")
	fl.DurationVar(&c.IdleTTL, "idle-ttl", 15*time.Minute, "session idle time-out")
	fl.StringVar(&c.DebugAddr, "debug-addr", env("DEBUG_ADDR", ""), "serve Go's pprof profiles on this separate address, e.g. 127.0.0.1:6060; empty is off (env DEBUG_ADDR)")
	if err := fl.Parse(args); err != nil {
		return nil, err
	}
	if fl.NArg() > 0 {
		return nil, fmt.Errorf("unexpected arguments: %s", strings.Join(fl.Args(), " "))
	}
	if err := c.LogLevel.UnmarshalText([]byte(*level)); err != nil {
		return nil, fmt.Errorf("-log-level: %w", err)
	}
	for _, o := range strings.Split(*origins, ",") {
		if o = strings.TrimSpace(o); o != "" {
			c.AllowedOrigins = append(c.AllowedOrigins, o)
		}
	}
	switch *demo {
	case "on", "true":
		c.DemoAPI = true
	case "off", "false":
	case "auto":
		c.DemoAPI = c.BotDir == ""
	default:
		return nil, fmt.Errorf("-demo-api: want on, off or auto, got %q", *demo)
	}
	if k := getenv("BOT_SECRET_KEY"); k != "" {
		if len(k) < 16 {
			return nil, errors.New("BOT_SECRET_KEY must be at least 16 characters")
		}
		c.Secret = []byte(k)
	}
	return c, nil
}

// server is one running botd.
type server struct {
	cfg     *config
	log     *slog.Logger
	store   sessions.Store
	runtime *dialog.Runtime
	ws      *channels.WebSocket
	http    *http.Server
	ready   atomic.Bool
}

func newServer(cfg *config, stderr io.Writer) (*server, error) {
	log := slog.New(slog.NewJSONHandler(stderr, &slog.HandlerOptions{Level: cfg.LogLevel}))
	s := &server{cfg: cfg, log: log}

	var bot *dialog.Bot
	var err error
	if cfg.BotDir == "" {
		bot, err = dialog.LoadFS(examples.Demo(), "examples/demo", nodes.Default())
	} else {
		bot, err = dialog.LoadFS(os.DirFS(cfg.BotDir), cfg.BotDir, nodes.Default())
	}
	if err != nil {
		return nil, fmt.Errorf("load bot:\n%w", err)
	}

	if cfg.Secret == nil {
		log.Warn("BOT_SECRET_KEY is not set: using a random key, so session ids do not survive a restart and cannot be shared between instances")
		cfg.Secret = make([]byte, 32)
		if _, err := rand.Read(cfg.Secret); err != nil {
			return nil, err
		}
	}
	if cfg.DemoAPI && os.Getenv("DEMO_API_KEY") == "" {
		// The demo bot's auth profile reads this; botd makes one up.
		key := make([]byte, 16)
		_, _ = rand.Read(key)
		os.Setenv("DEMO_API_KEY", hex.EncodeToString(key))
	}

	opts := sessions.Options{IdleTTL: cfg.IdleTTL}
	if cfg.RedisURL != "" {
		ropts, err := sessions.ParseRedisURL(cfg.RedisURL)
		if err != nil {
			return nil, fmt.Errorf("-redis: %w", err)
		}
		ropts.DialTimeout = 2 * time.Second
		ropts.ReadTimeout = 2 * time.Second
		ropts.WriteTimeout = 2 * time.Second
		s.store = sessions.NewRedis(redis.NewUniversalClient(ropts), opts)
	} else {
		s.store = sessions.NewMemory(opts)
	}

	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	s.runtime = dialog.NewRuntime(bot, s.store, dialog.Options{Logger: log, Metrics: dialog.NewMetrics(reg)})
	s.ws = channels.New(s.runtime, channels.Options{
		AllowedOrigins: cfg.AllowedOrigins,
		Secret:         cfg.Secret,
		Logger:         log,
		Registerer:     reg,
		// Typing shows only for turns a person would notice.
		TypingDelay: 250 * time.Millisecond,
	})

	mux := http.NewServeMux()
	mux.Handle("/ws", s.ws)
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok\n") })
	mux.HandleFunc("/readyz", s.readyz)
	mux.Handle("/metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	if cfg.DemoAPI {
		mux.Handle("/demo/api/", demoAPI(os.Getenv("DEMO_API_KEY")))
	}
	mux.Handle("/", web.Handler())
	s.http = &http.Server{
		Handler:           mux,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	log.Info("bot loaded", "bot", bot.Config.Name, "tasks", len(bot.Tasks), "store", storeKind(cfg))
	return s, nil
}

func storeKind(c *config) string {
	if c.RedisURL != "" {
		return "redis"
	}
	return "memory"
}

func (s *server) readyz(w http.ResponseWriter, r *http.Request) {
	if !s.ready.Load() {
		http.Error(w, "not ready: shutting down or starting\n", http.StatusServiceUnavailable)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), time.Second)
	defer cancel()
	if err := s.store.Ping(ctx); err != nil {
		s.log.Warn("readiness: session store unreachable", "err", err)
		http.Error(w, "not ready: session store unreachable\n", http.StatusServiceUnavailable)
		return
	}
	io.WriteString(w, "ok\n")
}

// serve runs until ctx ends, then shuts down gracefully: readiness goes
// off, in-flight turns finish, sockets close with "going away".
func (s *server) serve(ctx context.Context, ln net.Listener) error {
	s.ready.Store(true)
	errc := make(chan error, 1)
	go func() { errc <- s.http.Serve(ln) }()
	s.log.Info("listening", "addr", ln.Addr().String())
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	s.ready.Store(false)
	sctx, cancel := context.WithTimeout(context.Background(), 25*time.Second)
	defer cancel()
	if err := s.ws.Shutdown(sctx); err != nil {
		s.log.Warn("websocket shutdown", "err", err)
	}
	err := s.http.Shutdown(sctx)
	if cerr := s.store.Close(); err == nil {
		err = cerr
	}
	s.log.Info("stopped")
	return err
}

func run(ctx context.Context, args []string, getenv func(string) string, stderr io.Writer) error {
	cfg, err := parseConfig(args, getenv, stderr)
	if err != nil {
		return err
	}
	s, err := newServer(cfg, stderr)
	if err != nil {
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
		dbg := http.NewServeMux()
		dbg.HandleFunc("/debug/pprof/", pprof.Index)
		dbg.HandleFunc("/debug/pprof/profile", pprof.Profile)
		dbg.HandleFunc("/debug/pprof/trace", pprof.Trace)
		go func() {
			err := http.ListenAndServe(cfg.DebugAddr, dbg)
			s.log.Error("debug listener stopped", "err", err)
		}()
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return err
	}
	return s.serve(ctx, ln)
}
