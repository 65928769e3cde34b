package convtest

import (
	"fmt"
	"strings"
)

// Failure is the first expectation of a test that did not hold.
type Failure struct {
	// Turn is 1-based; 0 when the test failed before its first turn.
	Turn int
	// Action is the turn's: say "…" or click "…".
	Action string
	// Check names what failed: given, turn (the turn as written), button,
	// answer, text, kind, context or records.
	Check string
	// Query is the SOQL of a records check.
	Query string
	// Want and Got describe the difference, one or more lines each; Msg
	// is a sentence, for failures that are not a difference.
	Want, Got, Msg string
	// Transcript is the conversation up to and including the failed turn.
	Transcript []Exchange
}

// Summary is the failure on one line: the turn's action and what went
// wrong.
func (f *Failure) Summary() string {
	var b strings.Builder
	if f.Action != "" {
		b.WriteString(f.Action + ": ")
	}
	switch {
	case f.Check == "text":
		fmt.Fprintf(&b, "got %s, want %s", f.Got, f.Want)
	case f.Want != "" || f.Got != "":
		fmt.Fprintf(&b, "%s: want %s, got %s", f.Check, oneLine(f.Want), oneLine(f.Got))
	default:
		b.WriteString(f.Msg)
	}
	return b.String()
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(strings.ReplaceAll(s, "\n", "; ")), " ")
}

// Report writes the failure for a designer: where, want against got,
// and the conversation so far, each line indented by indent.
func (f *Failure) Report(indent string) string {
	var b strings.Builder
	line := func(format string, args ...any) {
		b.WriteString(indent + fmt.Sprintf(format, args...) + "\n")
	}
	block := func(label, text string) {
		lines := strings.Split(text, "\n")
		line("%-6s %s", label, lines[0])
		for _, l := range lines[1:] {
			line("       %s", l)
		}
	}
	if f.Turn > 0 {
		line("turn %d, %s: %s", f.Turn, f.Action, checkWords[f.Check])
	} else {
		line("before the conversation: %s", checkWords[f.Check])
	}
	if f.Query != "" {
		block("query", f.Query)
	}
	if f.Msg != "" {
		block("error", f.Msg)
	}
	if f.Want != "" || f.Got != "" {
		block("want", f.Want)
		block("got", f.Got)
	}
	if len(f.Transcript) > 0 {
		line("conversation so far:")
		for i, ex := range f.Transcript {
			line("  %d > %s", i+1, ex.Action)
			for _, l := range strings.Split(ex.Answer, "\n") {
				line("    < %s", l)
			}
		}
	}
	return b.String()
}

// checkWords say what a check is about.
var checkWords = map[string]string{
	"given":   "seeding the org failed",
	"turn":    "the turn is not valid",
	"button":  "the button is not there",
	"answer":  "the bot could not answer",
	"text":    "the answer's text differs",
	"kind":    "the answer's frames differ",
	"context": "the context differs",
	"records": "the Salesforce records differ",
}
