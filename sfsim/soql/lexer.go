package soql

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

type tokKind uint8

const (
	tEOF      tokKind = iota
	tIdent            // Name, Account.Name, SELECT, LAST_N_DAYS
	tString           // 'quoted'
	tNumber           // 12, -3.5
	tDate             // 2024-01-31
	tDateTime         // 2024-01-31T10:00:00Z
	tPunct            // ( ) , = != <> < <= > >= :
)

// token is one lexeme. For strings, val holds the body in pattern form:
// every escape is decoded except \\, \% and \_, which stay escaped so that a
// LIKE pattern can tell a literal % from a wildcard; likeEsc records whether
// \% or \_ occurred.
type token struct {
	kind    tokKind
	text    string // source text
	val     string
	pos     int // byte offset in the query
	likeEsc bool
}

// lexer turns a query into tokens lazily.
type lexer struct {
	src string
	pos int
}

func (l *lexer) next() (token, *Error) {
	for l.pos < len(l.src) {
		switch l.src[l.pos] {
		case ' ', '\t', '\n', '\r', '\f':
			l.pos++
			continue
		}
		break
	}
	start := l.pos
	if start >= len(l.src) {
		return token{kind: tEOF, text: "<EOF>", pos: start}, nil
	}
	c := l.src[start]
	switch {
	case c == '\'':
		return l.lexString()
	case isIdentStart(c):
		l.pos++
		for l.pos < len(l.src) {
			c := l.src[l.pos]
			if isIdentPart(c) {
				l.pos++
				continue
			}
			if c == '.' && l.pos+1 < len(l.src) && isIdentStart(l.src[l.pos+1]) {
				l.pos += 2
				continue
			}
			break
		}
		return token{kind: tIdent, text: l.src[start:l.pos], pos: start}, nil
	case isDigit(c) || (c == '-' || c == '+' || c == '.') && start+1 < len(l.src) && (isDigit(l.src[start+1]) || l.src[start+1] == '.'):
		return l.lexNumberOrDate()
	}
	switch c {
	case '(', ')', ',', '=', ':':
		l.pos++
		return token{kind: tPunct, text: l.src[start:l.pos], pos: start}, nil
	case '<', '>', '!':
		l.pos++
		if l.pos < len(l.src) && (l.src[l.pos] == '=' || c == '<' && l.src[l.pos] == '>') {
			l.pos++
		}
		t := token{kind: tPunct, text: l.src[start:l.pos], pos: start}
		if t.text == "!" {
			return t, posError(CodeMalformedQuery, l.src, start, "unexpected token: '!'")
		}
		return t, nil
	}
	r, size := utf8.DecodeRuneInString(l.src[start:])
	l.pos += size
	return token{}, posError(CodeMalformedQuery, l.src, start, fmt.Sprintf("unexpected token: '%c'", r))
}

func (l *lexer) lexString() (token, *Error) {
	start := l.pos
	var b strings.Builder
	likeEsc := false
	i := start + 1
	for {
		if i >= len(l.src) {
			l.pos = i
			return token{}, errorf(CodeMalformedQuery, "line 1:%d mismatched character '<EOF>' expecting '''", len(l.src))
		}
		c := l.src[i]
		if c == '\'' {
			i++
			break
		}
		if c != '\\' {
			b.WriteByte(c)
			i++
			continue
		}
		if i+1 >= len(l.src) {
			l.pos = len(l.src)
			return token{}, errorf(CodeMalformedQuery, "line 1:%d mismatched character '<EOF>' expecting '''", len(l.src))
		}
		e := l.src[i+1]
		switch e {
		case 'n', 'N':
			b.WriteByte('\n')
		case 'r', 'R':
			b.WriteByte('\r')
		case 't', 'T':
			b.WriteByte('\t')
		case 'b', 'B':
			b.WriteByte('\b')
		case 'f', 'F':
			b.WriteByte('\f')
		case '"':
			b.WriteByte('"')
		case '\'':
			b.WriteByte('\'')
		case '\\':
			b.WriteString(`\\`)
		case '%', '_':
			b.WriteByte('\\')
			b.WriteByte(e)
			likeEsc = true
		case 'u':
			if i+6 > len(l.src) {
				return token{}, l.badEscape(start, i, i+2)
			}
			n, err := strconv.ParseUint(l.src[i+2:i+6], 16, 16)
			if err != nil {
				return token{}, l.badEscape(start, i, i+2)
			}
			r := rune(n)
			if r == '\\' || r == '%' || r == '_' {
				// Decoded metacharacters are literal, like their escapes.
				b.WriteByte('\\')
			}
			b.WriteRune(r)
			i += 6
			continue
		default:
			_, size := utf8.DecodeRuneInString(l.src[i+1:])
			return token{}, l.badEscape(start, i, i+1+size)
		}
		i += 2
	}
	l.pos = i
	return token{kind: tString, text: l.src[start:i], val: b.String(), pos: start, likeEsc: likeEsc}, nil
}

// badEscape reports an escape sequence SOQL does not define; seq is
// src[at:end].
func (l *lexer) badEscape(start, at, end int) *Error {
	stop := strings.IndexByte(l.src[end:], '\'')
	lit := l.src[start:]
	if stop >= 0 {
		lit = l.src[start : end+stop+1]
	}
	return posError(CodeMalformedQuery, l.src, start,
		fmt.Sprintf("Invalid string literal %s. Illegal character sequence '%s' in string literal.", lit, l.src[at:end]))
}

