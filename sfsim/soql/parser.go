package soql

import (
	"fmt"
	"strconv"
	"strings"
)

// MaxOffset is the largest OFFSET Salesforce accepts.
const MaxOffset = 2000

// Parse parses one SOQL SELECT statement. Errors are *Error values with the
// code and message Salesforce gives for the same text (MALFORMED_QUERY for
// syntax, NUMBER_OUTSIDE_VALID_RANGE for an OFFSET above 2000). Parse knows
// no schema: unknown objects and fields are reported by Execute.
func Parse(q string) (*Query, error) {
	p := &parser{lx: lexer{src: q}}
	if err := p.advance(); err != nil {
		return nil, err
	}
	if !p.isKeyword("SELECT") {
		// A statement that does not even start like a query gets the bare
		// message, without the caret excerpt.
		return nil, errorf(CodeMalformedQuery, "unexpected token: '%s'", p.tok.text)
	}
	query, err := p.parseSelect(false)
	if err != nil {
		return nil, err
	}
	if p.tok.kind != tEOF {
		return nil, p.unexpected()
	}
	return query, nil
}

type parser struct {
	lx  lexer
	tok token
}

func (p *parser) advance() *Error {
	t, err := p.lx.next()
	if err != nil {
		return err
	}
	p.tok = t
	return nil
}

func (p *parser) unexpected() *Error {
	return posError(CodeMalformedQuery, p.lx.src, p.tok.pos, fmt.Sprintf("unexpected token: '%s'", p.tok.text))
}

func (p *parser) isKeyword(kw string) bool {
	return p.tok.kind == tIdent && strings.EqualFold(p.tok.text, kw)
}

func (p *parser) isPunct(s string) bool {
	return p.tok.kind == tPunct && p.tok.text == s
}

func (p *parser) expectKeyword(kw string) *Error {
	if !p.isKeyword(kw) {
		return p.unexpected()
	}
	return p.advance()
}

func (p *parser) expectPunct(s string) *Error {
	if !p.isPunct(s) {
		return p.unexpected()
	}
	return p.advance()
}

// reserved words cannot be field names, object names or aliases.
var reserved = map[string]bool{
	"SELECT": true, "FROM": true, "WHERE": true, "AND": true, "OR": true, "NOT": true,
	"IN": true, "LIKE": true, "INCLUDES": true, "EXCLUDES": true, "ORDER": true, "BY": true,
	"ASC": true, "DESC": true, "NULLS": true, "LIMIT": true, "OFFSET": true, "TRUE": true,
	"FALSE": true, "NULL": true, "GROUP": true, "HAVING": true, "WITH": true, "FOR": true,
	"USING": true, "TYPEOF": true, "ROLLUP": true, "CUBE": true, "UPDATE": true, "VIEW": true,
	"REFERENCE": true, "FIRST": true, "LAST": true, "END": true, "WHEN": true, "THEN": true, "ELSE": true,
}

// isObjectName accepts what may follow FROM: a plain name, including the
// standard objects Order and Group whose names are keywords.
func (p *parser) isObjectName() bool {
	if p.tok.kind != tIdent || strings.Contains(p.tok.text, ".") {
		return false
	}
	up := strings.ToUpper(p.tok.text)
	return !reserved[up] || up == "ORDER" || up == "GROUP"
}

func (p *parser) isName() bool {
	return p.tok.kind == tIdent && !reserved[strings.ToUpper(p.tok.text)]
}

