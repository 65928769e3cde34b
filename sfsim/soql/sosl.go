package soql

import (
	"fmt"
	"strings"
	"time"
	"unicode"
)

// Search is a parsed SOSL statement:
//
//	FIND {term} [IN ALL|NAME|EMAIL|PHONE FIELDS]
//	[RETURNING Object [(field, … [WHERE …] [ORDER BY …] [LIMIT n] [OFFSET n])], …]
//	[LIMIT n]
//
// Run it with [ExecuteSearch], or use Match and the Returning queries
// directly.
type Search struct {
	// Term is the search term as written between the braces, escapes kept.
	Term string
	// Scope is ALL, NAME, EMAIL or PHONE (SIDEBAR counts as NAME).
	Scope string
	// Returning lists the objects to search, in order. Each entry's Query is
	// an ordinary query on that object (Items default to Id) whose WHERE,
	// ORDER BY, LIMIT and OFFSET apply to the records the term matched.
	Returning []*Query
	// Limit caps the total number of records, -1 when absent.
	Limit int

	expr termExpr
}

// Search errors.
const (
	msgNoTerm    = "No search term found. The search term must be enclosed in braces."
	msgTermShort = "search term must be longer than one character"
)

// soslReserved are the characters SOSL reserves inside a search term.
const soslReserved = `?&|!{}[]()^~*:\"'+-`

