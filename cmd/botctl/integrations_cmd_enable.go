package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/botforge/dialogd/auth"
	"github.com/botforge/dialogd/templates"
)

// sfsimLogin is where `go run ./cmd/sfsim` listens, and its demo app:
// what -login sfsim writes.
const (
	sfsimLogin    = "http://127.0.0.1:8787"
	sfsimClientID = "3MVG9dialogdDemoConsumerKey.sfsim"
)

// loginSfsim is the -login value that asks for sfsim's demo values.
const loginSfsim = "sfsim"

// salesforceSetup is what integrations enable salesforce writes.
type salesforceSetup struct {
	profile, mode, login, clientID, scopes string
	secret                                 auth.SecretRef
	// sfsim: -login sfsim, the emulator's demo values.
	sfsim bool
}

func integrationsEnableCommand() *command {
	return &command{
		name: "integrations enable", args: "salesforce DIR", minArgs: 2, maxArgs: 2,
		summary: []string{
			"write the bot's Salesforce auth profile into DIR/bot.yaml with Kore.ai's OAuth v2 fields (identity",
			"provider, client id, client secret as a reference, authorization, token and refresh URLs, scope;",
			"it prints the callback URL to register); never replaces a profile without -force; then offers,",
			"or with -install runs, botctl install -all -integration salesforce DIR",
		},
		setup: func(fs *flag.FlagSet, c cli) func([]string) int {
			var s salesforceSetup
			fs.StringVar(&s.mode, "mode", auth.ModePerUser, "the `mode`: per_user (each end user signs in in the chat) or pre_authorized (one sign-in for the bot: botctl auth login)")
			fs.StringVar(&s.profile, "profile", "salesforce", "the auth profile's `name` (the catalogue's tasks call salesforce)")
			fs.StringVar(&s.login, "login", "production", "the Salesforce `login`: production (https://login.salesforce.com), sandbox, https://NAME.my.salesforce.com, or sfsim (the local emulator at "+sfsimLogin+" and its demo app; an http://127.0.0.1:PORT login is an sfsim too)")
			fs.StringVar(&s.clientID, "client-id", "", "the connected app's consumer key (`id`; not a secret); required unless -login sfsim")
			secret := fs.String("client-secret", "env:SF_CLIENT_SECRET", "where the consumer secret is, a `ref`erence: env:VAR or file:PATH (never the secret itself)")
			fs.StringVar(&s.scopes, "scope", "api refresh_token", "the OAuth `scopes`, space-separated")
			force := fs.Bool("force", false, "replace a profile of that name")
			install := fs.Bool("install", false, "then install the whole Salesforce catalogue (botctl install -all -integration salesforce DIR)")
			publicURL := fs.String("public-url", "", "botd's public `url`, for the callback URL (default $PUBLIC_URL, else http://localhost:8080)")
			return func(args []string) int {
				if args[0] != "salesforce" {
					return enableOther(args[0], c)
				}
				ref, err := parseSecretRef(*secret)
				if err != nil {
					c.errf("integrations enable", "-client-secret: %v", err)
					return 2
				}
				s.secret = ref
				if s.mode != auth.ModePerUser && s.mode != auth.ModePreAuthorized {
					c.errf("integrations enable", "-mode %q: want per_user or pre_authorized", s.mode)
					return 2
				}
				if code := s.resolveLogin(c); code != 0 {
					return code
				}
				dir := args[1]
				if code := enableSalesforce(dir, s, *force, *install, orEnv(*publicURL, "PUBLIC_URL", c), c); code != 0 || !*install {
					return code
				}
				fmt.Fprintln(c.stdout)
				return installAll("integrations enable", dir, "salesforce", paramFlags{}, false, c)
			}
		},
	}
}

// enableOther answers integrations enable for an integration other than
// salesforce.
func enableOther(name string, c cli) int {
	if name == "http" {
		c.errf("integrations enable", "http needs no enabling: service nodes call any URL; an API that needs credentials gets an auth profile in bot.yaml (docs/bots.md, Auth profiles)")
		return 1
	}
	var names []string
	for _, in := range integrations() {
		names = append(names, in.name)
	}
	c.errf("integrations enable", "no integration %q%s; the integrations are %s", name, didYouMean(name, names), strings.Join(names, ", "))
	return 2
}

// parseSecretRef reads env:VAR or file:PATH.
func parseSecretRef(s string) (auth.SecretRef, error) {
	kind, val, _ := strings.Cut(s, ":")
	switch {
	case kind == "env" && val != "":
		return auth.SecretRef{Env: val}, nil
	case kind == "file" && val != "":
		return auth.SecretRef{File: val}, nil
	}
	return auth.SecretRef{}, errors.New("want env:VAR or file:PATH, a reference to the secret, never the secret itself")
}

// resolveLogin turns -login sfsim into sfsim's address and demo client
// id (an http login on a loopback address is an sfsim too: Salesforce is
// never there), and otherwise requires -client-id: a real org's
// connected app is never guessed.
func (s *salesforceSetup) resolveLogin(c cli) int {
	if s.login == loginSfsim {
		s.login = sfsimLogin
	}
	if isLoopbackHTTP(s.login) {
		s.sfsim = true
		if s.clientID == "" {
			s.clientID = sfsimClientID
		}
		return 0
	}
	if s.clientID == "" {
		c.errf("integrations enable", "-client-id: required for -login %s (the connected app's consumer key); -login sfsim writes the local emulator's demo values instead", s.login)
		return 2
	}
	return 0
}

