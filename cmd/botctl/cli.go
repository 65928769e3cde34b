package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
)

// command is one botctl command. Its flags are defined by setup on a
// FlagSet of its own, and its usage text is generated from that FlagSet,
// so the help can not drift from what the command accepts.
type command struct {
	name    string // as typed after botctl: "lint", "templates show"
	args    string // positional arguments for the synopsis: "TEMPLATE DIR"
	minArgs int
	maxArgs int      // -1: no limit
	summary []string // what the command does, a line each
	// setup defines the command's flags on fs and returns the action,
	// which receives the positional arguments once the flags are parsed.
	setup func(fs *flag.FlagSet, c cli) func(args []string) int
}

// cli is what a command talks to.
type cli struct {
	stdout, stderr io.Writer
	getenv         func(string) string
}

// errf prints a "botctl NAME: message" line to stderr.
func (c cli) errf(name, format string, args ...any) {
	fmt.Fprintf(c.stderr, "botctl %s: %s\n", name, fmt.Sprintf(format, args...))
}

// repeatable marks a flag that may be given several times.
type repeatable interface{ repeatable() }

// flagSet returns the command's FlagSet and action. The FlagSet prints
// nothing itself: execute reports parse errors and help.
func (cmd *command) flagSet(c cli) (*flag.FlagSet, func([]string) int) {
	fs := flag.NewFlagSet("botctl "+cmd.name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	act := cmd.setup(fs, c)
	return fs, act
}

// synopsis is the command line form, e.g.
// "botctl install [-force] [-p key=value]... TEMPLATE DIR".
func (cmd *command) synopsis(fs *flag.FlagSet) string {
	parts := []string{"botctl", cmd.name}
	fs.VisitAll(func(f *flag.Flag) {
		name, _ := flag.UnquoteUsage(f)
		s := "[-" + f.Name
		switch {
		case isBool(f) && f.DefValue == "true":
			s += "=false"
		case name != "":
			s += " " + name
		}
		s += "]"
		if _, ok := f.Value.(repeatable); ok {
			s += "..."
		}
		parts = append(parts, s)
	})
	if cmd.args != "" {
		parts = append(parts, cmd.args)
	}
	return strings.Join(parts, " ")
}

// writeUsage prints the command's synopsis, summary and flags.
func (cmd *command) writeUsage(w io.Writer, c cli) {
	fs, _ := cmd.flagSet(c)
	fmt.Fprintf(w, "  %s\n", cmd.synopsis(fs))
	for _, line := range cmd.summary {
		fmt.Fprintf(w, "      %s\n", line)
	}
	fs.VisitAll(func(f *flag.Flag) {
		name, usage := flag.UnquoteUsage(f)
		left := "-" + f.Name
		if name != "" {
			left += " " + name
		}
		if !isZeroDefault(f) {
			usage += fmt.Sprintf(" (default %s)", f.DefValue)
		}
		fmt.Fprintf(w, "      %-18s %s\n", left, usage)
	})
}

func isBool(f *flag.Flag) bool {
	b, ok := f.Value.(interface{ IsBoolFlag() bool })
	return ok && b.IsBoolFlag()
}

func isZeroDefault(f *flag.Flag) bool {
	switch f.DefValue {
	case "", "false", "0", "0s", "[]":
		return true
	}
	return false
}

// execute parses the command's flags (anywhere among its arguments),
// checks the number of positional arguments and runs it. -h, -help and
// --help print the usage of topic to stdout and succeed.
func execute(cmd *command, topic string, args []string, c cli) int {
	fs, act := cmd.flagSet(c)
	pos, err := parseInterleaved(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		writeHelp(c.stdout, topic, c)
		return 0
	}
	if err != nil {
		c.errf(cmd.name, "%v", err)
		fmt.Fprintln(c.stderr, "usage:")
		cmd.writeUsage(c.stderr, c)
		return 2
	}
	if len(pos) < cmd.minArgs || (cmd.maxArgs >= 0 && len(pos) > cmd.maxArgs) {
		c.errf(cmd.name, "%s", arityProblem(cmd, pos))
		fmt.Fprintln(c.stderr, "usage:")
		cmd.writeUsage(c.stderr, c)
		return 2
	}
	return act(pos)
}

func arityProblem(cmd *command, pos []string) string {
	if cmd.args == "" {
		return fmt.Sprintf("takes no arguments, got %q", pos)
	}
	if len(pos) < cmd.minArgs {
		return fmt.Sprintf("want %s", cmd.args)
	}
	return fmt.Sprintf("want %s, got %d arguments: %q", cmd.args, len(pos), pos)
}

// parseInterleaved parses flags given before, between or after the
// positional arguments and returns the positional ones. Everything after
// "--" is positional.
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if used := len(args) - len(rest); used > 0 && args[used-1] == "--" {
			return append(pos, rest...), nil
		}
		if len(rest) == 0 {
			return pos, nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}
