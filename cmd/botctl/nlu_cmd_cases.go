package main

import (
	"bufio"
	"bytes"
	"cmp"
	"fmt"
	"os"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/botforge/dialogd/dialog"
)

// noneTask is the expected task of an out-of-scope case: right when the
// classifier says it does not understand.
const noneTask = "none"

// nluCase is one line of an NLU test file.
type nluCase struct {
	line     int
	expected string // a task name, or noneTask
	text     string
	lang     string // the third column, or detected; "" when undetermined
}

// readNLUCases reads an NLU test file: one case a line,
// expected_task<TAB>utterance[<TAB>lang]; # comments and blank lines are
// skipped. Every problem is reported, each as file:line:col: path: message.
func readNLUCases(path string, bot *dialog.Bot) ([]nluCase, []string) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, []string{fmt.Sprintf("%s: %v", path, err)}
	}
	tasks := append(bot.TaskNames(), noneTask)
	var cases []nluCase
	var problems []string
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, 1<<20)
	for n := 1; sc.Scan(); n++ {
		c, col, msg := parseNLULine(sc.Text(), tasks, bot.Config.Languages)
		switch {
		case msg != "":
			problems = append(problems, fmt.Sprintf("%s:%d:%d: %s", path, n, col, msg))
		case c.expected != "":
			c.line = n
			cases = append(cases, c)
		}
	}
	if err := sc.Err(); err != nil {
		problems = append(problems, fmt.Sprintf("%s: %v", path, err))
	}
	if len(cases) == 0 && len(problems) == 0 {
		problems = append(problems, fmt.Sprintf("%s: no cases (want expected_task<TAB>utterance lines)", path))
	}
	return cases, problems
}

// parseNLULine parses one line; a blank or comment line gives a zero
// case. A problem comes with its 1-based column (in characters).
func parseNLULine(line string, tasks, langs []string) (nluCase, int, string) {
	line = strings.TrimSuffix(line, "\r")
	if !utf8.ValidString(line) {
		bad := strings.IndexFunc(line, func(r rune) bool { return r == utf8.RuneError })
		return nluCase{}, utf8.RuneCountInString(line[:bad]) + 1, "line: not UTF-8"
	}
	if trimmed := strings.TrimSpace(line); trimmed == "" || strings.HasPrefix(trimmed, "#") {
		return nluCase{}, 0, ""
	}
	fields := strings.Split(line, "\t")
	col := func(field int) int { // the column where a field starts, after its tab
		return utf8.RuneCountInString(strings.Join(fields[:field], "\t")) + 1 + min(field, 1)
	}
	task := strings.TrimSpace(fields[0])
	switch {
	case len(fields) < 2:
		return nluCase{}, utf8.RuneCountInString(line) + 1, "line: want expected_task<TAB>utterance[<TAB>lang], found no tab"
	case len(fields) > 3:
		return nluCase{}, col(3), "line: want at most 3 tab-separated columns (task, utterance, lang)"
	case !slices.Contains(tasks, task):
		return nluCase{}, 1, fmt.Sprintf("task: %q is neither a task of the bot nor none%s", task, didYouMean(task, tasks))
	}
	c := nluCase{expected: task, text: strings.TrimSpace(fields[1])}
	if c.text == "" {
		return nluCase{}, col(1), "utterance: is empty"
	}
	if len(fields) == 3 {
		c.lang = strings.TrimSpace(fields[2])
		if !slices.Contains(langs, c.lang) {
			return nluCase{}, col(2), fmt.Sprintf("lang: %q is not one of the bot's languages %v", c.lang, langs)
		}
		return c, 0, ""
	}
	// As a conversation's first turn: the language its words tell, else
	// the bot's default.
	c.lang = cmp.Or(dialog.DetectLanguage(c.text), langs[0])
	return c, 0, ""
}
