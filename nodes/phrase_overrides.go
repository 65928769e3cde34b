package nodes

import (
	"fmt"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Phrases are a bot's own versions of built-in texts, by phrase key (the
// keys of phrases/en.yaml's texts, e.g. fallback, button.yes,
// entity.unclear.email). A value is a [Text]: one string for every
// language, or a map by language; a language it does not give keeps the
// built-in phrase. %s placeholders are filled as in the built-in text.
//
//	messages:
//	  fallback: {en: "Hmm, I can't do that yet.", de: "Das kann ich noch nicht."}
//	  button.yes: {de: "Jawohl"}
type Phrases map[string]*Text

// UnmarshalYAML decodes the map, refusing unknown keys and placeholders
// the built-in text does not have.
func (p *Phrases) UnmarshalYAML(value *yaml.Node) error {
	if value.Kind == yaml.ScalarNode && value.ShortTag() == "!!null" {
		*p = nil
		return nil
	}
	if value.Kind != yaml.MappingNode {
		return fmt.Errorf("want a map of phrase key to text, got %s", kindName(value))
	}
	out := make(Phrases, len(value.Content)/2)
	for i := 0; i+1 < len(value.Content); i += 2 {
		k, v := value.Content[i], value.Content[i+1]
		if err := checkPhraseKey(k.Value); err != nil {
			return fmt.Errorf("line %d: %w", k.Line, err)
		}
		if _, dup := out[k.Value]; dup {
			return fmt.Errorf("line %d: %s given twice", k.Line, k.Value)
		}
		x := new(Text)
		if err := x.UnmarshalYAML(v); err != nil {
			return fmt.Errorf("%s: %w", k.Value, err)
		}
		if err := checkPlaceholders(k.Value, x); err != nil {
			return fmt.Errorf("line %d: %s: %w", v.Line, k.Value, err)
		}
		out[k.Value] = x
	}
	*p = out
	return nil
}

func checkPhraseKey(key string) error {
	if strings.HasPrefix(key, "failure.") {
		return fmt.Errorf("%s: failure texts are set by kind under events.failures (e.g. events.failures.%s)",
			key, strings.TrimPrefix(key, "failure."))
	}
	if _, ok := phraseTables["en"].Texts[key]; !ok {
		keys := slices.DeleteFunc(PhraseKeys(), func(k string) bool { return strings.HasPrefix(k, "failure.") })
		if hint := DidYouMean(key, keys); hint != "" {
			return fmt.Errorf("unknown phrase %q%s", key, hint)
		}
		return fmt.Errorf("unknown phrase %q (known: %s)", key, strings.Join(keys, ", "))
	}
	return nil
}

// checkPlaceholders refuses a placeholder that takes an argument the
// built-in text does not have; leaving one out is fine.
func checkPlaceholders(key string, x *Text) error {
	want := Placeholders(phraseTables["en"].Texts[key])
	for _, l := range x.Languages() {
		for _, n := range Placeholders(x.Interp(l).String()) {
			if !slices.Contains(want, n) {
				if len(want) == 0 {
					return fmt.Errorf("this text takes no %%s (write %%%% for a percent sign)")
				}
				return fmt.Errorf("this text takes %d %%s, not %d (write %%%% for a percent sign)", len(want), n+1)
			}
		}
	}
	return nil
}

// forLang returns the template a bot gave for lang: its own language, its
// base language, or the text for every language; nil when the bot kept
// the built-in phrase for lang.
func (x *Text) forLang(lang string) *Interp {
	if x == nil {
		return nil
	}
	base := baseLang(lang)
	var all *Interp
	for i, l := range x.langs {
		switch l {
		case lang, base:
			return x.tmpls[i]
		case "":
			all = x.tmpls[i]
		}
	}
	return all
}

// Phrase returns the text key in the turn's language, with its %s
// placeholders filled from args: the bot's own version when bot.yaml has
// one for that language (see [Phrases]), otherwise the built-in phrase.
func (t *Turn) Phrase(key string, args ...any) string {
	if t.Env != nil {
		if tp := t.Env.Phrases[key].forLang(t.Lang); tp != nil && !tp.IsZero() {
			if s, err := tp.Render(t, escapePhrase); err == nil {
				return FillPlaceholders(s, args...)
			}
		}
	}
	return BuiltinPhrase(t.Lang, key, args...)
}
