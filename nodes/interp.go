package nodes

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/url"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// Interp is a text with {{ … }} interpolations, parsed once and rendered
// on every turn.
//
// An interpolation is a context path (see [Memory]) followed by optional
// filters, each introduced by '|':
//
//	Hello {{ entities.name | upper }}
//	{{ create_lead.response.body.id }}
//	{{ entities.company | default: "n/a" }}
//	WHERE Email = '{{ entities.email | soql }}'
//
// Instead of a path an interpolation may hold a quoted string, which is how
// a literal "{{" is written: {{ "{{" }}.
//
// Filters: upper, lower, trim, default: <value> (used when the value is
// missing, null or ""), soql (escape for the inside of a SOQL string
// literal), soql_like (soql plus the LIKE wildcards % and _), url (query
// escape), json (JSON string body without the quotes), xml, add_days: <n>
// (a date or time n days later; {{ today | add_days: 30 }}). Filters run
// left to right; the destination's [Escaper] is applied last.
//
// Besides the context's paths, today and now are the turn's date
// ("2026-12-07") and time ("2026-12-07T09:30:00Z"), in UTC.
//
// A missing value renders as "". Numbers render like JSON (3, not 3.0), and
// objects and lists as compact JSON.
type Interp struct {
	src   string
	parts []interpPart
	size  int // bytes of literal text, to size the output
}

// interpPart is literal text (path == nil && !isConst) or an interpolation.
type interpPart struct {
	lit     string
	path    []string
	isConst bool // a quoted string in place of a path; the string is in lit
	filters []interpFilter
	afterQ  bool // a '?' occurs in the literal text before the part
	first   bool // the part is the first thing in the template
	col     int
}

type filterKind uint8

const (
	fDefault filterKind = iota + 1
	fUpper
	fLower
	fTrim
	fSOQL
	fSOQLLike
	fURL
	fJSON
	fXML
	fAddDays
)

var filterKinds = map[string]filterKind{
	"default": fDefault, "upper": fUpper, "lower": fLower, "trim": fTrim,
	"soql": fSOQL, "soql_like": fSOQLLike, "url": fURL, "json": fJSON, "xml": fXML,
	"add_days": fAddDays,
}

type interpFilter struct {
	kind filterKind
	arg  any // for default: string, float64, bool or nil; for add_days: a whole float64
}

// InterpError is a syntax error in a template. Col is the 1-based column
// (in characters) inside the template text.
type InterpError struct {
	Col int
	Msg string
}

func (e *InterpError) Error() string {
	return fmt.Sprintf("template column %d: %s", e.Col, e.Msg)
}

// ErrUnsafeURL is returned when a URL template starts with a value that is
// not an absolute http(s) base URL.
var ErrUnsafeURL = errors.New("nodes: base url must be an absolute http or https url without query")

// ParseInterp parses a template. Errors are *[InterpError].
func ParseInterp(src string) (*Interp, error) {
	t := &Interp{src: src}
	p := interpParser{src: src}
	sawQ := false
	for {
		i := strings.Index(src[p.pos:], "{{")
		if i < 0 {
			break
		}
		if i > 0 {
			lit := src[p.pos : p.pos+i]
			t.parts = append(t.parts, interpPart{lit: lit})
			t.size += len(lit)
			sawQ = sawQ || strings.IndexByte(lit, '?') >= 0
		}
		start := p.pos + i
		p.pos = start + 2
		part, err := p.interpolation(start)
		if err != nil {
			return nil, err
		}
		part.afterQ = sawQ
		part.first = start == 0
		t.parts = append(t.parts, part)
	}
	if p.pos < len(src) {
		lit := src[p.pos:]
		t.parts = append(t.parts, interpPart{lit: lit})
		t.size += len(lit)
	}
	return t, nil
}

// MustParseInterp is ParseInterp that panics on error; for tests and
// package-level values.
func MustParseInterp(src string) *Interp {
	t, err := ParseInterp(src)
	if err != nil {
		panic(err)
	}
	return t
}

type interpParser struct {
	src string
	pos int
}

func (p *interpParser) errAt(pos int, format string, args ...any) error {
	return &InterpError{Col: utf8.RuneCountInString(p.src[:pos]) + 1, Msg: fmt.Sprintf(format, args...)}
}

func (p *interpParser) skipSpace() {
	for p.pos < len(p.src) && (p.src[p.pos] == ' ' || p.src[p.pos] == '\t') {
		p.pos++
	}
}

func (p *interpParser) peek() byte {
	if p.pos < len(p.src) {
		return p.src[p.pos]
	}
	return 0
}

