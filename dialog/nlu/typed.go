package nlu

import (
	"slices"
	"unicode"
)

// Typed values (an e-mail address, a phone number, an id, an amount or a
// date) are record details a user types into a request ("find cases for
// bob@example.net", "wer ist unter 0171 2345678 gespeichert?"). No
// training utterance has the same value, so its pieces would only dilute
// the sentence: each value becomes one placeholder word, in training and
// classification alike, so "case 00001031" is like "case 00001002" and
// an e-mail address weighs one word, not three words and their n-grams.

// Placeholder words. '#' and '@' never occur in a word (they split
// words), so the placeholders meet no real word.
var (
	numberWord = []rune{'#'}
	emailWord  = []rune{'@'}
)

// numberJoiners may stand between the digit groups of one number
// ("030 1234567", "555-0199", "+49 (30) 123", "12.03.2026").
const numberJoiners = " -/.()+"

// maxNumberJoin is how many joiners in a row still join digit groups.
const maxNumberJoin = 2

// typedValueEnd tells whether rs[start:] begins with a typed value and
// returns its end and its placeholder; ok is false when it does not.
func typedValueEnd(rs []rune, start int) (end int, word []rune, ok bool) {
	if end, ok := emailEnd(rs, start); ok {
		return end, emailWord, true
	}
	if !isDigit(rs[start]) {
		return 0, nil, false
	}
	end = digitsEnd(rs, start)
	if end < len(rs) && runeClass(rs[end]) == classAlnum {
		return 0, nil, false // "2nd", "x1y": a word, not a number
	}
	for {
		j := end
		for j < len(rs) && j-end < maxNumberJoin && containsRune(numberJoiners, rs[j]) {
			j++
		}
		if j == end || j >= len(rs) || !isDigit(rs[j]) {
			return end, numberWord, true
		}
		next := digitsEnd(rs, j)
		if next < len(rs) && runeClass(rs[next]) == classAlnum {
			return end, numberWord, true
		}
		end = next
	}
}

// emailEnd tells whether rs[start:] begins with an e-mail address: a run
// of letters, digits and e-mail marks holding one '@' with a word before it and a dotted
// domain after it. Trailing punctuation is not part of it.
func emailEnd(rs []rune, start int) (int, bool) {
	end := start
	at := -1
	for end < len(rs) && (runeClass(rs[end]) == classAlnum || containsRune(emailMarks, rs[end])) {
		if rs[end] == '@' {
			if at >= 0 {
				return 0, false
			}
			at = end
		}
		end++
	}
	for end > start && runeClass(rs[end-1]) != classAlnum {
		end--
	}
	if at <= start || at >= end-1 {
		return 0, false
	}
	dot := false
	for i := at + 2; i < end-1; i++ {
		if rs[i] == '.' {
			dot = true
		}
	}
	return end, dot
}

func digitsEnd(rs []rune, i int) int {
	for i < len(rs) && isDigit(rs[i]) {
		i++
	}
	return i
}

func isDigit(r rune) bool { return r >= '0' && r <= '9' }

// emailMarks are the runes besides letters and digits an e-mail address
// is written with.
const emailMarks = "@.-_+"

func containsRune(s string, r rune) bool {
	for _, c := range s {
		if c == r {
			return true
		}
	}
	return false
}

// personWord stands for a person named with an honorific in Japanese
// ("高橋さん"): a name weighs one word and meets every other name.
var personWord = []rune{'%'}

// honorifics follow a person's name in Japanese. 様 and 氏 are left out:
// they also end words that are no names (お客様, 氏名).
var honorifics = [][]rune{[]rune("さん"), []rune("さま")}

// maxNameRunes is the longest name before an honorific.
const maxNameRunes = 6

// honorificName finds the first name with an honorific in a Japanese run:
// up to maxNameRunes kanji or katakana right before "さん". It returns
// where the name begins and where the honorific ends.
func honorificName(run []rune) (nameStart, end int, ok bool) {
	for i := 1; i < len(run); i++ {
		for _, h := range honorifics {
			if i+len(h) > len(run) || !runesHavePrefix(run[i:], h) {
				continue
			}
			ns := i
			for ns > 0 && i-ns < maxNameRunes && isNameRune(run[ns-1]) {
				ns--
			}
			if ns < i {
				return ns, i + len(h), true
			}
		}
	}
	return 0, 0, false
}

func isNameRune(r rune) bool {
	return r == 'ー' || r == '々' || unicode.In(r, unicode.Han, unicode.Katakana)
}

func runesHavePrefix(s, prefix []rune) bool {
	return len(s) >= len(prefix) && runesHaveSuffix(s[:len(prefix)], prefix)
}

// companyWord stands for a company's legal form ("GmbH", "Ltd", "株式会社"),
// the part of a company's name that marks it as one: it is no record
// kind (株式会社 holds 会社, "company", but "ABC株式会社" is a name).
var companyWord = []rune{'&'}

// legalForms are company legal forms, folded.
var legalForms = []string{"gmbh", "ag", "kg", "ug", "ltd", "inc", "llc", "corp", "plc"}

// legalFormsJa are Japanese company legal forms.
var legalFormsJa = []string{"株式会社", "有限会社", "合同会社"}

func isLegalForm(word []rune) bool {
	for _, f := range legalForms {
		if runesEqual(word, f) {
			return true
		}
	}
	return false
}

// legalFormJa finds the first Japanese legal form in a run: where it
// begins and ends.
func legalFormJa(run []rune) (start, end int, ok bool) {
	for i := range run {
		for _, f := range legalFormsJa {
			if n, ok := prefixLen(run[i:], f); ok {
				return i, i + n, true
			}
		}
	}
	return 0, 0, false
}

func runesEqual(word []rune, s string) bool {
	n, ok := prefixLen(word, s)
	return ok && n == len(word)
}

func isCompanyWord(word []rune) bool {
	return len(word) == 1 && word[0] == companyWord[0]
}

// accountGroup is the synonym group of companies.
var accountGroup = slices.IndexFunc(synonymGroups, func(g synonymGroup) bool { return g.name == "account" })

// isPlaceholder tells whether word is one of the placeholders.
func isPlaceholder(word []rune) bool {
	return len(word) == 1 && (word[0] == numberWord[0] || word[0] == emailWord[0] || word[0] == personWord[0] || word[0] == companyWord[0])
}
