// Package examples holds example bots: demo (what `make run` serves),
// salesforce_demo (the whole Salesforce catalogue, which `make run` serves
// beside it against an embedded Salesforce emulator) and bench (the 5-turn
// dialog of the side-by-side load harness). They are
// embedded so botd runs without any files next to it.
package examples

import (
	"embed"
	"io/fs"
)

//go:embed all:demo all:bench all:salesforce_demo
var files embed.FS

// Demo returns the demo bot's directory.
func Demo() fs.FS { return sub("demo") }

// SalesforceDemo returns the Salesforce demo bot's directory: the whole
// Salesforce catalogue with its conversation tests (tests/).
func SalesforceDemo() fs.FS { return sub("salesforce_demo") }

// Bench returns the bench bot's directory.
func Bench() fs.FS { return sub("bench") }

func sub(dir string) fs.FS {
	f, err := fs.Sub(files, dir)
	if err != nil {
		panic(err) // the directory is embedded above
	}
	return f
}
