package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/botforge/dialogd/dialog/nlu"
	"github.com/botforge/dialogd/internal/golden"
)

const tinyBot = "testdata/nlu/tinybot"

// TestNLUTestTinyBot: the whole output on a tiny bot whose cases are its
// own training phrases and nonsense, which any classifier gets right.
func TestNLUTestTinyBot(t *testing.T) {
	code, out, errs := botctl(t, "nlu", "test", "-min-accuracy", "1", tinyBot, "testdata/nlu/tinybot.tsv")
	if code != 0 {
		t.Fatalf("exit %d, want 0; stderr:\n%s", code, errs)
	}
	golden.Check(t, "testdata/nlu_tinybot.golden", []byte(out))
}

// TestNLUReport: confusions, ambiguous and unknown verdicts, per-task
// precision and recall and the worst utterances, from outcomes made by
// hand (so the wording does not move with the classifier's scores).
func TestNLUReport(t *testing.T) {
	confident := func(task string, score float64, others ...nlu.Match) nlu.Result {
		return nlu.Result{Verdict: nlu.Confident, Matches: append([]nlu.Match{{Intent: task, Score: score}}, others...)}
	}
	results := []struct {
		expected, text, lang string
		result               nlu.Result
	}{
		{"order_pizza", "a pizza please", "en", confident("order_pizza", 0.9)},
		{"order_pizza", "pizza!!", "en", confident("cancel_order", 0.7, nlu.Match{Intent: "order_pizza", Score: 0.5})},
		{"track_order", "wo bleibt die Pizza", "de", nlu.Result{Verdict: nlu.Ambiguous, Matches: []nlu.Match{{Intent: "track_order", Score: 0.6}, {Intent: "order_pizza", Score: 0.58}}}},
		{"track_order", "注文どうなった", "ja", nlu.Result{Verdict: nlu.Unknown, Matches: []nlu.Match{{Intent: "track_order", Score: 0.3}}}},
		{"none", "what's the weather", "en", confident("order_pizza", 0.8)},
		{"none", "tell me a joke", "en", nlu.Result{Verdict: nlu.Unknown}},
	}
	rep := nluReport{file: "cases.tsv", worst: 3}
	for i, r := range results {
		c := nluCase{line: i + 1, expected: r.expected, text: r.text, lang: r.lang}
		rep.outcomes = append(rep.outcomes, nluOutcome{nluCase: c, result: r.result, got: predicted(r.result)})
	}
	var out bytes.Buffer
	rep.write(&out)
	golden.Check(t, "testdata/nlu_report.golden", out.Bytes())
}

// TestNLUTestFormatErrors: each malformed line is a file:line:col problem,
// all of them are listed, nothing is classified and the exit status is 2.
func TestNLUTestFormatErrors(t *testing.T) {
	for _, tc := range []struct{ name, body, want string }{
		{"no tab", "order_pizza order a pizza\n", "cases.tsv:1:26: line: want expected_task<TAB>utterance[<TAB>lang], found no tab"},
		{"unknown task", "# c\n\norder_piza\tpizza\n", `cases.tsv:3:1: task: "order_piza" is neither a task of the bot nor none (did you mean "order_pizza"?)`},
		{"empty utterance", "none\t  \n", "cases.tsv:1:6: utterance: is empty"},
		{"unknown language", "none\thola\tes\n", `cases.tsv:1:11: lang: "es" is not one of the bot's languages [en de ja]`},
		{"four columns", "none\ta\ten\tx\n", "cases.tsv:1:11: line: want at most 3 tab-separated columns (task, utterance, lang)"},
		{"not UTF-8", "none\tcaf\xe9\n", "cases.tsv:1:9: line: not UTF-8"},
		{"no cases", "# only a comment\n", "cases.tsv: no cases (want expected_task<TAB>utterance lines)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			file := filepath.Join(t.TempDir(), "cases.tsv")
			writeTestFile(t, file, tc.body)
			code, out, errs := botctl(t, "nlu", "test", tinyBot, file)
			if code != 2 || out != "" {
				t.Errorf("exit %d with stdout %q, want 2 and none", code, out)
			}
			got := strings.ReplaceAll(errs, filepath.Dir(file)+string(filepath.Separator), "")
			if !strings.Contains(got, tc.want+"\n") {
				t.Errorf("stderr:\n%s\nwant the line:\n%s", got, tc.want)
			}
		})
	}
}

