// Command botctl is the bot designer's and administrator's tool:
//
//	botctl init [-force] [-name name] DIR
//	                 start a bot: DIR/bot.yaml and a greeting task in DIR/tasks/
//	botctl lint DIR...
//	                 load each bot directory and print every problem as file:line:col: path: message
//	botctl test [-run regexp] [-v] DIR
//	                 run the bot's conversation tests (DIR/tests/) against an embedded sfsim,
//	                 with transition coverage per task
//	botctl types     list the registered node types
//	botctl templates list [-integration name]
//	                 list the installable dialog templates and their parameters (also: botctl templates)
//	botctl templates show [-lang language] [-p key=value]... NAME
//	                 describe a template: parameters, nodes in flow order, its flow as a Mermaid diagram, tests
//	botctl templates install [-all] [-force] [-integration name] [-p key=value]... TEMPLATE DIR
//	                 the same as botctl install
//	botctl install [-all] [-force] [-integration name] [-p key=value]... TEMPLATE DIR
//	                 write a template's task into DIR/tasks/ and its tests into DIR/tests/
//	                 (DIR must hold bot.yaml); with -all DIR, every template of the catalogue
//	botctl flow [-lang language] DIR TASK
//	                 print a task's flow as a Mermaid state diagram
//	botctl nlu test [-lang language] [-min-accuracy fraction] [-threshold score] [-tie-margin margin] [-worst n] DIR FILE
//	                 train the intent classifier on the bot's utterances and report how it classifies
//	                 FILE's cases (expected_task<TAB>utterance a line): accuracy, precision/recall, confusions
//	botctl integrations [DIR]
//	                 list the integrations (Salesforce, HTTP) and their state in the bot in DIR
//	botctl integrations enable [-client-id id] [-client-secret ref] [-force] [-install] [-login login] [-mode mode] [-profile name] [-public-url url] [-scope scopes] salesforce DIR
//	                 write the bot's Salesforce auth profile (Kore.ai's OAuth v2 fields) and offer the catalogue
//	botctl auth status [-bot dir] [-public-url url] [-redis url]
//	                 list the bot's auth profiles and their state
//	botctl auth login [-bot dir] [-open=false] [-public-url url] [-redis url] [-wait duration] PROFILE
//	                 sign an administrator in to a pre_authorized oauth2 profile
//	botctl directory sync [-bot dir] [-json] [-redis url]
//	                 import the bot's customers from Salesforce into its directory now
//	botctl directory status [-bot dir] [-json] [-redis url]
//	                 show the customer directory: records, the last sync and its error, the next
//	botctl help [COMMAND]
//	                 print the usage of every command, or of one
//
// Every command prints its own usage with -h or --help.
package main

import (
	"fmt"
	"io"
	"os"
	"strings"

	_ "github.com/botforge/dialogd/internal/sections" // checks bot.yaml's desk: and directory:
)

func main() {
	os.Exit(runEnv(os.Args[1:], os.Getenv, os.Stdout, os.Stderr))
}

// run runs botctl with the process environment.
func run(args []string, stdout, stderr io.Writer) int {
	return runEnv(args, os.Getenv, stdout, stderr)
}

// commands lists every command in the order help shows them.
func commands() []*command {
	return []*command{
		initCommand(), lintCommand(), testCommand(), typesCommand(),
		templatesListCommand(), templatesShowCommand(), templatesInstallCommand(), installCommand(),
		flowCommand(), nluTestCommand(), integrationsCommand(), integrationsEnableCommand(),
		authStatusCommand(), authLoginCommand(), directorySyncCommand(), directoryStatusCommand(),
	}
}

// defaultSub names the command a bare group word runs.
var defaultSub = map[string]string{"templates": "templates list"}

