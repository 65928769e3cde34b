package nodes

import (
	"errors"
	"fmt"
	"strings"
)

// Card is a record shown in a reply: a title, a few labelled fields and a
// link (the record in its system, "View Lead"). A reply with a card also
// carries the card as plain text in its text, after its lead sentence, for
// clients that do not know cards; clients that do show Lead and the card.
type Card struct {
	Title    string      `json:"title"`
	Subtitle string      `json:"subtitle,omitempty"`
	Fields   []CardField `json:"fields,omitempty"`
	Link     *Button     `json:"link,omitempty"` // a link button (URL set)
}

// CardField is one labelled value of a card.
type CardField struct {
	Label string `json:"label"`
	Value string `json:"value"`
}

// CardSpec is a card in a node's config; every text is localized and
// templated. A field whose value renders empty is left out, and so is a
// link whose url does.
//
//	card:
//	  title: "{{ create.record.FirstName }} {{ create.record.LastName }}"
//	  subtitle: "{{ create.record.Company }}"
//	  fields:
//	    - {label: {en: E-mail, de: E-Mail, ja: メール}, value: "{{ create.record.Email }}"}
//	  link: {title: {en: View Lead, de: Lead ansehen, ja: リードを表示}, url: "{{ create.link }}"}
type CardSpec struct {
	Title    Text            `yaml:"title"`
	Subtitle Text            `yaml:"subtitle"`
	Fields   []CardFieldSpec `yaml:"fields"`
	Link     *LinkSpec       `yaml:"link"`
}

// CardFieldSpec is a card field in a node's config.
type CardFieldSpec struct {
	Label Text `yaml:"label"`
	Value Text `yaml:"value"`
}

// LinkSpec is a link button in a node's config.
type LinkSpec struct {
	Title Text    `yaml:"title"`
	URL   *Interp `yaml:"url"`
}

// maxCardFields bounds a card: it is a summary, not a record page.
const maxCardFields = 12

// Validate checks that the card has a title and its parts what they need.
func (c *CardSpec) Validate() error {
	if c.Title.IsZero() {
		return errors.New("card: title is required")
	}
	if len(c.Fields) > maxCardFields {
		return fmt.Errorf("card: %d fields; at most %d", len(c.Fields), maxCardFields)
	}
	for i, f := range c.Fields {
		if f.Label.IsZero() || f.Value.IsZero() {
			return fmt.Errorf("card: fields[%d] needs a label and a value", i)
		}
	}
	if c.Link != nil && (c.Link.Title.IsZero() || c.Link.URL.IsZero()) {
		return errors.New("card: link needs a title and a url")
	}
	return nil
}

// Render renders the card for the turn.
func (c *CardSpec) Render(t *Turn) (*Card, error) {
	title, err := c.Title.Render(t)
	if err != nil {
		return nil, fmt.Errorf("card title: %w", err)
	}
	out := &Card{Title: title}
	if out.Subtitle, err = renderOptional(t, c.Subtitle); err != nil {
		return nil, fmt.Errorf("card subtitle: %w", err)
	}
	for i, f := range c.Fields {
		v, err := f.Value.Render(t)
		if err != nil {
			return nil, fmt.Errorf("card fields[%d]: %w", i, err)
		}
		if strings.TrimSpace(v) == "" {
			continue
		}
		l, err := f.Label.Render(t)
		if err != nil {
			return nil, fmt.Errorf("card fields[%d]: %w", i, err)
		}
		out.Fields = append(out.Fields, CardField{Label: l, Value: v})
	}
	if c.Link != nil {
		u, err := c.Link.URL.Render(t, EscapeText)
		if err != nil {
			return nil, fmt.Errorf("card link: %w", err)
		}
		if u = strings.TrimSpace(u); safeLink(u) {
			l, err := c.Link.Title.Render(t)
			if err != nil {
				return nil, fmt.Errorf("card link: %w", err)
			}
			out.Link = &Button{Title: l, Payload: u, URL: u}
		}
	}
	return out, nil
}

// safeLink reports whether u is an http or https URL a client may open.
func safeLink(u string) bool {
	return (strings.HasPrefix(u, "https://") || strings.HasPrefix(u, "http://")) && !strings.ContainsAny(u, " \r\n\t\"<>")
}

// PlainText is the card as text, for clients that do not show cards: the
// title (and subtitle), one "label: value" line per field, and the link.
func (c *Card) PlainText() string {
	var b strings.Builder
	b.WriteString(c.Title)
	if c.Subtitle != "" {
		b.WriteString(" — " + c.Subtitle)
	}
	for _, f := range c.Fields {
		b.WriteString("\n" + f.Label + ": " + f.Value)
	}
	if c.Link != nil {
		b.WriteString("\n" + c.Link.Title + ": " + c.Link.URL)
	}
	return b.String()
}

// WithCard adds card to the reply: Lead keeps the reply's own text and
// Text gains the card's plain form.
func (r *Reply) WithCard(card *Card) {
	r.Card, r.Lead = card, r.Text
	if r.Text == "" {
		r.Text = card.PlainText()
		return
	}
	r.Text += "\n" + card.PlainText()
}
