package desk

import (
	"context"
	"errors"
	"fmt"
	"strings"
)

// SalesforceUsers finds Salesforce users by user name, for linking agents
// (botd implements it on the desk's Salesforce connection).
type SalesforceUsers interface {
	// UserID returns the id of the active user with username; an error
	// wrapping ErrNoSuchSalesforceUser when there is none.
	UserID(ctx context.Context, username string) (string, error)
}

// Linking errors.
var (
	ErrNoLinker             = errors.New("desk: no Salesforce connection (desk.salesforce) to link users with")
	ErrNoSuchSalesforceUser = errors.New("desk: no active Salesforce user with that user name")
	// ErrLinkedElsewhere: another agent is linked to that user (their
	// presence and their conversations' logs would mix).
	ErrLinkedElsewhere = errors.New("desk: that Salesforce user is linked to another agent")
	// ErrNotYourUser: the configuration names another Salesforce user
	// for this agent.
	ErrNotYourUser = errors.New("desk: the desk's configuration links this agent to another Salesforce user")
)

// linkByUsername links agent to the Salesforce user named username, ""
// unlinks.
func (d *Desk) linkByUsername(ctx context.Context, agent, username string) error {
	if username == "" {
		return d.LinkSalesforce(ctx, agent, "", "")
	}
	if d.sfUsers == nil {
		return ErrNoLinker
	}
	if a := d.cfg.agent(agent); a != nil && a.SalesforceUser != "" && !strings.EqualFold(a.SalesforceUser, username) {
		return ErrNotYourUser
	}
	id, err := d.sfUsers.UserID(ctx, username)
	if err != nil {
		return fmt.Errorf("desk: link %s to %q: %w", agent, username, err)
	}
	return d.LinkSalesforce(ctx, agent, id, username)
}

// linkConfigured links the agents whose salesforce_user the
// configuration sets and who are not linked yet.
func (d *Desk) linkConfigured(ctx context.Context) {
	for _, a := range d.cfg.Agents {
		if a.SalesforceUser == "" || d.sfUsers == nil {
			continue
		}
		if id, err := d.SalesforceUser(ctx, a.ID); err != nil || id != "" {
			continue
		}
		if err := d.linkByUsername(ctx, a.ID, a.SalesforceUser); err != nil {
			d.log.Warn("desk: link the configured Salesforce user", "bot", d.bot, "agent", a.ID, "err", err)
		}
	}
}
