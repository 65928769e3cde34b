package main

import (
	_ "embed"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"

	"github.com/botforge/dialogd/auth"
	"github.com/botforge/dialogd/dialog"
	"github.com/botforge/dialogd/examples"
	"github.com/botforge/dialogd/nodes"
	"github.com/botforge/dialogd/sfsim"
)

// sfDemoBotName is the name of examples/salesforce_demo's bot: its
// socket is /ws?bot=salesforce_demo.
const sfDemoBotName = "salesforce_demo"

// The variables examples/salesforce_demo/bot.yaml reads: where the
// emulated org is, its demo connected app's secret, and the password and
// security token of the integration user the bot's own profile
// (salesforce_admin: the desk and the customer directory) signs in as.
// botd sets them before it loads the bot; they are demo-only.
const (
	sfDemoLoginEnv            = "DEMO_SF_LOGIN_URL"
	sfDemoSecretEnv           = "DEMO_SF_CLIENT_SECRET"
	sfDemoIntegrationPassEnv  = "DEMO_SF_INTEGRATION_PASSWORD"
	sfDemoIntegrationTokenEnv = "DEMO_SF_INTEGRATION_TOKEN"
)

// sfDemoIntegrationUser is the emulated org's integration user, the user
// name of the demo bot's salesforce_admin profile.
const sfDemoIntegrationUser = "integration@dialogd.example"

// sfDemoPaths are the paths of the emulated org botd serves on its own
// listener in Salesforce demo mode: OAuth (the login page the visitor
// signs in on, and the token calls), identity, SOAP (convertLead), the
// data API and Apex REST (the presence class the desk's presence sync
// writes through); mount adds a read-only record page at /lightning/r/.
// sfsim's control API (/__sim__/) is not among them: nobody injects
// faults into the demo from outside.
var sfDemoPaths = []string{"/services/oauth2/", "/services/data/", "/services/data", "/services/Soap/", "/services/apexrest/", "/id/"}

//go:embed sfdemo_org.yaml
var sfDemoRecords []byte

// sfDemo is the Salesforce emulator botd embeds for `make run`: sfsim's
// demo org plus sfdemo_org.yaml's records, its callback URL allowed,
// served at sfDemoPaths on botd's own address (so it works on any -addr).
type sfDemo struct {
	sim   *sfsim.Server
	login string                // the org's base URL, botd's loopback address
	creds sfsim.DemoCredentials // demo-only: shown on the demo page
}

// newSFDemo builds the emulated org for cfg, and points the Salesforce
// demo bot at it (sfDemoLoginEnv, sfDemoSecretEnv), overriding values set
// before: the embedded bot talks to the embedded org only.
func newSFDemo(cfg *config) (*sfDemo, error) {
	login, err := sfDemoLogin(cfg)
	if err != nil {
		return nil, err
	}
	fx, err := sfDemoFixture()
	if err != nil {
		return nil, err
	}
	sim, err := sfsim.New(sfsim.WithFixture(fx), sfsim.WithCallbackURLs(strings.TrimSuffix(cfg.PublicURL, "/")+auth.CallbackPath))
	if err != nil {
		return nil, fmt.Errorf("botd: salesforce demo: %w", err)
	}
	creds, err := sim.Credentials()
	if err != nil {
		return nil, fmt.Errorf("botd: salesforce demo: %w", err)
	}
	integration, err := sfDemoUser(fx, sfDemoIntegrationUser)
	if err != nil {
		return nil, err
	}
	os.Setenv(sfDemoLoginEnv, login)
	os.Setenv(sfDemoSecretEnv, creds.ClientSecret)
	os.Setenv(sfDemoIntegrationPassEnv, integration.Password)
	os.Setenv(sfDemoIntegrationTokenEnv, integration.SecurityToken)
	return &sfDemo{sim: sim, login: login, creds: creds}, nil
}

