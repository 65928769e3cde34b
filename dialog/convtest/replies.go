package convtest

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/botforge/dialogd/nodes"
)

// answer is what the bot sent in one turn, as a test sees it.
type answer struct {
	text    string         // the frames' texts joined by newlines
	buttons []nodes.Button // buttons and quick replies that send something
	kinds   []string       // frame types and message parts present
	err     error          // the turn was refused (an error frame)
}

// readAnswer reads a turn's frames.
func readAnswer(frames [][]byte) (answer, error) {
	var a answer
	var texts []string
	for _, f := range frames {
		var r nodes.Reply
		if err := json.Unmarshal(f, &r); err != nil {
			return answer{}, fmt.Errorf("reply frame is not JSON: %w", err)
		}
		if r.Text != "" {
			texts = append(texts, r.Text)
		}
		a.addKind(r.Type)
		if r.Card != nil {
			a.addKind("card")
			if r.Card.Link != nil {
				a.addKind("link")
			}
		}
		if len(r.QuickReplies) > 0 {
			a.addKind("quick_replies")
		}
		for _, b := range r.Buttons {
			if b.URL != "" {
				a.addKind("link")
			} else {
				a.addKind("buttons")
			}
		}
		for _, b := range append(r.Buttons, r.QuickReplies...) {
			if b.URL == "" {
				a.buttons = append(a.buttons, b)
			}
		}
	}
	a.text = strings.Join(texts, "\n")
	return a, nil
}

func (a *answer) addKind(k string) {
	if k != "" && !slices.Contains(a.kinds, k) {
		a.kinds = append(a.kinds, k)
	}
}

// findButton is the button titled title, compared case-insensitively.
func (a *answer) findButton(title string) (nodes.Button, bool) {
	for _, b := range a.buttons {
		if strings.EqualFold(strings.TrimSpace(b.Title), strings.TrimSpace(title)) {
			return b, true
		}
	}
	return nodes.Button{}, false
}

// buttonTitles lists the titles offered, quoted, or "none".
func (a *answer) buttonTitles() string {
	if len(a.buttons) == 0 {
		return "none"
	}
	titles := make([]string, len(a.buttons))
	for i, b := range a.buttons {
		titles[i] = strconv.Quote(b.Title)
	}
	return strings.Join(titles, ", ")
}
