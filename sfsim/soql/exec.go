package soql

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// Execute runs a parsed query against src. Schema errors come back as *Error
// with Salesforce's codes and messages: INVALID_TYPE for an unknown object
// or child relationship, INVALID_FIELD for an unknown field or relationship
// or a literal of the wrong type, INVALID_QUERY_FILTER_OPERATOR for a
// malformed id literal.
//
// A top-level `Field = 'literal'` conjunct on Id is served by Source.Get and
// one on another field by Indexed.Lookup when src implements Indexed and
// reports an index; otherwise every record is scanned.
func Execute(q *Query, src Source, opt Options) (*Result, error) {
	if opt.Now.IsZero() {
		opt.Now = time.Now()
	}
	if opt.Version == "" {
		opt.Version = DefaultVersion
	}
	obj, ok := src.Object(q.Object)
	if !ok {
		return nil, posError(CodeInvalidType, q.src, q.ObjectPos, fmt.Sprintf(msgNoType, q.Object))
	}
	c := &compiler{src: src, today: dayOf(opt.Now)}
	pl, err := c.plan(q, obj)
	if err != nil {
		return nil, err
	}
	ex := &executor{src: src, opt: opt}
	return ex.run(pl), nil
}

// compiler turns a Query into a plan checked against the schema.
type compiler struct {
	src   Source
	today time.Time
}

type plan struct {
	q       *Query
	obj     Object
	items   []planItem
	where   pred
	index   []indexKey // top-level equality conjuncts usable for lookup
	orders  []planOrder
	count   bool // COUNT()
	agg     *path
	aggName string
}

type planItem struct {
	kind ItemKind
	path path
	sub  *plan
	rel  string // child relationship name as written
	fk   string // child's reference field
}

type planOrder struct {
	path  path
	desc  bool
	nulls NullsOrder
}

type indexKey struct {
	field Field
	value string
}

// pred reports whether a record matches.
type pred func(ex *executor, rec map[string]any) bool

func (c *compiler) plan(q *Query, obj Object) (*plan, *Error) {
	pl := &plan{q: q, obj: obj}
	var plain []Item
	for _, it := range q.Items {
		switch it.Kind {
		case ItemField:
			p, err := resolvePath(c.src, obj, q.Alias, it.Path, it.Pos, q.src)
			if err != nil {
				return nil, err
			}
			pl.items = append(pl.items, planItem{kind: ItemField, path: p})
			plain = append(plain, it)
		case ItemSubquery:
			childName, fk, ok := obj.Child(it.Sub.Object)
			if !ok {
				return nil, posError(CodeInvalidType, q.src, it.Sub.ObjectPos, fmt.Sprintf(msgNoChild, it.Sub.Object))
			}
			childObj, ok := c.src.Object(childName)
			if !ok {
				return nil, posError(CodeInvalidType, q.src, it.Sub.ObjectPos, fmt.Sprintf(msgNoChild, it.Sub.Object))
			}
			sub, err := c.plan(it.Sub, childObj)
			if err != nil {
				return nil, err
			}
			if sub.count || sub.agg != nil {
				return nil, posError(CodeMalformedQuery, q.src, it.Pos, "unexpected token: 'COUNT'")
			}
			rel := it.Sub.Object
			if cn, ok := obj.(ChildNamer); ok {
				if name, ok := cn.ChildName(rel); ok {
					rel = name
				}
			}
			pl.items = append(pl.items, planItem{kind: ItemSubquery, sub: sub, rel: rel, fk: fk})
			plain = append(plain, it)
		case ItemCount:
			if len(q.Items) > 1 {
				return nil, posError(CodeMalformedQuery, q.src, it.Pos, "COUNT() must be the only element in the SELECT list")
			}
			pl.count = true
		case ItemCountField:
			p, err := resolvePath(c.src, obj, q.Alias, it.Path, it.Pos, q.src)
			if err != nil {
				return nil, err
			}
			if pl.agg != nil {
				return nil, posError(CodeMalformedQuery, q.src, it.Pos, "unexpected token: 'COUNT'")
			}
			pl.agg, pl.aggName = &p, it.Alias
			if pl.aggName == "" {
				pl.aggName = "expr0"
			}
		}
	}
	if pl.agg != nil && len(plain) > 0 {
		it := plain[0]
		name := it.Path
		if it.Kind == ItemSubquery {
			name = it.Sub.Object
		}
		return nil, posError(CodeMalformedQuery, q.src, it.Pos, "Field must be grouped or aggregated: "+name)
	}
	if q.Where != nil {
		w, err := c.expr(q, obj, q.Where)
		if err != nil {
			return nil, err
		}
		pl.where = w
		pl.index = c.indexKeys(q, obj)
	}
	for _, o := range q.OrderBy {
		p, err := resolvePath(c.src, obj, q.Alias, o.Field, o.Pos, q.src)
		if err != nil {
			return nil, err
		}
		pl.orders = append(pl.orders, planOrder{path: p, desc: o.Desc, nulls: o.Nulls})
	}
	return pl, nil
}

