package nodes

import (
	"context"
	"errors"
	"fmt"
)

func init() {
	Register(Info{
		Type:    "confirmation",
		New:     func() Node { return new(Confirmation) },
		Summary: "Ask a yes/no question and branch on the answer.",
	})
}

// Confirmation asks a yes/no question with Yes/No quick replies and goes to
// on_yes, on_no or on_else. Answers are read with [ParseYesNo] in the
// turn's language plus the node's own synonyms, so "yep", "of course not",
// "はい", "auf keinen Fall" and 👍 all work.
//
//	type: confirmation
//	prompt: "Create a lead for {{ entities.name }}?"
//	on_yes: create_lead
//	on_no: ask_name
//	yes_synonyms: [go for it]
//	retries: 2
//
// An empty on_yes or on_no follows the node's transitions. Any other
// answer goes to on_else when it is set; otherwise the node re-prompts
// with its error prompts (cycling) up to retries times and then ends the
// task as failed with fail_message (by default the host's text for
// retries_exhausted). The answer is stored as input and as
// <node id>.answer ("yes" or "no") for conditions.
type Confirmation struct {
	// Prompt is the question.
	Prompt Text `yaml:"prompt"`
	// OnYes is where a yes answer goes.
	OnYes Target `yaml:"on_yes"`
	// OnNo is where a no answer goes.
	OnNo Target `yaml:"on_no"`
	// OnElse is where any other answer goes; unset means re-prompt.
	OnElse Target `yaml:"on_else"`
	// YesSynonyms are extra phrases that mean yes, in any language.
	YesSynonyms []string `yaml:"yes_synonyms"`
	// NoSynonyms are extra phrases that mean no, in any language.
	NoSynonyms []string `yaml:"no_synonyms"`
	// Retries is how many times an unclear answer is re-prompted before
	// the task fails; 3 when omitted, 0 fails at the first unclear answer.
	Retries *int `yaml:"retries"`
	// ErrorPrompts are said instead of the prompt after an unclear answer;
	// a built-in sentence when empty.
	ErrorPrompts TextList `yaml:"error_prompts"`
	// FailMessage is what the user is told when retries run out; empty
	// leaves it to the host (failure_text, events.failures.retries_exhausted).
	FailMessage Text `yaml:"fail_message"`
	// Card shows what the user confirms, as a summary card with the
	// prompt (see [CardSpec]).
	Card *CardSpec `yaml:"card"`

	retries   int
	yesN, noN []string // normalized synonyms
}

// DefaultRetries is the number of re-prompts of nodes that ask again.
const DefaultRetries = 3

// Provision fills in the default retries.
func (n *Confirmation) Provision(h *Host) error {
	n.retries = DefaultRetries
	if n.Retries != nil {
		n.retries = *n.Retries
	}
	n.yesN, n.noN = normalizeAll(n.YesSynonyms), normalizeAll(n.NoSynonyms)
	return nil
}

// Validate requires a prompt and a sane retry count.
func (n *Confirmation) Validate() error {
	if n.Prompt.IsZero() {
		return errors.New("prompt is required")
	}
	if n.Retries != nil && (*n.Retries < 0 || *n.Retries > 10) {
		return fmt.Errorf("retries must be between 0 and 10, got %d", *n.Retries)
	}
	if n.Card != nil {
		return n.Card.Validate()
	}
	return nil
}

// quickYesNo returns the localized Yes/No quick replies (phrases
// button.yes and button.no).
func quickYesNo(t *Turn) []Button {
	return []Button{{Title: t.Phrase("button.yes"), Payload: yesPayload}, {Title: t.Phrase("button.no"), Payload: noPayload}}
}

// Run asks the question and waits.
func (n *Confirmation) Run(ctx context.Context, t *Turn) (Outcome, error) {
	if t.State != nil {
		t.State.Retries = 0
	}
	text, err := n.Prompt.Render(t)
	if err != nil {
		return Outcome{}, fmt.Errorf("confirmation prompt: %w", err)
	}
	r := Reply{Type: ReplyMessage, Text: text, QuickReplies: quickYesNo(t)}
	if n.Card != nil {
		card, err := n.Card.Render(t)
		if err != nil {
			return Outcome{}, fmt.Errorf("confirmation: %w", err)
		}
		r.WithCard(card)
	}
	t.Say(r)
	return Wait(), nil
}

// Input reads the answer.
func (n *Confirmation) Input(ctx context.Context, t *Turn, in Input) (Outcome, error) {
	v := in.Value()
	t.Memory.Input = v
	yesN, noN := n.yesN, n.noN
	if yesN == nil && noN == nil { // not provisioned
		yesN, noN = normalizeAll(n.YesSynonyms), normalizeAll(n.NoSynonyms)
	}
	yes, ok := parseYesNo(v, t.Lang, yesN, noN)
	if ok {
		answer := "no"
		if yes {
			answer = "yes"
		}
		if t.NodeID != "" && !IsReservedRoot(t.NodeID) {
			t.Memory.SetNode(t.NodeID, map[string]any{"answer": answer})
		}
		if yes {
			return GoTo(n.OnYes), nil
		}
		return GoTo(n.OnNo), nil
	}
	if n.OnElse != "" {
		return GoTo(n.OnElse), nil
	}
	if t.State == nil {
		t.State = &NodeState{}
	}
	t.State.Retries++
	if t.State.Retries > n.retries {
		s, err := renderOptional(t, n.FailMessage)
		if err != nil {
			return Outcome{}, fmt.Errorf("confirmation fail_message: %w", err)
		}
		return FailWith(FailRetries, s), nil
	}
	s := t.Phrase("confirmation.unclear")
	if prompt := n.ErrorPrompts.Pick(t.State.Retries - 1); !prompt.IsZero() {
		var err error
		if s, err = prompt.Render(t); err != nil {
			return Outcome{}, fmt.Errorf("confirmation error prompt: %w", err)
		}
	}
	t.Say(Reply{Type: ReplyMessage, Text: s, QuickReplies: quickYesNo(t)})
	return Wait(), nil
}

var (
	_ InputNode   = (*Confirmation)(nil)
	_ Provisioner = (*Confirmation)(nil)
	_ Validator   = (*Confirmation)(nil)
)
