// Command botctl is the bot designer's and administrator's tool:
//
//	botctl lint DIR...   load each bot directory and print every problem as file:line:col: path: message
//	botctl types         list the registered node types
//	botctl templates     list the installable dialog templates and their parameters
//	botctl install [-force] TEMPLATE DIR [-p key=value]...
//	                     write a template's task into DIR/tasks/
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"github.com/botforge/dialogd/dialog"
	"github.com/botforge/dialogd/nodes"
	"github.com/botforge/dialogd/templates"
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
	case "templates":
		listTemplates(stdout)
		return 0
	case "install":
		return install(args[1:], stdout, stderr)
	case "auth":
		return authCmd(args[1:], os.Getenv, stdout, stderr)
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
  botctl types         list node types
  botctl templates     list installable dialog templates and their parameters
  botctl install [-force] TEMPLATE DIR [-p key=value]...
                       render TEMPLATE with the parameters and write DIR/tasks/<task>.yaml
  botctl auth status -bot DIR -redis URL
                       list the bot's auth profiles and their state (never a secret)
  botctl auth login -bot DIR -redis URL -public-url URL PROFILE
                       print (and open) the authorize link of a pre_authorized oauth2 profile and
                       wait until botd has stored the administrator's token
  (auth needs BOT_SECRET_KEY, the same as botd's)`)
}

func listTemplates(w io.Writer) {
	for _, info := range templates.List() {
		fmt.Fprintf(w, "%s\t%s\n", info.Name, info.Summary)
		for _, p := range info.Parameters {
			var notes []string
			if p.Type != templates.TypeString {
				notes = append(notes, p.Type)
			}
			switch {
			case p.Required:
				notes = append(notes, "required")
			case p.Default != nil:
				notes = append(notes, fmt.Sprintf("default %q", *p.Default))
			}
			note := ""
			if len(notes) > 0 {
				note = " (" + strings.Join(notes, ", ") + ")"
			}
			fmt.Fprintf(w, "  -p %s=...\t%s%s\n", p.Name, p.Description, note)
		}
	}
}

// paramFlags collects repeated -p key=value flags.
type paramFlags map[string]string

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

func install(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("botctl install", flag.ContinueOnError)
	fs.SetOutput(stderr)
	force := fs.Bool("force", false, "replace an existing task file")
	params := paramFlags{}
	fs.Var(params, "p", "template parameter as key=value (repeatable)")
	// Flags may come before, between or after the two positional arguments.
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return 2
		}
		args = fs.Args()
		if len(args) == 0 {
			break
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
	if len(pos) != 2 {
		fmt.Fprintln(stderr, "usage: botctl install [-force] TEMPLATE DIR [-p key=value]...  (botctl templates lists them)")
		return 2
	}
	tpl, err := templates.Get(pos[0])
	if err != nil {
		fmt.Fprintf(stderr, "botctl install: %v\n", err)
		return 1
	}
	path, err := tpl.Install(pos[1], params, *force)
	if err != nil {
		fmt.Fprintf(stderr, "botctl install: %v\n", err)
		if errors.Is(err, templates.ErrExists) {
			fmt.Fprintln(stderr, "(use -force to replace it)")
		}
		return 1
	}
	fmt.Fprintf(stdout, "wrote %s\n", path)
	return 0
}
