package presence

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/botforge/dialogd/desk"
)

const directionSubscribe = "subscribe"

// Poll reads, if this instance holds the right to poll, the presences
// changed since the mark and applies them to the desk: each row made
// current with its status, each logout (a row closed and none opened) as
// the status LoggedOut. On an error the
// mark stays where it was, so the next successful poll catches up.
// The first poll of a bot starts one poll interval back.
func (s *Syncer) Poll(ctx context.Context) error {
	err := s.poll(ctx)
	s.mu.Lock()
	if err != nil {
		s.failures++
	} else {
		s.failures = 0
		s.lastOK = s.o.Now()
	}
	s.mu.Unlock()
	if err != nil {
		s.o.Metrics.count(s.o.Bot, directionSubscribe, resultError)
		s.fail(err)
	}
	s.Status()
	return err
}

func (s *Syncer) poll(ctx context.Context) error {
	held, err := s.o.Shared.Hold(ctx, s.lockTTL())
	s.mu.Lock()
	tookOver := held && err == nil && !s.polling
	s.polling = held && err == nil
	s.mu.Unlock()
	if tookOver {
		select { // publish what the last holder may have missed
		case s.wake <- struct{}{}:
		default:
		}
	}
	if err != nil || !held {
		return err
	}
	mark, err := s.o.Shared.Mark(ctx)
	if err != nil {
		return err
	}
	if mark.At.IsZero() {
		mark.At = s.o.Now().Add(-s.o.Config.PollEvery)
	}
	var rows []PresenceRow
	err = s.o.Salesforce.Presences(ctx, mark.At, func(r PresenceRow) error {
		if !(r.Modstamp.Equal(mark.At) && slices.Contains(mark.IDs, r.markKey())) {
			rows = append(rows, r)
		}
		return nil
	})
	if err != nil {
		return err
	}
	if len(rows) == 0 {
		return s.o.Shared.SaveMark(ctx, mark)
	}
	users, err := s.agentsByUser(ctx)
	if err != nil {
		return err
	}
	lastCurrent := map[string]time.Time{} // user → newest row made current
	for _, r := range rows {
		if r.Current && r.Modstamp.After(lastCurrent[r.UserID]) {
			lastCurrent[r.UserID] = r.Modstamp
		}
	}
	for _, r := range rows {
		// A closed row is a logout when no row was made current for
		// the user at the same time or later (a switch closes one row
		// and opens the next at once).
		logout := !r.Current && r.Modstamp.After(lastCurrent[r.UserID])
		if r.Current || logout {
			if err := s.apply(ctx, r, users[r.UserID]); err != nil {
				return err
			}
		}
		if r.Modstamp.After(mark.At) {
			mark = Mark{At: r.Modstamp}
		}
		mark.IDs = append(mark.IDs, r.markKey())
		if err := s.o.Shared.SaveMark(ctx, mark); err != nil {
			return err
		}
	}
	return nil
}

// agentsByUser maps linked Salesforce user ids to agent ids.
func (s *Syncer) agentsByUser(ctx context.Context) (map[string]string, error) {
	out := map[string]string{}
	for _, a := range s.o.Desk.Agents() {
		u, err := s.o.Desk.SalesforceUser(ctx, a.ID)
		if err != nil {
			return nil, fmt.Errorf("presence: salesforce user of %s: %w", a.ID, err)
		}
		if u != "" {
			out[u] = a.ID
		}
	}
	return out, nil
}

// apply sets agent's desk state for one presence row through the agent's
// rule. Rows the publisher wrote, rows of users no agent is linked to and
// statuses the rule does not map are counted and skipped. An error
// (Salesforce or the desk unreachable) stops the poll before its mark
// passes the row; a state the desk refuses is counted and skipped.
func (s *Syncer) apply(ctx context.Context, r PresenceRow, agent string) error {
	status := LoggedOut
	if r.Current {
		var err error
		if status, err = s.statusName(ctx, r.StatusID); err != nil {
			return err
		}
	}
	if agent == "" {
		s.o.Metrics.count(s.o.Bot, directionSubscribe, resultUnlinked)
		return nil
	}
	if mine, err := s.o.Shared.Mine(ctx, r.ID, r.UserID, status); err != nil || mine {
		if mine {
			s.o.Metrics.count(s.o.Bot, directionSubscribe, resultEcho)
		}
		return err
	}
	rule := s.o.Config.RuleFor(agent)
	if rule == nil {
		s.o.Metrics.count(s.o.Bot, directionSubscribe, resultNoRule)
		return nil
	}
	target, ok := rule.SubscribeTarget(status)
	if !ok {
		s.o.Metrics.count(s.o.Bot, directionSubscribe, resultUnmapped)
		return nil
	}
	cur, err := s.o.Desk.Status(ctx, agent)
	if err != nil {
		return fmt.Errorf("presence: state of %s: %w", agent, err)
	}
	if target.State != desk.Previous && cur.State == target.State && (target.Reason == "" || cur.Reason == target.Reason) {
		s.o.Metrics.count(s.o.Bot, directionSubscribe, resultUnchanged)
		return nil
	}
	out, err := s.o.Desk.SetState(ctx, agent, target.State, target.Reason, Origin)
	if err != nil {
		s.o.Metrics.count(s.o.Bot, directionSubscribe, resultError)
		s.fail(fmt.Errorf("presence: %s to %s (salesforce status %s): %w", agent, target, status, err))
		return nil
	}
	s.o.Metrics.count(s.o.Bot, directionSubscribe, resultOK)
	if out.State == desk.Busy && target.State != desk.Previous {
		// Made available while holding a full load of conversations,
		// the agent stays busy: Salesforce is told so (the change's
		// origin keeps it from being published otherwise).
		s.queue(out)
	}
	return nil
}

// statusName returns the developer name of a ServicePresenceStatus id,
// listing the statuses again when the id is new (an admin added one).
func (s *Syncer) statusName(ctx context.Context, id string) (string, error) {
	s.mu.Lock()
	name, ok := s.statuses[id]
	s.mu.Unlock()
	if ok {
		return name, nil
	}
	all, err := s.o.Salesforce.PresenceStatuses(ctx)
	if err != nil {
		return "", err
	}
	s.mu.Lock()
	s.statuses = all
	s.mu.Unlock()
	return all[id], nil
}

// markKey names a row's version in Mark.IDs: a row opened and closed
// within one millisecond is seen twice.
func (r PresenceRow) markKey() string {
	if r.Current {
		return r.ID
	}
	return r.ID + "/closed"
}
