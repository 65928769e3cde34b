package nodes

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// slotTemplate is an annotated utterance compiled for reading values: its
// groups of annotated values, each between the words that stood around
// it ("for [Ada](first_name) [Lovelace](last_name) at …": the group of two
// names between "for" and "at").
type slotTemplate struct {
	lang   string
	groups []slotGroup
}

// slotGroup is one or more annotated values written next to each other.
type slotGroup struct {
	left, right string // the words just before and after the group, "" for none
	slots       []slotSpec
}

// slotSpec is one annotated value of a group.
type slotSpec struct {
	entity *Entity
	taught int      // the example value's length: words, or runes in scripts without spaces
	id     *idShape // the example is an id (a case number, a record id): its shape
}

// Bounds on a value read from a sentence, over the example's length: a
// longer run of words is more likely the rest of the sentence than a name.
const (
	extraSlotWords = 3
	extraSlotRunes = 6
	maxAnchorRunes = 3
)

// compileTemplate groups u's annotations and notes the words around each
// group.
func compileTemplate(u AnnotatedUtterance, byName map[string]*Entity) slotTemplate {
	tp := slotTemplate{lang: u.Lang}
	var spans [][]Annotation
	for i, a := range u.Spans {
		if i > 0 && strings.TrimSpace(u.Plain[u.Spans[i-1].End:a.Start]) == "" {
			spans[len(spans)-1] = append(spans[len(spans)-1], a)
			continue
		}
		spans = append(spans, []Annotation{a})
	}
	for gi, group := range spans {
		prevEnd, nextStart := 0, len(u.Plain)
		if gi > 0 {
			prevEnd = spans[gi-1][len(spans[gi-1])-1].End
		}
		if gi+1 < len(spans) {
			nextStart = spans[gi+1][0].Start
		}
		g := slotGroup{
			left:  anchorBefore(u.Plain[prevEnd:group[0].Start]),
			right: anchorAfter(u.Plain[group[len(group)-1].End:nextStart]),
		}
		for _, a := range group {
			example := u.Plain[a.Start:a.End]
			g.slots = append(g.slots, slotSpec{entity: byName[a.Entity], taught: valueLength(example), id: idShapeOf(example)})
		}
		tp.groups = append(tp.groups, g)
	}
	return tp
}

// valueLength is the length of an example value: words, or runes when it
// is written without spaces.
func valueLength(s string) int {
	if spacedScript(s) || strings.ContainsRune(s, ' ') {
		return len(strings.Fields(s))
	}
	return utf8.RuneCountInString(s)
}

// anchorBefore is the word that ends lit (the last word, or punctuation
// mark, of a spaced script; the particle and the character before it
// otherwise: "社は").
func anchorBefore(lit string) string {
	lit = strings.TrimRightFunc(lit, unicode.IsSpace)
	if lit == "" {
		return ""
	}
	r := lastRune(lit)
	if !unspaced(r) {
		if notWordRune(r) {
			return string(r)
		}
		return lit[strings.LastIndexFunc(lit, notWordRune)+1:]
	}
	runes := []rune(lit)
	n := 0
	for n < len(runes) && n < maxAnchorRunes && unicode.Is(unicode.Hiragana, runes[len(runes)-1-n]) {
		n++
	}
	n = min(max(n+1, 2), len(runes))
	return string(runes[len(runes)-n:])
}

// anchorAfter is the word that starts lit (the particles "さんの", two
// characters of other Japanese text).
func anchorAfter(lit string) string {
	lit = strings.TrimLeftFunc(lit, unicode.IsSpace)
	if lit == "" {
		return ""
	}
	r := firstRune(lit)
	if !unspaced(r) {
		if notWordRune(r) {
			return string(r)
		}
		if i := strings.IndexFunc(lit, notWordRune); i >= 0 {
			return lit[:i]
		}
		return lit
	}
	runes := []rune(lit)
	n := 0
	for n < len(runes) && n < maxAnchorRunes && unicode.Is(unicode.Hiragana, runes[n]) {
		n++
	}
	if n == 0 {
		n = min(2, len(runes))
	}
	return string(runes[:n])
}