// interpolation parses what follows "{{" up to and including "}}".
func (p *interpParser) interpolation(open int) (interpPart, error) {
	part := interpPart{col: utf8.RuneCountInString(p.src[:open]) + 1}
	p.skipSpace()
	switch c := p.peek(); {
	case c == 0:
		return part, p.errAt(open, "unclosed {{")
	case c == '"' || c == '\'':
		s, err := p.quoted()
		if err != nil {
			return part, err
		}
		part.isConst, part.lit = true, s
	case c == '}' || c == '|':
		return part, p.errAt(p.pos, "empty interpolation, want a path such as entities.name")
	default:
		path, err := p.path()
		if err != nil {
			return part, err
		}
		part.path = path
	}
	for {
		p.skipSpace()
		switch c := p.peek(); c {
		case 0:
			return part, p.errAt(open, "unclosed {{")
		case '}':
			if strings.HasPrefix(p.src[p.pos:], "}}") {
				p.pos += 2
				return part, nil
			}
			return part, p.errAt(p.pos, "unexpected %q", "}")
		case '|':
			p.pos++
			f, err := p.filter()
			if err != nil {
				return part, err
			}
			part.filters = append(part.filters, f)
		default:
			return part, p.errAt(p.pos, "unexpected %q, want | or }}", p.runeAt())
		}
	}
}

func (p *interpParser) runeAt() string {
	r, _ := utf8.DecodeRuneInString(p.src[p.pos:])
	return string(r)
}

func isNameRune(r rune) bool {
	return r == '_' || r == '-' || unicode.IsLetter(r) || unicode.IsDigit(r)
}

// name reads a run of name characters.
func (p *interpParser) name() string {
	start := p.pos
	for p.pos < len(p.src) {
		r, w := utf8.DecodeRuneInString(p.src[p.pos:])
		if !isNameRune(r) {
			break
		}
		p.pos += w
	}
	return p.src[start:p.pos]
}

func (p *interpParser) path() ([]string, error) {
	var path []string
	for {
		start := p.pos
		seg := p.name()
		if seg == "" {
			if p.pos >= len(p.src) {
				return nil, p.errAt(start, "unclosed {{")
			}
			return nil, p.errAt(start, "unexpected %q in path", p.runeAt())
		}
		path = append(path, seg)
		if p.peek() != '.' {
			return path, nil
		}
		p.pos++
	}
}

func (p *interpParser) filter() (interpFilter, error) {
	p.skipSpace()
	start := p.pos
	name := p.name()
	if name == "" {
		return interpFilter{}, p.errAt(start, "missing filter name after |")
	}
	kind, ok := filterKinds[name]
	if !ok {
		return interpFilter{}, p.errAt(start, "unknown filter %q", name)
	}
	f := interpFilter{kind: kind}
	p.skipSpace()
	if p.peek() != ':' {
		switch kind {
		case fDefault:
			return f, p.errAt(start, "filter default needs a value, as in default: \"none\"")
		case fAddDays:
			return f, p.errAt(start, "filter add_days needs a number of days, as in add_days: 30")
		}
		return f, nil
	}
	if kind != fDefault && kind != fAddDays {
		return f, p.errAt(p.pos, "filter %s takes no argument", name)
	}
	p.pos++
	p.skipSpace()
	argAt := p.pos
	arg, err := p.literal()
	if err != nil && kind != fAddDays {
		return f, err
	}
	if n, ok := arg.(float64); kind == fAddDays && (err != nil || !ok || n != math.Trunc(n) || math.Abs(n) > maxAddDays) {
		return f, p.errAt(argAt, "filter add_days needs a whole number of days, as in add_days: 30")
	}
	f.arg = arg
	return f, nil
}

// literal reads a quoted string, a number, true, false or null.
func (p *interpParser) literal() (any, error) {
	start := p.pos
	switch c := p.peek(); {
	case c == '"' || c == '\'':
		return p.quoted()
	case c == 0:
		return nil, p.errAt(start, "missing value")
	}
	for p.pos < len(p.src) {
		c := p.src[p.pos]
		if c == ' ' || c == '\t' || c == '|' || c == '}' {
			break
		}
		p.pos++
	}
	word := p.src[start:p.pos]
	switch word {
	case "true":
		return true, nil
	case "false":
		return false, nil
	case "null":
		return nil, nil
	}
	f, err := strconv.ParseFloat(word, 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		return nil, p.errAt(start, "bad value %q, want a quoted string, a number, true, false or null", word)
	}
	return f, nil
}

