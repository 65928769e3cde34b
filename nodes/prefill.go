package nodes

import (
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// prefillPlan takes the entity values of the utterance that started a task
// when its intent node starts it: free-text values (names, companies) at
// the places its annotated utterances teach, typed values (e-mail, phone,
// date, list items) anywhere, as the entity nodes would when reached. The
// task then asks only for what is missing, and says what it took.
type prefillPlan struct {
	entities  []*Entity       // the task's entities, in file order
	templates []slotTemplate  // compiled annotated utterances
	taskWords map[string]bool // words of the utterances outside annotations, lower case
	taskText  []string        // the utterances' text outside annotations, for scripts without spaces
	anchors   map[string]bool // the words written next to values, lower case, of spaced scripts
}

// UnboundAnnotation is an annotation that names no entity the task's
// utterance could fill.
type UnboundAnnotation struct {
	Utterance  AnnotatedUtterance
	Annotation Annotation
	Reason     string // why, for the designer
}

// BindEntities tells the intent node the task's entity nodes, in file
// order, so that the task's first sentence can fill them. It returns the
// annotations that name no entity node of the task. A task whose
// utterances annotate nothing gets no plan and costs nothing.
func (n *Intent) BindEntities(entities []*Entity) []UnboundAnnotation {
	n.prefill = nil
	if len(n.annotated) == 0 {
		return nil
	}
	byName := make(map[string]*Entity, len(entities))
	for _, e := range entities {
		if _, dup := byName[e.Name]; !dup {
			byName[e.Name] = e
		}
	}
	var bad []UnboundAnnotation
	p := &prefillPlan{entities: entities, taskWords: map[string]bool{}, anchors: map[string]bool{}}
	for _, u := range n.annotated {
		for _, a := range u.Spans {
			e := byName[a.Entity]
			switch {
			case e == nil:
				bad = append(bad, UnboundAnnotation{u, a, "names no entity node of the task"})
			case e.From != "":
				bad = append(bad, UnboundAnnotation{u, a, "names a list chosen from records the task looks up later; a first sentence cannot fill it"})
			}
		}
		tp := compileTemplate(u, byName)
		p.templates = append(p.templates, tp)
		for _, g := range tp.groups {
			for _, a := range []string{g.left, g.right} {
				if a != "" && spacedScript(a) && !notWordRune(firstRune(a)) {
					p.anchors[strings.ToLower(a)] = true
				}
			}
		}
		p.learnTaskWords(u)
	}
	for lang, list := range n.Phrases {
		for _, s := range list {
			if !slices.ContainsFunc(n.annotated, func(u AnnotatedUtterance) bool { return u.Lang == lang && u.Plain == s }) {
				p.learnTaskWords(AnnotatedUtterance{Plain: s})
			}
		}
	}
	if len(bad) > 0 {
		return bad
	}
	n.prefill = p
	return nil
}

// learnTaskWords notes the words of u that are not annotated values.
func (p *prefillPlan) learnTaskWords(u AnnotatedUtterance) {
	at := 0
	for _, a := range append(u.Spans, Annotation{Start: len(u.Plain), End: len(u.Plain)}) {
		lit := u.Plain[at:a.Start]
		for _, w := range strings.FieldsFunc(strings.ToLower(lit), notWordRune) {
			p.taskWords[w] = true
		}
		if lit = strings.TrimSpace(lit); lit != "" && !spacedScript(lit) {
			p.taskText = append(p.taskText, lit)
		}
		at = a.End
	}
}

// run fills the entities the turn's utterance holds and says what it took.
func (p *prefillPlan) run(t *Turn) {
	text := t.Utterance
	taken := p.matchTemplates(t)
	masked := text
	for _, f := range taken {
		masked = strings.Replace(masked, f.raw, strings.Repeat(" ", len(f.raw)), 1)
	}
	// A typed value fills one entity: a sentence with one phone number
	// does not answer both the office and the mobile phone.
	used := map[string]bool{}
	for _, e := range p.entities {
		if _, ok := taken[e.Name]; ok || e.extractor == nil || e.From != "" {
			continue
		}
		opts, err := e.options(t)
		if err != nil {
			continue
		}
		if v, ok := e.extractor.Extract(masked, t.Lang, t.Now, opts); ok {
			key := e.EntityType + "\x00" + fmt.Sprint(v)
			if used[key] {
				continue
			}
			used[key] = true
			taken[e.Name] = filled{value: v}
		}
	}
	var said []string
	seen := map[string]bool{}
	for _, e := range p.entities {
		f, ok := taken[e.Name]
		if !ok || seen[e.Name] {
			continue
		}
		seen[e.Name] = true
		if _, already := t.Memory.Entities[e.Name]; already || t.Memory.WasCleared(e.Name) {
			continue // a value the user gave, or took back ("go back"), stays theirs
		}
		t.Memory.SetEntity(e.Name, f.value)
		said = append(said, t.Phrase("prefill.item", e.label(t), displayValue(f.value)))
	}
	if len(said) > 0 {
		t.Say(Reply{Text: t.Phrase("prefill.taken", strings.Join(said, t.Phrase("prefill.separator")))})
	}
}

// filled is a value taken from the utterance, and the words it came from
// (empty for typed values).
type filled struct {
	value any
	raw   string
}

// matchTemplates reads the free-text values at the places the annotated
// utterances teach: the template that fills the most entities wins, then
// the one whose values are shortest (its words stood closest around
// them), templates in the turn's language first.
func (p *prefillPlan) matchTemplates(t *Turn) map[string]filled {
	best := map[string]filled{}
	bestLen := 0
	for _, pass := range []bool{true, false} {
		for _, tp := range p.templates {
			if (langBase(tp.lang) == langBase(t.Lang)) != pass {
				continue
			}
			got := tp.match(t, p)
			n := rawLength(got)
			if len(got) > len(best) || len(got) == len(best) && len(got) > 0 && n < bestLen {
				best, bestLen = got, n
			}
		}
	}
	return best
}

func rawLength(values map[string]filled) int {
	n := 0
	for _, f := range values {
		n += len(f.raw)
	}
	return n
}

// acceptable reports whether words taken for a value are not the task's
// own words ("create a lead for" is never a name).
func (p *prefillPlan) acceptable(s string) bool {
	words := strings.FieldsFunc(strings.ToLower(s), notWordRune)
	if len(words) == 0 {
		return false
	}
	own := true
	for _, w := range words {
		own = own && p.taskWords[w]
	}
	if own {
		return false
	}
	if !spacedScript(s) {
		for _, lit := range p.taskText {
			if strings.Contains(lit, s) || strings.Contains(s, lit) {
				return false
			}
		}
	}
	return true
}

// label is how the confirmation names the entity: its label, or its name
// in words.
func (e *Entity) label(t *Turn) string {
	if !e.Label.IsZero() {
		if s, err := e.Label.Render(t); err == nil && s != "" {
			return s
		}
	}
	return strings.ReplaceAll(e.Name, "_", " ")
}

func displayValue(v any) string {
	if s, ok := scalarString(v); ok {
		return s
	}
	return ""
}

func notWordRune(r rune) bool {
	return !unicode.IsLetter(r) && !unicode.IsDigit(r) && !unicode.IsMark(r)
}

// spacedScript reports whether s is written with spaces between words:
// false when its first letter is Han, Hiragana or Katakana.
func spacedScript(s string) bool {
	for _, r := range s {
		if unicode.IsLetter(r) {
			return !unspaced(r)
		}
	}
	return true
}

func unspaced(r rune) bool {
	return unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana)
}

func firstRune(s string) rune {
	r, _ := utf8.DecodeRuneInString(s)
	return r
}