// indexKeys lists the top-level `Field = 'literal'` conjuncts on direct
// fields of obj.
func (c *compiler) indexKeys(q *Query, obj Object) []indexKey {
	terms := []Expr{q.Where}
	if and, ok := q.Where.(*AndExpr); ok {
		terms = and.Terms
	}
	var keys []indexKey
	for _, t := range terms {
		cmp, ok := t.(*Comparison)
		if !ok || cmp.Op != "=" || cmp.Values[0].Kind != ValString || cmp.Values[0].Text == "" {
			continue // '' means null, which no index holds
		}
		p, err := resolvePath(c.src, obj, q.Alias, cmp.Field, cmp.FieldPos, q.src)
		if err != nil || len(p.hops) > 0 {
			continue
		}
		keys = append(keys, indexKey{field: p.field, value: cmp.Values[0].Str()})
	}
	return keys
}

func (c *compiler) expr(q *Query, obj Object, e Expr) (pred, *Error) {
	switch e := e.(type) {
	case *AndExpr:
		ps, err := c.exprs(q, obj, e.Terms)
		if err != nil {
			return nil, err
		}
		return func(ex *executor, rec map[string]any) bool {
			for _, p := range ps {
				if !p(ex, rec) {
					return false
				}
			}
			return true
		}, nil
	case *OrExpr:
		ps, err := c.exprs(q, obj, e.Terms)
		if err != nil {
			return nil, err
		}
		return func(ex *executor, rec map[string]any) bool {
			for _, p := range ps {
				if p(ex, rec) {
					return true
				}
			}
			return false
		}, nil
	case *NotExpr:
		p, err := c.expr(q, obj, e.X)
		if err != nil {
			return nil, err
		}
		return func(ex *executor, rec map[string]any) bool { return !p(ex, rec) }, nil
	case *Comparison:
		return c.comparison(q, obj, e)
	}
	return nil, errorf(CodeMalformedQuery, "unsupported condition")
}

func (c *compiler) exprs(q *Query, obj Object, terms []Expr) ([]pred, *Error) {
	ps := make([]pred, len(terms))
	for i, t := range terms {
		p, err := c.expr(q, obj, t)
		if err != nil {
			return nil, err
		}
		ps[i] = p
	}
	return ps, nil
}

// semiJoin compiles `field [NOT] IN (SELECT f FROM Object …)`: the
// subquery runs once per execution and its values are compared as ids.
func (c *compiler) semiJoin(q *Query, p path, cmp *Comparison) (pred, *Error) {
	subObj, ok := c.src.Object(cmp.Sub.Object)
	if !ok {
		return nil, posError(CodeInvalidType, q.src, cmp.Sub.ObjectPos, fmt.Sprintf(msgNoType, cmp.Sub.Object))
	}
	sub, err := c.plan(cmp.Sub, subObj)
	if err != nil {
		return nil, err
	}
	if p.kind != kindID || sub.items[0].path.kind != kindID {
		return nil, posError(CodeInvalidField, q.src, cmp.FieldPos,
			"The left operand field in a semi join must be an id or a reference field, and the selected field must be an id or a reference field")
	}
	negate := cmp.Op == "NOT IN"
	direct := len(p.hops) == 0
	name := p.field.Name
	return func(ex *executor, rec map[string]any) bool {
		var v any
		if direct {
			v = rec[name]
		} else {
			v = ex.value(rec, &p)
		}
		s, _ := v.(string)
		in := s != "" && ex.semiSet(sub)[idKey(s)]
		return in != negate
	}, nil
}