// quoted reads a '…' or "…" string; a backslash escapes the next character
// (\n, \t and \r mean newline, tab and carriage return).
func (p *interpParser) quoted() (string, error) {
	start := p.pos
	q := p.src[p.pos]
	p.pos++
	var b strings.Builder
	for p.pos < len(p.src) {
		c := p.src[p.pos]
		switch c {
		case q:
			p.pos++
			return b.String(), nil
		case '\\':
			p.pos++
			if p.pos >= len(p.src) {
				return "", p.errAt(start, "unterminated string")
			}
			switch e := p.src[p.pos]; e {
			case 'n':
				b.WriteByte('\n')
			case 't':
				b.WriteByte('\t')
			case 'r':
				b.WriteByte('\r')
			default:
				b.WriteByte(e)
			}
		default:
			b.WriteByte(c)
		}
		p.pos++
	}
	return "", p.errAt(start, "unterminated string")
}

// UnmarshalYAML parses a template from a YAML string.
func (t *Interp) UnmarshalYAML(value *yaml.Node) error {
	if value.Kind != yaml.ScalarNode {
		return fmt.Errorf("template: expected a string, got %s", kindName(value))
	}
	if value.ShortTag() == "!!null" {
		*t = Interp{}
		return nil
	}
	nt, err := ParseInterp(value.Value)
	if err != nil {
		return err
	}
	*t = *nt
	return nil
}

// MarshalYAML returns the template's source.
func (t *Interp) MarshalYAML() (any, error) { return t.String(), nil }

// kindName names a YAML node's kind for error messages, Benthos style.
func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "object"
	case yaml.SequenceNode:
		return "list"
	case yaml.ScalarNode:
		return n.ShortTag()
	case yaml.AliasNode:
		return "alias"
	}
	return "document"
}

// IsZero reports whether the template is absent or empty.
func (t *Interp) IsZero() bool { return t == nil || t.src == "" }

// String returns the template's source.
func (t *Interp) String() string {
	if t == nil {
		return ""
	}
	return t.src
}

// HasInterpolation reports whether the template contains any {{ … }}.
func (t *Interp) HasInterpolation() bool {
	if t == nil {
		return false
	}
	for i := range t.parts {
		if t.parts[i].path != nil || t.parts[i].isConst {
			return true
		}
	}
	return false
}

// Paths returns the context paths the template reads, dotted.
func (t *Interp) Paths() []string {
	if t == nil {
		return nil
	}
	var out []string
	for i := range t.parts {
		if t.parts[i].path != nil {
			out = append(out, strings.Join(t.parts[i].path, "."))
		}
	}
	return out
}

// Render renders the template for a turn, escaping every interpolated value
// for the destination esc. A nil template renders as "".
func (t *Interp) Render(turn *Turn, esc Escaper) (string, error) {
	if t == nil {
		return "", nil
	}
	if len(t.parts) == 1 && t.parts[0].path == nil && !t.parts[0].isConst && esc != EscapeURL && esc != escapeJSONLeaf {
		// Plain literal text that this destination passes through as is.
		return t.parts[0].lit, nil
	}
	var b strings.Builder
	b.Grow(t.size + 16*len(t.parts))
	if err := t.render(&b, turn, esc); err != nil {
		return "", err
	}
	return b.String(), nil
}

func (t *Interp) render(b *strings.Builder, turn *Turn, esc Escaper) error {
	var now int64
	if turn != nil {
		now = turn.Now.Unix()
	}
	for i := range t.parts {
		p := &t.parts[i]
		if p.path == nil && !p.isConst {
			switch esc {
			case escapeJSONLeaf:
				writeJSONString(b, p.lit)
			case EscapeURL:
				writeURLLiteral(b, p.lit)
			default:
				b.WriteString(p.lit)
			}
			continue
		}
		v, ok := p.lookup(turn, now)
		s, nv, isStr, err := p.apply(v, ok)
		if err != nil {
			return err
		}
		if !isStr {
			if err := writeNative(b, nv, esc, p); err != nil {
				return err
			}
			continue
		}
		if err := writeEscaped(b, s, esc, p); err != nil {
			return err
		}
	}
	return nil
}

// lookup returns the part's raw value.
func (p *interpPart) lookup(turn *Turn, now int64) (any, bool) {
	if p.isConst {
		return p.lit, true
	}
	if turn == nil || turn.Memory == nil {
		return nil, false
	}
	return turn.Memory.Lookup(p.path, now)
}

