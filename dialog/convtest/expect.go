package convtest

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// Pattern is an expected text: a substring, or a regular expression
// written /like this/.
type Pattern struct {
	sub string
	re  *regexp.Regexp
}

// ParsePattern reads an expect: value.
func ParsePattern(s string) (Pattern, error) {
	if s == "" {
		return Pattern{}, errors.New("expect is empty")
	}
	if re, ok, err := slashRegexp(s); ok {
		if err != nil {
			return Pattern{}, fmt.Errorf("expect %s: %w", s, err)
		}
		return Pattern{re: re}, nil
	}
	return Pattern{sub: s}, nil
}

// slashRegexp compiles s when it is written /like this/.
func slashRegexp(s string) (*regexp.Regexp, bool, error) {
	if len(s) < 2 || s[0] != '/' || s[len(s)-1] != '/' {
		return nil, false, nil
	}
	re, err := regexp.Compile(s[1 : len(s)-1])
	return re, true, err
}

// Match reports whether got contains the substring or matches the
// expression.
func (p Pattern) Match(got string) bool {
	if p.re != nil {
		return p.re.MatchString(got)
	}
	return strings.Contains(got, p.sub)
}

// String says what is wanted: `a match of /…/` or `"…" in it`.
func (p Pattern) String() string {
	if p.re != nil {
		return "a match of /" + p.re.String() + "/"
	}
	return strconv.Quote(p.sub) + " in it"
}

// Kinds are the words a turn's kind: may use: the protocol's frame
// types, the parts of a message frame, and error.
var Kinds = []string{"message", "authorize", "handoff", "card", "buttons", "quick_replies", "link", "error"}

// parseKinds splits "card, buttons" and checks each word.
func parseKinds(s string) ([]string, error) {
	var out []string
	for _, k := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' }) {
		if !slices.Contains(Kinds, k) {
			return nil, fmt.Errorf("kind %q is not one of %s", k, strings.Join(Kinds, ", "))
		}
		out = append(out, k)
	}
	if len(out) == 0 {
		return nil, errors.New("kind is empty")
	}
	return out, nil
}

// matchValue reports whether got (a JSON value, or nil when unset) is
// what want (a YAML value) asks for: equal when both are written out,
// or a match of a /regular expression/; nil wants nil.
func matchValue(want, got any) bool {
	if want == nil || got == nil {
		return want == nil && got == nil
	}
	if s, ok := want.(string); ok {
		if re, ok, err := slashRegexp(s); ok && err == nil {
			return re.MatchString(formatValue(got))
		}
	}
	return formatValue(want) == formatValue(got)
}

// formatValue writes a value the way it is compared and shown: strings
// as they are, numbers without a needless fraction, nil as null.
func formatValue(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case string:
		return x
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case float32:
		return strconv.FormatFloat(float64(x), 'f', -1, 32)
	}
	return fmt.Sprint(v)
}

// Problems lists what is wrong with the turn as written, each a message
// without position (the caller knows where the turn is).
func (tu *Turn) Problems() []string {
	var out []string
	actions := 0
	for _, a := range []string{tu.Say, tu.Click, tu.SignIn} {
		if a != "" {
			actions++
		}
	}
	if actions != 1 {
		out = append(out, "a turn either says something or clicks a button (or signs in: sign_in)")
	}
	if tu.SignIn != "" && tu.SignIn != SignInGrant && tu.SignIn != SignInDeny {
		out = append(out, fmt.Sprintf("sign_in %q is not %s or %s", tu.SignIn, SignInGrant, SignInDeny))
	}
	if tu.Expect == "" && tu.Kind == "" && tu.Context == nil && tu.Records == nil {
		out = append(out, "a turn expects something: expect, kind, context or records")
	}
	if tu.Expect != "" {
		if _, err := ParsePattern(tu.Expect); err != nil {
			out = append(out, err.Error())
		}
	}
	if tu.Kind != "" {
		if _, err := parseKinds(tu.Kind); err != nil {
			out = append(out, err.Error())
		}
	}
	if tu.Context != nil {
		out = append(out, valuesProblems("context", *tu.Context)...)
	}
	if r := tu.Records; r != nil {
		out = append(out, r.problems()...)
	}
	return out
}

func (r *RecordsCheck) problems() []string {
	var out []string
	if strings.TrimSpace(r.SOQL) == "" {
		out = append(out, "records needs a soql query")
	}
	switch {
	case r.Count == nil && r.Rows == nil:
		out = append(out, "records needs rows or a count")
	case r.Count != nil && r.Rows != nil:
		out = append(out, "records takes rows or a count, not both")
	}
	if r.Count != nil && *r.Count < 0 {
		out = append(out, "records count must not be negative")
	}
	for i, row := range r.Rows {
		out = append(out, valuesProblems(fmt.Sprintf("records rows[%d]", i), row)...)
	}
	return out
}

// valuesProblems reports /regular expressions/ that do not compile.
func valuesProblems(what string, vs Values) []string {
	var out []string
	for _, k := range sortedKeys(vs) {
		if s, ok := vs[k].(string); ok {
			if _, isRE, err := slashRegexp(s); isRE && err != nil {
				out = append(out, fmt.Sprintf("%s %s: %v", what, k, err))
			}
		}
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