// parseSelect parses from SELECT to the end of the statement (or of the
// subquery when child is set).
func (p *parser) parseSelect(child bool) (*Query, *Error) {
	q := &Query{Limit: -1, Offset: -1, src: p.lx.src}
	if err := p.expectKeyword("SELECT"); err != nil {
		return nil, err
	}
	for {
		it, err := p.parseItem(child)
		if err != nil {
			return nil, err
		}
		q.Items = append(q.Items, it)
		if !p.isPunct(",") {
			break
		}
		if err := p.advance(); err != nil {
			return nil, err
		}
	}
	if err := p.expectKeyword("FROM"); err != nil {
		return nil, err
	}
	if !p.isObjectName() {
		return nil, p.unexpected()
	}
	q.Object, q.ObjectPos = p.tok.text, p.tok.pos
	if err := p.advance(); err != nil {
		return nil, err
	}
	if p.isName() && !strings.Contains(p.tok.text, ".") {
		q.Alias = p.tok.text
		if err := p.advance(); err != nil {
			return nil, err
		}
	}
	if err := p.parseTail(q, !child); err != nil {
		return nil, err
	}
	if child {
		if !p.isPunct(")") {
			return nil, p.unexpected()
		}
	}
	return q, nil
}

// parseTail parses the optional WHERE, ORDER BY, LIMIT and OFFSET clauses.
func (p *parser) parseTail(q *Query, allowOffset bool) *Error {
	if p.isKeyword("WHERE") {
		if err := p.advance(); err != nil {
			return err
		}
		e, err := p.parseCondition()
		if err != nil {
			return err
		}
		q.Where = e
	}
	if p.isKeyword("ORDER") {
		if err := p.advance(); err != nil {
			return err
		}
		if err := p.expectKeyword("BY"); err != nil {
			return err
		}
		for {
			o, err := p.parseOrder()
			if err != nil {
				return err
			}
			q.OrderBy = append(q.OrderBy, o)
			if !p.isPunct(",") {
				break
			}
			if err := p.advance(); err != nil {
				return err
			}
		}
	}
	if p.isKeyword("LIMIT") {
		n, err := p.parseCount()
		if err != nil {
			return err
		}
		q.Limit = n
	}
	if p.isKeyword("OFFSET") {
		pos := p.tok.pos
		n, err := p.parseCount()
		if err != nil {
			return err
		}
		if !allowOffset {
			return posError(CodeMalformedQuery, p.lx.src, pos, "unexpected token: 'OFFSET'")
		}
		if n > MaxOffset {
			return errorf(CodeNumberOutsideRange, "Maximum SOQL offset allowed is %d", MaxOffset)
		}
		q.Offset = n
	}
	return nil
}

func itemText(it Item) string {
	switch it.Kind {
	case ItemSubquery:
		return "("
	case ItemCount, ItemCountField:
		return "COUNT"
	}
	return it.Path
}

// parseCount parses the integer after LIMIT or OFFSET.
func (p *parser) parseCount() (int, *Error) {
	if err := p.advance(); err != nil {
		return 0, err
	}
	if p.tok.kind != tNumber {
		return 0, p.unexpected()
	}
	n, convErr := strconv.Atoi(p.tok.text)
	if convErr != nil || n < 0 || strings.HasPrefix(p.tok.text, "+") {
		return 0, p.unexpected()
	}
	return n, p.advance()
}

func (p *parser) parseItem(child bool) (Item, *Error) {
	pos := p.tok.pos
	switch {
	case p.isPunct("("):
		if child {
			return Item{}, p.unexpected()
		}
		if err := p.advance(); err != nil {
			return Item{}, err
		}
		if !p.isKeyword("SELECT") {
			return Item{}, p.unexpected()
		}
		sub, err := p.parseSelect(true)
		if err != nil {
			return Item{}, err
		}
		if err := p.expectPunct(")"); err != nil {
			return Item{}, err
		}
		return Item{Kind: ItemSubquery, Sub: sub, Pos: pos}, nil
	case p.tok.kind == tIdent && strings.EqualFold(p.tok.text, "COUNT"):
		if err := p.advance(); err != nil {
			return Item{}, err
		}
		if !p.isPunct("(") {
			// COUNT used as a plain field name.
			return Item{Kind: ItemField, Path: "COUNT", Pos: pos}, nil
		}
		if err := p.advance(); err != nil {
			return Item{}, err
		}
		it := Item{Kind: ItemCount, Pos: pos}
		if p.isName() {
			it.Kind, it.Path = ItemCountField, p.tok.text
			if err := p.advance(); err != nil {
				return Item{}, err
			}
		}
		if err := p.expectPunct(")"); err != nil {
			return Item{}, err
		}
		if it.Kind == ItemCountField && p.isName() && !strings.Contains(p.tok.text, ".") {
			it.Alias = p.tok.text
			if err := p.advance(); err != nil {
				return Item{}, err
			}
		}
		return it, nil
	case p.isName():
		it := Item{Kind: ItemField, Path: p.tok.text, Pos: pos}
		return it, p.advance()
	}
	return Item{}, p.unexpected()
}

