package dialog

import (
	"context"
	"crypto/rand"
	"fmt"
	"net/http"
	"strings"

	"github.com/botforge/dialogd/auth"
	"github.com/botforge/dialogd/nodes"
	"github.com/botforge/dialogd/sessions"
)

// defaultAuthorizer builds the bot's auth manager when the embedder gave
// none: enough for static profiles (basic, api_key, bearer) and the
// server-side grants, with a per-process key for its token cache. botd
// builds its own with BOT_SECRET_KEY and the public URL, which oauth2
// profiles need.
func defaultAuthorizer(bot *Bot, store sessions.Store) nodes.Authorizer {
	if len(bot.Config.AuthProfiles) == 0 {
		return nil
	}
	secret := make([]byte, 32)
	_, _ = rand.Read(secret)
	kr, err := auth.KeyringFromSecrets(secret)
	if err == nil {
		var m *auth.Manager
		if m, err = auth.NewManager(bot.Config.Name, bot.Config.AuthProfiles, store, auth.Options{Keyring: kr}); err == nil {
			return m
		}
	}
	return failingAuth{err: err}
}

// failingAuth reports why no authorizer could be built, at the first call.
type failingAuth struct{ err error }

func (f failingAuth) Apply(context.Context, *nodes.Turn, string, *http.Request) error {
	return fmt.Errorf("auth profiles unavailable: %w", f.err)
}

// profileProvider is the service a profile is for, for commands such as
// "disconnect salesforce", normalised; empty when unknown.
func profileProvider(p *auth.Profile) string {
	if p == nil {
		return ""
	}
	if p.IdentityProvider != "" {
		return normalize(p.IdentityProvider)
	}
	if p.Salesforce != nil {
		return "salesforce"
	}
	return ""
}

// profileLabel names a profile to the user.
func profileLabel(name string, p *auth.Profile) string {
	switch {
	case p != nil && p.IdentityProvider != "":
		return p.IdentityProvider
	case p != nil && p.Salesforce != nil:
		return "Salesforce"
	}
	return strings.ReplaceAll(name, "_", " ")
}
