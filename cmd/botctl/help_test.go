package main

import (
	"bytes"
	"flag"
	"os"
	"strings"
	"testing"
)

// TestEveryCommandHasHelp runs every command with -h, -help and --help:
// each prints its own usage to stdout and exits 0, touching nothing.
// Before botctl used a FlagSet per command, `botctl lint --help` loaded a
// directory called --help and failed.
func TestEveryCommandHasHelp(t *testing.T) {
	c := cli{stdout: &bytes.Buffer{}, stderr: &bytes.Buffer{}, getenv: func(string) string { return "" }}
	for _, cmd := range commands() {
		fs, _ := cmd.flagSet(c)
		synopsis := cmd.synopsis(fs)
		for _, help := range []string{"-h", "-help", "--help"} {
			args := append(strings.Fields(cmd.name), help)
			t.Run(strings.Join(args, " "), func(t *testing.T) {
				var stdout, stderr bytes.Buffer
				code := run(args, &stdout, &stderr)
				if code != 0 {
					t.Errorf("exit %d, want 0\nstderr: %s", code, &stderr)
				}
				if !strings.Contains(stdout.String(), synopsis) {
					t.Errorf("stdout = %q, want it to contain %q", &stdout, synopsis)
				}
				if stderr.Len() != 0 {
					t.Errorf("stderr = %q, want nothing", &stderr)
				}
			})
		}
	}
}

// TestHelpAfterArguments checks --help wherever it stands, and that help
// never takes --help for a directory.
func TestHelpAfterArguments(t *testing.T) {
	tests := []struct {
		args []string
		want string // in stdout
	}{
		{[]string{"lint", "--help"}, "botctl lint DIR..."},
		{[]string{"lint", "somedir", "--help"}, "botctl lint DIR..."},
		{[]string{"install", "lookup_record", "-h"}, "botctl install [-all] [-force] [-integration name] [-p key=value]... TEMPLATE DIR"},
		{[]string{"templates", "install", "-all", "DIR", "--help"}, "botctl templates install [-all]"},
		{[]string{"templates", "--help"}, "botctl templates show [-lang language] [-p key=value]... NAME"},
		{[]string{"templates", "show", "--help"}, "botctl templates show [-lang language] [-p key=value]... NAME"},
		{[]string{"auth", "--help"}, "botctl auth login"},
		{[]string{"help", "auth", "status"}, "-public-url url"},
		{[]string{"help", "install"}, "-p key=value"},
		{[]string{"--help"}, "botctl init [-force] [-name name] DIR"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			if code := run(tt.args, &stdout, &stderr); code != 0 {
				t.Errorf("exit %d, want 0\nstderr: %s", code, &stderr)
			}
			if !strings.Contains(stdout.String(), tt.want) {
				t.Errorf("stdout = %q, want it to contain %q", &stdout, tt.want)
			}
		})
	}
}

// TestUsageComesFromFlags checks that the usage of every command names
// each flag its FlagSet defines: `botctl auth status` once accepted
// -public-url and did not say so.
func TestUsageComesFromFlags(t *testing.T) {
	c := cli{stdout: &bytes.Buffer{}, stderr: &bytes.Buffer{}, getenv: func(string) string { return "" }}
	var stdout, stderr bytes.Buffer
	if code := run([]string{"help"}, &stdout, &stderr); code != 0 {
		t.Fatalf("botctl help: exit %d, want 0", code)
	}
	help := stdout.String()
	for _, cmd := range commands() {
		fs, _ := cmd.flagSet(c)
		var usage bytes.Buffer
		cmd.writeUsage(&usage, c)
		if !strings.Contains(help, usage.String()) {
			t.Errorf("botctl help lacks the usage of %s:\n%s", cmd.name, &usage)
		}
		fs.VisitAll(func(f *flag.Flag) {
			if !strings.Contains(usage.String(), "[-"+f.Name) || !strings.Contains(usage.String(), "\n      -"+f.Name) {
				t.Errorf("usage of %s does not show -%s in its synopsis and flag list:\n%s", cmd.name, f.Name, &usage)
			}
		})
	}
	for _, want := range []string{"botctl auth status [-bot dir] [-public-url url] [-redis url]", "BOT_SECRET_KEY"} {
		if !strings.Contains(help, want) {
			t.Errorf("botctl help lacks %q", want)
		}
	}
}

// TestDocCommentListsEveryCommand keeps the comment at the top of main.go
// true: it shows every command's synopsis exactly as help prints it.
func TestDocCommentListsEveryCommand(t *testing.T) {
	src, err := os.ReadFile("main.go")
	if err != nil {
		t.Fatal(err)
	}
	doc, _, _ := strings.Cut(string(src), "package main")
	c := cli{stdout: &bytes.Buffer{}, stderr: &bytes.Buffer{}, getenv: func(string) string { return "" }}
	for _, cmd := range commands() {
		fs, _ := cmd.flagSet(c)
		if want := "//\t" + cmd.synopsis(fs); !strings.Contains(doc, want) {
			t.Errorf("main.go's comment lacks %q", want)
		}
	}
}

func TestUsageErrors(t *testing.T) {
	tests := []struct {
		args   []string
		stderr []string
	}{
		{nil, []string{"usage:", "botctl init"}},
		{[]string{"frobnicate"}, []string{`botctl: unknown command "frobnicate"`, "botctl help"}},
		{[]string{"lnt", "x"}, []string{`did you mean "lint"?`}},
		{[]string{"lint"}, []string{"botctl lint: want DIR...", "usage:"}},
		{[]string{"types", "extra"}, []string{`botctl types: takes no arguments, got ["extra"]`}},
		{[]string{"install", "create_record"}, []string{"botctl install: want TEMPLATE DIR (or -all DIR)", "botctl install [-all] [-force]"}},
		{[]string{"install", "-all", "lookup_record", "DIR"}, []string{`botctl install: with -all, want DIR only, got ["lookup_record" "DIR"]`}},
		{[]string{"install", "-integration", "salesforce", "DIR"}, []string{"-integration selects templates for -all: botctl install -all -integration salesforce DIR"}},
		{[]string{"templates", "install", "DIR"}, []string{"botctl templates install: want TEMPLATE DIR (or -all DIR)", "botctl templates install [-all]"}},
		{[]string{"install", "-x", "a", "b"}, []string{"botctl install: flag provided but not defined: -x"}},
		{[]string{"templates", "shwo", "x"}, []string{`botctl templates: unknown command "shwo" (did you mean "show"?)`}},
		{[]string{"templates", "show"}, []string{"botctl templates show: want NAME"}},
		{[]string{"auth"}, []string{"botctl auth: want one of: status, login"}},
		{[]string{"auth", "stat"}, []string{`did you mean "status"?`}},
		{[]string{"help", "nope"}, []string{`botctl help: no command "nope"`}},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			if code := run(tt.args, &stdout, &stderr); code != 2 {
				t.Errorf("exit %d, want 2\nstderr: %s", code, &stderr)
			}
			for _, want := range tt.stderr {
				if !strings.Contains(stderr.String(), want) {
					t.Errorf("stderr = %q, want it to contain %q", &stderr, want)
				}
			}
			if stdout.Len() != 0 {
				t.Errorf("stdout = %q, want nothing", &stdout)
			}
		})
	}
}
