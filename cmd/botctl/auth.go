package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os/exec"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/botforge/dialogd/auth"
	"github.com/botforge/dialogd/dialog"
	"github.com/botforge/dialogd/sessions"
)

// The auth commands work on the store botd uses (-redis / REDIS_URL) with
// botd's BOT_SECRET_KEY, so what an administrator connects here is what
// every botd instance uses.

// authFlags are the flags both auth commands take. Their defaults come
// from the environment after parsing, never into the usage text, so a
// REDIS_URL with a password is not printed by -h.
type authFlags struct {
	botDir, redisURL, publicURL *string
}

func defineAuthFlags(fs *flag.FlagSet) authFlags {
	return authFlags{
		botDir:    fs.String("bot", "", "the bot `dir`ectory (default $BOT_DIR)"),
		redisURL:  fs.String("redis", "", "the Redis `url` botd uses (default $REDIS_URL)"),
		publicURL: fs.String("public-url", "", "botd's public `url`, for the oauth2 redirect (default $PUBLIC_URL)"),
	}
}

func authStatusCommand() *command {
	return &command{
		name:    "auth status",
		summary: []string{"list the bot's auth profiles and their state (never a secret)"},
		setup: func(fs *flag.FlagSet, c cli) func([]string) int {
			af := defineAuthFlags(fs)
			return func([]string) int { return authStatus(af, c) }
		},
	}
}

func authLoginCommand() *command {
	return &command{
		name: "auth login", args: "PROFILE", minArgs: 1, maxArgs: 1,
		summary: []string{
			"print (and open) the authorize link of a pre_authorized oauth2 profile and wait until",
			"botd has stored the administrator's token",
		},
		setup: func(fs *flag.FlagSet, c cli) func([]string) int {
			af := defineAuthFlags(fs)
			wait := fs.Duration("wait", 5*time.Minute, "how long to wait for the sign-in to finish")
			open := fs.Bool("open", true, "open the link in a browser when there is one; -open=false only prints it")
			return func(args []string) int { return authLogin(af, args[0], *wait, *open, c) }
		},
	}
}

// authSession is an auth manager on botd's store for one bot.
type authSession struct {
	bot     *dialog.Bot
	manager *auth.Manager
	close   func()
}

// openAuth loads the bot and opens the manager; on failure it prints why
// and returns the exit code.
func openAuth(name string, af authFlags, c cli) (*authSession, int) {
	botDir, redisURL, publicURL := orEnv(*af.botDir, "BOT_DIR", c), orEnv(*af.redisURL, "REDIS_URL", c), orEnv(*af.publicURL, "PUBLIC_URL", c)
	if botDir == "" || redisURL == "" {
		c.errf(name, "-bot and -redis (or BOT_DIR and REDIS_URL) are required: the tokens live in botd's Redis")
		return nil, 2
	}
	secret := c.getenv("BOT_SECRET_KEY")
	if secret == "" {
		c.errf(name, "BOT_SECRET_KEY must be set to botd's key (it encrypts the tokens)")
		return nil, 2
	}
	bot, err := dialog.LoadDir(botDir)
	if err != nil {
		c.errf(name, "%v", err)
		return nil, 1
	}
	ropts, err := sessions.ParseRedisURL(redisURL)
	if err != nil {
		c.errf(name, "%v", err)
		return nil, 2
	}
	kr, err := auth.KeyringFromSecrets([]byte(secret))
	if err != nil {
		c.errf(name, "%v", err)
		return nil, 2
	}
	store := sessions.NewRedis(redis.NewUniversalClient(ropts), sessions.Options{})
	m, err := auth.NewManager(bot.Config.Name, bot.Config.AuthProfiles, store, auth.Options{PublicURL: publicURL, Keyring: kr})
	if err != nil {
		store.Close()
		c.errf(name, "%v", err)
		return nil, 1
	}
	return &authSession{bot: bot, manager: m, close: func() { store.Close() }}, 0
}

func orEnv(v, env string, c cli) string {
	if v != "" {
		return v
	}
	return c.getenv(env)
}

func authStatus(af authFlags, c cli) int {
	s, code := openAuth("auth status", af, c)
	if s == nil {
		return code
	}
	defer s.close()
	st, err := s.manager.Status(context.Background())
	if err != nil {
		c.errf("auth status", "%v", err)
		return 1
	}
	fmt.Fprintf(c.stdout, "%-24s %-26s %-15s %s\n", "PROFILE", "KIND", "MODE", "STATE")
	for _, p := range st {
		fmt.Fprintf(c.stdout, "%-24s %-26s %-15s %s\n", p.Name, p.Kind, p.Mode, p.State)
	}
	return 0
}

func authLogin(af authFlags, profile string, wait time.Duration, open bool, c cli) int {
	s, code := openAuth("auth login", af, c)
	if s == nil {
		return code
	}
	defer s.close()
	p := s.bot.Config.AuthProfiles[profile]
	if p == nil {
		c.errf("auth login", "bot %s has no auth profile %q", s.bot.Config.Name, profile)
		return 1
	}
	if p.Kind != auth.KindOAuth2 {
		fmt.Fprintf(c.stdout, "%s (%s) needs no sign-in: botd obtains its token itself.\n", profile, p.Kind)
		return 0
	}
	ctx := context.Background()
	u, _, err := s.manager.AdminAuthURL(ctx, profile)
	if err != nil {
		c.errf("auth login", "%v", err)
		return 1
	}
	fmt.Fprintf(c.stdout, "Open this link, sign in and approve (it is valid for %v):\n\n  %s\n\n", auth.DefaultStateTTL, u)
	if open {
		openBrowser(u)
	}
	return waitConnected(ctx, s.manager, profile, wait, c.stdout, c.stderr)
}

// waitConnected watches the profile's status until the sign-in, which
// botd's /oauth/callback completes, has stored the token. A person is
// signing in meanwhile, so a status read a second suffices.
func waitConnected(ctx context.Context, m *auth.Manager, profile string, wait time.Duration, stdout, stderr io.Writer) int {
	deadline := time.Now().Add(wait)
	for time.Now().Before(deadline) {
		st, err := m.Status(ctx)
		if err == nil {
			for _, p := range st {
				if p.Name == profile && p.State == "ok" {
					fmt.Fprintf(stdout, "%s is connected.\n", profile)
					return 0
				}
			}
		}
		time.Sleep(time.Second)
	}
	fmt.Fprintf(stderr, "botctl auth login: %s was not connected within %v (is botd running at the public URL with the same Redis?)\n", profile, wait)
	return 1
}

func openBrowser(u string) {
	for _, cmd := range []string{"xdg-open", "open"} {
		if path, err := exec.LookPath(cmd); err == nil {
			c := exec.Command(path, u)
			if err := c.Start(); err == nil {
				go c.Wait()
				return
			}
		}
	}
}