func (p *parser) parseOrder() (Order, *Error) {
	if !p.isName() {
		return Order{}, p.unexpected()
	}
	o := Order{Field: p.tok.text, Pos: p.tok.pos}
	if err := p.advance(); err != nil {
		return o, err
	}
	if p.isKeyword("ASC") || p.isKeyword("DESC") {
		o.Desc = p.isKeyword("DESC")
		if err := p.advance(); err != nil {
			return o, err
		}
	}
	if p.isKeyword("NULLS") {
		if err := p.advance(); err != nil {
			return o, err
		}
		switch {
		case p.isKeyword("FIRST"):
			o.Nulls = NullsFirst
		case p.isKeyword("LAST"):
			o.Nulls = NullsLast
		default:
			return o, p.unexpected()
		}
		if err := p.advance(); err != nil {
			return o, err
		}
	}
	return o, nil
}

// parseCondition parses a WHERE condition. Salesforce requires parentheses
// when AND and OR meet at one level, so `a AND b OR c` fails at the OR.
func (p *parser) parseCondition() (Expr, *Error) {
	first, err := p.parseUnary()
	if err != nil {
		return nil, err
	}
	var op string
	switch {
	case p.isKeyword("AND"):
		op = "AND"
	case p.isKeyword("OR"):
		op = "OR"
	default:
		return first, nil
	}
	terms := []Expr{first}
	for {
		if p.isKeyword("AND") || p.isKeyword("OR") {
			if !p.isKeyword(op) {
				return nil, p.unexpected()
			}
		} else {
			break
		}
		if err := p.advance(); err != nil {
			return nil, err
		}
		t, err := p.parseUnary()
		if err != nil {
			return nil, err
		}
		terms = append(terms, t)
	}
	if op == "AND" {
		return &AndExpr{Terms: terms}, nil
	}
	return &OrExpr{Terms: terms}, nil
}

func (p *parser) parseUnary() (Expr, *Error) {
	switch {
	case p.isKeyword("NOT"):
		if err := p.advance(); err != nil {
			return nil, err
		}
		x, err := p.parseUnary()
		if err != nil {
			return nil, err
		}
		return &NotExpr{X: x}, nil
	case p.isPunct("("):
		if err := p.advance(); err != nil {
			return nil, err
		}
		e, err := p.parseCondition()
		if err != nil {
			return nil, err
		}
		if err := p.expectPunct(")"); err != nil {
			return nil, err
		}
		return e, nil
	}
	return p.parseComparison()
}

