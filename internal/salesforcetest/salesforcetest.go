// Package salesforcetest starts sfsim, the Salesforce emulator, for a test
// and gives it an auth manager whose "salesforce" profile is authorized
// for the demo org's user (the password flow, pre_authorized): what the
// salesforce node, the Salesforce templates and the end-to-end tests run
// against.
package salesforcetest

import (
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/botforge/dialogd/auth"
	"github.com/botforge/dialogd/dialog/convtest"
	"github.com/botforge/dialogd/sessions"
	"github.com/botforge/dialogd/sfsim"
)

// Profile is the name of the auth profile Start declares.
const Profile = "salesforce"

// Org is a running emulator and an auth manager for it.
type Org struct {
	Sim  *sfsim.Server
	URL  string // the emulator's base URL (login and instance)
	Auth *auth.Manager
}

// Environment variables the profile's secret references read.
const (
	envSecret   = "SALESFORCETEST_CLIENT_SECRET"
	envPassword = "SALESFORCETEST_PASSWORD"
	envToken    = "SALESFORCETEST_SECURITY_TOKEN"
)

// Start runs sfsim with opts on a loopback port for the test, and an auth
// manager for bot whose profile Profile is authorized for the demo user.
// It sets environment variables, so tests that use it cannot be parallel.
func Start(tb testing.TB, bot string, opts ...sfsim.Option) *Org {
	tb.Helper()
	sim, err := sfsim.New(opts...)
	if err != nil {
		tb.Fatal(err)
	}
	srv := httptest.NewServer(sim)
	tb.Cleanup(srv.Close)
	creds, err := sim.Credentials()
	if err != nil {
		tb.Fatal(err)
	}
	tb.Setenv(envSecret, creds.ClientSecret)
	tb.Setenv(envPassword, creds.Password)
	tb.Setenv(envToken, creds.SecurityToken)
	profiles := map[string]*auth.Profile{Profile: {
		Kind:          auth.KindOAuth2Password,
		Salesforce:    &auth.SalesforcePreset{Login: srv.URL},
		ClientID:      creds.ClientID,
		ClientSecret:  auth.SecretRef{Env: envSecret},
		Username:      creds.Username,
		Password:      auth.SecretRef{Env: envPassword},
		SecurityToken: auth.SecretRef{Env: envToken},
	}}
	kr, err := auth.KeyringFromSecrets([]byte("salesforcetest-key-0123456789abcdef"))
	if err != nil {
		tb.Fatal(err)
	}
	store := sessions.NewMemory(sessions.Options{})
	tb.Cleanup(func() { store.Close() })
	m, err := auth.NewManager(bot, profiles, store, auth.Options{
		Keyring: kr, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		tb.Fatal(err)
	}
	return &Org{Sim: sim, URL: strings.TrimSuffix(srv.URL, "/"), Auth: m}
}

// DemoUser is the demo org's user the profile is authorized for.
const DemoUser = "demo@dialogd.example"

// Records is the org's data API as the demo user (a token issued by the
// emulator), for a test to seed records and query them: the client
// botctl test and the conversation tests use (convtest.Salesforce).
func (o *Org) Records(tb testing.TB) *convtest.Salesforce {
	tb.Helper()
	g, err := o.Sim.IssueToken(DemoUser)
	if err != nil {
		tb.Fatal(err)
	}
	return &convtest.Salesforce{BaseURL: o.URL, Token: g.AccessToken}
}

// BreakPassword makes the profile's password wrong from now on (the
// manager reads it when it next needs a token), as when an administrator
// changed it in Salesforce.
func BreakPassword(tb testing.TB) { tb.Setenv(envPassword, "wrong-password") }
