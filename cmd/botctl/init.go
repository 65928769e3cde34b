package main

import (
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"github.com/botforge/dialogd/templates"
)

func initCommand() *command {
	return &command{
		name: "init", args: "DIR", minArgs: 1, maxArgs: 1,
		summary: []string{
			"start a bot in DIR (created when missing): bot.yaml (English, German, Japanese, a welcome",
			"and a fallback) and tasks/greeting.yaml; refuses a directory with files in it unless -force",
		},
		setup: func(fs *flag.FlagSet, c cli) func([]string) int {
			force := fs.Bool("force", false, "write into a directory that has files, replacing bot.yaml and tasks/greeting.yaml")
			name := fs.String("name", "", "the bot's `name` (default: derived from DIR)")
			return func(args []string) int { return initBot(args[0], *name, *force, c) }
		},
	}
}

var botNameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]*$`)

func initBot(dir, name string, force bool, c cli) int {
	if name == "" {
		name = nameFromDir(dir)
		if name == "" {
			c.errf("init", "can not derive a bot name from %q: give one with -name", dir)
			return 2
		}
	} else if !botNameRE.MatchString(name) {
		c.errf("init", "bot name %q: use lowercase letters, digits, _ and -", name)
		return 2
	}
	if !force {
		if err := checkEmpty(dir); err != nil {
			c.errf("init", "%v", err)
			return 1
		}
	}
	files := starterFiles(name)
	// The files are checked as the directory will hold them (with -force,
	// next to the tasks already there) before anything is written.
	if _, err := templates.LoadWith(dir, files); err != nil {
		c.errf("init", "the bot would not load (nothing was written): %v", err)
		return 1
	}
	if err := templates.WriteFiles(dir, files); err != nil {
		c.errf("init", "%v", err)
		return 1
	}
	printNextSteps(c, dir, name)
	return 0
}

// nameFromDir makes a bot name of the directory's base name: lowercase,
// with every run of other characters turned into one _.
func nameFromDir(dir string) string {
	abs, err := filepath.Abs(dir)
	if err != nil {
		abs = dir
	}
	var b strings.Builder
	pendingSep := false
	for _, r := range strings.ToLower(filepath.Base(abs)) {
		if r < 128 && (r >= 'a' && r <= 'z' || r >= '0' && r <= '9') {
			if pendingSep && b.Len() > 0 {
				b.WriteByte('_')
			}
			b.WriteRune(r)
			pendingSep = false
			continue
		}
		pendingSep = true
	}
	return b.String()
}

// checkEmpty refuses a directory that holds anything but dot files (a
// fresh `git init` is fine). A missing directory is empty.
func checkEmpty(dir string) error {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	var names []string
	for _, e := range entries {
		if !strings.HasPrefix(e.Name(), ".") {
			names = append(names, e.Name())
		}
	}
	if len(names) == 0 {
		return nil
	}
	if len(names) > 3 {
		names = append(names[:3], "…")
	}
	return fmt.Errorf("%s is not empty (%s): choose a new directory, or use -force to write bot.yaml and tasks/greeting.yaml there",
		dir, strings.Join(names, ", "))
}

func printNextSteps(c cli, dir, name string) {
	w := c.stdout
	botFile, taskFile := filepath.Join(dir, "bot.yaml"), filepath.Join(dir, "tasks", "greeting.yaml")
	width := max(len(botFile), len(taskFile))
	fmt.Fprintf(w, "Created bot %q in %s:\n", name, dir)
	fmt.Fprintf(w, "  %-*s  name, languages, welcome and fallback texts\n", width, botFile)
	fmt.Fprintf(w, "  %-*s  a first task: answers \"hello\"\n", width, taskFile)
	fmt.Fprintln(w, "\nNext steps:")
	fmt.Fprintf(w, "  botctl lint %s\n      check the bot after every edit (docs/bots.md describes the files)\n", dir)
	fmt.Fprintf(w, "  botctl templates list\n  botctl install lookup_record %s -p api_base=https://api.example.com/v1\n      add ready-made tasks\n", dir)
	fmt.Fprintf(w, "  botctl install -all %s\n      or the whole catalogue (-integration salesforce: its Salesforce tasks)\n", dir)
	fmt.Fprintf(w, "  botctl integrations enable salesforce %s -mode per_user -login sfsim\n"+
		"      connect Salesforce first: the local emulator (go run ./cmd/sfsim); your org: -client-id KEY\n"+
		"      instead of -login sfsim (-install: and install its catalogue)\n", dir)
	fmt.Fprintf(w, "  botctl test %s\n      run the conversation tests in %s (install copies each template's)\n", dir, filepath.Join(dir, "tests"))
	fmt.Fprintf(w, "  botd -bot %s\n      chat with it at http://localhost:8080 (in this repository: go run ./cmd/botd -bot %s)\n", dir, dir)
}

// starterFiles returns the files of a new bot called name.
func starterFiles(name string) map[string][]byte {
	q := strconv.Quote(name)
	bot := `# The bot's settings; docs/bots.md lists every key.
name: ` + q + `
description: A new bot. Say here what it does.
# The first language is the default.
languages: [en, de, ja]
events:
  conversation_start:
    text:
      en: "Hi! I'm ` + name + `. Say hello, or choose what to do."
      de: "Hallo! Ich bin ` + name + `. Sag Hallo oder wähle, was du tun möchtest."
      ja: "こんにちは！` + name + `です。あいさつするか、やりたいことを選んでください。"
    show_tasks: true
messages:
  fallback:
    en: "Sorry, I did not understand that. This is what I can do:"
    de: "Das habe ich leider nicht verstanden. Das kann ich:"
    ja: "すみません、よく分かりませんでした。できることはこちらです："
`
	greeting := `# A first task: one intent, one message. Add a file like this one for
# each task, or install a template (botctl templates list).
name: greeting
title: {en: Say hello, de: Hallo sagen, ja: あいさつ}
description: Answers a greeting.
nodes:
  - id: start
    type: intent
    utterances:
      en: [hello, hi, good morning]
      de: [hallo, guten tag, guten morgen]
      ja: [こんにちは, おはよう, おはようございます]
    next: reply
  - id: reply
    type: message
    text:
      en: Hello! Nice to meet you.
      de: Hallo! Schön, dich kennenzulernen.
      ja: こんにちは！よろしくお願いします。
`
	return map[string][]byte{"bot.yaml": []byte(bot), "tasks/greeting.yaml": []byte(greeting)}
}
