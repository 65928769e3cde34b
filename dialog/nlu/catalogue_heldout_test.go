package nlu_test

import (
	"bufio"
	"os"
	"strings"
	"testing"

	"github.com/botforge/dialogd/dialog/nlu"
)

// readTSV returns the tab-separated fields of each line of a testdata
// file that is neither blank nor a # comment.
func readTSV(t *testing.T, path string, fields int) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var rows [][]string
	sc := bufio.NewScanner(f)
	for line := 1; sc.Scan(); line++ {
		text := sc.Text()
		if strings.TrimSpace(text) == "" || strings.HasPrefix(text, "#") {
			continue
		}
		row := strings.Split(text, "\t")
		if len(row) != fields {
			t.Fatalf("%s:%d: %d tab-separated fields; want %d", path, line, len(row), fields)
		}
		rows = append(rows, row)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return rows
}

// TestCatalogueHeldOut trains on the whole Salesforce catalogue (27
// tasks) and classifies sentences written apart from it. A sentence
// counts as right when the verdict is Confident for the expected task,
// or Unknown for "none"; Ambiguous counts as wrong.
func TestCatalogueHeldOut(t *testing.T) {
	var examples []nlu.Example
	for _, row := range readTSV(t, "testdata/catalogue_training.tsv", 3) {
		examples = append(examples, nlu.Example{Intent: row[0], Lang: row[1], Text: row[2]})
	}
	m, err := nlu.Train(examples, nlu.Options{})
	if err != nil {
		t.Fatal(err)
	}
	cases := readTSV(t, "testdata/catalogue_heldout.tsv", 2)
	right := 0
	for _, c := range cases {
		want, text := c[0], c[1]
		r := m.Classify(text, "")
		got := "none"
		if r.Verdict == nlu.Confident {
			got = r.Matches[0].Intent
		}
		if got == want {
			right++
		} else {
			t.Logf("miss: %q want %s, got %v %v", text, want, r.Verdict, r.Matches)
		}
	}
	accuracy := float64(right) / float64(len(cases))
	t.Logf("held-out accuracy %d/%d = %.1f%%", right, len(cases), 100*accuracy)
	const floor = 0.95
	if accuracy < floor {
		t.Errorf("held-out accuracy %.3f; want at least %.2f", accuracy, floor)
	}
}
