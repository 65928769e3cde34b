package salesforce

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/botforge/dialogd/nodes"
)

// condition is one field test of a find's filter. The field name was
// checked when the bot loaded; the value is a template rendered as text,
// or a literal written in the YAML.
type condition struct {
	field   string
	op      string
	value   *nodes.Interp   // a template (quoted as a string literal)
	literal string          // a number, true, false or null, as written
	list    []*nodes.Interp // op "in"
}

// Operators of a find's where.
var soqlOps = map[string]string{
	"equals": "=", "not_equals": "!=", "less_than": "<", "greater_than": ">",
	"starts_with": "LIKE", "contains": "LIKE", "in": "IN", "phone": "LIKE",
}

// parseConditions reads a where map: field → value, or field → {op: value}.
func parseConditions(what string, n *yaml.Node) ([]condition, error) {
	if n.Kind == 0 || n.ShortTag() == "!!null" {
		return nil, nil
	}
	if n.Kind != yaml.MappingNode || len(n.Content) == 0 {
		return nil, fmt.Errorf("%s (line %d): want a map of field names to values", what, n.Line)
	}
	var out []condition
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if !fieldPathRE.MatchString(k.Value) {
			return nil, fmt.Errorf("%s.%s (line %d): not a field name", what, k.Value, k.Line)
		}
		c := condition{field: k.Value, op: "equals"}
		if v.Kind == yaml.MappingNode {
			if len(v.Content) != 2 {
				return nil, fmt.Errorf("%s.%s (line %d): want one operator, such as {contains: ...}", what, k.Value, v.Line)
			}
			c.op = v.Content[0].Value
			if _, ok := soqlOps[c.op]; !ok {
				return nil, fmt.Errorf("%s.%s (line %d): unknown operator %q (want equals, not_equals, starts_with, contains, in, less_than, greater_than or phone)", what, k.Value, v.Line, c.op)
			}
			v = v.Content[1]
		}
		if err := c.setValue(v); err != nil {
			return nil, fmt.Errorf("%s.%s (line %d): %w", what, k.Value, v.Line, err)
		}
		out = append(out, c)
	}
	return out, nil
}

// setValue takes the condition's value from the YAML node.
func (c *condition) setValue(v *yaml.Node) error {
	if c.op == "in" {
		if v.Kind != yaml.SequenceNode || len(v.Content) == 0 {
			return fmt.Errorf("in wants a list of values")
		}
		for _, e := range v.Content {
			tp, err := scalarInterp(e)
			if err != nil {
				return err
			}
			c.list = append(c.list, tp)
		}
		return nil
	}
	if v.Kind != yaml.ScalarNode {
		return fmt.Errorf("want one value")
	}
	switch v.ShortTag() {
	case "!!null":
		c.literal = "null"
	case "!!bool":
		c.literal = strings.ToLower(v.Value)
	case "!!int", "!!float":
		if _, err := strconv.ParseFloat(v.Value, 64); err != nil {
			return fmt.Errorf("%q is not a number", v.Value)
		}
		c.literal = v.Value
	default:
		tp, err := scalarInterp(v)
		if err != nil {
			return err
		}
		c.value = tp
	}
	if c.literal != "" && (c.op == "starts_with" || c.op == "contains" || c.op == "phone") {
		return fmt.Errorf("%s wants text", c.op)
	}
	return nil
}

func scalarInterp(v *yaml.Node) (*nodes.Interp, error) {
	if v.Kind != yaml.ScalarNode {
		return nil, fmt.Errorf("want one value")
	}
	return nodes.ParseInterp(v.Value)
}

// render writes the condition as SOQL: every value from the conversation
// is a quoted, escaped string literal.
func (c *condition) render(t *nodes.Turn) (string, error) {
	if c.op == "in" {
		vals := make([]string, len(c.list))
		for i, tp := range c.list {
			s, err := tp.Render(t, nodes.EscapeText)
			if err != nil {
				return "", err
			}
			vals[i] = "'" + nodes.EscapeSOQL(s) + "'"
		}
		return c.field + " IN (" + strings.Join(vals, ", ") + ")", nil
	}
	if c.literal != "" {
		return c.field + " " + soqlOps[c.op] + " " + c.literal, nil
	}
	s, err := c.value.Render(t, nodes.EscapeText)
	if err != nil {
		return "", err
	}
	switch c.op {
	case "starts_with":
		return c.field + " LIKE '" + nodes.EscapeSOQLLike(s) + "%'", nil
	case "contains":
		return c.field + " LIKE '%" + nodes.EscapeSOQLLike(s) + "%'", nil
	}
	return c.field + " " + soqlOps[c.op] + " '" + nodes.EscapeSOQL(s) + "'", nil
}

