// Command botctl is the bot designer's and administrator's tool:
//
//	botctl lint DIR...   load each bot directory and print every problem as file:line:col: path: message
//	botctl types         list the registered node types
package main

import (
	"fmt"
	"io"
	"os"

	"github.com/botforge/dialogd/dialog"
	"github.com/botforge/dialogd/nodes"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stderr)
		return 2
	}
	switch args[0] {
	case "lint":
		if len(args) < 2 {
			fmt.Fprintln(stderr, "botctl lint: name at least one bot directory")
			return 2
		}
		code := 0
		for _, dir := range args[1:] {
			bot, err := dialog.LoadDir(dir)
			if err != nil {
				if errs, ok := dialog.AsLoadErrors(err); ok {
					for _, e := range errs {
						fmt.Fprintln(stdout, e.Error())
					}
					fmt.Fprintf(stderr, "%s: %d problem(s)\n", dir, len(errs))
				} else {
					fmt.Fprintf(stderr, "%s: %v\n", dir, err)
				}
				code = 1
				continue
			}
			fmt.Fprintf(stderr, "%s: ok (bot %q, %d tasks)\n", dir, bot.Config.Name, len(bot.Tasks))
		}
		return code
	case "types":
		for _, name := range nodes.Default().Types() {
			info, _ := nodes.Default().Lookup(name)
			fmt.Fprintf(stdout, "%-16s %s\n", name, info.Summary)
		}
		return 0
	case "help", "-h", "--help":
		usage(stdout)
		return 0
	}
	fmt.Fprintf(stderr, "botctl: unknown command %q\n", args[0])
	usage(stderr)
	return 2
}

func usage(w io.Writer) {
	fmt.Fprintln(w, `usage:
  botctl lint DIR...   check bot directories; prints file:line:col: path: message for every problem
  botctl types         list node types`)
}
