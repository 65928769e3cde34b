package dialog

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/botforge/dialogd/nodes"
)

// The reply language follows the language of each message, among the
// languages the bot speaks, unless the channel fixed it for the connection
// (the widget's lang parameter or the identity token's locale claim, carried
// as nodes.Identity.Lang). Short or ambiguous messages ("ok", "yes", "ja", a
// name, an e-mail address, a number) keep the current language.

func (r *Runtime) speaks(lang string) bool {
	for _, l := range r.bot.Config.Languages {
		if l == lang {
			return true
		}
	}
	return false
}

// fixedLang returns the language the channel fixed for this conversation,
// when the bot speaks it.
func (r *Runtime) fixedLang(t *nodes.Turn) string {
	if l := t.Memory.Identity.Lang; l != "" && r.speaks(l) {
		return l
	}
	return ""
}

// setLang switches the turn to lang when the bot speaks it and the channel
// did not fix the language.
func (r *Runtime) setLang(t *nodes.Turn, lang string) {
	if fixed := r.fixedLang(t); fixed != "" {
		t.Lang = fixed
	} else if lang != "" && r.speaks(lang) {
		t.Lang = lang
	}
	if t.Memory != nil {
		t.Memory.Lang = t.Lang // what {{ lang }} reads
	}
}

// detectLang sets the turn's language from the text of the user's message.
func (r *Runtime) detectLang(t *nodes.Turn, text string) {
	r.setLang(t, detectLanguage(text))
}

// Weights of the words that tell a language. A message switches the reply
// language when its words add up to switchScore for one language and the
// other language scores less than half as much. A decisive word (a command,
// a greeting, a word no other language uses) is enough alone; common
// function words need company, so that "ja", "no" or "die" alone, or a
// name, keep the current language.
const (
	weak        = 1
	decisive    = 2
	switchScore = 2
)

// langWords maps a lower-case word to its language and weight. Words the
// languages share ("lead", "name", "ok", "in", "so", "an", "was", "will")
// are left out on purpose.
var langWords = map[string]langWord{}

type langWord struct {
	lang   string
	weight int
}

func init() {
	add := func(lang string, weight int, words string) {
		for _, w := range strings.Fields(words) {
			langWords[w] = langWord{lang, weight}
		}
	}
	add("en", decisive, `restart reset cancel abort discard quit exit help hello thanks thank please
		create show want would could should what where when which who why how the
		find search update delete remove change edit convert look view list open cases company
		add make need`)
	add("en", weak, `a and or to of is are am be i you my me your we our it this that with for on at
		not do does can new yes no hi hey start over stop get from by just`)
	add("de", decisive, `neustart abbrechen beenden stopp hilfe hallo danke bitte anlegen erstellen
		möchte moechte würde wuerde neuen neue einen eine einem einer ich nicht und oder
		ist sind bin wie warum wo wer welche mein meine meinen
		zeigen zeige suchen suche finden löschen loeschen ändern aendern bearbeiten
		offenen offene konvertieren umwandeln firma`)
	add("de", weak, `ja nein der die das den dem des ein zu von mit für fuer auf bei aus
		du sie wir es mir mich dich uns neu starten vorne guten tag morgen abend gerne gern`)
}

// detectLanguage returns the language text is written in ("en", "de" or
// "ja"), or "" when it cannot tell. It runs on every message, so it reads
// the text once and allocates nothing.
func detectLanguage(text string) string {
	if isJapanese(text) {
		return "ja"
	}
	var en, de int
	for field := range strings.FieldsSeq(text) {
		if strings.ContainsFunc(field, notInWords) {
			continue // an e-mail address, a URL, a number, an id
		}
		for w := range strings.FieldsFuncSeq(field, notLetter) {
			var buf [24]byte
			if len(w) > len(buf) {
				continue // longer than any word of the lists
			}
			lw := langWords[string(appendLower(buf[:0], w))]
			switch lw.lang {
			case "en":
				en += lw.weight
			case "de":
				de += lw.weight
			}
		}
	}
	switch {
	case en >= switchScore && de*2 < en:
		return "en"
	case de >= switchScore && en*2 < de:
		return "de"
	}
	return ""
}

// isJapanese reports whether s holds kana or kanji.
func isJapanese(s string) bool {
	for _, r := range s {
		if r >= 0x2e80 && unicode.In(r, unicode.Hiragana, unicode.Katakana, unicode.Han) {
			return true
		}
	}
	return false
}

// appendLower appends w in lower case to dst.
func appendLower(dst []byte, w string) []byte {
	for _, r := range w {
		dst = utf8.AppendRune(dst, unicode.ToLower(r))
	}
	return dst
}

// notInWords reports runes that never occur in a word of a language:
// a field that holds one is an address, a number or an id.
func notInWords(r rune) bool { return r == '@' || r == '/' || r == '_' || unicode.IsDigit(r) }

func notLetter(r rune) bool { return !unicode.IsLetter(r) && r != '\'' }
