package salesforce

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/botforge/dialogd/nodes"
)

// A find's phone condition ({Phone: {phone: "{{ entities.phone }}"}})
// matches a record whose field holds the same number however the org
// stored it: "(415) 555-0101", "+1 415 555 0101" and "+14155550101" are
// one number. The value is read as the phone entity reads one (E.164,
// with the node's region, else the conversation language's, for numbers
// without a country code). SOQL cannot normalise a field, so the query
// asks for the number's national digits in order with anything between
// them (Phone LIKE '%4%1%5%5%5%5%0%1%0%1%', digits only: nothing the user
// typed reaches the query), and the records found are kept only when the
// field, normalised to E.164 in the same region, is the number.

// errNoMatch is the error of a find that cannot match anything (its phone
// number is not one): the call is not made and nothing is found.
var errNoMatch = errors.New("the filter matches nothing")

// phoneWant is what a phone condition wants of a record: the field (a
// path such as Phone or Account.Phone) holding the number e164.
type phoneWant struct {
	field []string
	e164  string
}

// phoneFilter is what the records of a find with phone conditions must
// pass: every phone condition of where, and every phone condition of one
// any_of group (when any_of has phone conditions, each group has only
// phone conditions, so the group that matched is known).
type phoneFilter struct {
	all   []phoneWant
	anyOf [][]phoneWant
}

func (pf *phoneFilter) empty() bool { return len(pf.all) == 0 && len(pf.anyOf) == 0 }

// renderPhone renders a phone condition as a LIKE of the number's digits.
func (a *Action) renderPhone(t *nodes.Turn, c *condition) (string, phoneWant, error) {
	s, err := c.value.Render(t, nodes.EscapeText)
	if err != nil {
		return "", phoneWant{}, err
	}
	num, ok := nodes.ParsePhoneNumber(s, t.Lang, a.Region)
	if !ok || num.National == "" {
		return "", phoneWant{}, errNoMatch
	}
	var b strings.Builder
	b.WriteByte('%')
	for _, d := range num.National {
		if d < '0' || d > '9' {
			return "", phoneWant{}, errNoMatch
		}
		b.WriteRune(d)
		b.WriteByte('%')
	}
	return c.field + " LIKE '" + b.String() + "'", phoneWant{field: strings.Split(c.field, "."), e164: num.E164}, nil
}

// keep filters the records a find returned down to those whose phone
// fields hold the number, and to the node's limit.
func (pf *phoneFilter) keep(t *nodes.Turn, region string, recs []any, limit int) []any {
	out := recs[:0]
	for _, r := range recs {
		m, _ := r.(map[string]any)
		if m == nil || !pf.matches(t, region, m) {
			continue
		}
		out = append(out, r)
		if len(out) == limit {
			break
		}
	}
	return out
}

func (pf *phoneFilter) matches(t *nodes.Turn, region string, rec map[string]any) bool {
	has := func(w phoneWant) bool {
		v := any(rec)
		for _, k := range w.field {
			m, _ := v.(map[string]any)
			v = m[k]
		}
		s, _ := v.(string)
		return s != "" && nodes.StoredPhoneE164(s, t.Lang, region) == w.e164
	}
	for _, w := range pf.all {
		if !has(w) {
			return false
		}
	}
	if len(pf.anyOf) == 0 {
		return true
	}
	return slices.ContainsFunc(pf.anyOf, func(group []phoneWant) bool {
		for _, w := range group {
			if !has(w) {
				return false
			}
		}
		return true
	})
}

// phoneFields are the fields the phone conditions read.
func (a *Action) phoneFields() []string {
	var out []string
	for _, group := range append([][]condition{a.where}, a.anyOf...) {
		for _, c := range group {
			if c.op == "phone" && !slices.Contains(out, c.field) {
				out = append(out, c.field)
			}
		}
	}
	return out
}

// withFields adds to a field list the fields it lacks.
func withFields(fields, more []string) []string {
	out := slices.Clone(fields)
	for _, f := range more {
		if !slices.ContainsFunc(out, func(g string) bool { return strings.EqualFold(f, g) }) {
			out = append(out, f)
		}
	}
	return out
}

// validatePhone checks the phone conditions' setting: the region, and
// any_of groups that can be told apart (see phoneFilter).
func (a *Action) validatePhone() error {
	phones := a.phoneFields()
	if a.Region != "" && (len(phones) == 0 || !nodes.ValidPhoneRegion(a.Region)) {
		if len(phones) == 0 {
			return errors.New("region is only for a find with a phone condition")
		}
		return fmt.Errorf("region %q is not a known phone region (use an ISO 3166 code such as US, JP or DE)", a.Region)
	}
	mixed, phoneGroup := -1, -1
	for g, group := range a.anyOf {
		n := 0
		for _, c := range group {
			if c.op == "phone" {
				n++
			}
		}
		if n > 0 && phoneGroup < 0 {
			phoneGroup = g
		}
		if n < len(group) && mixed < 0 {
			mixed = g
		}
	}
	if phoneGroup >= 0 && mixed >= 0 {
		return fmt.Errorf("any_of[%d]: beside a group with a phone condition (any_of[%d]), every group may hold only phone conditions; put the other conditions in where", mixed, phoneGroup)
	}
	return nil
}
