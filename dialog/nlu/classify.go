package nlu

import (
	"fmt"
	"sort"
)

// Model is a trained classifier. It is read-only after Train, so
// Classify may be called from many goroutines at once.
type Model struct {
	opts  Options
	exact map[string]string // normalised text → intent (baseline)
}

// Train builds a model from examples. An example without intent is an
// error; one whose text normalises to nothing is skipped.
func Train(examples []Example, opts Options) (*Model, error) {
	opts, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	m := &Model{opts: opts, exact: map[string]string{}}
	for i, ex := range examples {
		if ex.Intent == "" {
			return nil, fmt.Errorf("nlu: example %d (%q) has no intent", i, ex.Text)
		}
		if t := normalize(ex.Text); t != "" {
			m.exact[t] = ex.Intent
		}
	}
	if len(m.exact) == 0 {
		return nil, ErrNoExamples
	}
	return m, nil
}

// Classify tells which intents text asks for. lang is the conversation's
// language (e.g. "en", "de-CH", "ja"); it may be empty.
func (m *Model) Classify(text, lang string) Result {
	if intent, ok := m.exact[normalize(text)]; ok {
		return Result{Verdict: Confident, Matches: []Match{{Intent: intent, Score: 1}}}
	}
	return Result{Verdict: Unknown}
}

var _ = sort.Slice
