package nodes

import (
	"fmt"
	"strings"
)

// Annotation marks the words of a training utterance that are an entity's
// value, written [Ada](first_name) in the task file.
type Annotation struct {
	Entity     string // the entity's name
	Start, End int    // the value's byte offsets in the plain utterance
	At         int    // byte offset of the "[" in the written utterance
}

// AnnotatedUtterance is a training utterance that teaches where entity
// values stand in a sentence.
type AnnotatedUtterance struct {
	Lang    string       // language code
	Written string       // as written, with its annotations
	Plain   string       // the sentence without the markup
	Spans   []Annotation // in order of appearance
}

// ParseAnnotated reads the annotations of a training utterance: each
// [text](entity) becomes text in the plain sentence and a span. [text]
// without (entity) after it stays as it is, and \[ and \] are literal
// brackets. A "[" that is not closed, a "]" that closes nothing, and a
// "(" of an annotation that is not closed are errors naming their byte
// offset.
func ParseAnnotated(s string) (plain string, spans []Annotation, err error) {
	if !strings.ContainsAny(s, "[]\\") {
		return s, nil, nil
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		switch {
		case s[i] == '\\' && i+1 < len(s) && (s[i+1] == '[' || s[i+1] == ']'):
			b.WriteByte(s[i+1]) // \[ and \] are literal brackets
			i += 2
			continue
		case s[i] == ']':
			return "", nil, annotationError(i, `"]" closes no "[": write an annotation as [text](entity), a bracket as \]`)
		case s[i] == '[':
			a, next, err := parseAnnotation(s, i, b.Len())
			if err != nil {
				return "", nil, err
			}
			if a.Entity == "" { // [text] without (entity): literal text
				b.WriteString(s[i:next])
				i = next
				continue
			}
			b.WriteString(s[i+1 : i+1+(a.End-a.Start)])
			spans = append(spans, a)
			i = next
			continue
		}
		b.WriteByte(s[i])
		i++
	}
	return b.String(), spans, nil
}

// parseAnnotation reads the annotation that starts with the "[" at s[at];
// out is where its text goes in the plain sentence. It returns the
// annotation and the offset after it.
func parseAnnotation(s string, at, out int) (Annotation, int, error) {
	closeText := strings.IndexAny(s[at+1:], "[]")
	if closeText < 0 || s[at+1+closeText] == '[' {
		return Annotation{}, 0, annotationError(at, `unbalanced "[": write an annotation as [text](entity), a bracket as \[`)
	}
	text := s[at+1 : at+1+closeText]
	rest := at + 1 + closeText + 1 // after "]"
	if rest >= len(s) || s[rest] != '(' {
		return Annotation{}, rest, nil // not an annotation
	}
	if strings.TrimSpace(text) == "" {
		return Annotation{}, 0, annotationError(at, "an annotation needs the example value between [ and ]")
	}
	if text != strings.TrimSpace(text) {
		return Annotation{}, 0, annotationError(at, "the annotated value %q starts or ends with a space", text)
	}
	closeName := strings.IndexByte(s[rest:], ')')
	if closeName < 0 {
		return Annotation{}, 0, annotationError(rest, `unbalanced "(": write an annotation as [text](entity)`)
	}
	name := strings.TrimSpace(s[rest+1 : rest+closeName])
	if name == "" || strings.ContainsAny(name, " .()[]") {
		return Annotation{}, 0, annotationError(rest, "[%s](%s) must name one entity, such as (first_name)", text, s[rest+1:rest+closeName])
	}
	return Annotation{Entity: name, Start: out, End: out + len(text), At: at}, rest + closeName + 1, nil
}

// AnnotationError is a mistake in an annotated training utterance at a
// byte offset of the written text.
type AnnotationError struct {
	At  int
	Msg string
}

func (e *AnnotationError) Error() string { return e.Msg }

func annotationError(at int, format string, args ...any) error {
	return &AnnotationError{At: at, Msg: fmt.Sprintf(format, args...)}
}
