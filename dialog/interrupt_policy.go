package dialog

import (
	"fmt"
	"strconv"
)

// InterruptPolicy says what happens when the user asks for another task
// while one waits for an answer (settings.interruptions.policy in
// bot.yaml, interruptions.policy in a task file or on a node; the node's
// wins over the task's, the task's over the bot's).
type InterruptPolicy string

// The interruption policies.
const (
	// InterruptHold holds the running task and starts the new one; the
	// held task resumes when the new one ends (the default).
	InterruptHold InterruptPolicy = "hold"
	// InterruptDiscard drops the running task, says so, and starts the
	// new one.
	InterruptDiscard InterruptPolicy = "discard"
	// InterruptNotAllowed keeps the running task: the user is told to
	// finish or cancel it, and asked the question again.
	InterruptNotAllowed InterruptPolicy = "not_allowed"
	// InterruptAsk lets the user choose: hold and switch, drop and
	// switch, or go on.
	InterruptAsk InterruptPolicy = "ask"
)

// UnmarshalText accepts the policy names.
func (p *InterruptPolicy) UnmarshalText(b []byte) error {
	switch v := InterruptPolicy(b); v {
	case InterruptHold, InterruptDiscard, InterruptNotAllowed, InterruptAsk:
		*p = v
		return nil
	}
	return fmt.Errorf("unknown interruption policy %q (want hold, discard, not_allowed or ask)", b)
}

// ResumeMode says how a held task comes back once the task that
// interrupted it ends.
type ResumeMode string

// The resume modes.
const (
	// ResumeAnnounce says which task comes back and asks its question
	// again (the default).
	ResumeAnnounce ResumeMode = "announce"
	// ResumeConfirm asks first whether to go back to it; no drops it.
	ResumeConfirm ResumeMode = "confirm"
)

// UnmarshalText accepts the resume mode names.
func (m *ResumeMode) UnmarshalText(b []byte) error {
	switch v := ResumeMode(b); v {
	case ResumeAnnounce, ResumeConfirm:
		*m = v
		return nil
	}
	return fmt.Errorf("unknown resume mode %q (want announce or confirm)", b)
}

// InterruptionRules are a task's or a node's interruption settings; an
// empty field takes the enclosing level's.
type InterruptionRules struct {
	Policy InterruptPolicy `yaml:"policy"`
	Resume ResumeMode      `yaml:"resume"`
}

// InterruptionSettings are the bot's interruption settings
// (bot.yaml settings.interruptions).
type InterruptionSettings struct {
	Policy InterruptPolicy `yaml:"policy"`
	Resume ResumeMode      `yaml:"resume"`
	// MaxHeld is how many tasks may be on hold at once (default 3). At
	// the cap the bot holds no more: it offers to drop the running task
	// for the new one instead.
	MaxHeld HeldCap `yaml:"max_held"`
}

// HeldCap is a number of held tasks, from 1 to maxHeldCap.
type HeldCap int

const (
	defaultHeldCap = 3
	maxHeldCap     = 10
)

// UnmarshalText accepts a whole number from 1 to maxHeldCap.
func (c *HeldCap) UnmarshalText(b []byte) error {
	n, err := strconv.Atoi(string(b))
	if err != nil || n < 1 || n > maxHeldCap {
		return fmt.Errorf("%q is not a whole number from 1 to %d", b, maxHeldCap)
	}
	*c = HeldCap(n)
	return nil
}

// heldCap is the bot's cap on held tasks.
func (r *Runtime) heldCap() int {
	if c := int(r.bot.Config.Settings.Interruptions.MaxHeld); c > 0 {
		return c
	}
	return defaultHeldCap
}

// policyAt is the interruption policy of the node the running task waits
// at: the node's, else the task's, else the bot's, else hold.
func (r *Runtime) policyAt(st *state) InterruptPolicy {
	p, _ := r.rulesAt(st)
	return p
}

// resumeAt is how the running task, held now at its node, comes back.
func (r *Runtime) resumeAt(st *state) ResumeMode {
	_, m := r.rulesAt(st)
	return m
}

// rulesAt is the policy and the resume mode where the running task waits,
// each from the innermost level that sets it: the node, the task, the
// bot, else hold and announce.
func (r *Runtime) rulesAt(st *state) (InterruptPolicy, ResumeMode) {
	var levels []InterruptionRules
	task := r.taskOf(st)
	if nd := task.nodeOrNil(st.Node); nd != nil {
		levels = append(levels, nd.Interruptions)
	}
	if task != nil {
		levels = append(levels, task.interruptions)
	}
	bot := r.bot.Config.Settings.Interruptions
	levels = append(levels, InterruptionRules{Policy: bot.Policy, Resume: bot.Resume}, InterruptionRules{Policy: InterruptHold, Resume: ResumeAnnounce})
	var p InterruptPolicy
	var m ResumeMode
	for _, l := range levels {
		if p == "" {
			p = l.Policy
		}
		if m == "" {
			m = l.Resume
		}
	}
	return p, m
}