// TestNLUTestExitStatus: 1 under -min-accuracy or when the bot does not
// load, 2 for a bad flag, 0 otherwise.
func TestNLUTestExitStatus(t *testing.T) {
	file := filepath.Join(t.TempDir(), "cases.tsv")
	writeTestFile(t, file, "order_pizza\torder a pizza\norder_pizza\tqwxz vbnm plkj\n") // half right at best
	for _, tc := range []struct {
		name    string
		args    []string
		want    int
		wantOut string
	}{
		{"below the minimum", []string{"-min-accuracy", "0.9", tinyBot, file}, 1, "FAIL: accuracy 0.500 is below -min-accuracy 0.9"},
		{"at the minimum", []string{"-min-accuracy", "0.5", tinyBot, file}, 0, "accuracy: 0.500 (1 of 2 right;"},
		{"no minimum", []string{tinyBot, file}, 0, "accuracy: 0.500"},
		{"a language without cases", []string{"-lang", "ja", tinyBot, file}, 2, ""},
		{"minimum out of range", []string{"-min-accuracy", "95", tinyBot, file}, 2, ""},
		{"bot does not load", []string{t.TempDir(), file}, 1, ""},
		{"missing file", []string{tinyBot, file + ".missing"}, 2, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errs := botctl(t, append([]string{"nlu", "test"}, tc.args...)...)
			if code != tc.want {
				t.Errorf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tc.want, out, errs)
			}
			if !strings.Contains(out, tc.wantOut) {
				t.Errorf("stdout:\n%s\nwant it to hold %q", out, tc.wantOut)
			}
		})
	}
}

// TestNLUTestClassifiesAsTheRuntime: botctl nlu test decides as a turn
// does (bot.Classify): a training phrase followed by more words starts its
// task however high the threshold, bot.yaml's settings.nlu is honoured, and
// -threshold overrides it.
func TestNLUTestClassifiesAsTheRuntime(t *testing.T) {
	strict := t.TempDir()
	writeTestFile(t, filepath.Join(strict, "bot.yaml"), "name: strict\nlanguages: [en, de, ja]\nsettings: {nlu: {threshold: 0.99}}\n")
	for _, task := range []string{"cancel_order", "order_pizza", "track_order"} {
		body, err := os.ReadFile(filepath.Join(tinyBot, "tasks", task+".yaml"))
		if err != nil {
			t.Fatal(err)
		}
		writeTestFile(t, filepath.Join(strict, "tasks", task+".yaml"), string(body))
	}
	prefix := filepath.Join(t.TempDir(), "prefix.tsv")
	writeTestFile(t, prefix, "order_pizza\torder a pizza with olives and a lemonade, quick\n")
	vague := filepath.Join(t.TempDir(), "vague.tsv")
	writeTestFile(t, vague, "none\tpizza for me\n")
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"a training phrase and more words", []string{"-threshold", "0.99", tinyBot, prefix}, "accuracy: 1.000"},
		{"bot.yaml's threshold", []string{strict, vague}, "accuracy: 1.000"},
		{"-threshold over bot.yaml's", []string{"-threshold", "0.05", strict, vague}, "accuracy: 0.000"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errs := botctl(t, append([]string{"nlu", "test"}, tc.args...)...)
			if code != 0 || !strings.Contains(out, tc.want) {
				t.Errorf("exit %d, stdout:\n%s\nstderr:\n%s\nwant exit 0 and %q", code, out, errs, tc.want)
			}
		})
	}
}
