// Package browsertest is a test helper that drives the web widget in a
// real headless Chromium through chromedp.
//
// New starts a fresh browser with its own profile and returns the context
// of its tab; the other helpers take that context, run a step, and fail
// the test with the step's name when it does not succeed. Transcript and
// WaitTranscript read the widget's rendered conversation as "role: text"
// lines. A missing Chromium fails the test rather than skipping it: the
// widget is not tested without a browser, and `make deps` installs one.
// Under `go test -short` (the fast tier, `make test-short`) the helpers
// skip the test instead, with a message that says so.
package browsertest
