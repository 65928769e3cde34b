package sfsim

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// ErrUnknownStatus is returned for a presence status developer name the org
// does not define.
var ErrUnknownStatus = errors.New("unknown presence status")

// OfflineStatus is the status name that logs a user out of Omni-Channel
// when the org defines no ServicePresenceStatus of that name: the current
// UserServicePresence row is closed and none replaces it, as when an agent
// goes offline in the console.
const OfflineStatus = "Offline"

// Presence is a user's current Omni-Channel presence. The zero value (no
// current row) is offline.
type Presence struct {
	ID       string // UserServicePresence id (0Hn…)
	StatusID string // ServicePresenceStatus id (0N5…)
	Status   string // its DeveloperName
}

// presenceStatusLocked finds the live ServicePresenceStatus whose
// DeveloperName is name (case-insensitively) and returns its id and
// canonical name. The caller holds the lock.
func (s *Server) presenceStatusLocked(name string) (id, devName string, ok bool) {
	for _, r := range s.db.table("ServicePresenceStatus").rows {
		if dn, _ := r.f["DeveloperName"].(string); !r.deleted && strings.EqualFold(dn, name) {
			return r.f["Id"].(string), dn, true
		}
	}
	return "", "", false
}

// setPresenceLocked switches u to the status with developer name status:
// the current row is closed (IsCurrentState false, StatusEndDate and
// StatusDuration set) and a new current row opened. [OfflineStatus], when
// the org has no such status, only closes. The caller holds the write lock.
func (s *Server) setPresenceLocked(u *User, status string) (Presence, error) {
	statusID, devName, found := s.presenceStatusLocked(status)
	if !found && !strings.EqualFold(status, OfflineStatus) {
		return Presence{}, fmt.Errorf("%w %q", ErrUnknownStatus, status)
	}
	now := s.now()
	s.closePresenceLocked(u.ID, now)
	if !found {
		return Presence{}, nil
	}
	away := strings.EqualFold(devName, "Away") || strings.EqualFold(devName, "Busy")
	id := s.systemInsertLocked("UserServicePresence", map[string]any{"UserId": u.ID, "ServicePresenceStatusId": statusID,
		"IsCurrentState": true, "IsAway": away, "StatusStartDate": formatDateTime(now), "ConfiguredCapacity": float64(5),
		"OwnerId": u.ID}, u)
	return Presence{ID: id, StatusID: statusID, Status: devName}, nil
}

// closePresenceLocked ends the user's current presence rows at now.
func (s *Server) closePresenceLocked(userID string, now time.Time) {
	ts := formatDateTime(now)
	t := s.db.table("UserServicePresence")
	for _, r := range t.rows {
		if r.deleted || r.f["UserId"] != userID || r.f["IsCurrentState"] != true {
			continue
		}
		ch := map[string]any{"IsCurrentState": false, "StatusEndDate": ts, "LastModifiedDate": ts, "SystemModstamp": ts}
		if start, err := parseDateTime(fmt.Sprint(r.f["StatusStartDate"])); err == nil {
			ch["StatusDuration"] = float64(int64(now.Sub(start) / time.Second))
		}
		t.update(r, ch)
	}
	s.dirty = true
}

// currentPresenceLocked is the user's current presence (zero when offline).
// The caller holds the lock.
func (s *Server) currentPresenceLocked(userID string) Presence {
	for _, r := range s.db.table("UserServicePresence").rows {
		if r.deleted || r.f["UserId"] != userID || r.f["IsCurrentState"] != true {
			continue
		}
		p := Presence{ID: r.f["Id"].(string), StatusID: fmt.Sprint(r.f["ServicePresenceStatusId"])}
		if st := s.db.table("ServicePresenceStatus").get(p.StatusID); st != nil {
			p.Status, _ = st.f["DeveloperName"].(string)
		}
		return p
	}
	return Presence{}
}

// CurrentPresence returns the current Omni-Channel presence of the user
// (zero when the user is offline).
func (s *Server) CurrentPresence(username string) (Presence, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	u := s.userByUsernameLocked(username)
	if u == nil {
		return Presence{}, fmt.Errorf("current presence of %q: %w", username, ErrUnknownUser)
	}
	return s.currentPresenceLocked(u.ID), nil
}

// SetPresence records that the user switched to the ServicePresenceStatus
// with developer name status, as the agent's Omni-Channel widget does: the
// current UserServicePresence row is closed and a new current one created
// (see setPresenceLocked). It returns the new row's id.
func (s *Server) SetPresence(username, status string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.userByUsernameLocked(username)
	if u == nil {
		return "", fmt.Errorf("set presence of %q: %w", username, ErrUnknownUser)
	}
	p, err := s.setPresenceLocked(u, status)
	if err != nil {
		return "", fmt.Errorf("set presence: %w", err)
	}
	return p.ID, nil
}
