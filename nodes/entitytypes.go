package nodes

import (
	"sort"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// EntityType turns what a user typed into an entity value. Values are JSON
// values (string, float64 or bool), so they can be stored in the
// conversation [Memory] as they are.
//
// Parse is given the whole answer to a prompt. Implementations are
// stateless and safe for concurrent use.
type EntityType interface {
	Parse(text, lang string, now time.Time, opts *EntityOptions) (value any, ok bool)
}

// EntityExtractor is implemented by entity types whose values can be found
// inside a longer sentence, such as the utterance that started a task
// ("create a lead for jane@example.com"). Extract returns the first value
// found.
type EntityExtractor interface {
	EntityType
	Extract(utterance, lang string, now time.Time, opts *EntityOptions) (value any, ok bool)
}

// EntityOptions are the per-node settings an entity type may use. A nil
// *EntityOptions means no settings.
type EntityOptions struct {
	// Region is the default region for phone numbers without a country
	// code, as an ISO 3166 code ("US", "JP", "DE"). Empty means the
	// region implied by the language.
	Region string
	// Items are the choices of a list entity, resolved for this turn.
	Items []ListOption
	// Yes and No are extra words a yes_no entity accepts.
	Yes, No []string
}

// ListOption is one choice of a list entity as the user sees it.
type ListOption struct {
	Value    string   // stored as the entity value and sent as button payload
	Title    string   // button label
	Subtitle string   // a second line under the label, may be empty
	Synonyms []string // other words that select the choice
}

// Entity type names.
const (
	EntityString      = "string"
	EntityNumber      = "number"
	EntityEmail       = "email"
	EntityPhone       = "phone"
	EntityDate        = "date"
	EntityYesNo       = "yes_no"
	EntityList        = "list"
	EntityPersonName  = "person_name"
	EntityCompanyName = "company_name"
	EntityDescription = "description"
)

// entityTypes is filled once here and only read afterwards, so it needs no
// lock.
var entityTypes = map[string]EntityType{
	EntityString:      stringEntity{},
	EntityNumber:      numberEntity{},
	EntityEmail:       emailEntity{},
	EntityPhone:       phoneEntity{},
	EntityDate:        dateEntity{},
	EntityYesNo:       yesNoEntity{},
	EntityList:        listEntity{},
	EntityPersonName:  personNameEntity{},
	EntityCompanyName: companyNameEntity{},
	EntityDescription: descriptionEntity{},
}

// LookupEntityType returns the entity type registered under name.
func LookupEntityType(name string) (EntityType, bool) {
	et, ok := entityTypes[name]
	return et, ok
}

// EntityTypeNames returns the names of the entity types, sorted.
func EntityTypeNames() []string {
	names := make([]string, 0, len(entityTypes))
	for n := range entityTypes {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Limits of the free-text entity types, in characters (runes).
const (
	maxStringLen      = 1000
	maxPersonNameLen  = 80
	maxCompanyNameLen = 255
	maxDescriptionLen = 32000
)

// langBase returns the primary language subtag, lower-cased: "en-GB" → "en".
func langBase(lang string) string {
	if i := strings.IndexAny(lang, "-_"); i >= 0 {
		lang = lang[:i]
	}
	for i := 0; i < len(lang); i++ {
		if c := lang[i]; c >= 'A' && c <= 'Z' {
			return strings.ToLower(lang)
		}
	}
	return lang
}

// hasControl reports whether s holds a control character other than the
// ones allowed (allowNewlines permits \n, \r and \t).
func hasControl(s string, allowNewlines bool) bool {
	for _, r := range s {
		if r == '\n' || r == '\r' || r == '\t' {
			if !allowNewlines {
				return true
			}
			continue
		}
		if unicode.IsControl(r) || r == utf8.RuneError || r == '\u2028' || r == '\u2029' {
			return true
		}
	}
	return false
}

// collapseSpaces trims s and replaces runs of white space with one space.
// It returns s itself when nothing changes.
func collapseSpaces(s string) string {
	s = strings.TrimSpace(s)
	clean := true
	prevSpace := false
	for _, r := range s {
		sp := unicode.IsSpace(r)
		if sp && (r != ' ' || prevSpace) {
			clean = false
			break
		}
		prevSpace = sp
	}
	if clean {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	prevSpace = false
	for _, r := range s {
		if unicode.IsSpace(r) {
			if !prevSpace {
				b.WriteByte(' ')
			}
			prevSpace = true
			continue
		}
		prevSpace = false
		b.WriteRune(r)
	}
	return b.String()
}

// stringEntity accepts one non-empty line of text.
type stringEntity struct{}

func (stringEntity) Parse(text, _ string, _ time.Time, _ *EntityOptions) (any, bool) {
	s := strings.TrimSpace(text)
	if s == "" || hasControl(s, false) || utf8.RuneCountInString(s) > maxStringLen {
		return nil, false
	}
	return s, true
}

// descriptionEntity accepts free text, several lines included.
type descriptionEntity struct{}

func (descriptionEntity) Parse(text, _ string, _ time.Time, _ *EntityOptions) (any, bool) {
	s := strings.TrimSpace(text)
	if s == "" || hasControl(s, true) || utf8.RuneCountInString(s) > maxDescriptionLen {
		return nil, false
	}
	return s, true
}

// companyNameEntity accepts one line of letters, digits, punctuation and
// symbols that holds at least one letter.
type companyNameEntity struct{}

func (companyNameEntity) Parse(text, _ string, _ time.Time, _ *EntityOptions) (any, bool) {
	if hasControl(strings.TrimSpace(text), false) {
		return nil, false
	}
	s := collapseSpaces(text)
	n := 0
	letter := false
	for _, r := range s {
		n++
		switch {
		case unicode.IsLetter(r):
			letter = true
		case r == ' ', unicode.IsDigit(r), unicode.IsMark(r), unicode.IsPunct(r), unicode.IsSymbol(r):
		default:
			return nil, false
		}
	}
	if !letter || n > maxCompanyNameLen {
		return nil, false
	}
	return s, true
}

// personNameEntity accepts names: letters of any script, spaces, hyphens
// and apostrophes. Latin names typed in one case are title-cased.
type personNameEntity struct{}

func (personNameEntity) Parse(text, _ string, _ time.Time, _ *EntityOptions) (any, bool) {
	v, ok := parsePersonName(text)
	if !ok {
		return nil, false
	}
	return v, true
}

func isNameSeparator(r rune) bool {
	switch r {
	case ' ', '-', '\'', '\u2019', '\u2010', '\u30fb': // space, hyphen, apostrophes, katakana middle dot
		return true
	}
	return false
}

func parsePersonName(text string) (string, bool) {
	s := collapseSpaces(text)
	n := 0
	letter := false
	for _, r := range s {
		n++
		switch {
		case unicode.IsLetter(r):
			letter = true
		case unicode.IsMark(r), isNameSeparator(r):
		default:
			return "", false
		}
	}
	if !letter || n > maxPersonNameLen {
		return "", false
	}
	return titleCaseName(s), true
}

// titleCaseName title-cases the Latin parts of a name typed in a single
// case ("jane o'neil-smith" → "Jane O'Neil-Smith"). A name typed in mixed
// case ("Ronald McDonald", "Jan van der Berg") and other scripts are kept
// as they are.
func titleCaseName(s string) string {
	upper, lower := false, false
	for _, r := range s {
		if unicode.Is(unicode.Latin, r) {
			upper = upper || unicode.IsUpper(r) || unicode.IsTitle(r)
			lower = lower || unicode.IsLower(r)
		}
	}
	if upper && lower {
		return s // typed with care: keep it
	}
	var b []byte // allocated on the first change
	start := 0
	for start < len(s) {
		r, size := utf8.DecodeRuneInString(s[start:])
		if isNameSeparator(r) {
			if b != nil {
				b = append(b, s[start:start+size]...)
			}
			start += size
			continue
		}
		end := start
		for end < len(s) {
			r, size := utf8.DecodeRuneInString(s[end:])
			if isNameSeparator(r) {
				break
			}
			end += size
		}
		part := s[start:end]
		if fixed, changed := titleCasePart(part); changed {
			if b == nil {
				b = make([]byte, 0, len(s)+8)
				b = append(b, s[:start]...)
			}
			b = append(b, fixed...)
		} else if b != nil {
			b = append(b, part...)
		}
		start = end
	}
	if b == nil {
		return s
	}
	return string(b)
}

func titleCasePart(part string) (string, bool) {
	upper, lower := false, false
	for _, r := range part {
		if unicode.IsLetter(r) && !unicode.Is(unicode.Latin, r) {
			return part, false
		}
		if unicode.IsUpper(r) || unicode.IsTitle(r) {
			upper = true
		} else if unicode.IsLower(r) {
			lower = true
		}
	}
	if upper && lower {
		return part, false
	}
	var b strings.Builder
	b.Grow(len(part) + 4)
	first := true
	for _, r := range part {
		if first && unicode.IsLetter(r) {
			b.WriteRune(unicode.ToTitle(r))
			first = false
			continue
		}
		b.WriteRune(unicode.ToLower(r))
	}
	out := b.String()
	return out, out != part
}

// yesNoEntity accepts yes or no in the turn's language; the value is a bool.
type yesNoEntity struct{}

func (yesNoEntity) Parse(text, lang string, _ time.Time, opts *EntityOptions) (any, bool) {
	s := strings.TrimSpace(text)
	// Button payloads are language independent.
	switch s {
	case yesPayload:
		return true, true
	case noPayload:
		return false, true
	}
	var yes, no []string
	if opts != nil {
		yes, no = opts.Yes, opts.No
	}
	v, ok := ParseYesNo(s, lang, yes, no)
	if !ok {
		return nil, false
	}
	return v, true
}

// Payloads of the Yes and No quick replies.
const (
	yesPayload = "yes"
	noPayload  = "no"
)

// listEntity picks one of opts.Items by value, title or synonym (case does
// not matter) or by its position ("2").
type listEntity struct{}

func (listEntity) Parse(text, _ string, _ time.Time, opts *EntityOptions) (any, bool) {
	if opts == nil || len(opts.Items) == 0 {
		return nil, false
	}
	s := strings.TrimSpace(text)
	if s == "" {
		return nil, false
	}
	for i := range opts.Items {
		it := &opts.Items[i]
		if strings.EqualFold(s, it.Value) || strings.EqualFold(s, it.Title) {
			return it.Value, true
		}
	}
	for i := range opts.Items {
		for _, syn := range opts.Items[i].Synonyms {
			if strings.EqualFold(s, syn) {
				return opts.Items[i].Value, true
			}
		}
	}
	if n, ok := atoi(strings.TrimSuffix(s, ".")); ok && n >= 1 && n <= len(opts.Items) {
		return opts.Items[n-1].Value, true
	}
	return nil, false
}

// Extract finds the one item whose value, title or a synonym occurs in the
// utterance as a whole phrase. Several matching items are ambiguous: none
// is returned.
func (listEntity) Extract(utterance, _ string, _ time.Time, opts *EntityOptions) (any, bool) {
	if opts == nil || len(opts.Items) == 0 || utterance == "" {
		return nil, false
	}
	hay := strings.ToLower(utterance)
	found := -1
	for i := range opts.Items {
		it := &opts.Items[i]
		hit := containsPhrase(hay, it.Value) || containsPhrase(hay, it.Title)
		for _, syn := range it.Synonyms {
			hit = hit || containsPhrase(hay, syn)
		}
		if !hit {
			continue
		}
		if found >= 0 {
			return nil, false
		}
		found = i
	}
	if found < 0 {
		return nil, false
	}
	return opts.Items[found].Value, true
}

// containsPhrase reports whether needle occurs in the lower-cased hay with
// no letter or digit right before or after it.
func containsPhrase(hay, needle string) bool {
	needle = strings.ToLower(strings.TrimSpace(needle))
	if needle == "" || len(needle) < 3 && !isCJK(needle) {
		return false // "a", "no": too likely to be an ordinary word
	}
	for off := 0; off < len(hay); {
		i := strings.Index(hay[off:], needle)
		if i < 0 {
			return false
		}
		i += off
		j := i + len(needle)
		before, _ := utf8.DecodeLastRuneInString(hay[:i])
		after, _ := utf8.DecodeRuneInString(hay[j:])
		if !isWordRune(before) && !isWordRune(after) || isCJK(needle) {
			return true
		}
		off = i + 1
	}
	return false
}

func isWordRune(r rune) bool {
	return r != utf8.RuneError && (unicode.IsLetter(r) || unicode.IsDigit(r))
}

// isCJK reports whether s starts with a Han, Hiragana or Katakana letter:
// such text has no spaces between words, so any occurrence counts.
func isCJK(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana)
}
