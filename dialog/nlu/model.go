package nlu

import (
	"errors"
	"fmt"
)

// Example is one training utterance of an intent in a language.
type Example struct{ Intent, Lang, Text string }

// Options tunes how sure Classify must be.
type Options struct {
	Threshold float64 // a best score below it is Unknown (0 means DefaultThreshold)
	TieMargin float64 // a best score within it of the second is Ambiguous (0 means DefaultTieMargin)
}

// Defaults of Options.
const (
	DefaultThreshold = 0.3
	DefaultTieMargin = 0.1
)

// Verdict is what Classify concluded about a sentence.
type Verdict int

// The verdicts.
const (
	Unknown   Verdict = iota // no intent scored at least the threshold
	Confident                // the best intent reached the threshold and leads the second clearly
	Ambiguous                // the best two intents are within the tie margin of each other
)

// String names the verdict.
func (v Verdict) String() string {
	switch v {
	case Confident:
		return "confident"
	case Ambiguous:
		return "ambiguous"
	default:
		return "unknown"
	}
}

// Match is one intent with its score in [0,1].
type Match struct {
	Intent string
	Score  float64
}

// Result is Classify's answer: the verdict and the best intents, best
// first, at most MaxMatches.
type Result struct {
	Verdict Verdict
	Matches []Match
}

// MaxMatches is the most intents a Result lists.
const MaxMatches = 3

// ErrNoExamples is returned by Train when no example has text.
var ErrNoExamples = errors.New("nlu: no training examples")

func (o Options) withDefaults() (Options, error) {
	if o.Threshold == 0 {
		o.Threshold = DefaultThreshold
	}
	if o.TieMargin == 0 {
		o.TieMargin = DefaultTieMargin
	}
	if o.Threshold < 0 || o.Threshold > 1 {
		return o, fmt.Errorf("nlu: threshold %v is outside [0,1]", o.Threshold)
	}
	if o.TieMargin < 0 || o.TieMargin > 1 {
		return o, fmt.Errorf("nlu: tie margin %v is outside [0,1]", o.TieMargin)
	}
	return o, nil
}