// sfDemoLogin is the emulated org's base URL: the public URL when it is a
// loopback http URL (the page and the sign-in popup then share an
// origin), else botd's listen address on loopback. The Salesforce preset
// accepts http only on loopback, so a browser on another machine cannot
// sign in; the demo is for the machine botd runs on. Without a public URL
// (a wildcard -addr such as :8080), the loopback address becomes botd's
// public URL, the base of the OAuth callback the sign-in returns to.
func sfDemoLogin(cfg *config) (string, error) {
	if u, err := url.Parse(cfg.PublicURL); cfg.PublicURL != "" && err == nil && u.Scheme == "http" && isLoopbackHost(u.Hostname()) {
		return "http://" + u.Host, nil
	}
	base, err := demoAPIBase(cfg.Addr) // http://<loopback>:<port>/demo/api
	if err != nil {
		return "", fmt.Errorf("botd: salesforce demo: %w", err)
	}
	login := strings.TrimSuffix(base, "/demo/api")
	if cfg.PublicURL == "" {
		cfg.PublicURL = login
	}
	return login, nil
}

// isLoopbackHost is localhost or a loopback IP address.
func isLoopbackHost(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// sfDemoUser is the fixture's user named username.
func sfDemoUser(fx *sfsim.Fixture, username string) (sfsim.FixtureUser, error) {
	for _, u := range fx.Users {
		if u.Username == username {
			return u, nil
		}
	}
	return sfsim.FixtureUser{}, fmt.Errorf("botd: salesforce demo: the org has no user %s", username)
}

// sfDemoFixture is sfsim's built-in demo org with sfdemo_org.yaml's
// users, presence statuses and records added.
func sfDemoFixture() (*sfsim.Fixture, error) {
	fx, err := sfsim.DemoFixture()
	if err != nil {
		return nil, fmt.Errorf("botd: salesforce demo: %w", err)
	}
	extra, err := sfsim.ParseFixture(sfDemoRecords)
	if err != nil {
		return nil, fmt.Errorf("botd: salesforce demo: sfdemo_org.yaml: %w", err)
	}
	fx.Users = append(fx.Users, extra.Users...)
	fx.PresenceStatuses = append(fx.PresenceStatuses, extra.PresenceStatuses...)
	if fx.Records == nil {
		fx.Records = map[string][]map[string]any{}
	}
	for object, records := range extra.Records {
		fx.Records[object] = append(fx.Records[object], records...)
	}
	return fx, nil
}

// addSalesforceDemo starts the emulated org and appends the Salesforce
// demo bot to bots when the configuration asks for them. Under
// -demo-salesforce auto, a configuration the sign-in cannot work with (no
// public URL) leaves the demo out with a warning; under on it is an error.
func (s *server) addSalesforceDemo(bots []*dialog.Bot) ([]*dialog.Bot, error) {
	if !s.cfg.DemoSalesforce {
		return bots, nil
	}
	d, err := newSFDemo(s.cfg)
	if err != nil {
		if s.cfg.DemoSalesforceAsked {
			return nil, err
		}
		s.log.Warn("the salesforce demo is off", "err", err)
		return bots, nil
	}
	bot, err := loadSalesforceDemo()
	if err != nil {
		return nil, fmt.Errorf("botd: salesforce demo bot:\n%w", err)
	}
	s.sfdemo = d
	s.log.Info("salesforce demo", "bot", bot.Config.Name, "page", strings.TrimSuffix(s.cfg.PublicURL, "/")+sfDemoPagePath, "org", d.login)
	return append(bots, bot), nil
}

// loadSalesforceDemo loads the embedded Salesforce demo bot (the whole
// catalogue); newSFDemo must have set its variables.
func loadSalesforceDemo() (*dialog.Bot, error) {
	return dialog.LoadFS(examples.SalesforceDemo(), "examples/salesforce_demo", nodes.Default())
}

// mount serves the emulated org on mux at sfDemoPaths.
func (d *sfDemo) mount(mux *http.ServeMux) {
	for _, p := range sfDemoPaths {
		mux.Handle(p, d.sim)
	}
	// Where the records' "View" links lead (sfdemo_records.go).
	mux.Handle("GET /lightning/r/{object}/{id}/view", &recordPages{sim: d.sim})
}
