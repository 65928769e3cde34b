package main

import (
	"errors"
	"flag"
	"fmt"
	"sort"
	"strings"

	"github.com/botforge/dialogd/templates"
)

func installCommand() *command {
	return &command{
		name: "install", args: "TEMPLATE DIR", minArgs: 2, maxArgs: 2,
		summary: []string{
			"render TEMPLATE with the parameters and write DIR/tasks/<task>.yaml; DIR must be a bot",
			"(botctl init DIR starts one); nothing is written unless the bot loads with the new task",
		},
		setup: func(fs *flag.FlagSet, c cli) func([]string) int {
			force := fs.Bool("force", false, "replace an existing task file")
			params := paramFlags{}
			fs.Var(params, "p", "a template parameter as `key=value`; repeat for each (botctl templates show TEMPLATE lists them)")
			return func(args []string) int { return install(args[0], args[1], params, *force, c) }
		},
	}
}

func install(name, dir string, params paramFlags, force bool, c cli) int {
	tpl, err := getTemplate(name)
	if err != nil {
		c.errf("install", "%v", err)
		return 1
	}
	path, err := tpl.Install(dir, params, force)
	if err != nil {
		c.errf("install", "%v", err)
		switch {
		case errors.Is(err, templates.ErrNotABot):
			fmt.Fprintf(c.stderr, "  templates are installed into a bot: run `botctl init %s` first\n", dir)
		case errors.Is(err, templates.ErrExists):
			fmt.Fprintln(c.stderr, "  (use -force to replace it)")
		}
		return 1
	}
	fmt.Fprintf(c.stdout, "wrote %s\n", path)
	return 0
}

// paramFlags collects repeated -p key=value flags.
type paramFlags map[string]string

func (p paramFlags) repeatable() {}

func (p paramFlags) String() string {
	keys := make([]string, 0, len(p))
	for k := range p {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return strings.Join(keys, ",")
}

func (p paramFlags) Set(s string) error {
	k, v, ok := strings.Cut(s, "=")
	if !ok || k == "" {
		return fmt.Errorf("want key=value, got %q", s)
	}
	if _, dup := p[k]; dup {
		return fmt.Errorf("parameter %s given twice", k)
	}
	p[k] = v
	return nil
}
