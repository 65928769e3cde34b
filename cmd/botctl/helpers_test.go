package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// This file holds the helpers every botctl test shares: run botctl in
// this process, write a file, make a bot as a designer makes one.

// botctl runs botctl with args in this process.
func botctl(tb testing.TB, args ...string) (code int, stdout, stderr string) {
	tb.Helper()
	var out, errOut bytes.Buffer
	code = run(args, &out, &errOut)
	return code, out.String(), errOut.String()
}

// writeTestFile writes body to path, making its directory.
func writeTestFile(tb testing.TB, path, body string) {
	tb.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		tb.Fatal(err)
	}
}

// newBot makes a bot named mybot with botctl init in a temporary
// directory; with install arguments it then runs botctl install with them
// (e.g. "-all", "-integration", "salesforce": the catalogue the README's
// designer guide installs).
func newBot(tb testing.TB, install ...string) string {
	tb.Helper()
	dir := filepath.Join(tb.TempDir(), "mybot")
	steps := [][]string{{"init", dir}}
	if len(install) > 0 {
		steps = append(steps, append(append([]string{"install"}, install...), dir))
	}
	for _, args := range steps {
		if code, out, errs := botctl(tb, args...); code != 0 {
			tb.Fatalf("botctl %q = exit %d:\n%s%s", args, code, out, errs)
		}
	}
	return dir
}
