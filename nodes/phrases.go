package nodes

import (
	"embed"
	"fmt"
	"path"
	"slices"
	"strconv"
	"strings"
)

// The built-in phrase tables: one YAML file per language in phrases/,
// holding what the bot says (texts) and the words it understands (words)
// when the bot's own files do not say otherwise. en.yaml is the reference;
// every other file has exactly its keys.
//
//go:embed phrases/*.yaml
var phraseFiles embed.FS

// phraseTable is one language's file.
type phraseTable struct {
	SpacesBetweenWords bool                `yaml:"spaces_between_words"`
	Texts              map[string]string   `yaml:"texts"`
	Words              map[string][]string `yaml:"words"`
}

// phraseTables are the built-in tables by language code, read once at
// start-up; a broken file panics, so it never ships.
var phraseTables = mustLoadPhraseTables()

func mustLoadPhraseTables() map[string]*phraseTable {
	tables, err := loadPhraseTables()
	if err != nil {
		panic(err)
	}
	return tables
}

func loadPhraseTables() (map[string]*phraseTable, error) {
	entries, err := phraseFiles.ReadDir("phrases")
	if err != nil {
		return nil, fmt.Errorf("nodes: phrase tables: %w", err)
	}
	tables := make(map[string]*phraseTable, len(entries))
	for _, e := range entries {
		data, err := phraseFiles.ReadFile(path.Join("phrases", e.Name()))
		if err != nil {
			return nil, fmt.Errorf("nodes: phrase table %s: %w", e.Name(), err)
		}
		tab := new(phraseTable)
		if err := UnmarshalStrict(path.Join("nodes/phrases", e.Name()), data, tab); err != nil {
			return nil, fmt.Errorf("nodes: phrase table: %w", err)
		}
		tables[strings.TrimSuffix(e.Name(), ".yaml")] = tab
	}
	if tables["en"] == nil {
		return nil, fmt.Errorf("nodes: phrase tables: en.yaml is missing")
	}
	return tables, nil
}

// PhraseLanguages returns the languages that have a built-in phrase table,
// sorted, English first.
func PhraseLanguages() []string {
	langs := make([]string, 0, len(phraseTables))
	for l := range phraseTables {
		if l != "en" {
			langs = append(langs, l)
		}
	}
	slices.Sort(langs)
	return append([]string{"en"}, langs...)
}

// PhraseKeys returns the keys of the built-in texts, sorted.
func PhraseKeys() []string {
	keys := make([]string, 0, len(phraseTables["en"].Texts))
	for k := range phraseTables["en"].Texts {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// phraseTableFor returns the table of lang, of its base language ("de"
// for "de-AT"), or the English one.
func phraseTableFor(lang string) *phraseTable {
	if tab, ok := phraseTables[lang]; ok {
		return tab
	}
	if tab, ok := phraseTables[baseLang(lang)]; ok {
		return tab
	}
	return phraseTables["en"]
}

// BuiltinPhrase returns the built-in text key in lang with its %s
// placeholders filled from args. An unknown key returns the key itself, so
// a typo shows in the chat rather than an empty message.
func BuiltinPhrase(lang, key string, args ...any) string {
	s, ok := phraseTableFor(lang).Texts[key]
	if !ok {
		if s, ok = phraseTables["en"].Texts[key]; !ok {
			return key
		}
	}
	return FillPlaceholders(s, args...)
}

// PhraseWords returns the built-in word list key ("yes", "no", "cancel",
// "help", "restart", "disconnect") of lang exactly; nil when lang has no
// table.
func PhraseWords(lang, key string) []string {
	if tab, ok := phraseTables[lang]; ok {
		return tab.Words[key]
	}
	return nil
}

// SpacesBetweenWords reports whether lang is written with spaces between
// words (false for Japanese); languages without a table are assumed to be.
func SpacesBetweenWords(lang string) bool {
	return phraseTableFor(lang).SpacesBetweenWords
}

// FillPlaceholders replaces the placeholders of a phrase: %s takes the
// next argument, %[n]s argument n (from 1), %% is a percent sign. Any
// other % is kept as it is, so a rendered value holding one is safe.
func FillPlaceholders(s string, args ...any) string {
	if !strings.Contains(s, "%") {
		return s
	}
	var b strings.Builder
	next := 0
	for i := 0; i < len(s); i++ {
		if s[i] != '%' {
			b.WriteByte(s[i])
			continue
		}
		n, width := placeholderAt(s[i:], next)
		switch {
		case width == 2 && s[i+1] == '%':
			b.WriteByte('%')
		case width == 0:
			b.WriteByte('%')
			continue
		case n < len(args):
			fmt.Fprint(&b, args[n])
		}
		if s[i+1] != '%' {
			next = n + 1
		}
		i += width - 1
	}
	return b.String()
}

// placeholderAt reads the placeholder at the start of s ("%s", "%[2]s",
// "%%") and returns the 0-based argument it takes and its length; width
// 0 means s starts with no placeholder.
func placeholderAt(s string, next int) (arg, width int) {
	switch {
	case strings.HasPrefix(s, "%%"):
		return next, 2
	case strings.HasPrefix(s, "%s"):
		return next, 2
	case strings.HasPrefix(s, "%["):
		end := strings.Index(s, "]s")
		if end < 0 {
			return 0, 0
		}
		n, err := strconv.Atoi(s[2:end])
		if err != nil || n < 1 {
			return 0, 0
		}
		return n - 1, end + 2
	}
	return 0, 0
}

// Placeholders returns the 0-based arguments a phrase's placeholders take,
// in order of appearance, so that two translations can be compared.
func Placeholders(s string) []int {
	var out []int
	next := 0
	for i := 0; i < len(s); i++ {
		if s[i] != '%' {
			continue
		}
		n, width := placeholderAt(s[i:], next)
		if width == 0 {
			continue
		}
		if s[i+1] != '%' {
			out = append(out, n)
			next = n + 1
		}
		i += width - 1
	}
	return out
}
