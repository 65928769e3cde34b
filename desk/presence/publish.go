package presence

import (
	"context"
	"errors"
	"time"

	"github.com/botforge/dialogd/desk"
	"github.com/botforge/dialogd/desk/sfapi"
)

const directionPublish = "publish"

// enqueue is WatchStates' callback: it keeps the newest change of each
// agent made on this instance by anyone but the subscriber, and wakes the
// publish loop (it never calls Salesforce itself, so it never holds up
// the desk's events).
//
// Only a change of state or reason is published: an event that only
// changes the agent's count of conversations is not.
func (s *Syncer) enqueue(ev desk.AgentStatus) {
	seen := stateKey{ev.State, ev.Reason}
	s.mu.Lock()
	prev, known := s.seen[ev.Agent]
	s.seen[ev.Agent] = seen
	s.mu.Unlock()
	if known && prev == seen {
		return
	}
	if ev.Origin == Origin {
		s.o.Metrics.count(s.o.Bot, directionPublish, resultEcho)
		s.mu.Lock()
		delete(s.pending, ev.Agent) // Salesforce has the newest state
		s.mu.Unlock()
		return
	}
	if l, ok := s.o.Desk.(LocalEvents); ok && !l.MadeHere(ev) {
		return // the instance that made the change publishes it
	}
	s.queue(ev)
}

// queue makes ev the agent's pending change and wakes the publish loop.
func (s *Syncer) queue(ev desk.AgentStatus) {
	s.mu.Lock()
	s.seq++
	s.pending[ev.Agent] = pendingChange{ev: ev, seq: s.seq, at: s.o.Now()}
	s.mu.Unlock()
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// publishLoop publishes pending changes when woken, and retries failed
// ones with a backoff.
func (s *Syncer) publishLoop(ctx context.Context) {
	failures := 0
	var retry <-chan time.Time
	for {
		select {
		case <-ctx.Done():
			return
		case <-s.wake:
		case <-retry:
		}
		if err := s.PublishPending(ctx); err != nil {
			failures++
			retry = time.After(backoff(s.o.Config.PollEvery, failures-1, s.o.MaxBackoff))
		} else {
			failures, retry = 0, nil
		}
	}
}

// PublishPending publishes every pending change. A change Salesforce
// could not take for a passing reason (an outage, the request limit) stays
// pending; one it refuses (an unknown status, an inactive user) is
// dropped and reported as the last error.
func (s *Syncer) PublishPending(ctx context.Context) error {
	if _, local := s.o.Desk.(LocalEvents); !local {
		held, err := s.o.Shared.Hold(ctx, s.lockTTL())
		if err != nil {
			s.fail(err)
			return err
		}
		if !held {
			s.keepRecent()
			return nil
		}
	}
	s.mu.Lock()
	batch := make([]pendingChange, 0, len(s.pending))
	for _, p := range s.pending {
		batch = append(batch, p)
	}
	s.mu.Unlock()
	var firstErr error
	for _, p := range batch {
		ev := p.ev
		err := s.publish(ctx, ev)
		s.mu.Lock()
		if err == nil || !sfapi.Temporary(err) {
			if s.pending[ev.Agent].seq == p.seq {
				delete(s.pending, ev.Agent)
			}
		}
		s.pubFailed = err != nil && sfapi.Temporary(err)
		s.mu.Unlock()
		if err != nil {
			s.o.Metrics.count(s.o.Bot, directionPublish, resultError)
			s.fail(err)
			firstErr = errors.Join(firstErr, err)
		}
	}
	s.Status()
	return firstErr
}

// publish writes one change's status through the agent's rule.
func (s *Syncer) publish(ctx context.Context, ev desk.AgentStatus) error {
	rule := s.o.Config.RuleFor(ev.Agent)
	if rule == nil {
		s.o.Metrics.count(s.o.Bot, directionPublish, resultNoRule)
		return nil
	}
	status, ok := rule.PublishStatus(ev.State, ev.Reason)
	if !ok {
		s.o.Metrics.count(s.o.Bot, directionPublish, resultUnmapped)
		return nil
	}
	user, err := s.o.Desk.SalesforceUser(ctx, ev.Agent)
	if err != nil {
		return err
	}
	if user == "" {
		s.o.Metrics.count(s.o.Bot, directionPublish, resultUnlinked)
		return nil
	}
	// Expect first: the poller may see the row before SetPresence
	// returns. A real org may answer without the row's id (the console
	// applies the status a moment later); then the expectation stays
	// until the row is polled or the right to poll would have lapsed.
	if err := s.o.Shared.Expect(ctx, user, status, s.lockTTL()); err != nil {
		return err
	}
	id, err := s.o.Salesforce.SetPresence(ctx, user, status)
	if err != nil {
		return err
	}
	if id != "" {
		if err := s.o.Shared.Own(ctx, id, user, status, rememberFor); err != nil {
			s.fail(err) // the status is written; at worst it comes back once
		}
	}
	s.o.Metrics.count(s.o.Bot, directionPublish, resultOK)
	return nil
}

// stateKey is an agent's state and reason.
type stateKey struct {
	state  desk.State
	reason string
}

// keepRecent drops the pending changes older than the poll lock's TTL.
// Another instance holds the lock and publishes; the changes it may have
// missed, because it stopped without releasing the lock, are the recent
// ones, and this instance publishes them if it takes the lock over.
func (s *Syncer) keepRecent() {
	s.mu.Lock()
	defer s.mu.Unlock()
	cutoff := s.o.Now().Add(-s.lockTTL())
	for agent, p := range s.pending {
		if p.at.Before(cutoff) {
			delete(s.pending, agent)
		}
	}
}

// pendingChange is a change waiting to be published; seq tells a newer
// change of the same agent from it.
type pendingChange struct {
	ev  desk.AgentStatus
	seq uint64
	at  time.Time // when it was heard
}
