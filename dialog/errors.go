package dialog

import (
	"errors"
	"fmt"
	"sort"
	"strings"
)

// LoadError is one problem found in a bot's files, with its position.
type LoadError struct {
	File string // path as given to the loader, e.g. "examples/demo/tasks/lead.yaml"
	Line int    // 1-based; 0 when unknown
	Col  int    // 1-based; 0 when unknown
	Path string // where in the document, e.g. "nodes.ask_email.retries"
	Msg  string
}

func (e LoadError) Error() string {
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

// LoadErrors is every problem found while loading a bot. The loader reports
// all of them at once, sorted by file and position.
type LoadErrors []LoadError

func (es LoadErrors) Error() string {
	lines := make([]string, len(es))
	for i, e := range es {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

func (es LoadErrors) sorted() LoadErrors {
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
	return es
}

// AsLoadErrors returns the load errors inside err, if any.
func AsLoadErrors(err error) (LoadErrors, bool) {
	var es LoadErrors
	if errors.As(err, &es) {
		return es, true
	}
	return nil, false
}

// codedError is an error with a client-facing code (see channels.Conversations).
type codedError struct {
	code string
	err  error
}

func (e *codedError) Error() string { return e.code + ": " + e.err.Error() }
func (e *codedError) Unwrap() error { return e.err }

// Code is the client-facing error code.
func (e *codedError) Code() string { return e.code }
