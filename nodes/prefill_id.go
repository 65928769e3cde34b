package nodes

import (
	"strings"
	"unicode"
)

// idShape is the shape of an annotated example that is an id rather than
// words: one token holding digits ("00001026", "00Q5g00000AbCdE"). Such a
// value is read as one token of the same shape, at its taught place or,
// failing that, anywhere in the sentence, as typed values are.
type idShape struct {
	digitsOnly bool
	prefix     string // the first three characters of a long id (a Salesforce key prefix)
	minLen     int
	maxLen     int
}

// idShapeOf returns the shape of an example value that is an id, or nil.
func idShapeOf(example string) *idShape {
	if strings.ContainsFunc(example, unicode.IsSpace) || countDigits(example) == 0 || len(example) < 4 {
		return nil
	}
	shape := &idShape{digitsOnly: true, minLen: len(example) - 2, maxLen: len(example) + 3}
	for _, r := range example {
		switch {
		case r >= '0' && r <= '9':
		case r < 0x80 && (unicode.IsLetter(r) || r == '-' || r == '_'):
			shape.digitsOnly = false
		default:
			return nil
		}
	}
	if len(example) >= 15 {
		shape.prefix = example[:3]
	}
	return shape
}

// fits reports whether token has the shape.
func (s *idShape) fits(token string) bool {
	if len(token) < s.minLen || len(token) > s.maxLen || countDigits(token) == 0 || !strings.HasPrefix(token, s.prefix) {
		return false
	}
	for _, r := range token {
		digit := r >= '0' && r <= '9'
		letter := r < 0x80 && (unicode.IsLetter(r) || r == '-' || r == '_')
		if !digit && (s.digitsOnly || !letter) {
			return false
		}
	}
	return true
}

// find returns the id in text: the first token at from when located says
// the taught words were found there, else the first token of the shape
// anywhere. It returns the token, its offset and whether there was one.
func (s *idShape) find(text string, from int, located bool) (string, int, bool) {
	if located {
		rest := text[from:]
		trimmed := strings.TrimLeftFunc(rest, idSeparator)
		if toks := strings.FieldsFunc(trimmed, idSeparator); len(toks) > 0 {
			if tok := strings.TrimRight(toks[0], "."); s.fits(tok) {
				return tok, from + len(rest) - len(trimmed), true
			}
		}
	}
	at := 0
	for _, tok := range strings.FieldsFunc(text, idSeparator) {
		at = strings.Index(text[at:], tok) + at
		if s.fits(strings.TrimRight(tok, ".")) {
			return strings.TrimRight(tok, "."), at, true
		}
		at += len(tok)
	}
	return "", 0, false
}

// idSeparator reports whether r cannot be part of an id: ids are ASCII
// letters, digits, "-" and "_" (and a "." inside, trimmed at the end), so
// Japanese text around one needs no space.
func idSeparator(r rune) bool {
	return !(r < 0x80 && (unicode.IsLetter(r) || unicode.IsDigit(r) || r == '-' || r == '_' || r == '.'))
}
