package main

import (
	"cmp"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/botforge/dialogd/dialog/nlu"
)

// nluOutcome is one case with what the classifier said.
type nluOutcome struct {
	nluCase
	result nlu.Result
	got    string // the task it chose, noneTask, or ambiguousLabel
}

const ambiguousLabel = "(ambiguous)" // not a task name: those are identifiers

// predicted is what a turn would do with result: start a task when the
// verdict is Confident, ask "did you mean" when Ambiguous, fall back when
// Unknown.
func predicted(r nlu.Result) string {
	switch {
	case r.Verdict == nlu.Confident && len(r.Matches) > 0:
		return r.Matches[0].Intent
	case r.Verdict == nlu.Ambiguous:
		return ambiguousLabel
	}
	return noneTask
}

func (o nluOutcome) correct() bool { return o.got == o.expected }

// offers reports whether task is among the matches, as a "did you mean"
// question would list them.
func (o nluOutcome) offers(task string) bool {
	return slices.ContainsFunc(o.result.Matches, func(m nlu.Match) bool { return m.Intent == task })
}

// topScore is the best match's score, 0 without one.
func (o nluOutcome) topScore() float64 {
	if len(o.result.Matches) == 0 {
		return 0
	}
	return o.result.Matches[0].Score
}

// nluReport writes what botctl nlu test prints.
type nluReport struct {
	file     string
	outcomes []nluOutcome
	worst    int
}

func (r nluReport) accuracy() float64 { return share(r.count(nluOutcome.correct), len(r.outcomes)) }

func (r nluReport) count(pred func(nluOutcome) bool) int {
	n := 0
	for _, o := range r.outcomes {
		if pred(o) {
			n++
		}
	}
	return n
}

func share(n, of int) float64 {
	if of == 0 {
		return 0
	}
	return float64(n) / float64(of)
}

func (r nluReport) write(w io.Writer) {
	n := len(r.outcomes)
	right := r.count(nluOutcome.correct)
	fmt.Fprintf(w, "accuracy: %.3f (%d of %d right; %d ambiguous (%d offering the expected task); %d not understood)\n",
		r.accuracy(), right, n,
		r.count(func(o nluOutcome) bool { return o.got == ambiguousLabel }),
		r.count(func(o nluOutcome) bool { return o.got == ambiguousLabel && o.offers(o.expected) }),
		r.count(func(o nluOutcome) bool { return o.got == noneTask && o.expected != noneTask }))
	r.writeLanguages(w)
	fmt.Fprintln(w)
	r.writeTasks(w)
	fmt.Fprintln(w)
	r.writeConfusions(w)
	fmt.Fprintln(w)
	r.writeWorst(w)
}

// writeLanguages prints the accuracy per language.
func (r nluReport) writeLanguages(w io.Writer) {
	byLang := map[string][2]int{} // right, cases
	for _, o := range r.outcomes {
		c := byLang[o.lang]
		c[1]++
		if o.correct() {
			c[0]++
		}
		byLang[o.lang] = c
	}
	var parts []string
	for _, lang := range slices.Sorted(maps.Keys(byLang)) {
		c := byLang[lang]
		parts = append(parts, fmt.Sprintf("%s %.3f (%d of %d)", lang, share(c[0], c[1]), c[0], c[1]))
	}
	fmt.Fprintf(w, "by language: %s\n", strings.Join(parts, ", "))
}

// writeTasks prints each task's cases, precision and recall; none last.
func (r nluReport) writeTasks(w io.Writer) {
	type counts struct{ expected, predicted, right int }
	byTask := map[string]*counts{}
	at := func(task string) *counts {
		if byTask[task] == nil {
			byTask[task] = &counts{}
		}
		return byTask[task]
	}
	for _, o := range r.outcomes {
		at(o.expected).expected++
		if o.got != ambiguousLabel {
			at(o.got).predicted++
		}
		if o.correct() {
			at(o.expected).right++
		}
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "TASK\tCASES\tPRECISION\tRECALL")
	tasks := slices.Sorted(maps.Keys(byTask))
	tasks = append(slices.DeleteFunc(tasks, func(t string) bool { return t == noneTask }), noneTask)
	for _, task := range tasks {
		c := byTask[task]
		if c == nil {
			continue
		}
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\n", task, c.expected, fraction(c.right, c.predicted), fraction(c.right, c.expected))
	}
	tw.Flush()
}

// fraction is n/of with 2 decimals, "-" when of is 0.
func fraction(n, of int) string {
	if of == 0 {
		return "-"
	}
	return fmt.Sprintf("%.2f", share(n, of))
}

// writeConfusions prints each expected → got pair of the wrong cases,
// most frequent first.
func (r nluReport) writeConfusions(w io.Writer) {
	pairs := map[[2]string]int{}
	for _, o := range r.outcomes {
		if !o.correct() {
			pairs[[2]string{o.expected, o.got}]++
		}
	}
	keys := slices.SortedFunc(maps.Keys(pairs), func(a, b [2]string) int {
		return cmp.Or(pairs[b]-pairs[a], cmp.Compare(a[0], b[0]), cmp.Compare(a[1], b[1]))
	})
	fmt.Fprintf(w, "confusions (expected -> got): %d\n", len(keys))
	for _, k := range keys {
		fmt.Fprintf(w, "  %3d  %s -> %s\n", pairs[k], k[0], k[1])
	}
}

// writeWorst prints the wrong cases the classifier was surest of first.
func (r nluReport) writeWorst(w io.Writer) {
	var wrong []nluOutcome
	for _, o := range r.outcomes {
		if !o.correct() {
			wrong = append(wrong, o)
		}
	}
	slices.SortStableFunc(wrong, func(a, b nluOutcome) int { return cmp.Compare(b.topScore(), a.topScore()) })
	fmt.Fprintf(w, "worst utterances (wrong, surest first): %d of %d shown\n", min(r.worst, len(wrong)), len(wrong))
	for _, o := range wrong[:min(r.worst, len(wrong))] {
		fmt.Fprintf(w, "  %s:%d: %s -> %s [%s] %q\n", r.file, o.line, o.expected, o.got, matchList(o.result.Matches), o.text)
	}
}

// matchList is "task 0.81, other 0.42", or "no match".
func matchList(ms []nlu.Match) string {
	if len(ms) == 0 {
		return "no match"
	}
	parts := make([]string, len(ms))
	for i, m := range ms {
		parts[i] = fmt.Sprintf("%s %.2f", m.Intent, m.Score)
	}
	return strings.Join(parts, ", ")
}
