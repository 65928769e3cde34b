package main

import (
	"flag"
	"fmt"

	"github.com/botforge/dialogd/dialog"
	"github.com/botforge/dialogd/nodes"
)

func lintCommand() *command {
	return &command{
		name: "lint", args: "DIR...", minArgs: 1, maxArgs: -1,
		summary: []string{
			"load each bot directory as botd would and print every problem as file:line:col: path: message;",
			"exit status 1 when any bot has problems",
		},
		setup: func(fs *flag.FlagSet, c cli) func([]string) int {
			return func(dirs []string) int { return lint(dirs, c) }
		},
	}
}

func lint(dirs []string, c cli) int {
	code := 0
	for _, dir := range dirs {
		bot, err := dialog.LoadDir(dir)
		if err != nil {
			if errs, ok := dialog.AsLoadErrors(err); ok {
				for _, e := range errs {
					fmt.Fprintln(c.stdout, e.Error())
				}
				fmt.Fprintf(c.stderr, "%s: %d problem(s)\n", dir, len(errs))
			} else {
				fmt.Fprintf(c.stderr, "%s: %v\n", dir, err)
			}
			code = 1
			continue
		}
		fmt.Fprintf(c.stderr, "%s: ok (bot %q, %d tasks)\n", dir, bot.Config.Name, len(bot.Tasks))
	}
	return code
}

func typesCommand() *command {
	return &command{
		name:    "types",
		summary: []string{"list the registered node types"},
		setup: func(fs *flag.FlagSet, c cli) func([]string) int {
			return func([]string) int {
				for _, name := range nodes.Default().Types() {
					info, _ := nodes.Default().Lookup(name)
					fmt.Fprintf(c.stdout, "%-16s %s\n", name, info.Summary)
				}
				return 0
			}
		},
	}
}