func (p *parser) parseComparison() (Expr, *Error) {
	if !p.isName() {
		return nil, p.unexpected()
	}
	c := &Comparison{Field: p.tok.text, FieldPos: p.tok.pos}
	if err := p.advance(); err != nil {
		return nil, err
	}
	switch {
	case p.tok.kind == tPunct && (p.tok.text == "=" || p.tok.text == "!=" || p.tok.text == "<>" ||
		p.tok.text == "<" || p.tok.text == "<=" || p.tok.text == ">" || p.tok.text == ">="):
		c.Op = p.tok.text
		if c.Op == "<>" {
			c.Op = "!="
		}
	case p.isKeyword("LIKE"):
		c.Op = "LIKE"
	case p.isKeyword("IN"), p.isKeyword("INCLUDES"), p.isKeyword("EXCLUDES"):
		c.Op = strings.ToUpper(p.tok.text)
	case p.isKeyword("NOT"):
		if err := p.advance(); err != nil {
			return nil, err
		}
		if !p.isKeyword("IN") {
			return nil, p.unexpected()
		}
		c.Op = "NOT IN"
	default:
		return nil, p.unexpected()
	}
	if err := p.advance(); err != nil {
		return nil, err
	}
	switch c.Op {
	case "IN", "NOT IN", "INCLUDES", "EXCLUDES":
		if err := p.expectPunct("("); err != nil {
			return nil, err
		}
		if (c.Op == "IN" || c.Op == "NOT IN") && p.isKeyword("SELECT") {
			// Semi-join: Id IN (SELECT AccountId FROM Contact …).
			sub, err := p.parseSelect(true)
			if err != nil {
				return nil, err
			}
			if len(sub.Items) != 1 || sub.Items[0].Kind != ItemField {
				bad := sub.Items[min(1, len(sub.Items)-1)]
				return nil, posError(CodeMalformedQuery, p.lx.src, bad.Pos, "unexpected token: '"+itemText(bad)+"'")
			}
			c.Sub = sub
			if err := p.expectPunct(")"); err != nil {
				return nil, err
			}
			return c, nil
		}
		for {
			v, err := p.parseValue(c.Op)
			if err != nil {
				return nil, err
			}
			c.Values = append(c.Values, v)
			if !p.isPunct(",") {
				break
			}
			if err := p.advance(); err != nil {
				return nil, err
			}
		}
		if err := p.expectPunct(")"); err != nil {
			return nil, err
		}
	default:
		v, err := p.parseValue(c.Op)
		if err != nil {
			return nil, err
		}
		c.Values = []Value{v}
	}
	return c, nil
}

func (p *parser) parseValue(op string) (Value, *Error) {
	t := p.tok
	v := Value{Pos: t.pos}
	switch t.kind {
	case tString:
		if t.likeEsc && op != "LIKE" {
			seq := `\%`
			if i := strings.Index(t.text, `\_`); i >= 0 && (strings.Index(t.text, `\%`) < 0 || i < strings.Index(t.text, `\%`)) {
				seq = `\_`
			}
			return v, posError(CodeMalformedQuery, p.lx.src, t.pos,
				fmt.Sprintf("Invalid string literal %s. Illegal character sequence '%s' in string literal.", t.text, seq))
		}
		v.Kind, v.Text = ValString, t.val
		if op != "LIKE" {
			// Outside LIKE, % and _ are plain characters: keep only the
			// backslash escaped.
			v.Text = strings.ReplaceAll(unpattern(t.val), `\`, `\\`)
		}
	case tNumber:
		v.Kind, v.Text = ValNumber, t.text
	case tDate:
		v.Kind, v.Text = ValDate, t.text
	case tDateTime:
		v.Kind, v.Text = ValDateTime, t.text
	case tIdent:
		up := strings.ToUpper(t.text)
		switch up {
		case "TRUE", "FALSE":
			v.Kind, v.Bool = ValBool, up == "TRUE"
		case "NULL":
			v.Kind = ValNull
		default:
			lit, ok := dateLiterals[up]
			if !ok {
				return v, p.unexpected()
			}
			v.Kind, v.Text = ValDateLiteral, up
			if lit.param {
				if err := p.advance(); err != nil {
					return v, err
				}
				if err := p.expectPunct(":"); err != nil {
					return v, err
				}
				if p.tok.kind != tNumber {
					return v, p.unexpected()
				}
				n, err := strconv.Atoi(p.tok.text)
				if err != nil || n < 0 || strings.HasPrefix(p.tok.text, "+") {
					return v, p.unexpected()
				}
				v.N = n
			}
		}
	case tPunct:
		if t.text == ":" {
			return v, posError(CodeMalformedQuery, p.lx.src, t.pos, "Bind variables only allowed in Apex code")
		}
		return v, p.unexpected()
	default:
		return v, p.unexpected()
	}
	if op == "LIKE" && v.Kind != ValString && v.Kind != ValNull {
		return v, p.unexpected()
	}
	return v, p.advance()
}