// apply runs the filters. When the result is text it returns it in s with
// isStr set; otherwise v is the (native, non-string) value to format.
func (p *interpPart) apply(v any, ok bool) (s string, nv any, isStr bool, err error) {
	if !ok {
		v = nil
	}
	s, isStr = v.(string)
	for _, f := range p.filters {
		if f.kind == fDefault {
			if v == nil || (isStr && s == "") {
				v = f.arg
				s, isStr = v.(string)
			}
			continue
		}
		if !isStr {
			if s, err = formatValue(v); err != nil {
				return "", nil, false, fmt.Errorf("template column %d: %w", p.col, err)
			}
			isStr = true
		}
		switch f.kind {
		case fUpper:
			s = strings.ToUpper(s)
		case fLower:
			s = strings.ToLower(s)
		case fTrim:
			s = strings.TrimSpace(s)
		case fSOQL:
			s = EscapeSOQL(s)
		case fSOQLLike:
			s = EscapeSOQLLike(s)
		case fURL:
			if !urlUnreserved(s) {
				s = url.QueryEscape(s)
			}
		case fJSON:
			s = jsonStringBody(s)
		case fXML:
			s = xmlEscape(s)
		case fAddDays:
			if s == "" {
				break
			}
			d, err := addDays(s, f.arg)
			if err != nil {
				return "", nil, false, fmt.Errorf("template column %d: %w", p.col, err)
			}
			s = d.(string)
		}
	}
	if isStr {
		return s, nil, true, nil
	}
	if v == nil {
		return "", nil, true, nil
	}
	return "", v, false, nil
}

// writeNative writes a non-string value.
func writeNative(b *strings.Builder, v any, esc Escaper, p *interpPart) error {
	var buf [32]byte
	switch x := v.(type) {
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return fmt.Errorf("template column %d: cannot render %v", p.col, x)
		}
		num := appendNumber(buf[:0], x)
		if esc == EscapeURL && p.first {
			break
		}
		if esc == EscapeURL && bytes.IndexByte(num, '+') >= 0 {
			break
		}
		b.Write(num)
		return nil
	case bool:
		b.WriteString(strconv.FormatBool(x))
		return nil
	}
	s, err := formatValue(v)
	if err != nil {
		return fmt.Errorf("template column %d: %w", p.col, err)
	}
	return writeEscaped(b, s, esc, p)
}

// writeEscaped writes a string value escaped for esc.
func writeEscaped(b *strings.Builder, s string, esc Escaper, p *interpPart) error {
	switch esc {
	case EscapeURL:
		switch {
		case p.first:
			if !safeBaseURL(s) {
				return fmt.Errorf("template column %d: %w", p.col, ErrUnsafeURL)
			}
			b.WriteString(s)
		case p.afterQ:
			writeQuery(b, s)
		default:
			writePath(b, s)
		}
	case EscapeXML:
		writeXML(b, s)
	case EscapeJSON, escapeJSONLeaf:
		writeJSONString(b, s)
	case escapePhrase:
		b.WriteString(strings.ReplaceAll(s, "%", "%%"))
	default:
		b.WriteString(s)
	}
	return nil
}

// safeBaseURL reports whether s is an absolute http(s) URL with a host and
// without user info, query or fragment.
func safeBaseURL(s string) bool {
	u, err := url.Parse(s)
	if err != nil {
		return false
	}
	return (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" &&
		u.User == nil && u.RawQuery == "" && !u.ForceQuery && u.Fragment == "" &&
		!strings.ContainsAny(s, "?#")
}

// appendNumber appends f formatted like JSON: integers without a fraction.
func appendNumber(dst []byte, f float64) []byte {
	if a := math.Abs(f); a != 0 && (a < 1e-6 || a >= 1e21) {
		return strconv.AppendFloat(dst, f, 'g', -1, 64)
	}
	return strconv.AppendFloat(dst, f, 'f', -1, 64)
}

// formatValue formats a context value as text.
func formatValue(v any) (string, error) {
	switch x := v.(type) {
	case nil:
		return "", nil
	case string:
		return x, nil
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return "", fmt.Errorf("cannot render %v", x)
		}
		return string(appendNumber(nil, x)), nil
	case float32:
		return formatValue(float64(x))
	case int:
		return strconv.Itoa(x), nil
	case int64:
		return strconv.FormatInt(x, 10), nil
	case uint64:
		return strconv.FormatUint(x, 10), nil
	case bool:
		return strconv.FormatBool(x), nil
	case fmt.Stringer:
		return x.String(), nil
	}
	data, err := json.Marshal(v)
	if err != nil {
		return "", fmt.Errorf("render value: %w", err)
	}
	return string(data), nil
}

// nativeValue returns the value of a template that is one interpolation
// with at most default filters, keeping its type; nil when missing.
func (t *Interp) nativeValue(turn *Turn) (any, error) {
	p := &t.parts[0]
	var now int64
	if turn != nil {
		now = turn.Now.Unix()
	}
	v, ok := p.lookup(turn, now)
	if !ok {
		v = nil
	}
	for _, f := range p.filters {
		if s, isStr := v.(string); v == nil || (isStr && s == "") {
			v = f.arg
		}
	}
	return v, nil
}
