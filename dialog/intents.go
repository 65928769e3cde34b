package dialog

import (
	"slices"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"github.com/botforge/dialogd/dialog/nlu"
	"github.com/botforge/dialogd/nodes"
)

// intentIndex finds the task a user's text asks for. It is a simple
// normalised match (whole text, or the text starting with a training
// utterance); a real classifier plugs in behind Bot.Match later.
type intentIndex struct {
	exact  map[string]intentHit
	prefix []utterance // longest first
	// sure holds, per task, the one match of a sure result (score 1),
	// made once so that a training phrase costs no allocation; shared,
	// never changed.
	sure map[string][]nlu.Match
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
	ix := intentIndex{exact: map[string]intentHit{}, sure: map[string][]nlu.Match{}}
	for _, name := range b.order {
		t := b.Tasks[name]
		ix.sure[name] = []nlu.Match{{Intent: name, Score: 1}}
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
	// Longest utterances first, so "create a lead" beats "create"; equal
	// lengths keep the tasks' order.
	slices.SortStableFunc(ix.prefix, func(a, b utterance) int { return len(b.norm) - len(a.norm) })
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

// isSpaced reports whether lang separates words with spaces (its phrase
// table says; Chinese has none but is not spaced either).
func isSpaced(lang string) bool { return lang != "zh" && nodes.SpacesBetweenWords(lang) }

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

type command uint8

const (
	cmdNone command = iota
	cmdCancel
	cmdHelp
	cmdRestart
	cmdDiscardAll
	cmdGoBack
)

// commandWord is a normalised command word and the languages whose phrase
// table holds it.
type commandWord struct {
	cmd   command
	langs []string
}

// commands are the command words of every phrase table (words.cancel,
// words.help, words.restart in nodes/phrases), normalised.
var commands = buildCommands()

func buildCommands() map[string]commandWord {
	keys := []struct {
		cmd command
		key string
	}{{cmdCancel, "cancel"}, {cmdHelp, "help"}, {cmdRestart, "restart"}, {cmdDiscardAll, "discard_all"}, {cmdGoBack, "go_back"}}
	out := map[string]commandWord{}
	for _, lang := range nodes.PhraseLanguages() {
		for _, k := range keys {
			for _, w := range nodes.PhraseWords(lang, k.key) {
				n := normalize(w)
				cw := out[n]
				if cw.cmd == cmdNone {
					cw.cmd = k.cmd // the first language's meaning wins
				}
				cw.langs = append(cw.langs, lang)
				out[n] = cw
			}
		}
	}
	return out
}

// commandLang tells which language a command word belongs to; "" when
// several languages use it.
func commandLang(n string) string {
	if cw := commands[n]; len(cw.langs) == 1 {
		return cw.langs[0]
	}
	return ""
}
