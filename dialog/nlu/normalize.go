package nlu

import (
	"strings"

	"golang.org/x/text/unicode/norm"
)

// normalize folds text to the form features are taken from: NFKC (which
// maps full-width Latin and half-width katakana to their usual forms),
// lower case, and single spaces between words.
func normalize(text string) string {
	return strings.Join(strings.Fields(strings.ToLower(norm.NFKC.String(text))), " ")
}
