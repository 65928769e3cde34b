package dialog

import (
	"github.com/botforge/dialogd/nodes"
)

// LoadError is one problem found in a bot's files, with its position. It
// is the [nodes.ConfigError] every decoder of the module reports, so a bot,
// a template and a node test word a problem the same way.
type LoadError = nodes.ConfigError

// LoadErrors is every problem found while loading a bot. The loader reports
// all of them at once, sorted by file and position.
type LoadErrors = nodes.ConfigErrors

// AsLoadErrors returns the load errors inside err, if any.
func AsLoadErrors(err error) (LoadErrors, bool) {
	return nodes.AsConfigErrors(err)
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
