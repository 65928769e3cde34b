package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"regexp"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/botforge/dialogd/dialog"
	"github.com/botforge/dialogd/templates"
)

func templatesListCommand() *command {
	return &command{
		name: "templates list",
		summary: []string{
			"list the installable dialog templates and the -p parameters install takes;",
			"a bare `botctl templates` does the same",
		},
		setup: func(fs *flag.FlagSet, c cli) func([]string) int {
			integration := fs.String("integration", "", "only the templates of this integration (`name`), e.g. salesforce")
			return func([]string) int {
				if *integration != "" && !slices.Contains(templates.Integrations(), *integration) {
					c.errf("templates list", "no integration %q; the templates' integrations are %s", *integration, strings.Join(templates.Integrations(), ", "))
					return 2
				}
				listTemplates(c.stdout, *integration)
				return 0
			}
		},
	}
}

// listTemplates lists the catalogue, or the templates of one integration.
func listTemplates(w io.Writer, integration string) {
	for _, info := range templates.List() {
		if integration != "" {
			if t, err := templates.Get(info.Name); err != nil || t.Integration() != integration {
				continue
			}
		}
		fmt.Fprintf(w, "%s\t%s\n", info.Name, info.Summary)
		for _, p := range info.Parameters {
			note := ""
			if s := paramNotes(p); s != "" {
				note = " (" + s + ")"
			}
			fmt.Fprintf(w, "  -p %s=...\t%s%s\n", p.Name, p.Description, note)
		}
	}
}

// paramNotes says a parameter's type (when not string) and whether it is
// required or what its default is: "bool, default "true"".
func paramNotes(p templates.Parameter) string {
	var notes []string
	if p.Type != templates.TypeString {
		notes = append(notes, p.Type)
	}
	switch {
	case p.Required:
		notes = append(notes, "required")
	case p.Default != nil:
		notes = append(notes, fmt.Sprintf("default %q", *p.Default))
	default:
		notes = append(notes, "optional")
	}
	return strings.Join(notes, ", ")
}

func templatesShowCommand() *command {
	return &command{
		name: "templates show", args: "NAME", minArgs: 1, maxArgs: 1,
		summary: []string{
			"describe a template: what it does, its parameters, its nodes in flow order, its flow as a",
			"Mermaid state diagram (rendered with default parameters, or -p ones) and its tests",
		},
		setup: func(fs *flag.FlagSet, c cli) func([]string) int {
			params := paramFlags{}
			fs.Var(params, "p", "a template parameter as `key=value` for the nodes and diagram; repeat for each")
			lang := fs.String("lang", "en", "the `language` of the texts in the diagram")
			return func(args []string) int {
				tpl, err := getTemplate(args[0])
				if err != nil {
					c.errf("templates show", "%v", err)
					return 1
				}
				showTemplate(c.stdout, tpl, params, *lang)
				return 0
			}
		},
	}
}

// getTemplate is templates.Get with a "did you mean" for unknown names.
func getTemplate(name string) (*templates.Template, error) {
	tpl, err := templates.Get(name)
	if !errors.Is(err, templates.ErrUnknownTemplate) {
		return tpl, err
	}
	var names []string
	for _, info := range templates.List() {
		names = append(names, info.Name)
	}
	if best := closest(name, names); best != "" {
		return nil, fmt.Errorf("no template %q: did you mean %q? (botctl templates list shows them all)", name, best)
	}
	return nil, fmt.Errorf("no template %q; the templates are %s", name, strings.Join(names, ", "))
}

func showTemplate(w io.Writer, tpl *templates.Template, params map[string]string, lang string) {
	fmt.Fprintf(w, "%s: %s\n%s\n", tpl.Name, tpl.Title, tpl.Summary)
	if d := strings.TrimSpace(tpl.Description); d != "" {
		fmt.Fprintf(w, "\n%s\n", indent(d, "  "))
	}
	var table bytes.Buffer
	tw := tabwriter.NewWriter(&table, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "\nParameters (botctl install %s DIR -p name=value ...):\n", tpl.Name)
	if len(tpl.Parameters) == 0 {
		fmt.Fprintln(tw, "  none")
	}
	for _, p := range tpl.Parameters {
		fmt.Fprintf(tw, "  %s\t%s\t%s\n", p.Name, paramNotes(p), p.Description)
	}
	task, err := tpl.LoadTask(showParams(tpl, params))
	if err != nil {
		fmt.Fprintf(tw, "\nNodes and flow: the template does not render with these parameters (give them with -p):\n%s\n", indent(err.Error(), "  "))
	} else {
		fmt.Fprintln(tw, "\nNodes, in flow order:")
		writeNodeTable(tw, task)
	}
	tw.Flush()
	for _, line := range strings.SplitAfter(table.String(), "\n") {
		io.WriteString(w, strings.TrimRight(line, " \n"))
		if strings.HasSuffix(line, "\n") {
			io.WriteString(w, "\n")
		}
	}
	if task != nil {
		fmt.Fprintf(w, "\nFlow (Mermaid; once installed, botctl flow DIR %s prints it):\n```mermaid\n", task.Name)
		writeMermaid(w, task.Graph(), lang)
		fmt.Fprintln(w, "```")
	}
	fmt.Fprintln(w, "\nTests (conversations the template is checked with):")
	if len(tpl.Tests) == 0 {
		fmt.Fprintln(w, "  none")
	}
	for i, tc := range tpl.Tests {
		name := tc.Name
		if name == "" {
			name = fmt.Sprintf("#%d", i+1)
		}
		turns := "turns"
		if len(tc.Turns) == 1 {
			turns = "turn"
		}
		fmt.Fprintf(w, "  %s (%d %s)\n", name, len(tc.Turns), turns)
	}
}

// indent puts prefix before every line of s that is not empty.
func indent(s, prefix string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		if l != "" {
			lines[i] = prefix + l
		}
	}
	return strings.Join(lines, "\n")
}

// writeNodeTable writes a row per node of task, in flow order: id, type
// and exits (key → target).
func writeNodeTable(tw io.Writer, task *dialog.Task) {
	for _, n := range flowOrder(task.Graph()) {
		var exits []string
		for _, e := range n.Exits {
			exits = append(exits, e.Key+" → "+e.To)
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\n", n.ID, n.Type, strings.Join(exits, ", "))
	}
}

// egRE finds the example in a parameter's description: "e.g. VALUE".
var egRE = regexp.MustCompile(`e\.g\. (\S+[^\s.,;)])`)

// showParams are the parameters templates show renders with: the given
// ones, and for a required parameter without a value the example its
// description gives, so that the flow shows without -p.
func showParams(tpl *templates.Template, given map[string]string) map[string]string {
	out := maps.Clone(given)
	if out == nil {
		out = map[string]string{}
	}
	for _, p := range tpl.Parameters {
		if _, ok := out[p.Name]; ok || !p.Required || p.Default != nil {
			continue
		}
		if m := egRE.FindStringSubmatch(p.Description); m != nil {
			out[p.Name] = m[1]
		}
	}
	return out
}