// lit is a literal converted for comparison with one field kind.
type lit struct {
	null     bool
	s        string // text: the plain value; id: the 18-character id
	lower    string // text: lower-cased value
	n        float64
	b        bool
	from, to time.Time // date kinds: the literal's range, or from==to for a point
	point    bool
	pattern  string     // LIKE: lower-cased pattern form
	multi    [][]string // INCLUDES/EXCLUDES: each entry's lower-cased values
}

func (c *compiler) literal(q *Query, p path, op string, v Value) (lit, *Error) {
	if v.Kind == ValNull {
		return lit{null: true}, nil
	}
	name := p.field.Name
	wrongType := func() *Error {
		quoted := "should not be enclosed in quotes"
		if p.kind == kindText || p.kind == kindID || p.kind == kindMulti {
			quoted = "should be enclosed in quotes"
		}
		return posError(CodeInvalidField, q.src, v.Pos,
			fmt.Sprintf("value of filter criterion for field '%s' must be of type %s and %s", name, typeWord(p.kind), quoted))
	}
	switch p.kind {
	case kindText, kindMulti:
		if v.Kind != ValString {
			return lit{}, wrongType()
		}
		s := v.Str()
		if s == "" && op != "LIKE" {
			return lit{null: true}, nil // '' means null
		}
		l := lit{s: s, lower: strings.ToLower(s)}
		if op == "LIKE" {
			l.pattern = strings.ToLower(v.Text)
		}
		if op == "INCLUDES" || op == "EXCLUDES" {
			l.multi = [][]string{splitMulti(s)}
		}
		return l, nil
	case kindID:
		if v.Kind != ValString {
			return lit{}, wrongType()
		}
		s := v.Str()
		if s == "" && op != "LIKE" {
			return lit{null: true}, nil
		}
		if op == "LIKE" {
			return lit{s: s, lower: strings.ToLower(s), pattern: strings.ToLower(v.Text)}, nil
		}
		id, ok := to18(s)
		if !ok {
			return lit{}, posError(CodeInvalidFilterOp, q.src, v.Pos, "invalid ID field: "+s)
		}
		return lit{s: id, lower: strings.ToLower(id)}, nil
	case kindNumber:
		if v.Kind != ValNumber {
			return lit{}, wrongType()
		}
		n, err := strconv.ParseFloat(v.Text, 64)
		if err != nil {
			return lit{}, wrongType()
		}
		return lit{n: n}, nil
	case kindBool:
		if v.Kind != ValBool {
			return lit{}, wrongType()
		}
		return lit{b: v.Bool}, nil
	case kindDate, kindDateTime:
		switch {
		case v.Kind == ValDateLiteral:
			from, to := dateLiterals[v.Text].span(c.today, v.N)
			return lit{from: from, to: to}, nil
		case v.Kind == ValDate && p.kind == kindDate, v.Kind == ValDateTime && p.kind == kindDateTime:
			t, ok := parseLiteralTime(v.Text)
			if !ok {
				return lit{}, wrongType()
			}
			return lit{from: t, to: t, point: true}, nil
		}
		return lit{}, wrongType()
	}
	return lit{}, wrongType()
}

