package main

import (
	"errors"
	"flag"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/botforge/dialogd/dialog"
	"github.com/botforge/dialogd/templates"
)

func installCommand() *command { return newInstallCommand("install") }

// templatesInstallCommand is botctl install under the templates group.
func templatesInstallCommand() *command { return newInstallCommand("templates install") }

func newInstallCommand(name string) *command {
	return &command{
		name: name, args: "TEMPLATE DIR", minArgs: 1, maxArgs: 2,
		summary: []string{
			"render TEMPLATE with the parameters and write DIR/tasks/<task>.yaml and its conversation tests",
			"to DIR/tests/<task>.yaml; DIR must be a bot (botctl init DIR starts one); nothing is written",
			"unless the bot loads with the new task. With -all (and no TEMPLATE): every template of the",
			"catalogue, or of -integration, with default parameters; existing tasks are skipped",
		},
		setup: func(fs *flag.FlagSet, c cli) func([]string) int {
			all := fs.Bool("all", false, "install every template (botctl install -all DIR); -p values go to every template that declares them")
			force := fs.Bool("force", false, "replace existing task and tests files")
			integration := fs.String("integration", "", "with -all: only the templates of this `name`, e.g. salesforce (its templates are named salesforce_…)")
			params := paramFlags{}
			fs.Var(params, "p", "a template parameter as `key=value`; repeat for each (botctl templates show TEMPLATE lists them)")
			return func(args []string) int {
				cmd := name
				usage := func(format string, a ...any) int {
					c.errf(cmd, format, a...)
					fmt.Fprintln(c.stderr, "usage:")
					newInstallCommand(cmd).writeUsage(c.stderr, c)
					return 2
				}
				switch {
				case *all && len(args) != 1:
					return usage("with -all, want DIR only, got %q", args)
				case *all:
					return installAll(cmd, args[0], *integration, params, *force, c)
				case *integration != "":
					return usage("-integration selects templates for -all: botctl %s -all -integration %s DIR", cmd, *integration)
				case len(args) != 2:
					return usage("want TEMPLATE DIR (or -all DIR)")
				}
				return install(cmd, args[0], args[1], params, *force, c)
			}
		},
	}
}

func install(cmd, name, dir string, params paramFlags, force bool, c cli) int {
	tpl, err := getTemplate(name)
	if err != nil {
		c.errf(cmd, "%v", err)
		return 1
	}
	in, err := tpl.InstallTask(dir, params, force)
	if err != nil {
		c.errf(cmd, "%v", err)
		switch {
		case errors.Is(err, templates.ErrNotABot):
			fmt.Fprintf(c.stderr, "  templates are installed into a bot: run `botctl init %s` first\n", dir)
		case errors.Is(err, templates.ErrExists):
			fmt.Fprintln(c.stderr, "  (use -force to replace it)")
		case strings.Contains(err.Error(), "auth profile") && strings.Contains(err.Error(), "is not declared"):
			fmt.Fprintf(c.stderr, "  declare it in %s (docs/auth.md), or let `botctl install -all -integration %s %s` declare one\n",
				filepath.Join(dir, "bot.yaml"), tpl.Integration(), dir)
		}
		return 1
	}
	fmt.Fprintf(c.stdout, "wrote %s\n", in.Path)
	if in.TestsPath != "" {
		fmt.Fprintf(c.stdout, "wrote %s (the template's conversation tests; botd does not read tests/)\n", in.TestsPath)
	}
	return 0
}

