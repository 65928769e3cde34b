package nodes

import "testing"

// FuzzNormalizeAnswerShortcut: text normalizeAnswer returns unchanged
// without folding is text that folding would leave unchanged.
func FuzzNormalizeAnswerShortcut(f *testing.F) {
	for _, s := range []string{"yes", "no thanks", "Yes", "yes ", " yes", "a  b", "ja bitte", "はい", "ｙｅｓ", "yes!"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if isNormalASCII(s) {
			if got := foldAnswer(s); got != s {
				t.Errorf("foldAnswer(%q) = %q; the shortcut keeps it as it is", s, got)
			}
		}
	})
}
