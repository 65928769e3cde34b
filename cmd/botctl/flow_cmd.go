package main

import (
	"flag"
	"strings"

	"github.com/botforge/dialogd/dialog"
)

func flowCommand() *command {
	return &command{
		name: "flow", args: "DIR TASK", minArgs: 2, maxArgs: 2,
		summary: []string{
			"print the flow of a task of the bot in DIR as a Mermaid state diagram (stateDiagram-v2):",
			"its nodes, every transition with its condition or outcome, its start and its ends",
		},
		setup: func(fs *flag.FlagSet, c cli) func([]string) int {
			lang := fs.String("lang", "", "the `language` of the texts in the diagram (default: the bot's first)")
			return func(args []string) int { return flow(args[0], args[1], *lang, c) }
		},
	}
}

func flow(dir, name, lang string, c cli) int {
	bot, err := dialog.LoadDir(dir)
	if err != nil {
		c.errf("flow", "%v", err)
		if _, ok := dialog.AsLoadErrors(err); ok {
			c.errf("flow", "the bot does not load: botctl lint %s lists its problems", dir)
		}
		return 1
	}
	task := bot.Tasks[name]
	if task == nil {
		names := bot.TaskNames()
		c.errf("flow", "no task %q in %s%s; its tasks are %s", name, dir, didYouMean(name, names), strings.Join(names, ", "))
		return 1
	}
	if lang == "" && len(bot.Config.Languages) > 0 {
		lang = bot.Config.Languages[0]
	}
	writeMermaid(c.stdout, task.Graph(), lang)
	return 0
}
