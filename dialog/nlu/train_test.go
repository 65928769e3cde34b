package nlu_test

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/botforge/dialogd/dialog/nlu"
)

func TestTrainRefuses(t *testing.T) {
	tests := []struct {
		name     string
		examples []nlu.Example
		opts     nlu.Options
		want     string
	}{
		{"no examples", nil, nlu.Options{}, nlu.ErrNoExamples.Error()},
		{"only punctuation", []nlu.Example{{Intent: "a", Text: " ?! "}}, nlu.Options{}, nlu.ErrNoExamples.Error()},
		{"no intent", []nlu.Example{{Text: "create a lead"}}, nlu.Options{}, `nlu: example 0 ("create a lead") has no intent`},
		{"threshold above 1", []nlu.Example{{Intent: "a", Text: "x"}}, nlu.Options{Threshold: 1.5}, "nlu: threshold 1.5 is outside [0,1]"},
		{"negative margin", []nlu.Example{{Intent: "a", Text: "x"}}, nlu.Options{TieMargin: -0.1}, "nlu: tie margin -0.1 is outside [0,1]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := nlu.Train(tt.examples, tt.opts)
			if err == nil || err.Error() != tt.want {
				t.Fatalf("Train = %v, %v; want error %q", m, err, tt.want)
			}
			if tt.want == nlu.ErrNoExamples.Error() && !errors.Is(err, nlu.ErrNoExamples) {
				t.Errorf("Train error %v is not ErrNoExamples", err)
			}
		})
	}
}

// TestVerdicts: the thresholds of Options decide between Confident,
// Ambiguous and Unknown.
func TestVerdicts(t *testing.T) {
	examples := []nlu.Example{
		{Intent: "create_lead", Lang: "en", Text: "create a lead"},
		{Intent: "delete_lead", Lang: "en", Text: "delete a lead"},
		{Intent: "same_phrase", Lang: "en", Text: "show my dashboard"},
		{Intent: "same_phrase_too", Lang: "en", Text: "show my dashboard"},
	}
	tests := []struct {
		name string
		opts nlu.Options
		text string
		want nlu.Verdict
	}{
		{"exact phrase", nlu.Options{}, "create a lead", nlu.Confident},
		{"one phrase, two intents", nlu.Options{}, "show my dashboard", nlu.Ambiguous},
		{"between two intents", nlu.Options{}, "the lead", nlu.Ambiguous},
		{"out of scope", nlu.Options{}, "what time is it", nlu.Unknown},
		{"empty", nlu.Options{}, "", nlu.Unknown},
		{"strict threshold", nlu.Options{Threshold: 0.99}, "please create a lead now", nlu.Unknown},
		{"lenient threshold", nlu.Options{Threshold: 0.01}, "please create a lead now", nlu.Confident},
		{"wide margin", nlu.Options{TieMargin: 0.9}, "create a lead", nlu.Ambiguous},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := nlu.Train(examples, tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			if got := m.Classify(tt.text, "en"); got.Verdict != tt.want {
				t.Errorf("Classify(%q) = %v %v; want %v", tt.text, got.Verdict, got.Matches, tt.want)
			}
		})
	}
}

// TestClassifyConcurrently: one model serves many goroutines and gives
// each the answer it gives one (run with -race to check the sharing).
func TestClassifyConcurrently(t *testing.T) {
	m := trainCatalogue(t)
	texts := []string{"creat a lead", "リードを登録したい", "Lead entfernen bitte", "tell me a joke"}
	want := make([]string, len(texts))
	for i, text := range texts {
		want[i] = fmt.Sprint(m.Classify(text, ""))
	}
	var wg sync.WaitGroup
	errs := make(chan string, 8*len(texts))
	for g := range 8 {
		wg.Go(func() {
			for n := range 200 {
				i := (g + n) % len(texts)
				if got := fmt.Sprint(m.Classify(texts[i], "")); got != want[i] {
					errs <- fmt.Sprintf("Classify(%q) = %s; want %s", texts[i], got, want[i])
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	var problems []string
	for e := range errs {
		problems = append(problems, e)
	}
	if len(problems) > 0 {
		t.Error(strings.Join(problems, "\n"))
	}
}

// TestNormalisation: width, case and composition do not matter.
func TestNormalisation(t *testing.T) {
	m := trainCatalogue(t)
	pairs := [][2]string{
		{"create a lead", "ＣＲＥＡＴＥ　Ａ　ＬＥＡＤ"},
		{"リードを作成", "ﾘｰﾄﾞを作成"},
		{"Lead löschen", "LEAD LO\u0308SCHEN"},
		{"kontakt hinzufügen", "Kontakt Hinzufügen"},
	}
	for _, p := range pairs {
		a, b := m.Classify(p[0], ""), m.Classify(p[1], "")
		if fmt.Sprint(a) != fmt.Sprint(b) {
			t.Errorf("Classify(%q) = %v but Classify(%q) = %v; want the same", p[0], a, p[1], b)
		}
	}
}

// TestLongTextIsCut: only the first MaxTextBytes of a text count.
func TestLongTextIsCut(t *testing.T) {
	m := trainCatalogue(t)
	head := strings.Repeat("リードを削除 ", nlu.MaxTextBytes/len("リードを削除 ")+1)
	got := m.Classify(head+strings.Repeat("create a lead ", 500), "")
	if got.Verdict != nlu.Confident || got.Matches[0].Intent != "delete_lead" {
		t.Errorf("Classify(%d bytes of delete, then create) = %v %v; want confident delete_lead", len(head), got.Verdict, got.Matches)
	}
}
