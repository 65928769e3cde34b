package nodes

import (
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/nyaruka/phonenumbers"
)

// emailEntity accepts an e-mail address (a dot-atom local part and a domain
// of at least two labels); the domain is lower-cased.
type emailEntity struct{}

func (emailEntity) Parse(text, _ string, _ time.Time, _ *EntityOptions) (any, bool) {
	v, ok := parseEmail(text)
	if !ok {
		return nil, false
	}
	return v, true
}

// Extract finds the first e-mail address among the words of a sentence.
// Japanese text around an address need not leave a space
// ("リード、ada@example.com"): an address ends at a CJK character.
func (emailEntity) Extract(utterance, _ string, _ time.Time, _ *EntityOptions) (any, bool) {
	if strings.IndexByte(utterance, '@') < 0 {
		return nil, false
	}
	for _, w := range strings.FieldsFunc(utterance, endsEmailWord) {
		if strings.IndexByte(w, '@') < 0 {
			continue
		}
		w = strings.TrimRight(strings.TrimLeft(w, "(<[\"'"), ")>]\"',;:!?.")
		if v, ok := parseEmail(w); ok {
			return v, true
		}
	}
	return nil, false
}

// endsEmailWord reports whether r separates an e-mail address from the
// words around it: a space, or a character of CJK text and punctuation.
func endsEmailWord(r rune) bool { return unicode.IsSpace(r) || r >= 0x2e80 && r <= 0xffef }

const (
	maxEmailLen  = 254
	maxLocalLen  = 64
	maxLabelLen  = 63
	emailSpecial = "!#$%&'*+/=?^_`{|}~-"
)

func parseEmail(text string) (string, bool) {
	s := strings.TrimSpace(text)
	if len(s) > 7 && strings.EqualFold(s[:7], "mailto:") {
		s = s[7:]
	}
	if len(s) >= 2 && s[0] == '<' && s[len(s)-1] == '>' {
		s = s[1 : len(s)-1]
	}
	at := strings.LastIndexByte(s, '@')
	if at <= 0 || at == len(s)-1 || len(s) > maxEmailLen*2 {
		return "", false
	}
	local, domain := s[:at], s[at+1:]
	if len(local) > maxLocalLen || !validLocal(local) {
		return "", false
	}
	lower := domain
	for _, r := range domain {
		if unicode.IsUpper(r) || unicode.IsTitle(r) {
			lower = strings.ToLower(domain)
			break
		}
	}
	if len(local)+1+len(lower) > maxEmailLen || !validDomain(lower) {
		return "", false
	}
	if lower == domain {
		return s, true
	}
	return local + "@" + lower, true
}

// validLocal checks an unquoted local part: atoms of letters, digits and
// the RFC 5322 specials, joined by single dots.
func validLocal(s string) bool {
	if s[0] == '.' || s[len(s)-1] == '.' {
		return false
	}
	prevDot := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '.':
			if prevDot {
				return false
			}
			prevDot = true
			continue
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case strings.IndexByte(emailSpecial, c) >= 0:
		default:
			return false
		}
		prevDot = false
	}
	return true
}

// validDomain checks a lower-case domain name: two or more labels of
// letters (any script), digits and inner hyphens; the last label is not
// all digits.
func validDomain(s string) bool {
	labels := 0
	for s != "" {
		label := s
		if i := strings.IndexByte(s, '.'); i >= 0 {
			label, s = s[:i], s[i+1:]
			if s == "" {
				return false // trailing dot
			}
		} else {
			s = ""
		}
		if label == "" || len(label) > maxLabelLen || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		digits := true
		for _, r := range label {
			switch {
			case r >= '0' && r <= '9':
				continue
			case r == '-', r >= 'a' && r <= 'z':
			case r >= utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r)) && !unicode.IsUpper(r):
			default:
				return false
			}
			digits = false
		}
		labels++
		if s == "" && (digits || utf8.RuneCountInString(label) < 2) {
			return false // top-level domains are at least two letters
		}
	}
	return labels >= 2
}

// phoneEntity accepts a phone number and normalises it to E.164
// ("+14155550100"). Numbers without a country code are read in the
// region of the node, or else the region of the turn's language.
type phoneEntity struct{}

func (phoneEntity) Parse(text, lang string, _ time.Time, opts *EntityOptions) (any, bool) {
	v, ok := parsePhone(text, phoneRegion(lang, opts))
	if !ok {
		return nil, false
	}
	return v, true
}

// Extract finds the first run of phone characters in a sentence that is a
// valid number.
func (phoneEntity) Extract(utterance, lang string, _ time.Time, opts *EntityOptions) (any, bool) {
	region := phoneRegion(lang, opts)
	s := utterance
	for len(s) > 0 {
		i := strings.IndexFunc(s, func(r rune) bool { return r == '+' || r == '(' || isDigitRune(r) })
		if i < 0 {
			return nil, false
		}
		s = s[i:]
		end := strings.IndexFunc(s, func(r rune) bool { return !isPhoneRune(r) })
		if end < 0 {
			end = len(s)
		}
		cand := strings.TrimRight(s[:end], " -./(")
		if v, ok := parsePhone(cand, region); ok {
			return v, true
		}
		if end == 0 {
			_, size := utf8.DecodeRuneInString(s)
			end = size
		}
		s = s[end:]
	}
	return nil, false
}

// langRegions is the default phone region of a bare language code.
var langRegions = map[string]string{
	"en": "US", "ja": "JP", "de": "DE", "fr": "FR", "es": "ES", "it": "IT",
	"pt": "BR", "nl": "NL", "sv": "SE", "da": "DK", "fi": "FI", "pl": "PL",
	"ko": "KR", "zh": "CN",
}

// phoneRegion picks the region for numbers without a country code: the
// node's region, the region subtag of lang ("en-GB"), or the language's
// usual region.
func phoneRegion(lang string, opts *EntityOptions) string {
	if opts != nil && opts.Region != "" {
		return opts.Region
	}
	if i := strings.IndexAny(lang, "-_"); i >= 0 && len(lang)-i-1 == 2 {
		return strings.ToUpper(lang[i+1:])
	}
	return langRegions[langBase(lang)]
}

func isDigitRune(r rune) bool { return (r >= '0' && r <= '9') || (r >= '０' && r <= '９') }

func isPhoneRune(r rune) bool {
	switch r {
	case ' ', '+', '-', '(', ')', '.', '/', '\u00a0', '‐', '–', '－', '＋', '（', '）':
		return true
	}
	return isDigitRune(r)
}

// maxPhoneLen bounds the typed form of a phone number.
const maxPhoneLen = 48

func parsePhone(text, region string) (string, bool) {
	s := strings.TrimSpace(text)
	if s == "" || len(s) > maxPhoneLen {
		return "", false
	}
	digits := 0
	for _, r := range s {
		if !isPhoneRune(r) {
			return "", false
		}
		if isDigitRune(r) {
			digits++
		}
	}
	if digits < 5 {
		return "", false
	}
	num, err := phonenumbers.Parse(s, region)
	if err != nil {
		return "", false
	}
	// Checking the default region first is much cheaper than IsValidNumber,
	// which tries every region of the country code (25 share +1).
	if !phonenumbers.IsValidNumberForRegion(num, region) && !phonenumbers.IsValidNumber(num) {
		return "", false
	}
	return phonenumbers.Format(num, phonenumbers.E164), true
}

// validRegion reports whether the phone library knows region.
func validRegion(region string) bool {
	return phonenumbers.GetSupportedRegions()[region]
}
