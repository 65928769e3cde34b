package dialog

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"github.com/botforge/dialogd/nodes"
)

// intentIndex finds the task a user's text asks for. It is a simple
// normalised match (whole text, or the text starting with a training
// utterance); a real classifier plugs in behind Bot.Match later.
type intentIndex struct {
	exact  map[string]intentHit
	prefix []utterance // longest first
}

type intentHit struct {
	task string
	lang string
}

type utterance struct {
	norm string
	intentHit
}

func buildIntentIndex(b *Bot) intentIndex {
	ix := intentIndex{exact: map[string]intentHit{}}
	for _, name := range b.order {
		t := b.Tasks[name]
		tr, ok := t.Nodes[t.Root].node.(nodes.Trainer)
		if !ok {
			continue
		}
		for lang, utts := range tr.Utterances() {
			if lang == "" {
				lang = b.Config.Languages[0]
			}
			for _, u := range utts {
				n := normalize(u)
				if n == "" {
					continue
				}
				hit := intentHit{task: name, lang: lang}
				if _, dup := ix.exact[n]; !dup {
					ix.exact[n] = hit
				}
				ix.prefix = append(ix.prefix, utterance{norm: n, intentHit: hit})
			}
		}
	}
	// Longest utterances first, so "create a lead" beats "create".
	for i := 1; i < len(ix.prefix); i++ {
		for j := i; j > 0 && len(ix.prefix[j].norm) > len(ix.prefix[j-1].norm); j-- {
			ix.prefix[j], ix.prefix[j-1] = ix.prefix[j-1], ix.prefix[j]
		}
	}
	return ix
}

// match returns the task whose training utterance the normalised text is,
// or starts with.
func (ix *intentIndex) match(n string) (intentHit, bool) {
	if n == "" {
		return intentHit{}, false
	}
	if h, ok := ix.exact[n]; ok {
		return h, true
	}
	for _, u := range ix.prefix {
		if strings.HasPrefix(n, u.norm) {
			rest := n[len(u.norm):]
			if rest == "" || rest[0] == ' ' || !isSpaced(u.lang) {
				return u.intentHit, true
			}
		}
	}
	return intentHit{}, false
}

func isSpaced(lang string) bool { return lang != "ja" && lang != "zh" }

// normalize folds width and case, drops punctuation and collapses spaces.
func normalize(s string) string {
	s = norm.NFKC.String(s)
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range s {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r) || r == '@' || r == '+':
			if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = false
			b.WriteRune(unicode.ToLower(r))
		default:
			space = true
		}
	}
	return b.String()
}

// hasJapanese reports whether s contains kana or CJK ideographs.
func hasJapanese(s string) bool {
	for _, r := range s {
		if unicode.In(r, unicode.Hiragana, unicode.Katakana, unicode.Han) {
			return true
		}
	}
	return false
}

type command uint8

const (
	cmdNone command = iota
	cmdCancel
	cmdHelp
	cmdRestart
)

// commands in each supported language, normalised.
var commands = map[string]command{
	"cancel": cmdCancel, "stop": cmdCancel, "abort": cmdCancel, "discard": cmdCancel, "exit": cmdCancel, "quit": cmdCancel,
	"キャンセル": cmdCancel, "やめる": cmdCancel, "やめて": cmdCancel, "中止": cmdCancel,
	"abbrechen": cmdCancel, "stopp": cmdCancel, "beenden": cmdCancel,
	"help": cmdHelp, "ヘルプ": cmdHelp, "助けて": cmdHelp, "hilfe": cmdHelp,
	"restart": cmdRestart, "start over": cmdRestart, "reset": cmdRestart,
	"最初から": cmdRestart, "リセット": cmdRestart, "neu starten": cmdRestart, "neustart": cmdRestart, "von vorne": cmdRestart,
}

// commandLang tells which language a command word belongs to.
func commandLang(n string) string {
	if hasJapanese(n) {
		return "ja"
	}
	switch n {
	case "abbrechen", "stopp", "beenden", "hilfe", "neu starten", "neustart", "von vorne":
		return "de"
	}
	return ""
}
