package main

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/botforge/dialogd/dialog"
	"github.com/botforge/dialogd/dialog/convtest"
)

// testReport writes what botctl test found: per task, the failures with
// their diffs, then one line with the counts and the transition
// coverage; with verbose every test and the transitions not taken.
type testReport struct {
	bot      *dialog.Bot
	runs     []taskRun
	moves    []convtest.Move
	verbose  bool
	filtered bool // -run given: tasks without selected tests are left out
	took     time.Duration
}

// counts of a task's (or the bot's) tests.
type counts struct{ passed, failed, skipped int }

func (n *counts) add(o counts) {
	n.passed, n.failed, n.skipped = n.passed+o.passed, n.failed+o.failed, n.skipped+o.skipped
}

func (n counts) String() string {
	var parts []string
	for _, p := range []struct {
		n    int
		word string
	}{{n.passed, "passed"}, {n.failed, "failed"}, {n.skipped, "skipped"}} {
		if p.n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", p.n, p.word))
		}
	}
	if len(parts) == 0 {
		return "no tests"
	}
	return strings.Join(parts, ", ")
}

func (r *testReport) write(w io.Writer) int {
	byTask := map[string][]testOutcome{}
	for _, tr := range r.runs {
		byTask[tr.task] = append(byTask[tr.task], tr.outcomes...)
	}
	names := slices.Sorted(func(yield func(string) bool) {
		for name := range r.bot.Tasks {
			if (!r.filtered || byTask[name] != nil) && !yield(name) {
				return
			}
		}
	})
	width := 0
	for _, n := range names {
		width = max(width, len(n))
	}
	var total counts
	taken, declared := 0, 0
	for _, name := range names {
		cov := convtest.Coverage(r.bot.Tasks[name], r.moves)
		taken, declared = taken+cov.Taken, declared+cov.Declared
		total.add(r.writeTask(w, name, width, byTask[name], cov))
	}
	status, code := "ok  ", 0
	if total.failed > 0 {
		status, code = "FAIL", 1
	}
	fmt.Fprintf(w, "%s  bot %s: %s in %d %s; transitions %s; %s\n", status, r.bot.Config.Name, total, len(names),
		plural(len(names), "task", "tasks"), ratio(taken, declared), r.took.Round(time.Millisecond))
	return code
}

// writeTask writes one task's block and returns its counts.
func (r *testReport) writeTask(w io.Writer, task string, width int, outs []testOutcome, cov convtest.TaskCoverage) counts {
	var n counts
	for _, o := range outs {
		switch {
		case o.skipped != "":
			n.skipped++
		case o.result.Failure != nil:
			n.failed++
			f := o.result.Failure
			fmt.Fprintf(w, "--- FAIL: %s / %s (%s)\n%s", task, o.name, o.where(f.Turn), f.Report("    "))
		default:
			n.passed++
		}
	}
	status := "ok  "
	switch {
	case n.failed > 0:
		status = "FAIL"
	case len(outs) == 0:
		status = "?   "
	}
	fmt.Fprintf(w, "%s  %-*s  %-30s transitions %s\n", status, width, task, n.String(), ratio(cov.Taken, cov.Declared))
	if r.verbose {
		r.writeDetails(w, outs, cov)
	}
	return n
}

// writeDetails lists every test of a task and the exits no test took.
func (r *testReport) writeDetails(w io.Writer, outs []testOutcome, cov convtest.TaskCoverage) {
	for _, o := range outs {
		switch {
		case o.skipped != "":
			fmt.Fprintf(w, "      SKIP %s: %s\n", o.name, o.skipped)
		case o.result.Failure != nil:
			fmt.Fprintf(w, "      FAIL %s\n", o.name)
		default:
			fmt.Fprintf(w, "      PASS %s\n", o.name)
		}
	}
	if len(cov.Untaken) > 0 {
		fmt.Fprintf(w, "      not taken:\n")
	}
	for _, e := range cov.Untaken {
		fmt.Fprintf(w, "        %s → %s (%s)\n", e.From, e.To, exitOrigin(e.Exit))
	}
}

// exitOrigin says where an exit is declared: its key, an if's condition,
// or the node that declared a way back.
func exitOrigin(e dialog.Exit) string {
	switch {
	case e.Cond != "":
		return "if " + e.Cond
	case e.DeclaredBy != "":
		return e.Key + " of " + e.DeclaredBy
	}
	return e.Key
}

func ratio(n, of int) string {
	if of == 0 {
		return "none declared"
	}
	return fmt.Sprintf("%d/%d (%d%%)", n, of, n*100/of)
}
