package storetest

import (
	"context"
	"sync/atomic"

	"github.com/botforge/dialogd/sessions"
)

// LostCommits wraps a store whose next commits are lost, as when the
// process dies, or Redis fails, between a turn's work (its service calls)
// and its commit: the lease is released, nothing is stored, and the
// commit returns sessions.ErrUnavailable. The client then sends the
// message again.
type LostCommits struct {
	sessions.Store
	lose atomic.Int32
}

// LoseNext makes the next n commits be lost.
func (s *LostCommits) LoseNext(n int) { s.lose.Store(int32(n)) }

// Acquire takes the session in the wrapped store.
func (s *LostCommits) Acquire(ctx context.Context, id string) (sessions.Lease, error) {
	l, err := s.Store.Acquire(ctx, id)
	if err != nil {
		return nil, err
	}
	return &lostCommitLease{Lease: l, s: s}, nil
}

type lostCommitLease struct {
	sessions.Lease
	s *LostCommits
}

func (l *lostCommitLease) Commit(ctx context.Context, state []byte, frames []sessions.Frame) error {
	return l.CommitExpiry(ctx, state, frames, sessions.Expiry{})
}

func (l *lostCommitLease) CommitExpiry(ctx context.Context, state []byte, frames []sessions.Frame, exp sessions.Expiry) error {
	if l.s.lose.Add(-1) >= 0 {
		_ = l.Lease.Release(ctx)
		return sessions.ErrUnavailable
	}
	return l.Lease.CommitExpiry(ctx, state, frames, exp)
}
