package main

import (
	"context"
	"crypto/rand"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"sync"
	"time"

	"github.com/botforge/dialogd/auth"
	"github.com/botforge/dialogd/dialog"
	"github.com/botforge/dialogd/dialog/convtest"
	"github.com/botforge/dialogd/nodes"
	"github.com/botforge/dialogd/sessions"
)

func testCommand() *command {
	return &command{
		name: "test", args: "DIR", minArgs: 1, maxArgs: 1,
		summary: []string{
			"run the bot's conversation tests (DIR/tests/*.yaml) in this process against an embedded sfsim,",
			"a fresh org per tests file; print a line per task with its transition coverage and a diff",
			"for each failure; exit status 1 when a test fails",
		},
		setup: func(fs *flag.FlagSet, c cli) func([]string) int {
			pattern := fs.String("run", "", "run only the tests whose TASK/TEST name matches this `regexp`")
			verbose := fs.Bool("v", false, "list every test, and the transitions no test took")
			return func(args []string) int {
				re, err := regexp.Compile(*pattern)
				if err != nil {
					c.errf("test", "-run: %v", err)
					return 2
				}
				return testBot(args[0], re, *verbose, c)
			}
		},
	}
}

// testOutcome is one test's result as botctl test reports it.
type testOutcome struct {
	name    string
	skipped string // why it was skipped; "" when it ran
	result  convtest.Result
	where   func(turn int) string // file:line of a turn (0: the test)
}

// taskRun is the outcome of one task's tests.
type taskRun struct {
	task     string
	outcomes []testOutcome
}

func testBot(dir string, filter *regexp.Regexp, verbose bool, c cli) int {
	began := time.Now()
	bot, err := dialog.LoadDir(dir)
	if err != nil {
		c.errf("test", "%s does not load (botctl lint %s says why):\n%v", dir, dir, err)
		return 1
	}
	suites, err := loadSuites(dir, bot)
	if err != nil {
		fmt.Fprintln(c.stderr, err)
		c.errf("test", "the tests in %s have problems; nothing ran", filepath.Join(dir, "tests"))
		return 1
	}
	others, closeOthers, err := otherProfiles(bot)
	if err != nil {
		c.errf("test", "%v", err)
		return 1
	}
	defer closeOthers()
	runs, moves := runSuites(bot, suites, others, filter)
	rep := testReport{bot: bot, runs: runs, moves: moves, verbose: verbose, filtered: filter.String() != "", took: time.Since(began)}
	return rep.write(c.stdout)
}

// runSuites runs the suites side by side, as many at a time as Go uses
// processors, and returns the tasks with selected tests in suite order.
func runSuites(bot *dialog.Bot, suites []suite, others nodes.Authorizer, filter *regexp.Regexp) ([]taskRun, []convtest.Move) {
	results := make([]taskRun, len(suites))
	moves := make([][]convtest.Move, len(suites))
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	var wg sync.WaitGroup
	for i := range suites {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			results[i], moves[i] = runSuite(context.Background(), bot, &suites[i], others, filter)
		})
	}
	wg.Wait()
	var runs []taskRun
	for _, tr := range results {
		if len(tr.outcomes) > 0 {
			runs = append(runs, tr)
		}
	}
	return runs, slices.Concat(moves...)
}

// runSuite runs the tests of one file that filter selects, in order, on
// one fresh org (as a template's tests run): a test may build on the
// records an earlier one left.
func runSuite(ctx context.Context, bot *dialog.Bot, s *suite, others nodes.Authorizer, filter *regexp.Regexp) (taskRun, []convtest.Move) {
	tr := taskRun{task: s.task}
	var moves []convtest.Move
	var env *convtest.Env
	for i, tc := range s.tests {
		name := tc.DisplayName(i)
		if !filter.MatchString(s.task + "/" + name) {
			continue
		}
		out := testOutcome{name: name, skipped: s.skipReason(tc), where: func(turn int) string { return s.where(i, turn) }}
		if out.skipped == "" && env == nil {
			org, err := startTestOrg()
			if err != nil {
				out.result = convtest.Result{Name: name, Failure: &convtest.Failure{Check: "given", Msg: err.Error()}}
				tr.outcomes = append(tr.outcomes, out)
				return tr, moves
			}
			defer org.close()
			env = &convtest.Env{Bot: bot, Records: org.sf, PerUser: perUserProfiles(bot), Options: dialog.Options{
				HTTPClient: testOrgClient,
				Auth:       org.sf.Authorizer(salesforceProfiles(bot), others),
			}}
		}
		if out.skipped == "" {
			out.result = convtest.Run(ctx, *env, tc, i)
			moves = append(moves, out.result.Moves...)
		}
		tr.outcomes = append(tr.outcomes, out)
	}
	return tr, moves
}

// salesforceProfiles are the bot's auth profiles on the salesforce
// preset, whatever their kind and mode: the tests point them at sfsim.
func salesforceProfiles(bot *dialog.Bot) map[string]bool {
	out := map[string]bool{}
	for name, p := range bot.Config.AuthProfiles {
		if p != nil && p.Salesforce != nil {
			out[name] = true
		}
	}
	return out
}

// perUserProfiles are the Salesforce profiles each user signs in to: a
// test with signed_in: false meets their authorize frame.
func perUserProfiles(bot *dialog.Bot) map[string]bool {
	out := map[string]bool{}
	for name := range salesforceProfiles(bot) {
		if bot.Config.AuthProfiles[name].Mode == auth.ModePerUser {
			out[name] = true
		}
	}
	return out
}

// otherProfiles is the auth manager of the bot's other profiles (nil when
// it has none), as botd builds it, on an in-memory store with a key of
// its own: their secrets come from the environment as in botd.
func otherProfiles(bot *dialog.Bot) (nodes.Authorizer, func(), error) {
	sf := salesforceProfiles(bot)
	profiles := maps.Clone(bot.Config.AuthProfiles)
	maps.DeleteFunc(profiles, func(name string, _ *auth.Profile) bool { return sf[name] })
	if len(profiles) == 0 {
		return nil, func() {}, nil
	}
	kr, err := auth.KeyringFromSecrets([]byte(rand.Text() + rand.Text()))
	if err != nil {
		return nil, nil, fmt.Errorf("test: %w", err)
	}
	store := sessions.NewMemory(sessions.Options{})
	m, err := auth.NewManager(bot.Config.Name, profiles, store, auth.Options{
		PublicURL: "http://127.0.0.1", Keyring: kr, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		store.Close()
		return nil, nil, fmt.Errorf("test: bot %s: %w", bot.Config.Name, err)
	}
	return m, func() { store.Close() }, nil
}