// QuoteSearch returns text as a SOSL search term, braces included, that
// searches for it literally: a quoted phrase with every reserved character
// escaped, so that user input can neither add operators (AND, OR, NOT) nor
// wildcards nor end the term.
func QuoteSearch(text string) string {
	term := text
	var b strings.Builder
	b.Grow(len(term) + 4)
	b.WriteString(`{"`)
	for _, r := range term {
		if r < 0x80 && strings.ContainsRune(soslReserved, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	b.WriteString(`"}`)
	return b.String()
}

// ParseSearch parses a SOSL statement. Syntax errors are *Error with code
// MALFORMED_SEARCH; a missing or unbalanced pair of braces gives
// "No search term found. The search term must be enclosed in braces.".
func ParseSearch(s string) (*Search, error) {
	i := skipSpace(s, 0)
	if !hasWordAt(s, i, "FIND") {
		return nil, errorf(CodeMalformedSearch, msgNoTerm)
	}
	i = skipSpace(s, i+4)
	if i >= len(s) || s[i] != '{' {
		return nil, errorf(CodeMalformedSearch, msgNoTerm)
	}
	start := i + 1
	j := start
	for ; j < len(s) && s[j] != '}'; j++ {
		if s[j] == '\\' {
			j++
		}
	}
	if j >= len(s) {
		return nil, errorf(CodeMalformedSearch, msgNoTerm)
	}
	srch := &Search{Term: s[start:j], Scope: "ALL", Limit: -1}
	expr, err := parseTerm(srch.Term)
	if err != nil {
		return nil, err
	}
	srch.expr = expr
	if countTermChars(expr) < 2 {
		return nil, errorf(CodeMalformedSearch, msgTermShort)
	}

	p := &parser{lx: lexer{src: s, pos: j + 1}}
	if err := p.advance(); err != nil {
		return nil, searchError(err)
	}
	if p.isKeyword("IN") {
		if err := p.advance(); err != nil {
			return nil, searchError(err)
		}
		switch {
		case p.isKeyword("ALL"), p.isKeyword("NAME"), p.isKeyword("EMAIL"), p.isKeyword("PHONE"), p.isKeyword("SIDEBAR"):
			srch.Scope = strings.ToUpper(p.tok.text)
			if srch.Scope == "SIDEBAR" {
				srch.Scope = "NAME"
			}
		default:
			return nil, searchError(p.unexpected())
		}
		if err := p.advance(); err != nil {
			return nil, searchError(err)
		}
		if err := p.expectKeyword("FIELDS"); err != nil {
			return nil, searchError(err)
		}
	}
	if p.isKeyword("RETURNING") {
		for {
			if err := p.advance(); err != nil {
				return nil, searchError(err)
			}
			q, err := p.parseReturning()
			if err != nil {
				return nil, searchError(err)
			}
			srch.Returning = append(srch.Returning, q)
			if !p.isPunct(",") {
				break
			}
		}
	}
	if p.isKeyword("LIMIT") {
		n, err := p.parseCount()
		if err != nil {
			return nil, searchError(err)
		}
		srch.Limit = n
	}
	if p.tok.kind != tEOF {
		return nil, searchError(p.unexpected())
	}
	return srch, nil
}

func searchError(err *Error) error {
	if err.Code == CodeMalformedQuery {
		err.Code = CodeMalformedSearch
	}
	return err
}

// parseReturning parses `Object [(fields [WHERE …] [ORDER BY …] [LIMIT n] [OFFSET n])]`.
func (p *parser) parseReturning() (*Query, *Error) {
	if !p.isName() || strings.Contains(p.tok.text, ".") {
		return nil, p.unexpected()
	}
	q := &Query{Object: p.tok.text, ObjectPos: p.tok.pos, Limit: -1, Offset: -1, src: p.lx.src}
	if err := p.advance(); err != nil {
		return nil, err
	}
	if !p.isPunct("(") {
		q.Items = []Item{{Kind: ItemField, Path: "Id", Pos: q.ObjectPos}}
		return q, nil
	}
	if err := p.advance(); err != nil {
		return nil, err
	}
	for {
		if !p.isName() {
			return nil, p.unexpected()
		}
		q.Items = append(q.Items, Item{Kind: ItemField, Path: p.tok.text, Pos: p.tok.pos})
		if err := p.advance(); err != nil {
			return nil, err
		}
		if !p.isPunct(",") {
			break
		}
		if err := p.advance(); err != nil {
			return nil, err
		}
	}
	if err := p.parseTail(q, true); err != nil {
		return nil, err
	}
	if err := p.expectPunct(")"); err != nil {
		return nil, err
	}
	return q, nil
}

func skipSpace(s string, i int) int {
	for i < len(s) && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r') {
		i++
	}
	return i
}

func hasWordAt(s string, i int, w string) bool {
	return len(s) >= i+len(w) && strings.EqualFold(s[i:i+len(w)], w) &&
		(len(s) == i+len(w) || !isIdentPart(s[i+len(w)]))
}

// termExpr is a parsed search term: a sequence of word patterns that must
// appear in a row, or an AND, OR or AND NOT of terms.
type termExpr struct {
	op    string   // "", "AND", "OR", "ANDNOT"
	parts []string // lower-cased LIKE patterns, one per word
	left  *termExpr
	right *termExpr
}

type termTok struct {
	kind  string   // "word", "phrase", "(", ")", "AND", "OR", "NOT"
	parts []string // word patterns of a word or phrase
}

// lexTerm splits a search term at white space into words, quoted phrases,
// parentheses and the operators AND, OR and NOT. A backslash makes the next
// character literal; unescaped * and ? are wildcards. Characters other than
// letters and digits split a word into a sequence of words, so
// john@acme.com matches those three words in a row.
func lexTerm(term string) ([]termTok, *Error) {
	var lx termLexer
	rs := []rune(term)
	for i := 0; i < len(rs); i++ {
		switch r := rs[i]; {
		case r == '\\':
			if i+1 >= len(rs) {
				return nil, errorf(CodeMalformedSearch, "search term ends in an escape character")
			}
			i++
			lx.escaped = true
			lx.literal(rs[i])
		case r == '*':
			lx.wildcard(r, '%')
		case r == '?':
			lx.wildcard(r, '_')
		case r == '"':
			end, err := lx.phrase(rs, i)
			if err != nil {
				return nil, err
			}
			i = end
		case r == '(' || r == ')':
			lx.flush()
			lx.toks = append(lx.toks, termTok{kind: string(r)})
		case unicode.IsSpace(r):
			lx.flush()
		default:
			lx.literal(r)
		}
	}
	lx.flush()
	return lx.toks, nil
}

// termLexer is lexTerm's state: the tokens so far and the word being read,
// as its finished patterns (parts), the pattern being built (cur), its raw
// text (to tell the operators) and whether any of it was escaped.
type termLexer struct {
	toks     []termTok
	parts    []string
	cur, raw strings.Builder
	escaped  bool
}

// endPart finishes the pattern being built, if any.
func (lx *termLexer) endPart() {
	if lx.cur.Len() > 0 {
		lx.parts = append(lx.parts, lx.cur.String())
		lx.cur.Reset()
	}
}

// flush ends the word being read: an unescaped AND, OR or NOT (in any case)
// is an operator, anything else a word.
func (lx *termLexer) flush() {
	lx.endPart()
	if len(lx.parts) == 0 && lx.raw.Len() == 0 {
		return
	}
	w := strings.ToUpper(lx.raw.String())
	if !lx.escaped && (w == "AND" || w == "OR" || w == "NOT") {
		lx.toks = append(lx.toks, termTok{kind: w})
	} else {
		lx.toks = append(lx.toks, termTok{kind: "word", parts: lx.parts})
	}
	lx.parts, lx.escaped = nil, false
	lx.raw.Reset()
}

// literal adds r to the word: a letter or digit (lower-cased) to the
// pattern, anything else ends the pattern.
func (lx *termLexer) literal(r rune) {
	lx.raw.WriteRune(r)
	if unicode.IsLetter(r) || unicode.IsDigit(r) {
		lx.cur.WriteString(strings.ToLower(string(r)))
	} else {
		lx.endPart()
	}
}

// wildcard adds the search wildcard r (* or ?) as its LIKE form.
func (lx *termLexer) wildcard(r rune, like byte) {
	lx.raw.WriteRune(r)
	lx.cur.WriteByte(like)
}

// phrase reads the quoted phrase opening at rs[open] into one phrase
// token of its words (operators inside count as words) and returns the
// index of the closing quote.
func (lx *termLexer) phrase(rs []rune, open int) (int, *Error) {
	lx.flush()
	end := closingQuote(rs, open)
	if end >= len(rs) {
		return 0, errorf(CodeMalformedSearch, "unmatched quote in search term")
	}
	inner, err := lexTerm(string(rs[open+1 : end]))
	if err != nil {
		return 0, err
	}
	lx.toks = append(lx.toks, termTok{kind: "phrase", parts: phraseWords(inner)})
	return end, nil
}

// closingQuote is the index of the quote closing the one at rs[open],
// skipping escaped characters, or len(rs) or more when there is none.
func closingQuote(rs []rune, open int) int {
	end := open + 1
	for end < len(rs) && rs[end] != '"' {
		if rs[end] == '\\' {
			end++
		}
		end++
	}
	return end
}

// phraseWords are the word patterns of a phrase's tokens, operators
// becoming the words they spell.
func phraseWords(inner []termTok) []string {
	var words []string
	for _, t := range inner {
		switch t.kind {
		case "word":
			words = append(words, t.parts...)
		case "AND", "OR", "NOT":
			words = append(words, strings.ToLower(t.kind))
		}
	}
	return words
}

func parseTerm(term string) (termExpr, *Error) {
	toks, err := lexTerm(term)
	if err != nil {
		return termExpr{}, err
	}
	tp := &termParser{toks: toks}
	e, err := tp.or()
	if err != nil {
		return termExpr{}, err
	}
	if tp.i < len(tp.toks) {
		return termExpr{}, errorf(CodeMalformedSearch, "unexpected token in search term: '%s'", tp.toks[tp.i].kind)
	}
	return *e, nil
}

type termParser struct {
	toks []termTok
	i    int
}

func (tp *termParser) peek() string {
	if tp.i < len(tp.toks) {
		return tp.toks[tp.i].kind
	}
	return ""
}

func (tp *termParser) or() (*termExpr, *Error) {
	l, err := tp.and()
	if err != nil {
		return nil, err
	}
	for tp.peek() == "OR" {
		tp.i++
		r, err := tp.and()
		if err != nil {
			return nil, err
		}
		l = &termExpr{op: "OR", left: l, right: r}
	}
	return l, nil
}

func (tp *termParser) and() (*termExpr, *Error) {
	l, err := tp.unary()
	if err != nil {
		return nil, err
	}
	for {
		op := "AND"
		switch tp.peek() {
		case "AND":
			tp.i++
			if tp.peek() == "NOT" {
				tp.i++
				op = "ANDNOT"
			}
		case "word", "phrase", "(":
		default:
			return l, nil
		}
		r, err := tp.unary()
		if err != nil {
			return nil, err
		}
		l = &termExpr{op: op, left: l, right: r}
	}
}

func (tp *termParser) unary() (*termExpr, *Error) {
	switch tp.peek() {
	case "word", "phrase":
		t := tp.toks[tp.i]
		tp.i++
		return &termExpr{parts: t.parts}, nil
	case "(":
		tp.i++
		e, err := tp.or()
		if err != nil {
			return nil, err
		}
		if tp.peek() != ")" {
			return nil, errorf(CodeMalformedSearch, "unmatched parenthesis in search term")
		}
		tp.i++
		return e, nil
	case "":
		return nil, errorf(CodeMalformedSearch, msgTermShort)
	}
	return nil, errorf(CodeMalformedSearch, "unexpected token in search term: '%s'", tp.peek())
}

// countTermChars counts the letters and digits of the term's words.
func countTermChars(e termExpr) int {
	n := 0
	for _, w := range e.parts {
		for _, r := range w {
			if unicode.IsLetter(r) || unicode.IsDigit(r) {
				n++
			}
		}
	}
	if e.left != nil {
		n += countTermChars(*e.left)
	}
	if e.right != nil {
		n += countTermChars(*e.right)
	}
	return n
}

// Match reports whether the search term matches a record whose searchable
// field values are given: words match whole words of a value (case-
// insensitively, * and ? as wildcards), a phrase matches consecutive words,
// AND/OR/AND NOT combine across all values. Phone-like terms also match on
// digits, so {5550100} finds "+1 555 0100".
func (s *Search) Match(values []string) bool {
	tokens := make([][]string, len(values))
	digits := make([]string, len(values))
	for i, v := range values {
		tokens[i] = splitWords(strings.ToLower(v))
		digits[i] = onlyDigits(v)
	}
	return s.expr.match(tokens, digits)
}

func (e *termExpr) match(tokens [][]string, digits []string) bool {
	switch e.op {
	case "AND":
		return e.left.match(tokens, digits) && e.right.match(tokens, digits)
	case "OR":
		return e.left.match(tokens, digits) || e.right.match(tokens, digits)
	case "ANDNOT":
		return e.left.match(tokens, digits) && !e.right.match(tokens, digits)
	}
	seq := e.parts
	if len(seq) == 0 {
		return true // punctuation only: nothing to look for
	}
	for i, toks := range tokens {
		if containsSeq(toks, seq) {
			return true
		}
		if d := onlyDigits(strings.Join(seq, "")); len(d) >= 3 && len(d) == len(strings.Join(seq, "")) && strings.HasSuffix(digits[i], d) {
			return true
		}
	}
	return false
}

func splitWords(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
}

func onlyDigits(s string) string {
	var b strings.Builder
	for _, r := range s {
		if '0' <= r && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

func containsSeq(toks, seq []string) bool {
	for i := 0; i+len(seq) <= len(toks); i++ {
		ok := true
		for j, p := range seq {
			if !likeMatch(p, toks[i+j]) {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}

// inScope reports whether a field is searched under the scope.
func inScope(scope string, f Field) bool {
	switch kindOf(f.Type) {
	case kindID, kindNumber, kindBool, kindDate, kindDateTime:
		return false
	}
	switch scope {
	case "EMAIL":
		return strings.EqualFold(f.Type, "email")
	case "PHONE":
		return strings.EqualFold(f.Type, "phone")
	case "NAME":
		switch strings.ToLower(f.Name) {
		case "name", "firstname", "lastname", "company", "subject", "casenumber", "title":
			return true
		}
		return false
	}
	return true
}

// ExecuteSearch runs a search. Objects are searched in RETURNING order; when
// the statement has no RETURNING clause, the objects listed in defaults are
// searched and return Id only. Records come back in the query-result shape
// (with "attributes"), ready for {"searchRecords": …}.
func ExecuteSearch(s *Search, src Source, defaults []string, opt Options) ([]map[string]any, error) {
	if opt.Version == "" {
		opt.Version = DefaultVersion
	}
	if opt.Now.IsZero() {
		opt.Now = time.Now()
	}
	queries := s.Returning
	if len(queries) == 0 {
		for _, name := range defaults {
			queries = append(queries, &Query{Object: name, Items: []Item{{Kind: ItemField, Path: "Id"}}, Limit: -1, Offset: -1})
		}
	}
	ex := &executor{src: src, opt: opt}
	c := &compiler{src: src, today: dayOf(opt.Now)}
	out := []map[string]any{}
	for _, q := range queries {
		obj, ok := src.Object(q.Object)
		if !ok {
			return nil, posError(CodeInvalidType, q.src, q.ObjectPos, fmt.Sprintf(msgNoType, q.Object))
		}
		pl, err := c.plan(q, obj)
		if err != nil {
			return nil, err
		}
		var recs []map[string]any
		src.Scan(obj.Name(), func(rec map[string]any) bool {
			if pl.where != nil && !pl.where(ex, rec) {
				return true
			}
			var values []string
			for k, v := range rec {
				str, ok := v.(string)
				if !ok || str == "" {
					continue
				}
				if f, ok := obj.Field(k); ok && inScope(s.Scope, f) {
					values = append(values, str)
				}
			}
			if s.Match(values) {
				recs = append(recs, rec)
			}
			return true
		})
		ex.sort(pl, recs)
		recs = window(recs, q.Offset, q.Limit)
		for _, r := range recs {
			if s.Limit >= 0 && len(out) >= s.Limit {
				return out, nil
			}
			out = append(out, ex.project(pl, r, nil))
		}
	}
	return out, nil
}