// installAll runs botctl install -all and prints what it did and what is
// left for the designer to do.
func installAll(cmd, dir, integration string, params paramFlags, force bool, c cli) int {
	res, err := templates.InstallAll(dir, templates.InstallAllOptions{Integration: integration, Params: params, Overwrite: force})
	if err != nil {
		if errors.Is(err, templates.ErrNotABot) {
			c.errf(cmd, "%v", err)
			fmt.Fprintf(c.stderr, "  templates are installed into a bot: run `botctl init %s` first\n", dir)
			return 1
		}
		lines := strings.Split(strings.TrimRight(err.Error(), "\n"), "\n")
		c.errf(cmd, "nothing was written; the problems:")
		for _, l := range lines {
			fmt.Fprintf(c.stderr, "  %s\n", l)
		}
		return 1
	}
	w := c.stdout
	what := "the catalogue"
	if integration != "" {
		what = "the " + integration + " templates"
	}
	fmt.Fprintf(w, "Installed %d %s from %s into %s", len(res.Installed), plural(len(res.Installed), "task", "tasks"), what, dir)
	if len(res.Installed) > 0 {
		fmt.Fprintf(w, " (each with its template's conversation tests in %s):\n", filepath.Join(dir, "tests", "<task>.yaml"))
	} else {
		fmt.Fprintln(w, ".")
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, in := range res.Installed {
		note := ""
		if in.Replaced {
			note = "\t(replaced)"
		}
		rel, _ := filepath.Rel(dir, in.Path)
		fmt.Fprintf(tw, "  %s\t%s\tfrom %s%s\n", in.Task, filepath.ToSlash(rel), in.Template, note)
	}
	tw.Flush()
	if len(res.Skipped) > 0 {
		fmt.Fprintf(w, "Skipped %d:\n", len(res.Skipped))
		tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		for _, s := range res.Skipped {
			reason := s.Reason
			switch {
			case len(s.Missing) > 0:
				var ps []string
				for _, p := range s.Missing {
					ps = append(ps, "-p "+p.Name+"=…")
				}
				reason += fmt.Sprintf(";\n\t  install it by itself: botctl install %s %s %s", s.Template, dir, strings.Join(ps, " "))
			case strings.HasSuffix(reason, " exists"):
				reason += " (-force replaces it)"
			}
			fmt.Fprintf(tw, "  %s\t%s\n", s.Template, reason)
		}
		tw.Flush()
	}
	botFile := filepath.Join(dir, "bot.yaml")
	var next []string
	if len(res.DeclaredProfiles) > 0 {
		var ps []string
		for _, p := range res.DeclaredProfiles {
			ps = append(ps, "auth_profiles."+p)
		}
		fmt.Fprintf(w, "Declared %s in %s: the installed tasks call %s.\n", strings.Join(ps, ", "), botFile,
			plural(len(ps), "it", "them"))
		next = append(next, fmt.Sprintf("%s: %s\n"+
			"      as declared, each user signs in to sfsim (go run ./cmd/sfsim prints its demo app's secret)\n"+
			"      in the chat; for your org set client_id and SF_LOGIN_URL; export SF_CLIENT_SECRET before\n"+
			"      starting botd (docs/auth.md also shows a profile the whole bot shares)",
			botFile, strings.Join(ps, ", ")))
	}
	var perUser []string
	if len(res.EndTasks) > 0 {
		perUser = perUserNames(dir)
	}
	for _, task := range res.EndTasks {
		hint := fmt.Sprintf("%s: run %s when a conversation ends, or it never runs\n"+
			"      (transcript: true keeps the conversation's lines for it to log):\n"+
			"      events:\n        conversation_end:\n          task: %s\n          transcript: true", botFile, task, task)
		if len(perUser) > 0 {
			hint += fmt.Sprintf("\n      but only with a pre_authorized profile: with per_user %s, a visitor who never signed in\n"+
				"      is not logged, and their conversation ends asking for a sign-in nobody sees",
				strings.Join(perUser, ", "))
		}
		next = append(next, hint)
	}
	if len(res.Installed) > 0 {
		next = append(next, fmt.Sprintf("botctl lint %s\n      check the bot after every edit", dir))
		next = append(next, fmt.Sprintf("botctl test %s\n      run the conversation tests in %s against an embedded sfsim, with coverage",
			dir, filepath.Join(dir, "tests")))
		next = append(next, fmt.Sprintf("botd -bot %s\n      chat with it; each task's tests in %s say what it answers",
			dir, filepath.Join(dir, "tests")))
	}
	if len(next) > 0 {
		fmt.Fprintln(w, "\nNext steps:")
		for _, n := range next {
			fmt.Fprintf(w, "  %s\n", n)
		}
	}
	return 0
}

// perUserNames names the per_user Salesforce profiles of the bot in DIR,
// sorted (none when it does not load).
func perUserNames(dir string) []string {
	bot, err := dialog.LoadDir(dir)
	if err != nil {
		return nil
	}
	return slices.Sorted(maps.Keys(perUserProfiles(bot)))
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
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
