package dialog

import (
	"github.com/botforge/dialogd/nodes"
)

// smallTalk answers text that is small talk (a greeting, thanks, "are you
// a bot?") and reports whether it was.
func (r *Runtime) smallTalk(st *state, t *nodes.Turn, text string) bool {
	return false
}
