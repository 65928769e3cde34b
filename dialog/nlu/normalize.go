package nlu

import (
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"
)

// normalizer turns text into the runes features are taken from: NFKC
// (which maps full-width Latin and half-width katakana to their usual
// forms and composes accents), then full case folding (so "Straße" and
// "STRASSE" meet). It reuses its buffers and its case folder, so one
// normalizer serves one goroutine at a time.
type normalizer struct {
	fold  cases.Caser
	nfkc  []byte
	bytes []byte
	runes []rune
}

func newNormalizer() *normalizer {
	return &normalizer{fold: cases.Fold()}
}

// normalize returns the folded runes of text; the slice is valid until
// the next call.
func (n *normalizer) normalize(text string) []rune {
	text = truncateText(text)
	n.nfkc = norm.NFKC.AppendString(n.nfkc[:0], text)
	n.bytes = n.foldBytes(n.nfkc)
	n.runes = n.runes[:0]
	for b := n.bytes; len(b) > 0; {
		r, size := utf8.DecodeRune(b)
		n.runes = append(n.runes, r)
		b = b[size:]
	}
	return n.runes
}

// MaxTextBytes is the longest text classified: a longer one is cut (at a
// character boundary), so a pasted document costs no more than a long
// sentence and the reused buffers stay small.
const MaxTextBytes = 2048

func truncateText(text string) string {
	if len(text) <= MaxTextBytes {
		return text
	}
	cut := MaxTextBytes
	for cut > 0 && !utf8.RuneStart(text[cut]) {
		cut--
	}
	return text[:cut]
}

// foldBytes case-folds src into n.bytes, growing it until the folder
// has room for all of it.
func (n *normalizer) foldBytes(src []byte) []byte {
	if cap(n.bytes) < 2*len(src)+8 {
		n.bytes = make([]byte, 2*len(src)+8)
	}
	for {
		n.fold.Reset()
		dst := n.bytes[:cap(n.bytes)]
		nDst, _, err := n.fold.Transform(dst, src, true)
		if err == nil {
			return dst[:nDst]
		}
		n.bytes = make([]byte, 2*cap(n.bytes))
	}
}

// Rune classes of the word splitter: a word is a run of one class.
const (
	classNone  = iota // separators: spaces, punctuation, symbols
	classAlnum        // letters and digits of alphabetic scripts
	classCJK          // Han, hiragana and katakana: no spaces between words
)

func runeClass(r rune) int {
	switch {
	case r == 'ー' || r == '々' || unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana):
		return classCJK
	case unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r):
		return classAlnum
	default:
		return classNone
	}
}
