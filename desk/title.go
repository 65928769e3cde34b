package desk

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Title is a name shown to people, one for every language or by language:
//
//	title: Support
//	title: {en: Support, de: Kundendienst, ja: サポート}
type Title map[string]string

// UnmarshalYAML takes a string or a language map.
func (t *Title) UnmarshalYAML(n *yaml.Node) error {
	switch n.Kind {
	case yaml.ScalarNode:
		*t = Title{"": n.Value}
		return nil
	case yaml.MappingNode:
		m := map[string]string{}
		if err := n.Decode(&m); err != nil {
			return fmt.Errorf("want a text or a map of language to text: %w", err)
		}
		*t = m
		return nil
	}
	return fmt.Errorf("want a text or a map of language to text")
}

// In returns the title in lang, its base language, English, or any.
func (t Title) In(lang string) string {
	if s, ok := t[lang]; ok {
		return s
	}
	if base, _, ok := strings.Cut(lang, "-"); ok {
		if s, ok := t[base]; ok {
			return s
		}
	}
	for _, k := range []string{"", "en"} {
		if s, ok := t[k]; ok {
			return s
		}
	}
	keys := slices.Sorted(maps.Keys(t))
	if len(keys) == 0 {
		return ""
	}
	return t[keys[0]]
}
