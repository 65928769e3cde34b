package presence

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/botforge/dialogd/desk/sfapi"
)

// Salesforce is what the sync needs from Salesforce: read the current
// Omni-Channel presences changed since a time, list the presence
// statuses, and set a user's status (through the Apex REST class the
// admin installs, docs/salesforce/DialogdPresence.cls: UserServicePresence
// cannot be written through the data API). *SFClient implements it.
type Salesforce interface {
	// Presences calls fn for each UserServicePresence row with
	// SystemModstamp at or after since, oldest first: rows made current
	// and rows closed (a status left, or Omni-Channel logged out).
	Presences(ctx context.Context, since time.Time, fn func(PresenceRow) error) error
	// PresenceStatuses returns the org's ServicePresenceStatus developer
	// names by record id.
	PresenceStatuses(ctx context.Context) (map[string]string, error)
	// SetPresence sets userID's status (a developer name) and returns the
	// id of the UserServicePresence row it created.
	SetPresence(ctx context.Context, userID, status string) (string, error)
}

// PresenceRow is one UserServicePresence record.
type PresenceRow struct {
	ID       string
	UserID   string
	StatusID string
	Current  bool // IsCurrentState
	Modstamp time.Time
}

// LoggedOut is the status name a rule's subscribe line uses for an agent
// who went offline in Omni-Channel: their current presence row was closed
// and none replaced it (a logout has no ServicePresenceStatus of its own).
const LoggedOut = "Offline"

// ApexPath is the Apex REST path of the presence class.
const ApexPath = "/dialogd/presence"

// SFClient is Salesforce through an sfapi.Client.
type SFClient struct{ C *sfapi.Client }

// soqlDateTime is SOQL's dateTime literal (UTC, milliseconds).
const soqlDateTime = "2006-01-02T15:04:05.000Z"

// Presences implements Salesforce with one SOQL query.
func (s SFClient) Presences(ctx context.Context, since time.Time, fn func(PresenceRow) error) error {
	soql := "SELECT Id, UserId, ServicePresenceStatusId, IsCurrentState, SystemModstamp FROM UserServicePresence" +
		" WHERE SystemModstamp >= " + since.UTC().Format(soqlDateTime) + " ORDER BY SystemModstamp ASC"
	err := s.C.Query(ctx, soql, func(rec map[string]any) error {
		row := PresenceRow{ID: str(rec["Id"]), UserID: str(rec["UserId"]), StatusID: str(rec["ServicePresenceStatusId"])}
		row.Current, _ = rec["IsCurrentState"].(bool)
		t, err := parseDateTime(str(rec["SystemModstamp"]))
		if err != nil {
			return fmt.Errorf("presence: row %s: %w", row.ID, err)
		}
		row.Modstamp = t
		return fn(row)
	})
	if err != nil {
		return fmt.Errorf("presence: read presences: %w", err)
	}
	return nil
}

// PresenceStatuses implements Salesforce.
func (s SFClient) PresenceStatuses(ctx context.Context) (map[string]string, error) {
	out := map[string]string{}
	err := s.C.Query(ctx, "SELECT Id, DeveloperName FROM ServicePresenceStatus", func(rec map[string]any) error {
		out[str(rec["Id"])] = str(rec["DeveloperName"])
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("presence: list presence statuses: %w", err)
	}
	return out, nil
}

// SetPresence implements Salesforce with the Apex class.
func (s SFClient) SetPresence(ctx context.Context, userID, status string) (string, error) {
	var out struct {
		PresenceID string `json:"presenceId"`
	}
	body := map[string]string{"userId": userID, "status": status}
	if err := s.C.Apex(ctx, http.MethodPost, ApexPath, body, &out); err != nil {
		return "", fmt.Errorf("presence: set %s to %s: %w", userID, status, err)
	}
	return out.PresenceID, nil
}

// parseDateTime reads Salesforce's dateTime ("2026-05-14T09:30:00.000+0000").
func parseDateTime(s string) (time.Time, error) {
	for _, layout := range []string{"2006-01-02T15:04:05.000-0700", time.RFC3339Nano} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("unreadable dateTime %q", s)
}

func str(v any) string {
	s, _ := v.(string)
	return s
}
