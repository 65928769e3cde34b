package dialog

import (
	"github.com/botforge/dialogd/dialog/nlu"
)

// NLUSettings tune how sure the bot's intent classifier must be before a
// sentence starts a task (bot.yaml settings.nlu).
type NLUSettings struct {
	// Threshold is the score in [0,1] below which a sentence is not
	// understood: the user is told so and shown the closest tasks.
	// Default 0.3.
	Threshold float64 `yaml:"threshold"`
	// TieMargin is how close, in score, the best two tasks may be before
	// the bot asks "did you mean A or B?" instead of choosing. Default 0.1.
	TieMargin float64 `yaml:"tie_margin"`
}

func (s NLUSettings) options() nlu.Options {
	return nlu.Options{Threshold: s.Threshold, TieMargin: s.TieMargin}
}

// trainClassifier builds the bot's intent classifier from its tasks'
// training utterances. A bot without any has none: only button payloads
// start its tasks.
func (b *Bot) trainClassifier() error {
	m, err := nlu.Train(b.TrainingExamples(), b.Config.Settings.NLU.options())
	if err == nlu.ErrNoExamples {
		return nil
	}
	b.classifier = m
	return err
}

// Classify tells which of the bot's tasks text asks for, as the runtime
// decides when no task is running: a training utterance (case, width and
// punctuation aside) is a confident match at score 1; otherwise the
// classifier's verdict, except that text starting with a training
// utterance ("create a lead for Ada") is a confident match when the
// classifier is unsure. lang is the conversation's language, a hint.
// The result's matches may be shared: read them, do not change them.
func (b *Bot) Classify(text, lang string) nlu.Result {
	return b.classify(normalize(text), text, lang)
}

// classify is Classify with the text's normalised form already made.
func (b *Bot) classify(n, text, lang string) nlu.Result {
	if hit, ok := b.intent.exact[n]; ok {
		return nlu.Result{Verdict: nlu.Confident, Matches: b.intent.sure[hit.task]}
	}
	var res nlu.Result
	if b.classifier != nil {
		res = b.classifier.Classify(text, lang)
		if res.Verdict == nlu.Confident {
			return res
		}
	}
	if hit, ok := b.intent.match(n); ok {
		return nlu.Result{Verdict: nlu.Confident, Matches: b.intent.sure[hit.task]}
	}
	return res
}
