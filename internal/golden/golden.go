package golden

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// update is go test -update: rewrite the golden files instead of
// comparing with them.
var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// Check compares got with the file at path (relative to the test's
// package directory, e.g. testdata/flow.golden), or, with -update,
// writes got there (making its directory). A difference is reported with
// t.Errorf at its first line, so the test goes on.
func Check(tb testing.TB, path string, got []byte) {
	tb.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			tb.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			tb.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		tb.Fatalf("%v (go test -update writes it)", err)
	}
	if diff := FirstDifference(string(got), string(want)); diff != "" {
		tb.Errorf("%s differs (go test -update rewrites it after a wanted change): %s\n--- got\n%s", path, diff, got)
	}
}

// FirstDifference says where got and want first differ, by line, or ""
// when they are equal.
func FirstDifference(got, want string) string {
	if got == want {
		return ""
	}
	g, w := lines(got), lines(want)
	for i := 0; i < max(len(g), len(w)); i++ {
		gl, wl := lineAt(g, i), lineAt(w, i)
		if gl != wl {
			return fmt.Sprintf("line %d:\n got: %s\nwant: %s", i+1, gl, wl)
		}
	}
	return "" // unreachable: equal lines make equal texts
}

// lines splits s after each newline; a final newline ends the last line
// rather than starting an empty one.
func lines(s string) []string {
	l := strings.SplitAfter(s, "\n")
	if l[len(l)-1] == "" {
		l = l[:len(l)-1]
	}
	return l
}

// lineAt is line i of lines, quoted so that a missing line, a missing
// final newline and trailing blanks show.
func lineAt(lines []string, i int) string {
	if i >= len(lines) {
		return "(no line)"
	}
	return fmt.Sprintf("%q", lines[i])
}

// Tree lists every file and directory under root, with the files'
// contents, one per line in walk order: two trees are the same when their
// Tree texts are (a command that must write nothing leaves it unchanged).
func Tree(tb testing.TB, root string) string {
	tb.Helper()
	var b strings.Builder
	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		if d.IsDir() {
			b.WriteString(rel + "/\n")
			return nil
		}
		data, err := os.ReadFile(path)
		b.WriteString(rel + ": " + string(data) + "\n")
		return err
	})
	if err != nil {
		tb.Fatal(err)
	}
	return b.String()
}
