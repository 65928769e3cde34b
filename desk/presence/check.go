package presence

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
)

// CheckStatuses compares the status names the rules use with the org's
// ServicePresenceStatus developer names, and returns one error naming
// every rule line whose status the org does not define (LoggedOut
// excepted: without such a status, the Apex class logs the user out of
// Omni-Channel, and a logout subscribes as LoggedOut). Run calls it at start
// and reports a problem as the last error; it does not stop the sync.
func (s *Syncer) CheckStatuses(ctx context.Context) error {
	all, err := s.o.Salesforce.PresenceStatuses(ctx)
	if err != nil {
		return err
	}
	s.mu.Lock()
	s.statuses = all
	s.mu.Unlock()
	names := make([]string, 0, len(all))
	for _, n := range all {
		names = append(names, strings.ToLower(n))
	}
	known := func(status string) bool { return slices.Contains(names, strings.ToLower(status)) }
	var problems []string
	for _, r := range s.o.Config.Rules {
		for _, key := range slices.Sorted(maps.Keys(r.Publish)) {
			if !known(r.Publish[key]) && r.Publish[key] != LoggedOut {
				problems = append(problems, fmt.Sprintf("rule %s: publish.%s: %q", r.Name, key, r.Publish[key]))
			}
		}
		for _, status := range slices.Sorted(maps.Keys(r.Subscribe)) {
			if !known(status) && status != LoggedOut {
				problems = append(problems, fmt.Sprintf("rule %s: subscribe.%s", r.Name, status))
			}
		}
	}
	if len(problems) > 0 {
		return errors.New("presence: Salesforce has no presence status for " + strings.Join(problems, "; "))
	}
	return nil
}
