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

// authCmd runs `botctl auth status|login`. Both work on the store botd
// uses (-redis / REDIS_URL) with botd's BOT_SECRET_KEY, so what an
// administrator connects here is what every botd instance uses.
func authCmd(args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprintln(stderr, "botctl auth: want status or login")
		return 2
	}
	sub := args[0]
	if sub != "status" && sub != "login" {
		fmt.Fprintf(stderr, "botctl auth: unknown command %q (want status or login)\n", sub)
		return 2
	}
	fl := flag.NewFlagSet("botctl auth "+sub, flag.ContinueOnError)
	fl.SetOutput(stderr)
	botDir := fl.String("bot", getenv("BOT_DIR"), "bot directory (env BOT_DIR)")
	redisURL := fl.String("redis", getenv("REDIS_URL"), "the Redis botd uses (env REDIS_URL)")
	publicURL := fl.String("public-url", getenv("PUBLIC_URL"), "botd's public URL, where the provider sends the admin back (env PUBLIC_URL)")
	wait := fl.Duration("wait", 5*time.Minute, "login: how long to wait for the sign-in to finish")
	open := fl.Bool("open", true, "login: open the authorize URL in a browser when one is available")
	if err := fl.Parse(args[1:]); err != nil {
		return 2
	}
	if *botDir == "" || *redisURL == "" {
		fmt.Fprintln(stderr, "botctl auth: -bot and -redis are required (the tokens live in botd's Redis)")
		return 2
	}
	secret := getenv("BOT_SECRET_KEY")
	if secret == "" {
		fmt.Fprintln(stderr, "botctl auth: BOT_SECRET_KEY must be set to botd's key (it encrypts the tokens)")
		return 2
	}
	bot, err := dialog.LoadDir(*botDir)
	if err != nil {
		fmt.Fprintf(stderr, "botctl auth: %v\n", err)
		return 1
	}
	ropts, err := sessions.ParseRedisURL(*redisURL)
	if err != nil {
		fmt.Fprintf(stderr, "botctl auth: %v\n", err)
		return 2
	}
	store := sessions.NewRedis(redis.NewUniversalClient(ropts), sessions.Options{})
	defer store.Close()
	kr, err := auth.KeyringFromSecrets([]byte(secret))
	if err != nil {
		fmt.Fprintf(stderr, "botctl auth: %v\n", err)
		return 2
	}
	m, err := auth.NewManager(bot.Config.Name, bot.Config.AuthProfiles, store, auth.Options{PublicURL: *publicURL, Keyring: kr})
	if err != nil {
		fmt.Fprintf(stderr, "botctl auth: %v\n", err)
		return 1
	}
	ctx := context.Background()
	switch sub {
	case "status":
		st, err := m.Status(ctx)
		if err != nil {
			fmt.Fprintf(stderr, "botctl auth status: %v\n", err)
			return 1
		}
		fmt.Fprintf(stdout, "%-24s %-26s %-15s %s\n", "PROFILE", "KIND", "MODE", "STATE")
		for _, p := range st {
			fmt.Fprintf(stdout, "%-24s %-26s %-15s %s\n", p.Name, p.Kind, p.Mode, p.State)
		}
		return 0
	case "login":
		if fl.NArg() != 1 {
			fmt.Fprintln(stderr, "botctl auth login: name one profile")
			return 2
		}
		profile := fl.Arg(0)
		p := bot.Config.AuthProfiles[profile]
		if p == nil {
			fmt.Fprintf(stderr, "botctl auth login: bot %s has no auth profile %q\n", bot.Config.Name, profile)
			return 1
		}
		if p.Kind != auth.KindOAuth2 {
			fmt.Fprintf(stdout, "%s (%s) needs no sign-in: botd obtains its token itself.\n", profile, p.Kind)
			return 0
		}
		u, _, err := m.AdminAuthURL(ctx, profile)
		if err != nil {
			fmt.Fprintf(stderr, "botctl auth login: %v\n", err)
			return 1
		}
		fmt.Fprintf(stdout, "Open this link, sign in and approve (it is valid for %v):\n\n  %s\n\n", auth.DefaultStateTTL, u)
		if *open {
			openBrowser(u)
		}
		return waitConnected(ctx, m, profile, *wait, stdout, stderr)
	}
	return 2
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
