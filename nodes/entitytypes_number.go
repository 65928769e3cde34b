package nodes

import (
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// maxNumberDigits bounds the digits of a number entity so that every
// accepted value is exact in a float64 and formats back to the same digits.
const maxNumberDigits = 15

// numberEntity accepts numbers written with the grouping and decimal
// separators of the turn's language, and small spelled-out numbers.
type numberEntity struct{}

func (numberEntity) Parse(text, lang string, _ time.Time, _ *EntityOptions) (any, bool) {
	v, ok := parseNumber(text, lang)
	if !ok {
		return nil, false
	}
	return v, true
}

// spelledNumbers are the spelled-out numbers the number and date entities
// understand, for every language at once (the words do not clash).
var spelledNumbers = map[string]float64{
	"zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5,
	"six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
	"null": 0, "eins": 1, "ein": 1, "eine": 1, "einen": 1, "einem": 1, "einer": 1, "zwei": 2,
	"drei": 3, "vier": 4, "fünf": 5, "sechs": 6, "sieben": 7, "acht": 8, "neun": 9, "zehn": 10,
	"〇": 0, "零": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5,
	"六": 6, "七": 7, "八": 8, "九": 9, "十": 10,
}

// commaDecimal lists languages that write 1.234,5 instead of 1,234.5.
var commaDecimal = map[string]bool{
	"de": true, "fr": true, "es": true, "it": true, "pt": true, "nl": true,
	"ru": true, "pl": true, "sv": true, "da": true, "nb": true, "no": true,
	"fi": true, "cs": true, "tr": true, "id": true,
}

// numberRune maps full-width digits and signs (common in Japanese input)
// to ASCII, and the typographic minus to '-'.
func numberRune(r rune) rune {
	switch {
	case r >= '０' && r <= '９':
		return '0' + (r - '０')
	case r == '－' || r == '−':
		return '-'
	case r == '＋':
		return '+'
	case r == '，':
		return ','
	case r == '．':
		return '.'
	case r == '\u00a0' || r == '\u202f' || r == '\u2009' || r == '\u3000':
		return ' '
	}
	return r
}

// parseNumber parses a number written in lang's style: "1,234.5" (en, ja),
// "1.234,5" (de), "1 234,5" (grouped with spaces), "-12", "−3.5", or a
// spelled-out number up to ten.
func parseNumber(text, lang string) (float64, bool) {
	s := strings.TrimSpace(text)
	if s == "" || len(s) > 64 {
		return 0, false
	}
	if v, ok := spelledNumbers[s]; ok {
		return v, true
	}
	if s[0] >= 'A' {
		if v, ok := spelledNumbers[strings.ToLower(s)]; ok {
			return v, true
		}
	}
	dec, grp := '.', ','
	if commaDecimal[langBase(lang)] {
		dec, grp = ',', '.'
	}

	var buf [64]byte // ASCII form for strconv: -123.45
	n := 0
	i := 0
	next := func() (rune, bool) {
		if i >= len(s) {
			return 0, false
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		return numberRune(r), true
	}
	r, _ := next()
	if r == '-' || r == '+' {
		if r == '-' {
			buf[n] = '-'
			n++
		}
		r, _ = next()
		if r == ' ' { // "- 5"
			r, _ = next()
		}
	}
	digits := 0
	group := 0   // digits in the current group
	groups := 0  // completed groups
	var sep rune // grouping separator in use, 0 before the first one
	seenDec := false
	fracDigits := 0
	for {
		switch {
		case r >= '0' && r <= '9':
			if digits == maxNumberDigits {
				return 0, false
			}
			buf[n] = byte(r)
			n++
			digits++
			if seenDec {
				fracDigits++
			} else {
				group++
			}
		case !seenDec && r == dec:
			if sep != 0 && group != 3 {
				return 0, false
			}
			if digits == 0 {
				buf[n] = '0'
				n++
			}
			buf[n] = '.'
			n++
			seenDec = true
		case !seenDec && (r == grp || r == ' ' || r == '\''):
			if group == 0 || group > 3 || (groups > 0 && group != 3) {
				return 0, false
			}
			if sep != 0 && sep != r {
				return 0, false
			}
			sep = r
			groups++
			group = 0
		default:
			return 0, false
		}
		var more bool
		if r, more = next(); !more {
			break
		}
	}
	if digits == 0 || (seenDec && fracDigits == 0) || (sep != 0 && !seenDec && group != 3) {
		return 0, false
	}
	v, err := strconv.ParseFloat(string(buf[:n]), 64)
	if err != nil {
		return 0, false
	}
	if v == 0 {
		v = 0 // no negative zero
	}
	return v, true
}

// formatNumber formats a number value the way parseNumber reads it back in
// English: no grouping, '.' as decimal separator.
func formatNumber(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
