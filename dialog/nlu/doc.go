// Package nlu is an embedded intent classifier that learns a bot's tasks
// from their training utterances and tells which task a user's sentence
// asks for, or that it asks for none of them.
//
// It needs no network, no cgo and no downloaded model: Train builds the
// model in memory from examples in English, German and Japanese (or any
// other language written in Unicode), and Classify scores one sentence
// against it. Text is normalised first (NFKC, which also folds full- and
// half-width forms, then case folding), so "ＣＲＥＡＴＥ a Lead" and
// "create a lead" are the same sentence.
//
// Classify returns the best intents (at most three, best first) with a
// score in [0,1] and a verdict: Confident when the best score reaches the
// threshold and leads the second by at least the tie margin, Ambiguous
// when two intents are within the margin, Unknown below the threshold.
package nlu