// whereClause is the find's filter: every where condition, and one of the
// any_of groups. Phone conditions also go into the filter the records
// found must pass (see phoneFilter); a phone number that is none makes its
// group, or when it is in where the whole find, match nothing
// (errNoMatch).
func (a *Action) whereClause(t *nodes.Turn) (string, *phoneFilter, error) {
	pf := &phoneFilter{}
	parts, all, err := a.renderGroup(t, "where", a.where)
	if err != nil {
		return "", nil, err
	}
	pf.all = all
	var alts []string
	for g := range a.anyOf {
		group, want, err := a.renderGroup(t, fmt.Sprintf("any_of[%d]", g), a.anyOf[g])
		if errors.Is(err, errNoMatch) {
			continue
		}
		if err != nil {
			return "", nil, err
		}
		alts = append(alts, "("+strings.Join(group, " AND ")+")")
		if len(want) > 0 {
			pf.anyOf = append(pf.anyOf, want)
		}
	}
	switch {
	case len(alts) == 0 && len(a.anyOf) > 0:
		return "", nil, errNoMatch
	case len(alts) > 0:
		parts = append(parts, "("+strings.Join(alts, " OR ")+")")
	}
	if pf.empty() {
		pf = nil
	}
	return strings.Join(parts, " AND "), pf, nil
}

// renderGroup renders conditions that must all hold, and what their phone
// conditions want of a record.
func (a *Action) renderGroup(t *nodes.Turn, what string, conds []condition) ([]string, []phoneWant, error) {
	var parts []string
	var want []phoneWant
	for i := range conds {
		c := &conds[i]
		if c.op == "phone" {
			s, w, err := a.renderPhone(t, c)
			if err != nil {
				return nil, nil, fmt.Errorf("%s.%s: %w", what, c.field, err)
			}
			parts, want = append(parts, s), append(want, w)
			continue
		}
		s, err := c.render(t)
		if err != nil {
			return nil, nil, fmt.Errorf("%s.%s: %w", what, c.field, err)
		}
		parts = append(parts, s)
	}
	return parts, want, nil
}

// selectList is the fields get, find and search return.
func (a *Action) selectList() []string {
	if len(a.Select) > 0 {
		return a.Select
	}
	switch a.Object {
	case "Case":
		return []string{"Id", "CaseNumber", "Subject", "Status"}
	case "Task":
		return []string{"Id", "Subject", "Status"}
	case "Lead", "Contact":
		return []string{"Id", "Name", "Email"}
	}
	return []string{"Id", "Name"}
}

// findQuery is the SOQL of a find, and the filter its records must pass
// when it has phone conditions.
func (a *Action) findQuery(t *nodes.Turn) (string, *phoneFilter, error) {
	where, pf, err := a.whereClause(t)
	if err != nil {
		return "", nil, err
	}
	fields, limit := withID(a.selectList()), a.Limit
	if pf != nil {
		// The phone fields are read back to be compared, and the query
		// may find numbers that only look alike: room for them.
		fields, limit = withFields(fields, a.phoneFields()), maxLimit
	}
	q := "SELECT " + strings.Join(fields, ", ") + " FROM " + a.Object + " WHERE " + where
	if a.OrderBy != "" {
		q += " ORDER BY " + a.OrderBy
	}
	return q + " LIMIT " + strconv.Itoa(limit), pf, nil
}

// withID puts Id first in a field list that lacks it: records need it for
// their links.
func withID(fields []string) []string {
	for _, f := range fields {
		if strings.EqualFold(f, "Id") {
			return fields
		}
	}
	return append([]string{"Id"}, fields...)
}
