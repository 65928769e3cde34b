package nodes

import (
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Text is a localized chat text: a [Interp] per language. In YAML it is
// either a plain string (one text for every language) or a map from
// language code to string, in order of preference:
//
//	text: "Thanks, {{ entities.name }}!"
//	text: {en: "Hi", ja: "こんにちは", de: "Hallo"}
//
// Render picks the turn's language, then its base language ("de" for
// "de-AT"), then the first entry.
type Text struct {
	langs []string
	tmpls []*Interp
}

// ParseText returns a Text with one template for every language.
func ParseText(src string) (Text, error) {
	t, err := ParseInterp(src)
	if err != nil {
		return Text{}, err
	}
	return Text{langs: []string{""}, tmpls: []*Interp{t}}, nil
}

// MustParseText is ParseText that panics on error.
func MustParseText(src string) Text {
	t, err := ParseText(src)
	if err != nil {
		panic(err)
	}
	return t
}

// Localized returns a Text from language/source pairs, in order of
// preference; for built-in texts.
func Localized(pairs ...string) (Text, error) {
	if len(pairs)%2 != 0 {
		return Text{}, fmt.Errorf("localized text: odd number of arguments")
	}
	var out Text
	for i := 0; i < len(pairs); i += 2 {
		t, err := ParseInterp(pairs[i+1])
		if err != nil {
			return Text{}, fmt.Errorf("text %s: %w", pairs[i], err)
		}
		out.langs = append(out.langs, pairs[i])
		out.tmpls = append(out.tmpls, t)
	}
	return out, nil
}

// UnmarshalYAML decodes a plain string or a language map.
func (x *Text) UnmarshalYAML(value *yaml.Node) error {
	if value.Kind == yaml.AliasNode {
		value = value.Alias
	}
	switch value.Kind {
	case yaml.ScalarNode:
		if value.ShortTag() == "!!null" {
			*x = Text{}
			return nil
		}
		t, err := ParseInterp(value.Value)
		if err != nil {
			return err
		}
		*x = Text{langs: []string{""}, tmpls: []*Interp{t}}
		return nil
	case yaml.MappingNode:
		var out Text
		for i := 0; i+1 < len(value.Content); i += 2 {
			k, v := value.Content[i], value.Content[i+1]
			if k.Kind != yaml.ScalarNode || k.Value == "" {
				return fmt.Errorf("line %d: language codes must be non-empty strings", k.Line)
			}
			for _, l := range out.langs {
				if l == k.Value {
					return fmt.Errorf("line %d: language %q given twice", k.Line, k.Value)
				}
			}
			if v.Kind != yaml.ScalarNode {
				return fmt.Errorf("line %d: text for %s: expected a string, got %s", v.Line, k.Value, kindName(v))
			}
			t, err := ParseInterp(v.Value)
			if err != nil {
				return fmt.Errorf("text for %s: %w", k.Value, err)
			}
			out.langs = append(out.langs, k.Value)
			out.tmpls = append(out.tmpls, t)
		}
		*x = out
		return nil
	}
	return fmt.Errorf("text: expected a string or a map of language to string, got %s", kindName(value))
}

// IsZero reports whether no text was given.
func (x Text) IsZero() bool {
	for _, t := range x.tmpls {
		if !t.IsZero() {
			return false
		}
	}
	return true
}

// Languages returns the language codes given; "" stands for the plain
// string form.
func (x Text) Languages() []string { return x.langs }

// Interp returns the template chosen for lang, or nil for a zero Text.
func (x Text) Interp(lang string) *Interp {
	if len(x.tmpls) == 0 {
		return nil
	}
	for i, l := range x.langs {
		if l == lang {
			return x.tmpls[i]
		}
	}
	if base, _, ok := strings.Cut(lang, "-"); ok {
		for i, l := range x.langs {
			if l == base {
				return x.tmpls[i]
			}
		}
	}
	return x.tmpls[0]
}

// Render renders the text in the turn's language, as chat text.
func (x Text) Render(t *Turn) (string, error) {
	lang := ""
	if t != nil {
		lang = t.Lang
	}
	return x.Interp(lang).Render(t, EscapeText)
}

// TextList is a list of texts, used in turn: error prompts cycle through
// it with the number of retries. In YAML it is a list of texts or a single
// text.
type TextList []Text

// UnmarshalYAML decodes a list of texts or a single text.
func (l *TextList) UnmarshalYAML(value *yaml.Node) error {
	if value.Kind != yaml.SequenceNode {
		var x Text
		if err := x.UnmarshalYAML(value); err != nil {
			return err
		}
		*l = TextList{x}
		return nil
	}
	out := make(TextList, len(value.Content))
	for i, n := range value.Content {
		if err := out[i].UnmarshalYAML(n); err != nil {
			return fmt.Errorf("item %d: %w", i, err)
		}
	}
	*l = out
	return nil
}

// Pick returns text i, cycling: Pick(len(l)) is Pick(0). It returns a zero
// Text for an empty list.
func (l TextList) Pick(i int) Text {
	if len(l) == 0 {
		return Text{}
	}
	if i < 0 {
		i = 0
	}
	return l[i%len(l)]
}

// Render renders text i (cycling) in the turn's language.
func (l TextList) Render(t *Turn, i int) (string, error) {
	return l.Pick(i).Render(t)
}
