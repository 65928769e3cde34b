package soql

import (
	"strconv"
	"strings"
)

// Query is a parsed SOQL SELECT statement. Parse fills it; Execute runs it.
// Positions (fields ending in Pos) are byte offsets into the query text and
// only serve error messages.
type Query struct {
	Items   []Item
	Object  string // object name as written (a relationship name in a child subquery)
	Alias   string // "" when the FROM clause has none
	Where   Expr   // nil when there is no WHERE clause
	OrderBy []Order
	Limit   int // -1 when absent
	Offset  int // -1 when absent

	ObjectPos int
	src       string // the whole statement, for caret diagnostics
}

// ItemKind says what a SELECT item is.
type ItemKind uint8

const (
	ItemField      ItemKind = iota // Name, Account.Name
	ItemSubquery                   // (SELECT … FROM Cases)
	ItemCount                      // COUNT()
	ItemCountField                 // COUNT(Id) [alias]
)

// Item is one entry of the SELECT list.
type Item struct {
	Kind  ItemKind
	Path  string // field path for ItemField and ItemCountField, dots kept
	Sub   *Query // child subquery for ItemSubquery
	Alias string // alias of an aggregate, "" for none
	Pos   int
}

// Expr is a WHERE condition: *AndExpr, *OrExpr, *NotExpr or *Comparison.
type Expr interface{ isExpr() }

// AndExpr holds two or more conditions that must all hold.
type AndExpr struct{ Terms []Expr }

// OrExpr holds two or more conditions of which one must hold.
type OrExpr struct{ Terms []Expr }

// NotExpr negates a condition.
type NotExpr struct{ X Expr }

// Comparison is `field op value`, `field [NOT] IN (values)` or the
// semi-join `field [NOT] IN (SELECT field FROM Object …)`.
type Comparison struct {
	Field    string // field path as written
	Op       string // = != < <= > >= LIKE IN NOT IN INCLUDES EXCLUDES
	Values   []Value
	Sub      *Query // semi-join subquery; Values is empty then
	FieldPos int
}

func (*AndExpr) isExpr()    {}
func (*OrExpr) isExpr()     {}
func (*NotExpr) isExpr()    {}
func (*Comparison) isExpr() {}

// ValueKind is the type of a literal.
type ValueKind uint8

const (
	ValString      ValueKind = iota // 'text'
	ValNumber                       // 12.5
	ValBool                         // true, false
	ValNull                         // null
	ValDate                         // 2024-01-31
	ValDateTime                     // 2024-01-31T10:00:00Z
	ValDateLiteral                  // TODAY, LAST_N_DAYS:7
)

// Value is a literal in a WHERE clause.
//
// For ValString, Text is the decoded literal with every backslash doubled;
// after LIKE, \% and \_ also stay escaped so that a literal % or _ differs
// from a wildcard. [Value.Str] gives the plain string.
// For ValNumber, ValDate and ValDateTime, Text is the source text. For
// ValDateLiteral, Text is the upper-case literal name and N its parameter
// (0 for literals without one).
type Value struct {
	Kind ValueKind
	Text string
	N    int
	Bool bool
	Pos  int
}

// Str returns a ValString literal's plain value.
func (v Value) Str() string { return unpattern(v.Text) }

// Order is one ORDER BY key.
type Order struct {
	Field string
	Desc  bool
	Nulls NullsOrder
	Pos   int
}

// NullsOrder is the NULLS FIRST|LAST clause of an ORDER BY key.
type NullsOrder uint8

const (
	NullsDefault NullsOrder = iota // not written: nulls first
	NullsFirst
	NullsLast
)

// String formats the query as SOQL that parses back to an equal Query.
func (q *Query) String() string {
	var b strings.Builder
	q.format(&b)
	return b.String()
}

func (q *Query) format(b *strings.Builder) {
	b.WriteString("SELECT ")
	for i, it := range q.Items {
		if i > 0 {
			b.WriteString(", ")
		}
		switch it.Kind {
		case ItemField:
			b.WriteString(it.Path)
		case ItemSubquery:
			b.WriteByte('(')
			it.Sub.format(b)
			b.WriteByte(')')
		case ItemCount:
			b.WriteString("COUNT()")
		case ItemCountField:
			b.WriteString("COUNT(")
			b.WriteString(it.Path)
			b.WriteByte(')')
			if it.Alias != "" {
				b.WriteByte(' ')
				b.WriteString(it.Alias)
			}
		}
	}
	b.WriteString(" FROM ")
	b.WriteString(q.Object)
	if q.Alias != "" {
		b.WriteByte(' ')
		b.WriteString(q.Alias)
	}
	if q.Where != nil {
		b.WriteString(" WHERE ")
		formatExpr(b, q.Where, false)
	}
	for i, o := range q.OrderBy {
		if i == 0 {
			b.WriteString(" ORDER BY ")
		} else {
			b.WriteString(", ")
		}
		b.WriteString(o.Field)
		if o.Desc {
			b.WriteString(" DESC")
		}
		switch o.Nulls {
		case NullsFirst:
			b.WriteString(" NULLS FIRST")
		case NullsLast:
			b.WriteString(" NULLS LAST")
		}
	}
	if q.Limit >= 0 {
		b.WriteString(" LIMIT ")
		b.WriteString(strconv.Itoa(q.Limit))
	}
	if q.Offset >= 0 {
		b.WriteString(" OFFSET ")
		b.WriteString(strconv.Itoa(q.Offset))
	}
}

// formatExpr writes e; nested groups get parentheses so that the text
// parses back to the same tree.
func formatExpr(b *strings.Builder, e Expr, nested bool) {
	switch e := e.(type) {
	case *AndExpr:
		formatGroup(b, e.Terms, " AND ", nested)
	case *OrExpr:
		formatGroup(b, e.Terms, " OR ", nested)
	case *NotExpr:
		b.WriteString("NOT ")
		if _, ok := e.X.(*Comparison); ok {
			formatExpr(b, e.X, true)
		} else {
			b.WriteByte('(')
			formatExpr(b, e.X, false)
			b.WriteByte(')')
		}
	case *Comparison:
		b.WriteString(e.Field)
		b.WriteByte(' ')
		b.WriteString(e.Op)
		b.WriteByte(' ')
		switch e.Op {
		case "IN", "NOT IN", "INCLUDES", "EXCLUDES":
			b.WriteByte('(')
			if e.Sub != nil {
				e.Sub.format(b)
			}
			for i, v := range e.Values {
				if i > 0 {
					b.WriteString(", ")
				}
				b.WriteString(v.String())
			}
			b.WriteByte(')')
		default:
			b.WriteString(e.Values[0].String())
		}
	}
}

func formatGroup(b *strings.Builder, terms []Expr, sep string, nested bool) {
	if nested {
		b.WriteByte('(')
	}
	for i, t := range terms {
		if i > 0 {
			b.WriteString(sep)
		}
		formatExpr(b, t, true)
	}
	if nested {
		b.WriteByte(')')
	}
}

// String formats the literal as SOQL source.
func (v Value) String() string {
	switch v.Kind {
	case ValString:
		return quotePattern(v.Text)
	case ValBool:
		if v.Bool {
			return "true"
		}
		return "false"
	case ValNull:
		return "null"
	case ValDateLiteral:
		if dateLiterals[v.Text].param {
			return v.Text + ":" + strconv.Itoa(v.N)
		}
		return v.Text
	}
	return v.Text
}