// match reads the template's values from the turn's utterance. A group
// whose words are not found, or whose values do not parse, is skipped.
func (tp slotTemplate) match(t *Turn, p *prefillPlan) map[string]filled {
	text := t.Utterance
	got := map[string]filled{}
	pos := 0
	for _, g := range tp.groups {
		start, end, ok := g.locate(text, pos)
		var span string
		switch {
		case len(g.slots) == 1 && g.slots[0].id != nil:
			span, start, ok = g.slots[0].id.find(text, start, ok)
		case ok:
			span = g.trim(text[start:end], p.anchors)
		}
		if !ok {
			continue
		}
		values, ok := g.split(t, p, span)
		if !ok {
			continue
		}
		for name, f := range values {
			got[name] = f
		}
		pos = start + len(span)
	}
	return got
}

// locate finds where the group's words stand in text, from pos: after its
// left anchor, up to its right anchor (or the end of the clause).
func (g slotGroup) locate(text string, pos int) (start, end int, ok bool) {
	switch {
	case g.left != "":
		i, n := indexAnchor(text, g.left, pos)
		if i < 0 {
			return 0, 0, false
		}
		start = i + n
	case g.right != "":
		j, _ := indexAnchor(text, g.right, pos)
		if j < 0 {
			return 0, 0, false
		}
		start = pos
		if k := strings.LastIndexAny(text[pos:j], clauseMarks); k >= 0 {
			_, size := utf8.DecodeRuneInString(text[pos+k:])
			start = pos + k + size
		}
		return start, j, true
	default:
		return 0, 0, false
	}
	if g.right != "" {
		if j, _ := indexAnchor(text, g.right, start); j >= 0 {
			return start, j, true
		}
	}
	if g.freeText() {
		return start, len(text), true // a description runs to the end
	}
	if k := strings.IndexAny(text[start:], clauseMarks); k >= 0 {
		return start, start + k, true
	}
	return start, len(text), true
}

// clauseMarks end a clause: a value never runs over them.
const clauseMarks = ",;!?。、！？，；\n"

// freeText reports whether the group is one description, which may hold
// any words.
func (g slotGroup) freeText() bool {
	return len(g.slots) == 1 && g.slots[0].entity != nil && g.slots[0].entity.EntityType == EntityDescription
}

// trim cuts the words a name or a company cannot hold: from a word that is
// another value (an e-mail, a number), that starts another part of the
// sentence ("and", "mit"), or that the task's utterances put around a
// value ("… Lovelace from the web" when another utterance teaches "from
// [Remington Rand](company)").
func (g slotGroup) trim(span string, anchors map[string]bool) string {
	span = strings.TrimSpace(span)
	if g.freeText() {
		return span
	}
	names := true
	for _, s := range g.slots {
		names = names && s.entity != nil && (s.entity.EntityType == EntityPersonName || s.entity.EntityType == EntityCompanyName)
	}
	at := 0
	for k, w := range strings.Fields(span) {
		i := strings.Index(span[at:], w) + at
		lw := strings.ToLower(strings.Trim(w, ".:"))
		if strings.Contains(w, "@") || strings.Contains(w, "://") || k > 0 && anchors[lw] ||
			names && (countDigits(w) >= 3 || stopWords[lw]) {
			span = span[:i]
			break
		}
		at = i + len(w)
	}
	return strings.TrimRight(strings.TrimSpace(span), ".:")
}

// stopWords start another part of a sentence after a name or a company,
// in English and German ("… at Acme and her e-mail is …").
var stopWords = map[string]bool{
	"and": true, "with": true, "from": true, "email": true, "e-mail": true, "phone": true, "tel": true, "whose": true, "who": true,
	"und": true, "mit": true, "telefon": true, "deren": true, "dessen": true,
}

func countDigits(s string) int {
	n := 0
	for _, r := range s {
		if unicode.IsDigit(r) {
			n++
		}
	}
	return n
}

