package dialog_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/botforge/dialogd/dialog"
	"github.com/botforge/dialogd/nodes"
)

// fuzzBotSeeds are bot directories whose bot.yaml and first task file
// seed FuzzLoadBot: the shipped bots and the broken ones of the golden
// tests.
var fuzzBotSeeds = []string{"../examples/demo", "testdata/ok", "testdata/bad/causes", "testdata/bad/multi", "testdata/bad/syntax"}

// maxFuzzFile is the largest file FuzzLoadBot loads, a little over the
// largest seed (the demo's create_lead task).
const maxFuzzFile = 4096

// FuzzLoadBot: the loader, on any bot.yaml and task file written to a
// directory, returns a bot or LoadErrors, never panics, and positions
// every problem in one of the bot's files. Loading is bounded by the
// limits, so this target runs at thousands of loads a second.
func FuzzLoadBot(f *testing.F) {
	for _, dir := range fuzzBotSeeds {
		botFile, err := os.ReadFile(filepath.Join(dir, "bot.yaml"))
		if err != nil {
			f.Fatal(err)
		}
		tasks, _ := filepath.Glob(filepath.Join(dir, "tasks", "*.yaml"))
		for _, p := range tasks {
			task, err := os.ReadFile(p)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(botFile, task)
		}
	}
	f.Add([]byte("name: b\n"), []byte(okTask))
	f.Add([]byte("name: b\nenv: &e {a: *e}\n"), []byte(okTask))
	f.Add([]byte("name: b\n"), []byte("name: t\nnodes:\n  - {id: start, type: intent, utterances: [hi], next: set}\n"+
		"  - {id: set, type: logic, set: [{name: x, value: &v [*v]}], next: done}\n  - {id: done, type: message, text: ok}\n"))
	f.Add([]byte("name: b\n"), []byte(strings.Replace(okTask, "text: hi", "text: hi\n    body:\n"+aliasBomb("      ", 9), 1)))
	reg := nodes.Default()
	dir := f.TempDir() // one per fuzzing process; each input overwrites its files
	if err := os.MkdirAll(filepath.Join(dir, "tasks"), 0o755); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, botFile, task []byte) {
		if len(botFile) > maxFuzzFile || len(task) > maxFuzzFile {
			return // larger files add time, not paths: each input costs its size to minimize
		}
		if err := os.WriteFile(filepath.Join(dir, "bot.yaml"), botFile, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "tasks", "t.yaml"), task, 0o644); err != nil {
			t.Fatal(err)
		}
		bot, err := dialog.LoadFS(os.DirFS(dir), dir, reg)
		if err == nil {
			if bot == nil || len(bot.Tasks) == 0 {
				t.Fatalf("LoadFS returned bot %v without an error", bot)
			}
			return
		}
		errs, ok := dialog.AsLoadErrors(err)
		if !ok || len(errs) == 0 {
			t.Fatalf("error %T %v; want LoadErrors", err, err)
		}
		for _, e := range errs {
			if !strings.HasPrefix(e.File, dir+"/") || e.Msg == "" || e.Line < 0 || e.Col < 0 {
				t.Fatalf("problem %q (file %q); want one in %s with a message", e.Error(), e.File, dir)
			}
		}
	})
}
