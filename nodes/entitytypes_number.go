package nodes

import (
	"strconv"
	"strings"
	"time"
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
	if v, ok := spelledNumber(s); ok {
		return v, true
	}
	sc := numberScanner{dec: '.', grp: ','}
	if commaDecimal[langBase(lang)] {
		sc.dec, sc.grp = ',', '.'
	}
	for _, r := range sc.sign(numberRunes(s)) {
		if !sc.add(r) {
			return 0, false
		}
	}
	return sc.value()
}

// spelledNumber looks s up in spelledNumbers as written, then in lower case
// (for text that may hold capitals).
func spelledNumber(s string) (float64, bool) {
	if v, ok := spelledNumbers[s]; ok {
		return v, true
	}
	if s[0] >= 'A' {
		if v, ok := spelledNumbers[strings.ToLower(s)]; ok {
			return v, true
		}
	}
	return 0, false
}

// numberRunes are the runes of s through numberRune.
func numberRunes(s string) []rune {
	rs := make([]rune, 0, len(s))
	for _, r := range s {
		rs = append(rs, numberRune(r))
	}
	return rs
}

// numberScanner reads a number rune by rune into its ASCII form for
// strconv ("-123.45"), checking the digit groups as it goes.
type numberScanner struct {
	dec, grp   rune     // the language's decimal and grouping separators
	buf        [64]byte // ASCII form
	n          int      // bytes used in buf
	digits     int      // digits so far, before and after the separator
	group      int      // digits in the current group
	groups     int      // completed groups
	sep        rune     // grouping separator in use, 0 before the first one
	seenDec    bool
	fracDigits int
}

func (sc *numberScanner) put(b byte) {
	sc.buf[sc.n] = b
	sc.n++
}

// sign consumes a leading sign, and one space after it ("- 5"), and
// returns the rest.
func (sc *numberScanner) sign(rs []rune) []rune {
	if rs[0] != '-' && rs[0] != '+' {
		return rs
	}
	if rs[0] == '-' {
		sc.put('-')
	}
	rs = rs[1:]
	if len(rs) > 0 && rs[0] == ' ' {
		rs = rs[1:]
	}
	return rs
}

// add reads one rune: a digit, the decimal separator or a grouping
// separator (the language's, a space or an apostrophe). It reports false
// for anything else or a separator in the wrong place.
func (sc *numberScanner) add(r rune) bool {
	switch {
	case r >= '0' && r <= '9':
		return sc.digit(byte(r))
	case !sc.seenDec && r == sc.dec:
		return sc.decimalSeparator()
	case !sc.seenDec && (r == sc.grp || r == ' ' || r == '\''):
		return sc.groupSeparator(r)
	}
	return false
}

// digit adds a digit, refusing more than maxNumberDigits.
func (sc *numberScanner) digit(d byte) bool {
	if sc.digits == maxNumberDigits {
		return false
	}
	sc.put(d)
	sc.digits++
	if sc.seenDec {
		sc.fracDigits++
	} else {
		sc.group++
	}
	return true
}

// decimalSeparator starts the fraction ("0." when no digit came before);
// after grouping, the last group must have three digits.
func (sc *numberScanner) decimalSeparator() bool {
	if sc.sep != 0 && sc.group != 3 {
		return false
	}
	if sc.digits == 0 {
		sc.put('0')
	}
	sc.put('.')
	sc.seenDec = true
	return true
}

// groupSeparator ends a group of digits: the first group has one to three
// digits, later ones exactly three, and one separator is used throughout.
func (sc *numberScanner) groupSeparator(r rune) bool {
	if sc.group == 0 || sc.group > 3 || (sc.groups > 0 && sc.group != 3) {
		return false
	}
	if sc.sep != 0 && sc.sep != r {
		return false
	}
	sc.sep = r
	sc.groups++
	sc.group = 0
	return true
}

// value is the number read, if it is complete: some digit, a digit after
// the decimal separator, and a last group of three digits after grouping.
func (sc *numberScanner) value() (float64, bool) {
	if sc.digits == 0 || (sc.seenDec && sc.fracDigits == 0) || (sc.sep != 0 && !sc.seenDec && sc.group != 3) {
		return 0, false
	}
	v, err := strconv.ParseFloat(string(sc.buf[:sc.n]), 64)
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
