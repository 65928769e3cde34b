package dialog

import (
	"context"

	"github.com/botforge/dialogd/nodes"
)

// interrupt starts task, which the user asked for while another task
// waited for an answer.
func (r *Runtime) interrupt(ctx context.Context, st *state, t *nodes.Turn, task, utterance string) {
	r.switchTo(ctx, st, t, task, utterance)
}
