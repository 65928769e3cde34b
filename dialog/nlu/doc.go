// Package nlu is an embedded intent classifier that learns a bot's tasks
// from their training utterances and tells which task a user's sentence
// asks for, or that it asks for none of them.
//
// It needs no network, no cgo and no downloaded model: Train builds the
// model in memory from examples in English, German and Japanese (or any
// other language written in Unicode) in well under a second for a
// 50-task bot, and Classify scores one sentence in tens of microseconds
// with one allocation.
//
// # Features
//
// Text is normalised first: NFKC (which folds full- and half-width forms,
// so "ＣＲＥＡＴＥ" is "CREATE" and "ﾘｰﾄﾞ" is "リード"), then full case
// folding ("Straße" meets "STRASSE"). It is split into words at spaces,
// punctuation and changes between alphabetic and Japanese script. The
// features of a sentence are its words, neighbouring word pairs (word
// order), character 3- and 4-grams inside each alphabetic word (typos,
// German inflection and compounds: "Leadstatus" shares n-grams with
// "Lead" and "Status"), character 1- to 3-grams of each Japanese run (no
// spaces between words), the action a verb names and the kind of record a
// noun names across wording and language ("modify" and "change", "löschen"
// and "entfernen", "修正" and "変更"; "ticket", "Fall" and "問い合わせ" for a
// case), counting a verb one typo off ("delte") and a German compound that
// ends in a record's name ("Marketingkampagne"), phrasal verbs ("set
// up"), the pair of action and record in either word order ("delete a
// case", "Fall löschen") and of action and the record the request is
// about (the first named in English and German, the last in a Japanese
// run: "a deal for the Initech account" is a deal), and whether the sentence asks after a status
// or an existence ("status", "gibt es", "ありますか"). Record details are
// one placeholder word each, whatever their value: an e-mail address, a
// number with its separators (an id, a phone number, a date) and a
// Japanese name before さん, so a detail neither dilutes a sentence nor
// has to be seen in training.
// Politeness, sentence frames and question endings ("I'd like to …
// please", "ich möchte bitte …", "…してください", "…ですか") count for
// little.
//
// # Model
//
// Two learners share the tf-idf vectors of the training utterances:
//
//   - similarity: the cosine of the sentence to the intent's nearest
//     training utterance, blended with the cosine to the intent's
//     centroid. It says how much the sentence looks like the intent's
//     phrases at all, which is what tells out-of-scope text apart, and an
//     exact training phrase scores 1.
//   - a multinomial logistic regression, trained by a fixed-seed
//     stochastic gradient descent, which learns the features that set
//     intents apart (in a bot with "create a campaign" and "update a
//     campaign", "campaign" says little and the verb much).
//
// An intent's score is the geometric mean of the two, in [0,1]. The pair
// beats either alone on held-out sentences: similarity by itself ties on
// shared objects, and a softmax by itself is sure of itself on text it
// has never seen anything like. Naive Bayes was not chosen because its
// probabilities are too extreme to threshold.
//
// # Verdicts
//
// Classify returns the best intents (at most three, best first) and a
// verdict: Confident when the best score reaches Options.Threshold and
// leads the second by at least Options.TieMargin, Ambiguous when the best
// two are within the margin (for "did you mean A or B?"), Unknown below
// the threshold (for "I didn't understand", with the matches as the
// closest tasks). A text that is only typed values (a phone number, an
// e-mail address) is Unknown: it answers a question, it asks for no task.
// Training and classifying are deterministic.
package nlu
