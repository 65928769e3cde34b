package dialog

import (
	"context"
	"fmt"

	"github.com/botforge/dialogd/nodes"
)

// Snapshot is what a conversation's stored state holds between turns.
type Snapshot struct {
	// Task and Node are the running task and the node it waits at; both
	// empty when no task runs.
	Task, Node string
	// Memory is the conversation's context (entities, node results,
	// conversation variables); user and bot variables live elsewhere.
	Memory nodes.Memory
}

// Peek reads the stored state of a session, for tools that check a
// conversation from outside (botctl test's context expectations). It
// holds the session's lease while it reads, like a turn, and changes
// nothing. A session without a state has an empty snapshot.
func (r *Runtime) Peek(ctx context.Context, sessionID string) (*Snapshot, error) {
	lease, err := r.store.Acquire(ctx, storeKey(sessionID))
	if err != nil {
		return nil, fmt.Errorf("dialog: peek session: %w", err)
	}
	defer lease.Release(context.WithoutCancel(ctx))
	st, err := decodeState(lease.State())
	if err != nil {
		return nil, fmt.Errorf("dialog: peek session: %w", err)
	}
	if st == nil {
		return &Snapshot{}, nil
	}
	return &Snapshot{Task: st.Task, Node: st.Node, Memory: st.Memory}, nil
}