func (c *compiler) comparison(q *Query, obj Object, cmp *Comparison) (pred, *Error) {
	p, err := resolvePath(c.src, obj, q.Alias, cmp.Field, cmp.FieldPos, q.src)
	if err != nil {
		return nil, err
	}
	if cmp.Sub != nil {
		return c.semiJoin(q, p, cmp)
	}
	switch cmp.Op {
	case "INCLUDES", "EXCLUDES":
		if p.kind != kindMulti {
			return nil, posError(CodeInvalidFilterOp, q.src, cmp.FieldPos, "INCLUDES or EXCLUDES operator only valid on multipicklist field")
		}
	case "LIKE":
		if p.kind != kindText && p.kind != kindID && p.kind != kindMulti {
			return nil, posError(CodeInvalidField, q.src, cmp.Values[0].Pos,
				fmt.Sprintf("value of filter criterion for field '%s' must be of type %s and should not be enclosed in quotes", p.field.Name, typeWord(p.kind)))
		}
	case "<", "<=", ">", ">=":
		if p.kind == kindBool || p.kind == kindMulti {
			return nil, posError(CodeInvalidFilterOp, q.src, cmp.FieldPos,
				fmt.Sprintf("invalid operator on %s field: %s", strings.ToLower(p.field.Type), cmp.Op))
		}
	}
	lits := make([]lit, len(cmp.Values))
	for i, v := range cmp.Values {
		l, err := c.literal(q, p, cmp.Op, v)
		if err != nil {
			return nil, err
		}
		lits[i] = l
	}
	if cmp.Op == "INCLUDES" || cmp.Op == "EXCLUDES" {
		var all [][]string
		for _, l := range lits {
			all = append(all, l.multi...)
		}
		lits[0].multi = all
	}
	op, kind := cmp.Op, p.kind
	direct := len(p.hops) == 0
	name := p.field.Name
	return func(ex *executor, rec map[string]any) bool {
		var v any
		if direct {
			v = rec[name]
		} else {
			v = ex.value(rec, &p)
		}
		return match(kind, op, v, lits)
	}, nil
}

// match applies op to a record value.
func match(kind fieldKind, op string, v any, lits []lit) bool {
	if s, ok := v.(string); ok && s == "" {
		v = nil // Salesforce stores empty strings as null
	}
	switch op {
	case "IN":
		for i := range lits {
			if compare1(kind, "=", v, &lits[i]) {
				return true
			}
		}
		return false
	case "NOT IN":
		for i := range lits {
			if compare1(kind, "=", v, &lits[i]) {
				return false
			}
		}
		return true
	case "INCLUDES", "EXCLUDES":
		found := false
		if s, ok := v.(string); ok {
			have := splitMulti(s)
			for _, want := range lits[0].multi {
				if containsAll(have, want) {
					found = true
					break
				}
			}
		}
		return found == (op == "INCLUDES")
	}
	return compare1(kind, op, v, &lits[0])
}

func compare1(kind fieldKind, op string, v any, l *lit) bool {
	if l.null || v == nil {
		isNull := v == nil
		switch op {
		case "=":
			return isNull == l.null
		case "!=":
			return isNull != l.null
		}
		return false
	}
	if op == "LIKE" {
		s, ok := v.(string)
		return ok && likeMatch(l.pattern, s)
	}
	var c int
	switch kind {
	case kindText, kindMulti:
		s := fmt.Sprint(v)
		if op == "=" || op == "!=" {
			return strings.EqualFold(s, l.s) == (op == "=")
		}
		c = strings.Compare(strings.ToLower(s), l.lower)
	case kindID:
		s, _ := v.(string)
		if id, ok := to18(s); ok {
			s = id
		}
		if op == "=" || op == "!=" {
			return strings.EqualFold(s, l.s) == (op == "=")
		}
		c = strings.Compare(strings.ToLower(s), l.lower)
	case kindNumber:
		n, ok := toFloat(v)
		if !ok {
			return false
		}
		c = cmpFloat(n, l.n)
	case kindBool:
		b, ok := v.(bool)
		if !ok {
			return false
		}
		return (b == l.b) == (op == "=")
	case kindDate, kindDateTime:
		s, ok := v.(string)
		if !ok {
			return false
		}
		t, ok := parseStoredTime(s)
		if !ok {
			return false
		}
		if kind == kindDate {
			t = dayOf(t)
		}
		return inRange(op, t, l)
	}
	return cmpHolds(op, c)
}

// cmpHolds reports whether a three-way comparison result c satisfies op.
func cmpHolds(op string, c int) bool {
	switch op {
	case "=":
		return c == 0
	case "!=":
		return c != 0
	case "<":
		return c < 0
	case "<=":
		return c <= 0
	case ">":
		return c > 0
	case ">=":
		return c >= 0
	}
	return false
}

