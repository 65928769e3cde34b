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

var yesNoLexicons = map[string]yesNoLexicon{
	"en": {
		yes: []string{
			"yes", "y", "yeah", "yea", "yep", "yup", "ya", "yes please", "sure", "sure thing",
			"of course", "ok", "okay", "k", "kk", "alright", "all right", "correct", "right",
			"thats right", "affirmative", "absolutely", "definitely", "certainly", "indeed",
			"please do", "go ahead", "do it", "sounds good", "true", "fine", "agreed", "confirm",
		},
		no: []string{
			"no", "n", "nope", "nah", "no way", "no thanks", "no thank you", "of course not",
			"not really", "not at all", "never", "negative", "dont", "do not", "certainly not",
			"absolutely not", "definitely not", "wrong", "incorrect", "false", "cancel", "stop",
			"not now", "no no", "nay",
		},
	},
	"ja": {
		yes: []string{
			"はい", "ええ", "うん", "そう", "そうです", "そうだ", "そうそう", "お願いします", "おねがいします",
			"お願い", "いいよ", "いいです", "いいですよ", "オッケー", "オーケー", "了解", "りょうかい",
			"承知しました", "もちろん", "大丈夫です", "はいはい", "正しい", "合ってます", "あってます",
		},
		no: []string{
			"いいえ", "いや", "いえ", "ううん", "違います", "ちがいます", "違う", "ちがう", "結構です",
			"けっこうです", "だめ", "ダメ", "駄目", "やめて", "やめます", "不要", "いらない", "要らない",
			"いりません", "もちろん違います", "キャンセル", "しない", "しません", "そうじゃない", "そうではない",
			"そうではありません", "よくない", "いいえ結構です",
		},
		prefixAnywhere: true,
	},
	"de": {
		yes: []string{
			"ja", "jawohl", "jo", "jup", "jep", "japp", "klar", "na klar", "sicher", "natürlich",
			"genau", "gerne", "gern", "selbstverständlich", "richtig", "stimmt", "einverstanden",
			"ok", "okay", "auf jeden fall", "passt", "bitte", "ja bitte", "ja gerne", "korrekt",
			"in ordnung", "alles klar", "sehr gern",
		},
		no: []string{
			"nein", "nö", "noe", "ne", "nee", "nicht", "auf keinen fall", "keinesfalls",
			"niemals", "nie", "natürlich nicht", "lieber nicht", "bestimmt nicht", "sicher nicht",
			"falsch", "nein danke", "abbrechen", "stimmt nicht", "auf gar keinen fall",
			"bitte nicht", "ja nicht", "gar nicht", "überhaupt nicht",
		},
	},
}

// Answers every language understands: emoji and the English basics that
// quick-reply payloads use.
var (
	universalYes = normalizeAll([]string{"yes", "ok", "okay", "👍", "👌", "✅", "✔", "🆗", "🙆", "⭕", "○"})
	universalNo  = normalizeAll([]string{"no", "👎", "❌", "✖", "🙅", "🚫", "⛔", "×"})
)

// ParseYesNo reads a yes/no answer in language lang ("en", "ja", "de"; a
// region such as "de-AT" uses its base language; others use English).
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

// baseLang returns the language part of a code such as "de-AT".
func baseLang(lang string) string {
	lang = strings.ToLower(lang)
	if i := strings.IndexAny(lang, "-_"); i >= 0 {
		return lang[:i]
	}
	return lang
}