// split shares the group's words among its values, which must each parse
// as their entity's type and not be the task's own words.
func (g slotGroup) split(t *Turn, p *prefillPlan, span string) (map[string]filled, bool) {
	parts := g.parts(span)
	if parts == nil {
		return nil, false
	}
	out := make(map[string]filled, len(parts))
	for i, part := range parts {
		e := g.slots[i].entity
		if e == nil || e.extractor != nil || !p.acceptable(part) {
			return nil, false
		}
		opts, err := e.options(t)
		if err != nil {
			return nil, false
		}
		v, ok := e.typ.Parse(part, t.Lang, t.Now, opts)
		if !ok {
			return nil, false
		}
		out[e.Name] = filled{value: v, raw: part}
	}
	return out, true
}

// parts cuts span into one piece per slot: by words, each slot before the
// last taking as many as its example had and the last the rest; a span of
// a script without spaces in proportion to the examples' lengths
// ("山田太郎" → 山田, 太郎). It returns nil when the span is too short or
// much longer than the examples.
func (g slotGroup) parts(span string) []string {
	n := len(g.slots)
	taught := 0
	for _, s := range g.slots {
		taught += s.taught
	}
	if span == "" {
		return nil
	}
	if g.freeText() {
		return []string{span}
	}
	runeLimit := max(taught*2, taught+extraSlotRunes)
	if !spacedScript(span) && !strings.ContainsRune(span, ' ') {
		if utf8.RuneCountInString(span) > runeLimit {
			return nil
		}
		if n == 1 {
			return []string{span}
		}
		return g.splitRunes([]rune(span), taught)
	}
	words := strings.Fields(span)
	if len(words) < n || len(words) > taught+extraSlotWords {
		return nil
	}
	out := make([]string, n)
	w := 0
	for i, s := range g.slots {
		take := min(max(s.taught, 1), len(words)-w-(n-1-i))
		if i == n-1 {
			take = len(words) - w
		}
		out[i] = strings.Join(words[w:w+take], " ")
		w += take
	}
	return out
}

// splitRunes cuts runes in proportion to the examples' lengths.
func (g slotGroup) splitRunes(runes []rune, taught int) []string {
	n := len(g.slots)
	if len(runes) < n {
		return nil
	}
	out := make([]string, n)
	r, seen := 0, 0
	for i, s := range g.slots {
		seen += s.taught
		end := (len(runes)*seen + taught/2) / taught
		end = min(max(end, r+1), len(runes)-(n-1-i))
		if i == n-1 {
			end = len(runes)
		}
		out[i] = string(runes[r:end])
		r = end
	}
	return out
}

// indexAnchor finds anchor in text from byte offset from, ignoring case; a
// word of a spaced script only as a whole word. It returns the offset and
// the length matched in text, or -1.
func indexAnchor(text, anchor string, from int) (int, int) {
	whole := !notWordRune(firstRune(anchor)) && !unspaced(firstRune(anchor))
	for i := from; i < len(text); {
		if n := prefixFold(text[i:], anchor); n > 0 {
			if !whole || (wordBoundaryBefore(text, i) && wordBoundaryAfter(text, i+n)) {
				return i, n
			}
		}
		_, size := utf8.DecodeRuneInString(text[i:])
		i += size
	}
	return -1, 0
}

// prefixFold returns the length of the prefix of s that equals prefix
// under simple case folding, or 0.
func prefixFold(s, prefix string) int {
	i := 0
	for _, pr := range prefix {
		if i >= len(s) {
			return 0
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r != pr && unicode.ToLower(r) != unicode.ToLower(pr) {
			return 0
		}
		i += size
	}
	return i
}

func wordBoundaryBefore(s string, i int) bool {
	r, _ := utf8.DecodeLastRuneInString(s[:i])
	return i == 0 || notWordRune(r)
}

func wordBoundaryAfter(s string, i int) bool {
	r, _ := utf8.DecodeRuneInString(s[i:])
	return i == len(s) || notWordRune(r)
}
