package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"
	"time"
)

// config is botd's configuration: flags, with environment variables as
// fallbacks.
type config struct {
	Addr            string
	BotDirs         []string
	RedisURL        string
	AllowedOrigins  []string
	LogLevel        slog.Level
	Secret          []byte
	OldSecrets      [][]byte
	PublicURL       string
	DemoAPI         bool
	IdleTTL         time.Duration
	LeaseTTL        time.Duration
	EndSweepEvery   time.Duration // how often idled-out conversations are looked for (conversation_end)
	DeskPageTimeout time.Duration // agents whose desk page was not seen for this long get no conversations
	EndHold         time.Duration // how long one process's claim on an idled-out conversation lasts
	EndRetryMaxAge  time.Duration // how long a closed conversation's failed conversation_end is run again
	DebugAddr       string
	ShowVersion     bool
	Edge            edgeConfig // the HTTP edge's limits (edgeconfig.go)
	WS              wsConfig   // the web channel's turn rate limits (wsconfig.go)

	// Reload is the hot reload of bot directories (reloadconfig.go).
	Reload reloadConfig

	// DemoSalesforce serves the Salesforce demo bot and the emulated org
	// it talks to (sfdemo.go); DemoSalesforceAsked is -demo-salesforce on.
	DemoSalesforce      bool
	DemoSalesforceAsked bool
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
	bots := fl.String("bot", env("BOT_DIR", ""), "bot directory, or several separated by commas (one server, several tenants; the first is the default at /ws); empty serves the embedded demo bot (env BOT_DIR)")
	fl.StringVar(&c.RedisURL, "redis", env("REDIS_URL", ""), "Redis URL (redis://host:port/db, cluster: redis://h1:p1,h2:p2, sentinel: ?master_name=NAME); empty keeps sessions in memory (env REDIS_URL)")
	origins := fl.String("allowed-origins", env("ALLOWED_ORIGINS", ""), "comma-separated origins allowed to open the WebSocket, e.g. https://shop.example.com; empty allows same-origin only (env ALLOWED_ORIGINS)")
	level := fl.String("log-level", env("LOG_LEVEL", "info"), "debug, info, warn or error (env LOG_LEVEL)")
	fl.StringVar(&c.PublicURL, "public-url", env("PUBLIC_URL", ""), "the server's public base URL; OAuth callbacks go to PUBLIC_URL/oauth/callback (default http://ADDR for a loopback address) (env PUBLIC_URL)")
	demo := fl.String("demo-api", env("DEMO_API", "auto"), "serve the demo bot's API at /demo/api: on, off or auto (= when serving the embedded demo bot) (env DEMO_API)")
	demoSF := fl.String("demo-salesforce", env("DEMO_SALESFORCE", "auto"), "serve, beside the embedded demo bot, a Salesforce bot with the whole catalogue and an emulated Salesforce org it signs in to (demo-only credentials, on this address under /services/ and /id/): on, off or auto (= when serving the embedded bots; never with -bot) (env DEMO_SALESFORCE)")
	leaseTTL := fl.String("lease-ttl", env("LEASE_TTL", "3s"), "how long a turn's hold on its session lasts without renewal (renewed every third of it while the turn runs): the longest a crashed instance's users wait; at least 300ms (env LEASE_TTL)")
	idleTTL := fl.String("idle-ttl", env("IDLE_TTL", "15m"), "session idle time-out for bots that do not set settings.session_idle_ttl, a Go duration such as 15m or 1h (env IDLE_TTL)")
	deskPage := fl.String("desk-page-timeout", env("DESK_PAGE_TIMEOUT", "45s"), "an available agent none of whose desk pages was seen connected for this long gets no new conversations (env DESK_PAGE_TIMEOUT)")
	endSweep := fl.String("end-sweep-every", env("END_SWEEP_EVERY", "10s"), "how often each bot looks for conversations that idled out, to run their conversation_end: at most this late (env END_SWEEP_EVERY)")
	endHold := fl.String("end-hold", env("END_HOLD", "1m"), "how long an instance's claim on an idled-out conversation lasts: if it dies while running the conversation_end, another runs it again after this; a run gets three quarters of it (at most 30s); at least 1s (env END_HOLD)")
	endRetryMaxAge := fl.String("end-retry-max-age", env("END_RETRY_MAX_AGE", "24h"), "how long after a conversation closed its failed conversation_end is still run again (every -end-hold); then it is given up with an ERROR line and dialogd_conversation_end_runs_total{outcome=\"given_up\"}; at least 1m (env END_RETRY_MAX_AGE)")
	fl.StringVar(&c.DebugAddr, "debug-addr", env("DEBUG_ADDR", ""), "serve Go's pprof profiles on this separate address, e.g. 127.0.0.1:6060; empty is off (env DEBUG_ADDR)")
	fl.BoolVar(&c.ShowVersion, "version", false, "print the version, VCS revision and Go version, then exit")
	finishEdge := c.Edge.register(fl, env)
	finishWS := c.WS.register(fl, env)
	finishReload := c.Reload.register(fl, env)
	if err := fl.Parse(args); err != nil {
		return nil, err
	}
	if fl.NArg() > 0 {
		return nil, fmt.Errorf("unexpected arguments: %s", strings.Join(fl.Args(), " "))
	}
	if err := c.LogLevel.UnmarshalText([]byte(*level)); err != nil {
		return nil, fmt.Errorf("-log-level: %w", err)
	}
	ttl, err := time.ParseDuration(*idleTTL)
	if err != nil || ttl <= 0 {
		return nil, fmt.Errorf("-idle-ttl: want a positive duration such as 15m, got %q", *idleTTL)
	}
	c.IdleTTL = ttl
	if c.LeaseTTL, err = time.ParseDuration(*leaseTTL); err != nil || c.LeaseTTL < 300*time.Millisecond {
		return nil, fmt.Errorf("-lease-ttl: want a duration of at least 300ms such as 3s, got %q", *leaseTTL)
	}
	if c.DeskPageTimeout, err = time.ParseDuration(*deskPage); err != nil || c.DeskPageTimeout < 3*time.Second {
		return nil, fmt.Errorf("-desk-page-timeout: want a duration of at least 3s such as 45s, got %q", *deskPage)
	}
	if c.EndSweepEvery, err = time.ParseDuration(*endSweep); err != nil || c.EndSweepEvery < 100*time.Millisecond {
		return nil, fmt.Errorf("-end-sweep-every: want a duration of at least 100ms such as 10s, got %q", *endSweep)
	}
	if c.EndHold, err = time.ParseDuration(*endHold); err != nil || c.EndHold < time.Second {
		return nil, fmt.Errorf("-end-hold: want a duration of at least 1s such as 1m, got %q", *endHold)
	}
	if c.EndRetryMaxAge, err = time.ParseDuration(*endRetryMaxAge); err != nil || c.EndRetryMaxAge < time.Minute {
		return nil, fmt.Errorf("-end-retry-max-age: want a duration of at least 1m such as 24h, got %q", *endRetryMaxAge)
	}
	if err := finishEdge(); err != nil {
		return nil, err
	}
	if err := finishWS(); err != nil {
		return nil, err
	}
	if err := finishReload(); err != nil {
		return nil, err
	}
	c.AllowedOrigins = splitList(*origins)
	c.BotDirs = splitList(*bots)
	switch *demo {
	case "on", "true":
		c.DemoAPI = true
	case "off", "false":
	case "auto":
		c.DemoAPI = len(c.BotDirs) == 0
	default:
		return nil, fmt.Errorf("-demo-api: want on, off or auto, got %q", *demo)
	}
	switch *demoSF {
	case "on", "true":
		if len(c.BotDirs) > 0 {
			return nil, errors.New("-demo-salesforce on: the Salesforce demo is served only with the embedded bots, not with -bot")
		}
		c.DemoSalesforce, c.DemoSalesforceAsked = true, true
	case "off", "false":
	case "auto":
		c.DemoSalesforce = len(c.BotDirs) == 0
	default:
		return nil, fmt.Errorf("-demo-salesforce: want on, off or auto, got %q", *demoSF)
	}
	if k := getenv("BOT_SECRET_KEY"); k != "" {
		if len(k) < 16 {
			return nil, errors.New("BOT_SECRET_KEY must be at least 16 characters")
		}
		c.Secret = []byte(k)
	}
	// Old keys still decrypt stored tokens after a rotation.
	for _, k := range splitList(getenv("BOT_SECRET_KEY_OLD")) {
		c.OldSecrets = append(c.OldSecrets, []byte(k))
	}
	if c.PublicURL == "" {
		host, _, _ := net.SplitHostPort(c.Addr)
		if isLoopbackHost(host) { // sfdemo.go
			c.PublicURL = "http://" + c.Addr
		}
	}
	return c, nil
}

// bind takes the address the listener got: when -addr asked for any port
// (":0"), Addr and a PublicURL derived from it name the port it got.
func (c *config) bind(listening string) {
	host, port, err := net.SplitHostPort(c.Addr)
	if err != nil || port != "0" {
		return
	}
	_, got, err := net.SplitHostPort(listening)
	if err != nil {
		return
	}
	old := c.Addr
	c.Addr = net.JoinHostPort(host, got)
	if c.PublicURL == "http://"+old {
		c.PublicURL = "http://" + c.Addr
	}
}

func splitList(s string) []string {
	var out []string
	for _, x := range strings.Split(s, ",") {
		if x = strings.TrimSpace(x); x != "" {
			out = append(out, x)
		}
	}
	return out
}
