package nlu

import (
	"slices"
	"strings"
)

// fillerWords are the words of politeness and sentence frames in English
// and German ("I'd like to … please", "ich möchte bitte …"): a filler
// word counts as a word but yields no character n-grams or bigrams, so
// the frame a sentence shares with a training utterance of another
// intent does not outweigh the words that name the task.
var fillerWords = map[string]bool{}

// politeEndings are Japanese sentence endings of wishes and requests
// ("…したい", "…してください"), cut from the end of a run before its
// n-grams are taken, for the same reason; longest first.
var politeEndings = func() [][]rune {
	endings := []string{
		"していただけますか", "してもらえますか", "を教えてください", "をお願いします",
		"教えてください", "してください", "お願いします", "でしょうか", "したいです", "してほしい",
		"てください", "てほしい", "ください", "教えて", "したい", "します", "ですか", "ますか", "して", "たい",
	}
	out := make([][]rune, len(endings))
	for i, e := range endings {
		out[i] = []rune(e)
	}
	slices.SortStableFunc(out, func(a, b []rune) int { return len(b) - len(a) })
	return out
}()

func init() {
	words := "i i'd id me my you your we please could can would will like want need to the a an " +
		"for that this it of some just kindly hi hey what is are be pls plz ok okay mr mrs ms " +
		"s let lets wanna gonna help thanks thank now quickly also u ur " +
		"with on at about our them their his her its there do does did have has was were " +
		"bitte ich möchte mochte moechte will würde wuerde gern gerne mir mich du sie bitteschön " +
		"ein eine einen einem einer den die das der dem des mal doch kannst können koennen " +
		"mein meine meinen meiner meines was ist sind bin herr herrn frau " +
		"könntest koenntest würdest wuerdest brauche wir uns unser unsere hallo danke jetzt schnell"
	for _, w := range strings.Fields(words) {
		fillerWords[w] = true
	}
}

func isFiller(word []rune) bool {
	if len(word) > 12 {
		return false
	}
	var buf [48]byte
	b := buf[:0]
	for _, r := range word {
		b = appendRune(b, r)
	}
	return fillerWords[string(b)] // no allocation: the compiler looks up without converting
}

func appendRune(b []byte, r rune) []byte {
	return append(b, string(r)...)
}

// trimPoliteEnding cuts one polite ending from the end of a Japanese run,
// keeping at least one rune.
func trimPoliteEnding(run []rune) []rune {
	for _, e := range politeEndings {
		if len(run) > len(e) && runesHaveSuffix(run, e) {
			return run[:len(run)-len(e)]
		}
	}
	return run
}

func runesHaveSuffix(s, suffix []rune) bool {
	tail := s[len(s)-len(suffix):]
	for i := range suffix {
		if tail[i] != suffix[i] {
			return false
		}
	}
	return true
}