// isLoopbackHTTP reports whether login is an http:// URL on a loopback
// address, where only an emulator can be.
func isLoopbackHTTP(login string) bool {
	u, err := url.Parse(login)
	if err != nil || u.Scheme != "http" {
		return false
	}
	ip := net.ParseIP(u.Hostname())
	return u.Hostname() == "localhost" || (ip != nil && ip.IsLoopback())
}

// loginBase is the login host of a Salesforce login setting.
func loginBase(login string) string {
	switch login {
	case "production":
		return auth.SalesforceProduction
	case "sandbox":
		return auth.SalesforceSandbox
	}
	return strings.TrimRight(login, "/")
}

// lines are the profile's YAML, unindented, comments first.
func (s salesforceSetup) lines() []string {
	q := func(v string) string { b, _ := json.Marshal(v); return string(b) }
	base := loginBase(s.login)
	secret := "{env: " + q(s.secret.Env) + "}"
	if s.secret.File != "" {
		secret = "{file: " + q(s.secret.File) + "}"
	}
	who := "each end user signs in to Salesforce in the chat"
	if s.mode == auth.ModePreAuthorized {
		who = "one Salesforce sign-in for the whole bot (botctl auth login " + s.profile + ")"
	}
	return []string{
		"# Salesforce, by botctl integrations enable salesforce:",
		"# " + who + ".",
		"# Kore.ai's OAuth v2 fields; register botd's PUBLIC_URL/oauth/callback",
		"# as the connected app's callback URL. Secrets are references.",
		"kind: oauth2",
		"mode: " + s.mode,
		"identity_provider: Salesforce",
		"salesforce: {login: " + q(s.login) + "}",
		"client_id: " + q(s.clientID),
		"client_secret: " + secret,
		"authorization_url: " + q(base+"/services/oauth2/authorize"),
		"token_url: " + q(base+"/services/oauth2/token"),
		"refresh_token_url: " + q(base+"/services/oauth2/token"),
		"scopes: " + q(s.scopes),
	}
}

// enableSalesforce writes the profile into DIR/bot.yaml once the bot
// loads with it, and says what was written and what comes next.
func enableSalesforce(dir string, s salesforceSetup, force, installing bool, publicURL string, c cli) int {
	botFile := filepath.Join(dir, "bot.yaml")
	data, err := os.ReadFile(botFile)
	if err != nil {
		c.errf("integrations enable", "%s is not a bot (no bot.yaml): botctl init %s starts one", dir, dir)
		return 1
	}
	out, err := templates.DeclareProfile(data, s.profile, s.lines(), force)
	if errors.Is(err, templates.ErrProfileExists) {
		c.errf("integrations enable", "%s: %v; -force replaces it", dir, err)
		return 1
	}
	if err == nil {
		_, err = templates.LoadWith(dir, map[string][]byte{"bot.yaml": out})
	}
	if err == nil {
		err = templates.WriteFiles(dir, map[string][]byte{"bot.yaml": out})
	}
	if err != nil {
		c.errf("integrations enable", "nothing was written: %v", err)
		return 1
	}
	printSalesforceProfile(s, botFile, publicURL, installing, c)
	return 0
}

func printSalesforceProfile(s salesforceSetup, botFile, publicURL string, installing bool, c cli) {
	if publicURL == "" {
		publicURL = "http://localhost:8080"
	}
	base := loginBase(s.login)
	w := c.stdout
	fmt.Fprintf(w, "wrote %s: auth profile %s (oauth2, %s)\n", botFile, s.profile, s.mode)
	if s.sfsim {
		fmt.Fprintf(w, "NOTE: this profile signs in to sfsim, the local Salesforce emulator at %s (go run ./cmd/sfsim),\n"+
			"      with client id %s: it reaches no real Salesforce org. For one, run this again with\n"+
			"      -force -login production|sandbox|https://NAME.my.salesforce.com -client-id KEY\n", s.login, s.clientID)
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, row := range [][2]string{
		{"Identity provider", "Salesforce (login " + s.login + ")"},
		{"Client ID", s.clientID},
		{"Client secret", s.secret.String()},
		{"Authorization URL", base + "/services/oauth2/authorize"},
		{"Token URL", base + "/services/oauth2/token"},
		{"Refresh token URL", base + "/services/oauth2/token"},
		{"Scope", s.scopes},
		{"Callback URL", strings.TrimRight(publicURL, "/") + "/oauth/callback (botd's -public-url; register it in the connected app)"},
	} {
		fmt.Fprintf(tw, "  %s\t%s\n", row[0], row[1])
	}
	tw.Flush()
	dir := filepath.Dir(botFile)
	if s.mode == auth.ModePreAuthorized {
		fmt.Fprintf(w, "next: sign the bot in once: BOT_SECRET_KEY=... botctl auth login -bot %s %s\n", dir, s.profile)
	}
	if !installing {
		fmt.Fprintf(w, "next: install the whole Salesforce catalogue: botctl install -all -integration salesforce %s (or add -install to this command)\n", dir)
	}
}
