package main

import (
	"bytes"
	"strings"
	"testing"
)

func TestTemplatesShow(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		code    int
		stdout  []string // each a substring
		inOrder []string // substrings of stdout that must appear in this order
		stderr  string
	}{
		{
			name: "lookup_record", args: []string{"templates", "show", "lookup_record"}, code: 0,
			stdout: []string{
				"lookup_record: Look up a record by e-mail\n",
				"Asks for an e-mail address, GETs the matching record",
				"  A task that asks for an e-mail address", // the description
				"Parameters (botctl install lookup_record DIR -p name=value ...):",
				"  api_base      required                 base URL of the JSON API",
				`  task_name     default "lookup_record"  name of the installed task`,
				"  lookup     service  next → found, on_error → check, on_timeout → check\n",
				"  check      logic    if → not_found, else → failed\n",
				"  found (2 turns)\n", "  api down (2 turns)\n",
			},
			inOrder: []string{"Nodes, in flow order:", "\n  start ", "\n  email ", "\n  lookup ", "\n  found ",
				"\n  check ", "\n  not_found ", "\n  failed ", "Tests"},
		},
		{
			name: "typed parameters and a confirmation", args: []string{"templates", "show", "create_record"}, code: 0,
			stdout: []string{`phone_optional   bool, default "true"`, `timeout_seconds  number, default "5"`,
				"confirm    confirmation  on_yes → create, on_no → cancelled\n"},
			// The failure exits of create come after its next.
			inOrder: []string{"\n  create ", "\n  created ", "\n  failed ", "\n  cancelled "},
		},
		{
			name: "conditions before failure exits", args: []string{"templates", "show", "salesforce_find_open_cases"}, code: 0,
			inOrder: []string{"\n  find_cases ", "\n  none_open ", "\n  summarize ", "\n  list ", "\n  failed ", "\n  ask_email "},
		},
		{name: "the flow diagram", args: []string{"templates", "show", "create_record"}, code: 0,
			// api_base is required: the example its description gives renders the flow.
			inOrder: []string{"Flow (Mermaid; once installed, botctl flow DIR create_record prints it):\n```mermaid\nstateDiagram-v2\n",
				"    create : service: POST https://api.example.com/v1/", "    [*] --> start\n", "```\n", "Tests"}},
		{name: "parameters that do not render", args: []string{"templates", "show", "lookup_record", "-p", "api_base=ftp://x"}, code: 0,
			stdout: []string{"Nodes and flow: the template does not render with these parameters (give them with -p):\n  template lookup_record: parameter api_base"}},
		{name: "close name", args: []string{"templates", "show", "lookup"}, code: 1,
			stderr: `botctl templates show: no template "lookup": did you mean "lookup_record"?`},
		{name: "typo", args: []string{"templates", "show", "crete_recrod"}, code: 1, stderr: `did you mean "create_record"?`},
		{name: "nothing close", args: []string{"templates", "show", "zzzzzzzz"}, code: 1,
			stderr: `no template "zzzzzzzz"; the templates are create_record, lookup_record,`},
		{name: "install suggests too", args: []string{"install", "lokup_record", "DIR"}, code: 1, stderr: `did you mean "lookup_record"?`},
		{name: "list", args: []string{"templates", "list"}, code: 0,
			stdout: []string{"create_record\t", "  -p api_base=...\tbase URL of the JSON API, e.g. https://api.example.com/v1 (required)"}},
		{name: "bare templates lists", args: []string{"templates"}, code: 0, stdout: []string{"lookup_record\t"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(tt.args, &stdout, &stderr)
			if code != tt.code {
				t.Errorf("exit %d, want %d\nstderr: %s", code, tt.code, &stderr)
			}
			out := stdout.String()
			for _, want := range tt.stdout {
				if !strings.Contains(out, want) {
					t.Errorf("stdout lacks %q:\n%s", want, out)
				}
			}
			at := 0
			for _, want := range tt.inOrder {
				i := strings.Index(out[at:], want)
				if i < 0 {
					t.Errorf("stdout lacks %q after position %d (want %q in that order):\n%s", want, at, tt.inOrder, out)
					break
				}
				at += i + len(want)
			}
			if !strings.Contains(stderr.String(), tt.stderr) {
				t.Errorf("stderr = %q, want it to contain %q", &stderr, tt.stderr)
			}
			for _, line := range strings.Split(out, "\n") {
				if strings.HasSuffix(line, " ") {
					t.Errorf("line %q ends in a space", line)
				}
			}
		})
	}
}

// TestTemplatesListIntegration: -integration lists one integration's
// templates only; an unknown one is refused with the known ones named.
func TestTemplatesListIntegration(t *testing.T) {
	code, out, _ := botctl(t, "templates", "list", "-integration", "salesforce")
	names := 0
	for _, line := range strings.Split(out, "\n") {
		if line == "" || strings.HasPrefix(line, " ") {
			continue
		}
		names++
		if !strings.HasPrefix(line, "salesforce_") {
			t.Errorf("templates list -integration salesforce lists %q", line)
		}
	}
	if code != 0 || names < 20 {
		t.Errorf("templates list -integration salesforce: exit %d, %d templates; want 0 and the whole catalogue", code, names)
	}
	code, _, errOut := botctl(t, "templates", "list", "--integration", "nope")
	if want := `no integration "nope"; the templates' integrations are salesforce`; code != 2 || !strings.Contains(errOut, want) {
		t.Errorf("unknown integration: exit %d, stderr %q; want 2 and %q", code, errOut, want)
	}
}