func runEnv(args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	c := cli{stdout: stdout, stderr: stderr, getenv: getenv}
	if len(args) == 0 {
		writeHelp(stderr, "", c)
		return 2
	}
	if isHelp(args[0]) || args[0] == "help" {
		return helpCmd(args[1:], c)
	}
	cmds := commands()
	if len(args) > 1 {
		if cmd := find(cmds, args[0]+" "+args[1]); cmd != nil {
			return execute(cmd, cmd.name, args[2:], c)
		}
	}
	if cmd := find(cmds, args[0]); cmd != nil {
		return execute(cmd, cmd.name, args[1:], c)
	}
	if sub, ok := defaultSub[args[0]]; ok && (len(args) == 1 || strings.HasPrefix(args[1], "-")) {
		return execute(find(cmds, sub), args[0], args[1:], c)
	}
	subs := subcommands(cmds, args[0])
	switch {
	case len(subs) > 0 && len(args) > 1 && isHelp(args[1]):
		writeHelp(stdout, args[0], c)
		return 0
	case len(subs) > 0 && len(args) > 1:
		c.errf(args[0], "unknown command %q%s", args[1], didYouMean(args[1], subs))
	case len(subs) > 0:
		c.errf(args[0], "want one of: %s", strings.Join(subs, ", "))
	default:
		fmt.Fprintf(stderr, "botctl: unknown command %q%s\n", args[0], didYouMean(args[0], topWords(cmds)))
		fmt.Fprintf(stderr, "(botctl help lists the commands)\n")
		return 2
	}
	writeHelp(stderr, args[0], c)
	return 2
}

func isHelp(arg string) bool { return arg == "-h" || arg == "-help" || arg == "--help" }

func find(cmds []*command, name string) *command {
	for _, cmd := range cmds {
		if cmd.name == name {
			return cmd
		}
	}
	return nil
}

// subcommands returns the second words of the commands in group.
func subcommands(cmds []*command, group string) []string {
	var subs []string
	for _, cmd := range cmds {
		if g, sub, ok := strings.Cut(cmd.name, " "); ok && g == group {
			subs = append(subs, sub)
		}
	}
	return subs
}

// topWords returns the distinct first words of the commands, and help.
func topWords(cmds []*command) []string {
	words := []string{"help"}
	for _, cmd := range cmds {
		w, _, _ := strings.Cut(cmd.name, " ")
		if !contains(words, w) {
			words = append(words, w)
		}
	}
	return words
}

func contains(xs []string, s string) bool {
	for _, x := range xs {
		if x == s {
			return true
		}
	}
	return false
}

// helpCmd runs `botctl help [COMMAND]`.
func helpCmd(args []string, c cli) int {
	topic := strings.Join(args, " ")
	if topic != "" && len(matching(commands(), topic)) == 0 {
		c.errf("help", "no command %q%s", topic, didYouMean(topic, topWords(commands())))
		return 2
	}
	writeHelp(c.stdout, topic, c)
	return 0
}

// matching returns the commands topic names: the command itself, or
// every command of a group ("auth", "templates"); all for "".
func matching(cmds []*command, topic string) []*command {
	var out []*command
	for _, cmd := range cmds {
		if topic == "" || cmd.name == topic || strings.HasPrefix(cmd.name, topic+" ") {
			out = append(out, cmd)
		}
	}
	return out
}

// writeHelp prints the usage of the commands topic names.
func writeHelp(w io.Writer, topic string, c cli) {
	if topic == "" {
		fmt.Fprintln(w, "botctl starts, checks and extends bot directories and manages their credentials.")
		fmt.Fprintln(w)
	}
	fmt.Fprintln(w, "usage:")
	for _, cmd := range matching(commands(), topic) {
		cmd.writeUsage(w, c)
	}
	if topic == "" {
		fmt.Fprintln(w, "  botctl help [COMMAND]")
		fmt.Fprintln(w, "      print the usage of every command, or of one; every command also takes -h or --help")
	}
	if topic == "" || topic == "auth" || strings.HasPrefix(topic, "auth ") || topic == "directory" || strings.HasPrefix(topic, "directory ") {
		fmt.Fprintln(w, "\nauth and directory need BOT_SECRET_KEY set to botd's key.")
	}
}
