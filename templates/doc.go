// Package templates is the catalogue of installable dialog tasks: each
// template is one self-describing YAML file (name, title, summary,
// description, typed parameters, a task body and its own test
// conversations) embedded in the binary.
//
// A template's task body is a dialog task file (see dialog.TaskFile) in
// which ${param} placeholders stand for parameter values. Values are put
// into the parsed YAML tree's scalars, never into raw text, so a value can
// not add keys, nodes or list items; "{{" in a value is written as a
// literal so it cannot open a context interpolation either. A rendered
// task is checked by loading it with a minimal bot before it is returned.
//
// The usual flow is List to choose, Get to read the parameters, and
// Install to write tasks/<task name>.yaml into a bot directory; botctl
// install wraps it. RunTests runs a template's test conversations against
// a real dialog runtime with an in-memory session store.
package templates
