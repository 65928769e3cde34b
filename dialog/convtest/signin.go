package convtest

import (
	"context"
	"fmt"
	"net/http"

	"github.com/botforge/dialogd/nodes"
)

// Sign-in actions of a turn (Turn.SignIn): the tester completes, or
// refuses, the authorization an authorize frame asked for, as the
// provider's redirect to botd's /oauth/callback would.
const (
	SignInGrant = "grant"
	SignInDeny  = "deny"
)

// signInURL is the address authorize frames carry in tests.
const signInURL = "https://sign-in.convtest.invalid/"

// signInGate holds back the per_user profiles' credential until the
// tester has signed in: their calls ask for an authorization, as a
// user's first call does in production.
type signInGate struct {
	next     nodes.Authorizer
	perUser  map[string]bool
	signedIn *bool
}

func (g *signInGate) closed(profile string) bool { return g.perUser[profile] && !*g.signedIn }

// needed is what a call of a closed profile returns.
func needed(profile string) error {
	return &nodes.AuthorizationRequiredError{Profile: profile, URL: signInURL + profile,
		Text: "Please sign in (" + profile + ") so I can continue."}
}

func (g *signInGate) Apply(ctx context.Context, t *nodes.Turn, profile string, req *http.Request) error {
	if g.closed(profile) {
		return needed(profile)
	}
	return g.next.Apply(ctx, t, profile, req)
}

// BaseURL implements nodes.BaseURLer.
func (g *signInGate) BaseURL(ctx context.Context, t *nodes.Turn, profile string) (string, error) {
	if g.closed(profile) {
		return "", needed(profile)
	}
	b, ok := g.next.(nodes.BaseURLer)
	if !ok {
		return "", needed(profile)
	}
	return b.BaseURL(ctx, t, profile)
}

// Refresh implements nodes.Refresher.
func (g *signInGate) Refresh(ctx context.Context, t *nodes.Turn, profile string) error {
	if g.closed(profile) {
		return needed(profile)
	}
	if r, ok := g.next.(nodes.Refresher); ok {
		return r.Refresh(ctx, t, profile)
	}
	return fmt.Errorf("convtest: auth profile %s cannot be refreshed", profile)
}
