package nodes

import (
	"strings"
	"unicode"

	"golang.org/x/text/width"
)

// yesNoLexicon holds the built-in yes and no phrases of one language, in
// normalized form (see normalizeAnswer).
type yesNoLexicon struct {
	yes, no []string
	// prefixAnywhere lets a phrase match the start of an answer without a
	// word break after it, for languages written without spaces.
	prefixAnywhere bool
}

// yesNoLexicons are the yes and no words of every phrase table
// (words.yes and words.no), by language.
var yesNoLexicons = buildYesNoLexicons()

func buildYesNoLexicons() map[string]yesNoLexicon {
	out := make(map[string]yesNoLexicon, len(phraseTables))
	for lang, tab := range phraseTables {
		out[lang] = yesNoLexicon{
			yes:            normalizeAll(tab.Words["yes"]),
			no:             normalizeAll(tab.Words["no"]),
			prefixAnywhere: !tab.SpacesBetweenWords,
		}
	}
	return out
}

// Answers every language understands: emoji and the English basics that
// quick-reply payloads use.
var (
	universalYes = normalizeAll([]string{"yes", "ok", "okay", "👍", "👌", "✅", "✔", "🆗", "🙆", "⭕", "○"})
	universalNo  = normalizeAll([]string{"no", "👎", "❌", "✖", "🙅", "🚫", "⛔", "×"})
)

// ParseYesNo reads a yes/no answer in language lang (any language with a
// phrase table, see phrases/; a region such as "de-AT" uses its base
// language; others use English).
// extraYes and extraNo are the node's own synonyms and are tried first.
//
// Matching is done on a normalized form: case folded, full- and half-width
// characters unified, punctuation dropped and spaces collapsed, so "YES!!",
// "ｙｅｓ" and "Yes." are all yes. The answer matches a phrase when it is
// the phrase or starts with it followed by a space ("yes please do"); the
// longest matching phrase wins, so "of course not" is no although "of
// course" is yes. ok is false when the text is neither.
func ParseYesNo(text, lang string, extraYes, extraNo []string) (yes bool, ok bool) {
	return parseYesNo(text, lang, normalizeAll(extraYes), normalizeAll(extraNo))
}

// parseYesNo is ParseYesNo with the extra phrases already normalized.
func parseYesNo(text, lang string, extraYes, extraNo []string) (yes bool, ok bool) {
	norm := normalizeAnswer(text)
	if norm == "" {
		return false, false
	}
	lex, found := yesNoLexicons[baseLang(lang)]
	if !found {
		lex = yesNoLexicons["en"]
	}
	// Node synonyms first, longest match across yes and no.
	if y, n := bestMatch(norm, extraYes, lex.prefixAnywhere), bestMatch(norm, extraNo, lex.prefixAnywhere); y > 0 || n > 0 {
		return y > n, true
	}
	y := max(bestMatch(norm, lex.yes, lex.prefixAnywhere), bestMatch(norm, universalYes, false))
	n := max(bestMatch(norm, lex.no, lex.prefixAnywhere), bestMatch(norm, universalNo, false))
	if y == 0 && n == 0 {
		return false, false
	}
	return y > n, y != n
}

// bestMatch returns the length of the longest phrase that norm is or
// starts with (followed by a space, or anything when anywhere is set), or 0.
func bestMatch(norm string, phrases []string, anywhere bool) int {
	best := 0
	for _, p := range phrases {
		if p == "" || len(p) <= best || !strings.HasPrefix(norm, p) {
			continue
		}
		if len(norm) == len(p) || norm[len(p)] == ' ' || anywhere || !endsInWord(p) {
			best = len(p)
		}
	}
	return best
}

// endsInWord reports whether p ends in a letter or digit of a script that
// separates words with spaces; emoji and CJK phrases need no word break.
func endsInWord(p string) bool {
	r := lastRune(p)
	if unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana) {
		return false
	}
	return unicode.IsLetter(r) || unicode.IsDigit(r)
}

func lastRune(s string) rune {
	var last rune
	for _, r := range s {
		last = r
	}
	return last
}

func normalizeAll(list []string) []string {
	if len(list) == 0 {
		return nil
	}
	out := make([]string, 0, len(list))
	for _, s := range list {
		if n := normalizeAnswer(s); n != "" {
			out = append(out, n)
		}
	}
	return out
}

// normalizeAnswer folds width and case, turns punctuation, ASCII symbols
// and separators into single spaces, drops apostrophes, variation
// selectors and skin tones, and trims.
func normalizeAnswer(s string) string {
	if isNormalASCII(s) {
		return s // "yes", "no thanks": nothing to fold
	}
	return foldAnswer(s)
}

// foldAnswer is normalizeAnswer without its shortcut.
func foldAnswer(s string) string {
	s = width.Fold.String(s)
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range s {
		switch {
		case r == '\'' || r == '’' || r == '`' || r == '\uFE0F' || r == '\u200D':
			continue
		case r >= 0x1F3FB && r <= 0x1F3FF: // emoji skin tones
			continue
		case unicode.IsPunct(r) || unicode.IsSpace(r) || (unicode.IsSymbol(r) && r < 0x80):
			space = b.Len() > 0
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}

// isNormalASCII reports whether s is what normalizeAnswer makes of it
// already: lower-case ASCII letters and digits, words separated by one
// space.
func isNormalASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z' || c >= '0' && c <= '9':
		case c == ' ' && i > 0 && i < len(s)-1 && s[i-1] != ' ':
		default:
			return false
		}
	}
	return true
}

// baseLang returns the language part of a code such as "de-AT".
func baseLang(lang string) string {
	lang = strings.ToLower(lang)
	if i := strings.IndexAny(lang, "-_"); i >= 0 {
		return lang[:i]
	}
	return lang
}
