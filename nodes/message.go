package nodes

import (
	"context"
	"errors"
	"fmt"
)

func init() {
	Register(Info{
		Type:    "message",
		New:     func() Node { return new(Message) },
		Summary: "Say a text, with optional buttons, and optionally wait for the user's answer.",
	})
}

// Message says a localized text, optionally with buttons and quick replies.
//
//	type: message
//	text: {en: "Lead {{ create_lead.response.body.id }} created.", de: "Lead angelegt."}
//	buttons: [{title: Open, payload: open_lead}]
//	wait: true
//
// With wait set, the dialog stays at the node until the user answers; the
// answer is stored as input (a button's payload, or the typed text) and the
// node's transitions can branch on it, e.g. input == "open_lead".
type Message struct {
	// Text is what the bot says.
	Text Text `yaml:"text"`
	// Buttons are shown with the message and stay visible.
	Buttons []ButtonSpec `yaml:"buttons"`
	// QuickReplies are suggestions that disappear after the next input.
	QuickReplies []ButtonSpec `yaml:"quick_replies"`
	// Wait keeps the dialog at the node until the user answers.
	Wait bool `yaml:"wait"`
	// Card shows a record with the text (see [CardSpec]).
	Card *CardSpec `yaml:"card"`
}

// ButtonSpec is a button or quick reply in a node's config.
type ButtonSpec struct {
	// Title is the label; localized and templated.
	Title Text `yaml:"title"`
	// Payload is what the button sends back; empty means the title.
	Payload string `yaml:"payload"`
}

// Validate requires a text and a title on every button.
func (n *Message) Validate() error {
	if n.Text.IsZero() && n.Card == nil {
		return errors.New("text is required")
	}
	if n.Card != nil {
		if err := n.Card.Validate(); err != nil {
			return err
		}
	}
	if err := validateButtons("buttons", n.Buttons); err != nil {
		return err
	}
	return validateButtons("quick_replies", n.QuickReplies)
}

func validateButtons(field string, list []ButtonSpec) error {
	for i, b := range list {
		if b.Title.IsZero() {
			return fmt.Errorf("%s[%d]: title is required", field, i)
		}
	}
	return nil
}

// renderButtons renders button specs for the turn.
func renderButtons(t *Turn, field string, list []ButtonSpec) ([]Button, error) {
	if len(list) == 0 {
		return nil, nil
	}
	out := make([]Button, len(list))
	for i, b := range list {
		title, err := b.Title.Render(t)
		if err != nil {
			return nil, fmt.Errorf("%s[%d]: %w", field, i, err)
		}
		payload := b.Payload
		if payload == "" {
			payload = title
		}
		out[i] = Button{Title: title, Payload: payload}
	}
	return out, nil
}

// Run says the message and waits when Wait is set.
func (n *Message) Run(ctx context.Context, t *Turn) (Outcome, error) {
	text, err := renderOptional(t, n.Text)
	if err != nil {
		return Outcome{}, fmt.Errorf("message text: %w", err)
	}
	buttons, err := renderButtons(t, "buttons", n.Buttons)
	if err != nil {
		return Outcome{}, err
	}
	quick, err := renderButtons(t, "quick_replies", n.QuickReplies)
	if err != nil {
		return Outcome{}, err
	}
	r := Reply{Type: ReplyMessage, Text: text, Buttons: buttons, QuickReplies: quick}
	if n.Card != nil {
		card, err := n.Card.Render(t)
		if err != nil {
			return Outcome{}, err
		}
		r.WithCard(card)
	}
	t.Say(r)
	if n.Wait {
		return Wait(), nil
	}
	return Next(), nil
}

// Input stores the user's answer as input and follows the transitions.
func (n *Message) Input(ctx context.Context, t *Turn, in Input) (Outcome, error) {
	t.Memory.Input = in.Value()
	return Next(), nil
}

var (
	_ InputNode = (*Message)(nil)
	_ Validator = (*Message)(nil)
)
