package nodes

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
)

func init() {
	Register(Info{
		Type:    "intent",
		New:     func() Node { return new(Intent) },
		Summary: "The root of a task: the phrases that start it.",
	})
}

// Intent is the root node of a task. Its utterances train the intent
// classifier; when the dialog enters it, it follows its transitions.
//
//	type: intent
//	utterances:
//	  en: [create a lead, "create a lead for [Ada](first_name) [Lovelace](last_name)"]
//	  ja: [リードを作成]
//
// A plain list is taken as the bot's default language. An utterance may
// annotate entity values, [text](entity): the classifier learns the plain
// sentence, and the task takes the values a user's first sentence holds at
// the places the annotations teach (prefill.go).
type Intent struct {
	// Phrases are the training utterances per language code, without
	// their annotations once provisioned.
	Phrases Utterances `yaml:"utterances"`

	annotated []AnnotatedUtterance // the utterances that annotate values
	prefill   *prefillPlan         // set by BindEntities when annotated is not empty
}

// Utterances are training phrases by language. In YAML they are a map of
// language code to list of phrases, or a plain list for the default
// language (the key "" until Provision replaces it).
type Utterances map[string][]string

// UnmarshalYAML decodes a language map or a plain list.
func (u *Utterances) UnmarshalYAML(value *yaml.Node) error {
	switch value.Kind {
	case yaml.SequenceNode:
		var list []string
		if err := value.Decode(&list); err != nil {
			return fmt.Errorf("utterances: %w", err)
		}
		*u = Utterances{"": list}
		return checkAnnotations("utterances", value)
	case yaml.MappingNode:
		m := map[string][]string{}
		if err := value.Decode(&m); err != nil {
			return fmt.Errorf("utterances: %w", err)
		}
		*u = m
		for i := 0; i+1 < len(value.Content); i += 2 {
			if err := checkAnnotations("utterances."+value.Content[i].Value, value.Content[i+1]); err != nil {
				return err
			}
		}
		return nil
	}
	return fmt.Errorf("utterances: expected a list or a map of language to list, got %s", kindName(value))
}

// checkAnnotations reports the first mistake in the annotations of a list
// of utterances, at its line.
func checkAnnotations(path string, list *yaml.Node) error {
	for i, item := range list.Content {
		if _, _, err := ParseAnnotated(item.Value); err != nil {
			return fmt.Errorf("%s[%d]: line %d: %w", path, i, item.Line, err)
		}
	}
	return nil
}

// Provision files a plain list under the bot's default language. Phrases
// in a language the bot does not speak are dropped when it is one of the
// languages the runtime knows (a catalogue template written in en, de and
// ja installs into an English-only bot); any other language is an error
// (a typo, say).
func (n *Intent) Provision(h *Host) error {
	def := "en"
	if h != nil && len(h.Languages) > 0 {
		def = h.Languages[0]
	}
	if list, ok := n.Phrases[""]; ok {
		delete(n.Phrases, "")
		n.Phrases[def] = append(n.Phrases[def], list...)
	}
	if err := n.stripAnnotations(); err != nil {
		return err
	}
	if h != nil && len(h.Languages) > 0 {
		for lang := range n.Phrases {
			switch {
			case slices.Contains(h.Languages, lang):
			case slices.Contains(PhraseLanguages(), lang):
				delete(n.Phrases, lang)
				n.annotated = slices.DeleteFunc(n.annotated, func(a AnnotatedUtterance) bool { return a.Lang == lang })
			default:
				return fmt.Errorf("utterances: language %q is not one of the bot's languages %v", lang, h.Languages)
			}
		}
	}
	return nil
}

// stripAnnotations keeps the annotated utterances aside and leaves their
// plain sentences in Phrases, for the classifier and exact matching.
func (n *Intent) stripAnnotations() error {
	n.annotated = nil
	for _, lang := range slices.Sorted(maps.Keys(n.Phrases)) {
		for i, p := range n.Phrases[lang] {
			plain, spans, err := ParseAnnotated(p)
			if err != nil {
				return fmt.Errorf("utterances.%s[%d]: %w", lang, i, err)
			}
			if len(spans) > 0 {
				n.annotated = append(n.annotated, AnnotatedUtterance{Lang: lang, Written: p, Plain: plain, Spans: spans})
				n.Phrases[lang][i] = plain
			}
		}
	}
	return nil
}

// Annotated returns the training utterances that annotate entity values,
// in their languages' order.
func (n *Intent) Annotated() []AnnotatedUtterance {
	return slices.Clone(n.annotated)
}

// Validate rejects blank and repeated phrases.
func (n *Intent) Validate() error {
	for _, lang := range slices.Sorted(maps.Keys(n.Phrases)) {
		seen := map[string]bool{}
		for i, p := range n.Phrases[lang] {
			key := strings.ToLower(strings.TrimSpace(p))
			if key == "" {
				return fmt.Errorf("utterances.%s[%d]: phrase is empty", lang, i)
			}
			if seen[key] {
				return fmt.Errorf("utterances.%s[%d]: phrase %q is given twice", lang, i, p)
			}
			seen[key] = true
		}
	}
	return nil
}

// Utterances returns a copy of the training phrases per language.
func (n *Intent) Utterances() map[string][]string {
	out := make(map[string][]string, len(n.Phrases))
	for lang, list := range n.Phrases {
		out[lang] = slices.Clone(list)
	}
	return out
}

// Run takes the entity values the utterance that started the task holds
// (when the utterances annotate any) and follows the node's transitions.
func (n *Intent) Run(ctx context.Context, t *Turn) (Outcome, error) {
	if n.prefill != nil && t.Utterance != "" {
		n.prefill.run(t)
	}
	return Next(), nil
}

var (
	_ Node        = (*Intent)(nil)
	_ Provisioner = (*Intent)(nil)
	_ Validator   = (*Intent)(nil)
	_ Trainer     = (*Intent)(nil)
)
