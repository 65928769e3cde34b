package templates

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"github.com/botforge/dialogd/dialog"
	"github.com/botforge/dialogd/nodes"
	"github.com/botforge/dialogd/sessions"
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
}

// TestFailure is one failed test of a template.
type TestFailure struct {
	Template string
	Test     string
	Turn     int // 1-based; 0 when the test failed before its first turn
	Msg      string
}

func (f *TestFailure) Error() string {
	if f.Turn == 0 {
		return fmt.Sprintf("template %s: test %q: %s", f.Template, f.Test, f.Msg)
	}
	return fmt.Sprintf("template %s: test %q: turn %d: %s", f.Template, f.Test, f.Turn, f.Msg)
}

// RunTests runs every test conversation of the template, each in a fresh
// in-memory session store against the task rendered with the test's
// parameters (overridden by opts.Params). It returns nil when all pass,
// or the failures (each a *TestFailure) joined.
func (t *Template) RunTests(ctx context.Context, opts TestOptions) error {
	var errs []error
	for i, tc := range t.Tests {
		name := tc.Name
		if name == "" {
			name = fmt.Sprintf("#%d", i+1)
		}
		if err := t.runTest(ctx, name, tc, opts); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

func (t *Template) runTest(ctx context.Context, name string, tc Test, opts TestOptions) error {
	fail := func(turn int, format string, args ...any) error {
		return &TestFailure{Template: t.Name, Test: name, Turn: turn, Msg: fmt.Sprintf(format, args...)}
	}
	params := maps.Clone(tc.Params)
	if params == nil {
		params = map[string]string{}
	}
	maps.Copy(params, opts.Params)
	taskName, file, err := t.render(params)
	if err != nil {
		return fail(0, "%v", err)
	}
	bot, err := loadWith(taskName, file)
	if err != nil {
		return fail(0, "%v", err)
	}
	store := sessions.NewMemory(sessions.Options{})
	defer store.Close()
	rt := dialog.NewRuntime(bot, store, dialog.Options{
		HTTPClient: opts.HTTPClient,
		Auth:       opts.Auth,
		Logger:     slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	session := "template-test-" + t.Name
	const user = "template-tester"
	id := nodes.Identity{UserID: user}
	if ti := tc.Identity; ti != nil {
		id = nodes.Identity{UserID: user, Subject: ti.Subject, Name: ti.Name, Email: ti.Email,
			Phone: ti.Phone, Verified: ti.Verified}
	}
	ctx = nodes.WithIdentity(ctx, id)
	var buttons []nodes.Button // of the previous turn's replies
	for i, turn := range tc.Turns {
		in := nodes.Input{ID: fmt.Sprintf("m%d", i+1), Text: turn.Say}
		what := fmt.Sprintf("say %q", turn.Say)
		if turn.Click != "" {
			what = fmt.Sprintf("click %q", turn.Click)
			b, ok := findButton(buttons, turn.Click)
			if !ok {
				return fail(i+1, "%s: no such button (the replies offered %s)", what, buttonTitles(buttons))
			}
			in.Text, in.Payload = b.Title, b.Payload
		}
		frames, err := rt.Handle(ctx, session, user, in)
		if err != nil {
			return fail(i+1, "%s: %v", what, err)
		}
		var got string
		got, buttons, err = readReplies(frames)
		if err != nil {
			return fail(i+1, "%s: %v", what, err)
		}
		m, _ := compileExpect(turn.Expect) // checked by Parse
		if !m.match(got) {
			return fail(i+1, "%s: got %q, want %s", what, got, m)
		}
	}
	return nil
}

// readReplies joins the texts of a turn's frames with newlines and
// collects their buttons and quick replies (link buttons left out: they
// send nothing).
func readReplies(frames [][]byte) (string, []nodes.Button, error) {
	var texts []string
	var buttons []nodes.Button
	for _, f := range frames {
		var r nodes.Reply
		if err := json.Unmarshal(f, &r); err != nil {
			return "", nil, fmt.Errorf("reply frame is not JSON: %w", err)
		}
		if r.Text != "" {
			texts = append(texts, r.Text)
		}
		for _, b := range append(r.Buttons, r.QuickReplies...) {
			if b.URL == "" {
				buttons = append(buttons, b)
			}
		}
	}
	return strings.Join(texts, "\n"), buttons, nil
}

// findButton is the button titled title, compared case-insensitively.
func findButton(buttons []nodes.Button, title string) (nodes.Button, bool) {
	for _, b := range buttons {
		if strings.EqualFold(strings.TrimSpace(b.Title), strings.TrimSpace(title)) {
			return b, true
		}
	}
	return nodes.Button{}, false
}

func buttonTitles(buttons []nodes.Button) string {
	if len(buttons) == 0 {
		return "none"
	}
	titles := make([]string, len(buttons))
	for i, b := range buttons {
		titles[i] = strconv.Quote(b.Title)
	}
	return strings.Join(titles, ", ")
}

// expectation is a turn's expect: a substring or a /regexp/.
type expectation struct {
	sub string
	re  *regexp.Regexp
}

func compileExpect(s string) (expectation, error) {
	if s == "" {
		return expectation{}, errors.New("expect is empty")
	}
	if len(s) >= 2 && s[0] == '/' && s[len(s)-1] == '/' {
		re, err := regexp.Compile(s[1 : len(s)-1])
		if err != nil {
			return expectation{}, fmt.Errorf("expect %s: %w", s, err)
		}
		return expectation{re: re}, nil
	}
	return expectation{sub: s}, nil
}

func (e expectation) match(got string) bool {
	if e.re != nil {
		return e.re.MatchString(got)
	}
	return strings.Contains(got, e.sub)
}

func (e expectation) String() string {
	if e.re != nil {
		return "a match of /" + e.re.String() + "/"
	}
	return fmt.Sprintf("%q in it", e.sub)
}