// inRange compares an instant with a point literal or a date range
// [from, to): `=` means inside, `<` before it, `>` after it.
func inRange(op string, t time.Time, l *lit) bool {
	if l.point {
		return cmpHolds(op, t.Compare(l.from))
	}
	inside := !t.Before(l.from) && t.Before(l.to)
	switch op {
	case "=":
		return inside
	case "!=":
		return !inside
	case "<":
		return t.Before(l.from)
	case "<=":
		return t.Before(l.to)
	case ">":
		return !t.Before(l.to)
	case ">=":
		return !t.Before(l.from)
	}
	return false
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func toFloat(v any) (float64, bool) {
	switch n := v.(type) {
	case float64:
		return n, true
	case int:
		return float64(n), true
	case int64:
		return float64(n), true
	case string:
		f, err := strconv.ParseFloat(n, 64)
		return f, err == nil
	}
	return 0, false
}

func splitMulti(s string) []string {
	parts := strings.Split(s, ";")
	out := parts[:0]
	for _, p := range parts {
		if p = strings.ToLower(strings.TrimSpace(p)); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func containsAll(have, want []string) bool {
	for _, w := range want {
		if !slices.Contains(have, w) {
			return false
		}
	}
	return len(want) > 0
}

func dayOf(t time.Time) time.Time {
	t = t.UTC()
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

// parseLiteralTime reads a date or datetime literal as written in a query.
func parseLiteralTime(s string) (time.Time, bool) {
	if len(s) == 10 {
		t, err := time.Parse(DateLayout, s)
		return t, err == nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999Z0700", "2006-01-02T15:04:05.999999999-07:00"} {
		if t, err := time.Parse(layout, strings.ToUpper(s)); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

// likeMatch matches s, case-insensitively, against a lower-cased LIKE
// pattern in pattern form: % is any run, _ any one character, and \x the
// character x.
func likeMatch(pattern, s string) bool {
	if isASCII(pattern) && isASCII(s) {
		return likeMatchSeq([]byte(pattern), []byte(s))
	}
	return likeMatchSeq([]rune(pattern), []rune(s))
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

func lower[T byte | rune](c T) T {
	if c < 0x80 {
		if 'A' <= c && c <= 'Z' {
			return c + 'a' - 'A'
		}
		return c
	}
	return T(unicode.ToLower(rune(c)))
}

func likeMatchSeq[T byte | rune](pr, sr []T) bool {
	pi, si := 0, 0
	starP, starS := -1, 0
	for si < len(sr) {
		if pi < len(pr) {
			switch c := pr[pi]; {
			case c == '%':
				starP, starS = pi, si
				pi++
				continue
			case c == '_':
				pi++
				si++
				continue
			case c == '\\' && pi+1 < len(pr):
				if pr[pi+1] == lower(sr[si]) {
					pi += 2
					si++
					continue
				}
			case c == lower(sr[si]):
				pi++
				si++
				continue
			}
		}
		if starP < 0 {
			return false
		}
		starS++
		pi, si = starP+1, starS
	}
	for pi < len(pr) && pr[pi] == '%' {
		pi++
	}
	return pi == len(pr)
}

// to18 validates a 15- or 18-character record id and returns the 18-char
// form (the 15-char form with its case-checksum suffix).
func to18(id string) (string, bool) {
	if len(id) != 15 && len(id) != 18 {
		return "", false
	}
	for i := 0; i < len(id); i++ {
		if !isIdentPart(id[i]) || id[i] == '_' {
			return "", false
		}
	}
	if len(id) == 18 {
		return id, true
	}
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"
	var b [18]byte
	copy(b[:], id)
	for chunk := 0; chunk < 3; chunk++ {
		flags := 0
		for j := 0; j < 5; j++ {
			if c := id[chunk*5+j]; 'A' <= c && c <= 'Z' {
				flags |= 1 << j
			}
		}
		b[15+chunk] = alphabet[flags]
	}
	return string(b[:]), true
}
