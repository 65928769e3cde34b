// Package convtest runs conversation tests: scripted conversations with a
// bot, each turn a typed text (say) or a pressed button (click), and
// expectations on the bot's answer (a text or /regular expression/, the
// kinds of frames it sent, values in the conversation's context) and on
// the Salesforce records the conversation left behind.
//
// One runner serves two callers: a template's own tests
// (templates.Template.RunTests, against the task rendered into a minimal
// bot) and botctl test (every tests/*.yaml of a bot directory, against
// the bot as botd loads it and an embedded sfsim). Each test runs in a
// fresh in-memory session store; the dialog's transitions are traced
// (dialog.WithTrace) so that callers can report which of a task's
// declared exits the tests took ([Coverage]).
//
// The schema ([Test], [Turn]) is the tests: list of a template file and
// of a bot's tests/<task>.yaml; docs/templates.md describes it for
// designers.
package convtest
