package main

import (
	"flag"
	"fmt"

	"github.com/botforge/dialogd/dialog"
)

func nluTestCommand() *command {
	return &command{
		name: "nlu test", args: "DIR FILE", minArgs: 2, maxArgs: 2,
		summary: []string{
			"load the bot as botd does and classify each case of FILE as the runtime does",
			"(expected_task<TAB>utterance[<TAB>lang] a line; none = out of scope; docs/bots.md);",
			"print accuracy, per-task precision and recall, confusions and the worst utterances;",
			"exit status 1 under -min-accuracy, 2 when FILE has problems (each as file:line:col)",
		},
		setup: func(fs *flag.FlagSet, c cli) func([]string) int {
			minAccuracy := fs.Float64("min-accuracy", 0, "exit 1 when the accuracy (0–1) is below this `fraction`")
			lang := fs.String("lang", "", "test only the cases in this `language` (given or detected)")
			worst := fs.Int("worst", 10, "list at most this many wrong utterances, the `n` surest first")
			var opts dialog.NLUSettings
			fs.Float64Var(&opts.Threshold, "threshold", 0, "the confidence `score` below which an utterance is not understood (0: the bot's settings.nlu, else the classifier's default)")
			fs.Float64Var(&opts.TieMargin, "tie-margin", 0, "a best score within this `margin` of the second is ambiguous (0: the bot's settings.nlu, else the classifier's default)")
			return func(args []string) int {
				if *minAccuracy < 0 || *minAccuracy > 1 {
					c.errf("nlu test", "-min-accuracy %v: want a fraction from 0 to 1", *minAccuracy)
					return 2
				}
				return nluTest(args[0], args[1], nluTestOptions{minAccuracy: *minAccuracy, lang: *lang, worst: max(*worst, 0), model: opts}, c)
			}
		},
	}
}

type nluTestOptions struct {
	minAccuracy float64
	lang        string
	worst       int
	model       dialog.NLUSettings // non-zero fields override the bot's settings.nlu
}

func nluTest(dir, file string, o nluTestOptions, c cli) int {
	bot, err := dialog.LoadDir(dir)
	if err != nil {
		c.errf("nlu test", "%s does not load (botctl lint %s says why):\n%v", dir, dir, err)
		return 1
	}
	if err := overrideNLUSettings(bot, o.model); err != nil {
		c.errf("nlu test", "%s: %v", dir, err)
		return 1
	}
	examples := bot.TrainingExamples()
	cases, problems := readNLUCases(file, bot)
	if len(problems) > 0 {
		for _, p := range problems {
			fmt.Fprintln(c.stderr, p)
		}
		c.errf("nlu test", "%s has %d problem(s); nothing was classified", file, len(problems))
		return 2
	}
	rep := nluReport{file: file, worst: o.worst}
	for _, cs := range cases {
		if o.lang != "" && cs.lang != o.lang {
			continue
		}
		res := bot.Classify(cs.text, cs.lang)
		rep.outcomes = append(rep.outcomes, nluOutcome{nluCase: cs, result: res, got: predicted(res)})
	}
	if len(rep.outcomes) == 0 {
		c.errf("nlu test", "%s has no cases in language %q", file, o.lang)
		return 2
	}
	fmt.Fprintf(c.stdout, "bot %s: %d tasks, %d training utterances; %s: %d cases\n", bot.Config.Name, len(bot.Tasks), len(examples), file, len(rep.outcomes))
	rep.write(c.stdout)
	if acc := rep.accuracy(); acc < o.minAccuracy {
		fmt.Fprintf(c.stdout, "\nFAIL: accuracy %.3f is below -min-accuracy %v\n", acc, o.minAccuracy)
		return 1
	}
	return 0
}

// overrideNLUSettings retrains bot's classifier when a flag overrides a
// field of its settings.nlu; the bot as loaded is used otherwise.
func overrideNLUSettings(bot *dialog.Bot, flags dialog.NLUSettings) error {
	s := bot.Config.Settings.NLU
	if flags == (dialog.NLUSettings{}) {
		return nil
	}
	if flags.Threshold != 0 {
		s.Threshold = flags.Threshold
	}
	if flags.TieMargin != 0 {
		s.TieMargin = flags.TieMargin
	}
	return bot.RetrainClassifier(s)
}
