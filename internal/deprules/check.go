package deprules

import (
	"fmt"
	"slices"
	"strings"
)

// Package is what Check needs to know of a package, as `go list -deps
// -json` prints it.
type Package struct {
	ImportPath string
	Standard   bool
	Deps       []string // every package it depends on, directly or not
}

// Check returns one message per broken rule: a dependency a rule does not
// allow, a package of the module that no rule covers, and a rule that
// covers no package. pkgs is every package go list printed, the module's
// and their dependencies.
func Check(pkgs []Package, rules []Rule) []string {
	standard := map[string]bool{}
	for _, p := range pkgs {
		standard[p.ImportPath] = p.Standard
	}
	var problems []string
	used := make([]bool, len(rules))
	for _, p := range pkgs {
		rel, ok := strings.CutPrefix(p.ImportPath, Module)
		if !ok {
			continue
		}
		covered := false
		for i, r := range rules {
			if !under(rel, r.Dir) {
				continue
			}
			covered, used[i] = true, true
			problems = append(problems, r.violations(p, standard)...)
		}
		if !covered {
			problems = append(problems, fmt.Sprintf("package %s has no dependency rule; add a row for its directory to deprules.Rules", p.ImportPath))
		}
	}
	for i, r := range rules {
		if !used[i] {
			problems = append(problems, fmt.Sprintf("rule for %q covers no package; remove or fix the row", r.Dir))
		}
	}
	return problems
}

// violations lists the dependencies of p (a package r covers) that r does
// not allow.
func (r Rule) violations(p Package, standard map[string]bool) []string {
	var out []string
	for _, dep := range p.Deps {
		if why, ok := r.Forbidden[dep]; ok {
			out = append(out, fmt.Sprintf("package %s depends on %s, which is not allowed; reason: %s", p.ImportPath, dep, why))
			continue
		}
		rel, ours := strings.CutPrefix(dep, Module)
		switch {
		case ours && under(rel, r.Dir):
		case ours && !r.AnyModule && !slices.ContainsFunc(r.Allow, func(d string) bool { return under(rel, d) }):
			out = append(out, fmt.Sprintf("package %s depends on %s, which is not allowed; reason: %s", p.ImportPath, dep, r.Why))
		case !ours && r.StdlibOnly && !standard[dep]:
			out = append(out, fmt.Sprintf("package %s depends on %s, which is not allowed; reason: %s", p.ImportPath, dep, r.Why))
		}
	}
	return out
}

// under reports whether the module-relative path rel is dir or below it.
func under(rel, dir string) bool {
	return rel == dir || strings.HasPrefix(rel, dir+"/")
}
