package golden

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

func TestFirstDifference(t *testing.T) {
	tests := []struct {
		name, got, want, diff string
	}{
		{"equal", "a\nb\n", "a\nb\n", ""},
		{"a changed line", "a\nx\nc\n", "a\nb\nc\n", "line 2:\n got: \"x\\n\"\nwant: \"b\\n\""},
		{"a missing line", "a\n", "a\nb\n", "line 2:\n got: (no line)\nwant: \"b\\n\""},
		{"no final newline", "a\nb", "a\nb\n", "line 2:\n got: \"b\"\nwant: \"b\\n\""},
		{"an extra empty line", "a\n\n", "a\n", "line 2:\n got: \"\\n\"\nwant: (no line)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := FirstDifference(tt.got, tt.want); got != tt.diff {
				t.Errorf("FirstDifference(%q, %q) =\n%s\nwant\n%s", tt.got, tt.want, got, tt.diff)
			}
		})
	}
}

// recorder is a testing.TB whose Errorf is recorded, not failed.
type recorder struct {
	testing.TB
	errors []string
}

func (r *recorder) Errorf(format string, args ...any) {
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}

func TestCheck(t *testing.T) {
	path := filepath.Join(t.TempDir(), "testdata", "out.golden")
	old := *update
	t.Cleanup(func() { *update = old })
	*update = true
	Check(t, path, []byte("one\ntwo\n"))
	*update = false
	tests := []struct {
		name, got, wantErr string
	}{
		{"the same", "one\ntwo\n", ""},
		{"another second line", "one\nthree\n", "out.golden differs (go test -update rewrites it after a wanted change): line 2:\n got: \"three\\n\"\nwant: \"two\\n\""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &recorder{TB: t}
			Check(r, path, []byte(tt.got))
			if got := strings.Join(r.errors, "\n"); !strings.Contains(got, tt.wantErr) || (tt.wantErr == "") != (got == "") {
				t.Errorf("Check errors %q, want %q", got, tt.wantErr)
			}
		})
	}
}
