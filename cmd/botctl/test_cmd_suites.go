package main

import (
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/botforge/dialogd/dialog"
	"github.com/botforge/dialogd/dialog/convtest"
	"github.com/botforge/dialogd/nodes"
	"github.com/botforge/dialogd/templates"
)

// suite is one tests file: the tests of one task.
type suite struct {
	file  string // as given on the command line, joined with tests/…
	task  string
	tests []convtest.Test
	// params are the values the task was installed with (nil for a
	// tests file written by hand).
	params map[string]string
	// lines are where each test's turns are written, by test and turn;
	// a test's own line comes first.
	lines [][]int
}

// where is the file and line of a test's turn (turn 0: the test).
func (s *suite) where(test, turn int) string {
	if test < len(s.lines) && turn < len(s.lines[test]) {
		return fmt.Sprintf("%s:%d", s.file, s.lines[test][turn])
	}
	return s.file
}

// loadSuites reads DIR/tests/*.yaml in name order. A file names its task
// (task:), or is named after it; the task must be one of the bot's.
func loadSuites(dir string, bot *dialog.Bot) ([]suite, error) {
	paths, err := filepath.Glob(filepath.Join(dir, "tests", "*.yaml"))
	if err != nil {
		return nil, err
	}
	sort.Strings(paths)
	var suites []suite
	var problems []string
	for _, p := range paths {
		f, lines, taskAt, err := readTestsFile(p)
		if err != nil {
			problems = append(problems, err.Error())
			continue
		}
		task := f.Task
		if task == "" {
			task = strings.TrimSuffix(filepath.Base(p), ".yaml")
		}
		if bot.Tasks[task] == nil {
			problem := nodes.ConfigError{File: p, Line: 1, Col: 1, Path: "task",
				Msg: fmt.Sprintf("%s is not one of the bot's tasks (%s)", task, strings.Join(slices.Sorted(maps.Keys(bot.Tasks)), ", "))}
			if taskAt != nil {
				problem.Line, problem.Col = taskAt.Line, taskAt.Column
			} else {
				problem.Msg += "; the file is named after its task unless task: names it"
			}
			problems = append(problems, problem.Error())
			continue
		}
		suites = append(suites, suite{file: p, task: task, tests: f.Tests, params: f.Params, lines: lines})
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("%s", strings.Join(problems, "\n"))
	}
	return suites, nil
}

// skipReason says why a test cannot run against the installed task: it
// sets template parameters to values other than those the task was
// installed with (a template's test of another variant). "" runs it.
func (s *suite) skipReason(tc convtest.Test) string {
	var diffs []string
	for _, k := range slices.Sorted(maps.Keys(tc.Params)) {
		have, ok := s.params[k]
		if !ok || have != tc.Params[k] {
			diffs = append(diffs, fmt.Sprintf("%s=%s (installed: %s)", k, tc.Params[k], orNone(have, ok)))
		}
	}
	if len(diffs) == 0 {
		return ""
	}
	return "needs the task installed with " + strings.Join(diffs, ", ")
}

func orNone(v string, ok bool) string {
	if !ok {
		return "not set"
	}
	return v
}

// readTestsFile reads a tests file strictly (templates.ReadTests) and
// checks its tests as written: every problem as file:line:col: path:
// message. It returns the lines of the tests and their turns, and the
// value of its task: key (nil without one).
func readTestsFile(path string) (*templates.InstalledTests, [][]int, *yaml.Node, error) {
	f, err := templates.ReadTests(path)
	if err != nil {
		return nil, nil, nil, err
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, nil, err
	}
	root, err := nodes.ParseYAML(path, data)
	if err != nil {
		return nil, nil, nil, err
	}
	var seq, task *yaml.Node
	if root != nil {
		_, seq = nodes.MappingValue(root, "tests")
		_, task = nodes.MappingValue(root, "task")
	}
	if errs := convtest.Check(path, seq, "tests", f.Tests); len(errs) > 0 {
		return nil, nil, nil, errs
	}
	return f, testLines(seq), task, nil
}

// testLines lists, for each test of the tests: list, its line and its
// turns' lines.
func testLines(seq *yaml.Node) [][]int {
	if seq == nil || seq.Kind != yaml.SequenceNode {
		return nil
	}
	out := make([][]int, len(seq.Content))
	for i, item := range seq.Content {
		out[i] = []int{item.Line}
		if _, turns := nodes.MappingValue(item, "conversation"); turns != nil && turns.Kind == yaml.SequenceNode {
			for _, tu := range turns.Content {
				out[i] = append(out[i], tu.Line)
			}
		}
	}
	return out
}