func (l *lexer) lexNumberOrDate() (token, *Error) {
	start := l.pos
	// A date starts with four digits and a dash.
	if d, ok := scanDate(l.src[start:]); ok {
		l.pos += d.n
		return token{kind: d.kind, text: l.src[start:l.pos], pos: start}, nil
	}
	i := start
	if l.src[i] == '-' || l.src[i] == '+' {
		i++
	}
	digits := 0
	for i < len(l.src) && isDigit(l.src[i]) {
		i++
		digits++
	}
	if i < len(l.src) && l.src[i] == '.' {
		i++
		for i < len(l.src) && isDigit(l.src[i]) {
			i++
			digits++
		}
	}
	l.pos = i
	if digits == 0 || i < len(l.src) && isIdentPart(l.src[i]) {
		for l.pos < len(l.src) && (isIdentPart(l.src[l.pos]) || l.src[l.pos] == '.') {
			l.pos++
		}
		return token{}, posError(CodeMalformedQuery, l.src, start, fmt.Sprintf("unexpected token: '%s'", l.src[start:l.pos]))
	}
	return token{kind: tNumber, text: l.src[start:i], pos: start}, nil
}

type dateScan struct {
	kind tokKind
	n    int
}

// scanDate recognises YYYY-MM-DD and YYYY-MM-DDThh:mm:ss[.fff](Z|±hh:mm|±hhmm)
// at the start of s.
func scanDate(s string) (dateScan, bool) {
	if len(s) < 10 || !digitsAt(s, 0, 4) || s[4] != '-' || !digitsAt(s, 5, 2) || s[7] != '-' || !digitsAt(s, 8, 2) {
		return dateScan{}, false
	}
	if len(s) == 10 || s[10] != 'T' && s[10] != 't' {
		if len(s) > 10 && (isIdentPart(s[10]) || s[10] == '.') {
			return dateScan{}, false
		}
		return dateScan{tDate, 10}, true
	}
	if len(s) < 19 || !digitsAt(s, 11, 2) || s[13] != ':' || !digitsAt(s, 14, 2) || s[16] != ':' || !digitsAt(s, 17, 2) {
		return dateScan{}, false
	}
	i := 19
	if i < len(s) && s[i] == '.' {
		j := i + 1
		for j < len(s) && isDigit(s[j]) {
			j++
		}
		if j == i+1 {
			return dateScan{}, false
		}
		i = j
	}
	switch {
	case i < len(s) && (s[i] == 'Z' || s[i] == 'z'):
		i++
	case i < len(s) && (s[i] == '+' || s[i] == '-'):
		switch {
		case digitsAt(s, i+1, 2) && i+3 < len(s) && s[i+3] == ':' && digitsAt(s, i+4, 2):
			i += 6
		case digitsAt(s, i+1, 4):
			i += 5
		default:
			return dateScan{}, false
		}
	default:
		return dateScan{}, false
	}
	if i < len(s) && (isIdentPart(s[i]) || s[i] == '.') {
		return dateScan{}, false
	}
	return dateScan{tDateTime, i}, true
}

func digitsAt(s string, at, n int) bool {
	if at+n > len(s) {
		return false
	}
	for i := at; i < at+n; i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}

func isDigit(c byte) bool      { return '0' <= c && c <= '9' }
func isIdentStart(c byte) bool { return c == '_' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }
func isIdentPart(c byte) bool  { return isIdentStart(c) || isDigit(c) }

// unpattern turns a string token's pattern-form value into the plain value:
// every remaining escape (\\, \%, \_) becomes its character.
func unpattern(v string) string {
	if strings.IndexByte(v, '\\') < 0 {
		return v
	}
	var b strings.Builder
	b.Grow(len(v))
	for i := 0; i < len(v); i++ {
		if v[i] == '\\' && i+1 < len(v) {
			i++
		}
		b.WriteByte(v[i])
	}
	return b.String()
}

// Quote returns s as a SOQL string literal, quotes included, escaped so that
// the lexer reads back exactly s. Use it for every user-supplied value placed
// in a query; it does not escape % and _ (see [QuoteLike]).
func Quote(s string) string {
	return quote(s, false)
}

// QuoteLike returns s as a SOQL string literal for the right-hand side of
// LIKE that matches s literally: on top of [Quote]'s escapes, % and _ are
// escaped. Wildcards may be added around the escaped text by the caller, for
// example "'%" + QuoteLike(s)[1:] for a suffix match.
func QuoteLike(s string) string {
	return quote(s, true)
}

func quote(s string, like bool) string {
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteByte('\'')
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b.WriteByte(s[i]) // keep invalid bytes as they were
		} else {
			writeEscaped(&b, r, like)
		}
		i += size
	}
	b.WriteByte('\'')
	return b.String()
}

func writeEscaped(b *strings.Builder, r rune, like bool) {
	switch r {
	case '\\':
		b.WriteString(`\\`)
	case '\'':
		b.WriteString(`\'`)
	case '"':
		b.WriteString(`\"`)
	case '\n':
		b.WriteString(`\n`)
	case '\r':
		b.WriteString(`\r`)
	case '\t':
		b.WriteString(`\t`)
	case '\b':
		b.WriteString(`\b`)
	case '\f':
		b.WriteString(`\f`)
	case '%', '_':
		if like {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	default:
		b.WriteRune(r)
	}
}

// quotePattern renders a pattern-form value (see token) back as a literal.
func quotePattern(p string) string {
	var b strings.Builder
	b.WriteByte('\'')
	for i := 0; i < len(p); {
		if p[i] == '\\' && i+1 < len(p) {
			b.WriteByte('\\')
			b.WriteByte(p[i+1])
			i += 2
			continue
		}
		r, size := utf8.DecodeRuneInString(p[i:])
		if r == utf8.RuneError && size == 1 {
			b.WriteByte(p[i])
		} else {
			writeEscaped(&b, r, false)
		}
		i += size
	}
	b.WriteByte('\'')
	return b.String()
}
