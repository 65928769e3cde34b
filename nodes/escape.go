package nodes

import (
	"net/url"
	"strings"
	"unicode/utf8"
)

// Escaper says where a rendered template goes, and so how interpolated
// values are escaped. Escaping is chosen by the destination, never by the
// template author, so a value taken from the user cannot end the value it
// was put in: it cannot close a JSON string, start a new query parameter or
// open an XML element. Filters run first and the destination escaping last.
type Escaper uint8

const (
	// EscapeText leaves values as they are; for chat text.
	EscapeText Escaper = iota
	// EscapeURL escapes values for a URL. The template's literal text is
	// kept, except that characters a URL cannot hold (spaces, quotes, <,
	// >, non-ASCII, …) are percent-encoded, so a SOQL query can be written
	// as it reads. Values are escaped contextually: a value placed
	// before the first '?' of the template's literal text is escaped as a
	// path segment (url.PathEscape), a value after it as a query component
	// (url.QueryEscape). A value at the very start of the template is the
	// base URL: it is inserted as it is, but must be an absolute http or
	// https URL without query or fragment, otherwise Render fails with
	// [ErrUnsafeURL].
	EscapeURL
	// EscapeXML escapes values for XML text and attribute values (&, <, >,
	// quotes); characters XML cannot carry become U+FFFD.
	EscapeXML
	// EscapeJSON escapes values for the inside of a JSON string (the
	// quotes are the template's). Prefer [RenderJSON] for whole bodies.
	EscapeJSON

	// escapeJSONLeaf renders a whole template as the body of a JSON
	// string: its literal text is escaped too. Used by RenderJSON.
	escapeJSONLeaf Escaper = 255
	// escapePhrase renders a bot's phrase override, whose %s placeholders
	// are filled afterwards: a value's '%' is doubled, so that a value
	// such as "100%s" reads as it is and never takes an argument.
	escapePhrase Escaper = 254
)

// String returns the escaper's name.
func (e Escaper) String() string {
	switch e {
	case EscapeText:
		return "text"
	case EscapeURL:
		return "url"
	case EscapeXML:
		return "xml"
	case EscapeJSON:
		return "json"
	}
	return "unknown"
}

// EscapeSOQL escapes s for the inside of a single-quoted SOQL string
// literal: backslash, both quotes, and LF, CR, TAB, BS, FF become backslash
// escapes. Nothing else needs escaping there.
func EscapeSOQL(s string) string {
	i := strings.IndexFunc(s, func(r rune) bool {
		switch r {
		case '\\', '\'', '"', '\n', '\r', '\t', '\b', '\f':
			return true
		}
		return false
	})
	if i < 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	b.WriteString(s[:i])
	for _, r := range s[i:] {
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
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// EscapeSOQLLike is escapeSOQL plus the LIKE wildcards % and _.
func EscapeSOQLLike(s string) string {
	s = EscapeSOQL(s)
	if !strings.ContainsAny(s, "%_") {
		return s
	}
	return strings.NewReplacer("%", `\%`, "_", `\_`).Replace(s)
}

// urlUnreserved reports whether every byte of s is left alone by both
// url.QueryEscape and url.PathEscape.
func urlUnreserved(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
			c == '-' || c == '_' || c == '.' || c == '~' {
			continue
		}
		return false
	}
	return true
}

// urlLiteralOK reports whether c may appear as it is in a URL (RFC 3986
// unreserved and reserved characters, and '%').
func urlLiteralOK(c byte) bool {
	if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' {
		return true
	}
	return strings.IndexByte("-._~:/?#[]@!$&'()*+,;=%", c) >= 0
}

// writeURLLiteral writes the literal text of a URL template,
// percent-encoding the bytes a URL cannot hold.
func writeURLLiteral(b *strings.Builder, s string) {
	last := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if urlLiteralOK(c) {
			continue
		}
		b.WriteString(s[last:i])
		b.WriteByte('%')
		b.WriteByte("0123456789ABCDEF"[c>>4])
		b.WriteByte("0123456789ABCDEF"[c&0xF])
		last = i + 1
	}
	b.WriteString(s[last:])
}

func writeQuery(b *strings.Builder, s string) {
	if urlUnreserved(s) {
		b.WriteString(s)
		return
	}
	b.WriteString(url.QueryEscape(s))
}

func writePath(b *strings.Builder, s string) {
	if urlUnreserved(s) {
		b.WriteString(s)
		return
	}
	b.WriteString(url.PathEscape(s))
}

// writeXML writes s escaped for XML character data and attribute values.
func writeXML(b *strings.Builder, s string) {
	last := 0
	for i := 0; i < len(s); {
		r, w := utf8.DecodeRuneInString(s[i:])
		var esc string
		switch {
		case r == '&':
			esc = "&amp;"
		case r == '<':
			esc = "&lt;"
		case r == '>':
			esc = "&gt;"
		case r == '"':
			esc = "&#34;"
		case r == '\'':
			esc = "&#39;"
		case r == '\t':
			esc = "&#x9;"
		case r == '\n':
			esc = "&#xA;"
		case r == '\r':
			esc = "&#xD;"
		case !xmlChar(r) || (r == utf8.RuneError && w == 1):
			esc = "\uFFFD"
		default:
			i += w
			continue
		}
		b.WriteString(s[last:i])
		b.WriteString(esc)
		i += w
		last = i
	}
	b.WriteString(s[last:])
}

// xmlChar reports whether r is in the XML 1.0 Char production.
func xmlChar(r rune) bool {
	return r == 0x09 || r == 0x0A || r == 0x0D ||
		r >= 0x20 && r <= 0xD7FF ||
		r >= 0xE000 && r <= 0xFFFD ||
		r >= 0x10000 && r <= 0x10FFFF
}

const hexDigits = "0123456789abcdef"

// writeJSONString writes s as the body of a JSON string: quotes,
// backslashes and control characters are escaped, invalid UTF-8 becomes
// U+FFFD, and U+2028/U+2029 are escaped so the result is safe in script
// contexts too.
func writeJSONString(b *strings.Builder, s string) {
	last := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b.WriteString(s[last:i])
			switch c {
			case '"':
				b.WriteString(`\"`)
			case '\\':
				b.WriteString(`\\`)
			case '\n':
				b.WriteString(`\n`)
			case '\r':
				b.WriteString(`\r`)
			case '\t':
				b.WriteString(`\t`)
			default:
				b.WriteString(`\u00`)
				b.WriteByte(hexDigits[c>>4])
				b.WriteByte(hexDigits[c&0xF])
			}
			i++
			last = i
			continue
		}
		r, w := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && w == 1 {
			b.WriteString(s[last:i])
			b.WriteString(`\ufffd`)
			i += w
			last = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b.WriteString(s[last:i])
			b.WriteString(`\u202`)
			b.WriteByte(hexDigits[r&0xF])
			i += w
			last = i
			continue
		}
		i += w
	}
	b.WriteString(s[last:])
}

// jsonStringBody returns s escaped as the body of a JSON string.
func jsonStringBody(s string) string {
	var b strings.Builder
	writeJSONString(&b, s)
	return b.String()
}

// xmlEscape returns s escaped for XML.
func xmlEscape(s string) string {
	var b strings.Builder
	writeXML(&b, s)
	return b.String()
}
