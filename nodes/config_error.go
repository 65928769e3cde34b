package nodes

import (
	"errors"
	"fmt"
	"sort"
	"strings"
)

// ConfigError is one problem in a configuration file (bot.yaml, a task
// file, a template) with its position. Every decoder of this module
// reports problems this way, so they all read file:line:col: path: message.
type ConfigError struct {
	File string // path as given to the decoder, e.g. "examples/demo/tasks/lead.yaml"
	Line int    // 1-based; 0 when unknown
	Col  int    // 1-based; 0 when unknown
	Path string // where in the document, e.g. "nodes.ask_email.retries"
	Msg  string
	// Err is the error the problem came from, when it came from one (a
	// field's UnmarshalYAML, a node's Provision or Validate), so that
	// errors.Is and errors.As see through the position.
	Err error
}

// Unwrap returns the error the problem came from, or nil.
func (e ConfigError) Unwrap() error { return e.Err }

func (e ConfigError) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d:%d", e.Line, e.Col)
	}
	if e.Path != "" {
		b.WriteString(": ")
		b.WriteString(e.Path)
	}
	b.WriteString(": ")
	b.WriteString(e.Msg)
	return b.String()
}

// ConfigErrors is every problem found in one pass, one per line.
type ConfigErrors []ConfigError

func (es ConfigErrors) Error() string {
	lines := make([]string, len(es))
	for i, e := range es {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

// Unwrap returns the problems, for errors.Is and errors.As.
func (es ConfigErrors) Unwrap() []error {
	out := make([]error, len(es))
	for i, e := range es {
		out[i] = e
	}
	return out
}

// Sort orders the problems by file and position; problems at the same
// position keep the order they were found in.
func (es ConfigErrors) Sort() {
	sort.SliceStable(es, func(i, j int) bool {
		a, b := es[i], es[j]
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Col < b.Col
	})
}

// AsConfigErrors returns the configuration problems inside err, if any.
func AsConfigErrors(err error) (ConfigErrors, bool) {
	var es ConfigErrors
	if errors.As(err, &es) {
		return es, true
	}
	var e ConfigError
	if errors.As(err, &e) {
		return ConfigErrors{e}, true
	}
	return nil, false
}
