package salesforce

import (
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
	"starts_with": "LIKE", "contains": "LIKE", "in": "IN",
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
				return nil, fmt.Errorf("%s.%s (line %d): unknown operator %q (want equals, not_equals, starts_with, contains, in, less_than or greater_than)", what, k.Value, v.Line, c.op)
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
	if c.literal != "" && (c.op == "starts_with" || c.op == "contains") {
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
// any_of groups.
func (a *Action) whereClause(t *nodes.Turn) (string, error) {
	var parts []string
	for i := range a.where {
		s, err := a.where[i].render(t)
		if err != nil {
			return "", fmt.Errorf("where.%s: %w", a.where[i].field, err)
		}
		parts = append(parts, s)
	}
	var alts []string
	for g := range a.anyOf {
		var group []string
		for i := range a.anyOf[g] {
			s, err := a.anyOf[g][i].render(t)
			if err != nil {
				return "", fmt.Errorf("any_of[%d].%s: %w", g, a.anyOf[g][i].field, err)
			}
			group = append(group, s)
		}
		alts = append(alts, "("+strings.Join(group, " AND ")+")")
	}
	if len(alts) > 0 {
		parts = append(parts, "("+strings.Join(alts, " OR ")+")")
	}
	return strings.Join(parts, " AND "), nil
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

// findQuery is the SOQL of a find.
func (a *Action) findQuery(t *nodes.Turn) (string, error) {
	where, err := a.whereClause(t)
	if err != nil {
		return "", err
	}
	q := "SELECT " + strings.Join(withID(a.selectList()), ", ") + " FROM " + a.Object + " WHERE " + where
	if a.OrderBy != "" {
		q += " ORDER BY " + a.OrderBy
	}
	return q + " LIMIT " + strconv.Itoa(a.Limit), nil
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
