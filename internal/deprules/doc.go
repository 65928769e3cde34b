// Package deprules holds the module's dependency rules, one row per
// directory (Rules), and checks them against `go list` (Check).
//
// The rules are one architecture (docs/architecture.md), so they live in
// one table and one test (TestModuleDependencies) checks every package of
// the module with a single `go list` run: a new import that breaks a rule,
// a new package or directory that no row covers, or a row that covers
// nothing fails it, with the row's reason.
package deprules
