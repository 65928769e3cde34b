package templates

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/http"

	"github.com/botforge/dialogd/dialog"
	"github.com/botforge/dialogd/dialog/convtest"
	"github.com/botforge/dialogd/nodes"
)

// TestOptions tune RunTests.
type TestOptions struct {
	// Params override every test's parameter values, e.g. api_base set to
	// the URL of a test server.
	Params map[string]string
	// HTTPClient makes the service calls; nil means the runtime's default.
	HTTPClient *http.Client
	// Auth applies the auth profiles the task's service nodes name (an
	// *auth.Manager, say, whose profiles point at a Salesforce emulator).
	// Nil leaves them as declared for the check: kind none, no
	// credentials and no base URL.
	Auth nodes.Authorizer
	// Records is the Salesforce org the tests' given: records are
	// created in and their records: checks query (a
	// *convtest.Salesforce on the emulator Auth points at, say).
	Records convtest.Records
}

// TestFailure is one failed test of a template.
type TestFailure struct {
	Template string
	Test     string
	Turn     int // 1-based; 0 when the test failed before its first turn
	Msg      string
	// Failure is the runner's account of it (want, got, the
	// conversation so far); nil when the task did not render or load.
	Failure *convtest.Failure
}

func (f *TestFailure) Error() string {
	if f.Turn == 0 {
		return fmt.Sprintf("template %s: test %q: %s", f.Template, f.Test, f.Msg)
	}
	return fmt.Sprintf("template %s: test %q: turn %d: %s", f.Template, f.Test, f.Turn, f.Msg)
}

// RunTests runs every test conversation of the template with the runner
// of package convtest (the one botctl test uses), each in a fresh
// in-memory session store against the task rendered with the test's
// parameters (overridden by opts.Params). It returns nil when all pass,
// or the failures (each a *TestFailure) joined.
func (t *Template) RunTests(ctx context.Context, opts TestOptions) error {
	var errs []error
	for i, tc := range t.Tests {
		if err := t.runTest(ctx, i, tc, opts); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

func (t *Template) runTest(ctx context.Context, index int, tc Test, opts TestOptions) error {
	name := tc.DisplayName(index)
	params := maps.Clone(tc.Params)
	if params == nil {
		params = map[string]string{}
	}
	maps.Copy(params, opts.Params)
	taskName, file, err := t.render(params)
	if err != nil {
		return &TestFailure{Template: t.Name, Test: name, Msg: err.Error()}
	}
	bot, err := loadWith(taskName, file)
	if err != nil {
		return &TestFailure{Template: t.Name, Test: name, Msg: err.Error()}
	}
	env := convtest.Env{Bot: bot, Records: opts.Records,
		Options: dialog.Options{HTTPClient: opts.HTTPClient, Auth: opts.Auth}}
	res := convtest.Run(ctx, env, tc, index)
	if f := res.Failure; f != nil {
		return &TestFailure{Template: t.Name, Test: name, Turn: f.Turn, Msg: f.Summary(), Failure: f}
	}
	return nil
}
