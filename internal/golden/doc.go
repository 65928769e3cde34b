// Package golden is the module's one golden-file helper for tests: it
// compares what a test produced with a file under the package's testdata/
// and, with go test -update, rewrites the file instead. A test package
// that uses it has no -update flag of its own (this package defines it).
package golden
