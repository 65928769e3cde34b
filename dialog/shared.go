package dialog

import (
	"fmt"
	"reflect"
	"sort"
	"strings"
)

// CheckShared checks the settings that several bots of one server share.
// An auth profile name used by more than one bot names one connection
// (one connected app, one token endpoint), so its settings must be
// identical in every bot ("primary settings"); the error says which bots
// and which keys differ.
func CheckShared(bots []*Bot) error {
	type use struct {
		bot string
		v   reflect.Value
	}
	byName := map[string][]use{}
	for _, b := range bots {
		for name, p := range b.Config.AuthProfiles {
			if p != nil {
				byName[name] = append(byName[name], use{b.Config.Name, reflect.ValueOf(p).Elem()})
			}
		}
	}
	names := make([]string, 0, len(byName))
	for n := range byName {
		names = append(names, n)
	}
	sort.Strings(names)
	var problems []string
	seenBot := map[string]string{}
	for _, b := range bots {
		if prev, dup := seenBot[b.Config.Name]; dup {
			problems = append(problems, fmt.Sprintf("bots in %s and %s are both named %q; bot names must be unique", prev, b.Dir, b.Config.Name))
		}
		seenBot[b.Config.Name] = b.Dir
	}
	for _, name := range names {
		uses := byName[name]
		first := uses[0]
		for _, u := range uses[1:] {
			if diff := differingKeys(first.v, u.v); len(diff) > 0 {
				problems = append(problems, fmt.Sprintf("auth profile %q is shared by bots %q and %q but differs in: %s", name, first.bot, u.bot, strings.Join(diff, ", ")))
			}
		}
	}
	if len(problems) > 0 {
		return fmt.Errorf("shared settings differ:\n%s", strings.Join(problems, "\n"))
	}
	return nil
}

// differingKeys lists the yaml keys whose values differ between two structs.
func differingKeys(a, b reflect.Value) []string {
	var out []string
	t := a.Type()
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		if !reflect.DeepEqual(a.Field(i).Interface(), b.Field(i).Interface()) {
			name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
			if name == "" {
				name = strings.ToLower(f.Name)
			}
			out = append(out, name)
		}
	}
	return out
}
