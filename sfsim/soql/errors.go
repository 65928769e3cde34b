package soql

import (
	"fmt"
	"strings"
)

// Error codes used in [Error.Code]. They are the errorCode values the REST
// API puts in its error bodies.
const (
	CodeMalformedQuery     = "MALFORMED_QUERY"
	CodeMalformedSearch    = "MALFORMED_SEARCH"
	CodeInvalidField       = "INVALID_FIELD"
	CodeInvalidType        = "INVALID_TYPE"
	CodeInvalidFilterOp    = "INVALID_QUERY_FILTER_OPERATOR"
	CodeNumberOutsideRange = "NUMBER_OUTSIDE_VALID_RANGE"
)

// Error is a query that Salesforce would refuse. Code is the REST errorCode
// and Message the exact message text, including the caret diagnostics
// Salesforce puts in front of positional errors. A REST layer renders it as
// [{"message":Message,"errorCode":Code}] with status 400.
type Error struct {
	Code    string
	Message string
}

// Error returns "CODE: Message".
func (e *Error) Error() string { return e.Code + ": " + e.Message }

// errorf builds an Error without position context.
func errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// posError builds an Error whose message carries Salesforce's caret
// diagnostics for the token that starts at byte offset pos of src:
//
//	\n<excerpt>\n<spaces>^\nERROR at Row:R:Column:C\n<text>
//
// The excerpt runs from the fourth token before the offending one to the
// fourth token after it, on the offending token's row (see doc.go).
func posError(code, src string, pos int, text string) *Error {
	if pos < 0 {
		return &Error{Code: code, Message: text}
	}
	if pos > len(src) {
		pos = len(src)
	}
	rowStart := strings.LastIndexByte(src[:pos], '\n') + 1
	rowEnd := len(src)
	if i := strings.IndexByte(src[pos:], '\n'); i >= 0 {
		rowEnd = pos + i
	}
	row := strings.Count(src[:rowStart], "\n") + 1
	col := len([]rune(src[rowStart:pos])) + 1

	line := src[rowStart:rowEnd]
	rel := pos - rowStart
	from, to := excerptBounds(line, rel)
	excerpt := strings.TrimRight(line[from:to], " \t\r")
	caret := strings.Repeat(" ", len([]rune(line[from:rel]))) + "^"
	return &Error{Code: code, Message: fmt.Sprintf("\n%s\n%s\nERROR at Row:%d:Column:%d\n%s", excerpt, caret, row, col, text)}
}

// excerptWindow is how many tokens either side of the offending token the
// caret excerpt shows.
const excerptWindow = 4

// excerptBounds returns the byte range of line that the caret excerpt shows
// for an error at byte offset rel.
func excerptBounds(line string, rel int) (from, to int) {
	spans := scanSpans(line)
	idx := len(spans)
	for i, s := range spans {
		if s[0] >= rel {
			idx = i
			break
		}
	}
	from = rel
	if lo := idx - excerptWindow; lo >= 0 && lo < len(spans) {
		from = spans[lo][0]
	} else if len(spans) > 0 && idx > 0 {
		from = spans[0][0]
	}
	if from > rel {
		from = rel
	}
	to = len(line)
	if hi := idx + excerptWindow; hi < len(spans) {
		to = spans[hi][1]
	}
	if to < rel {
		to = rel
	}
	return from, to
}

// scanSpans splits a line into rough token spans for the caret excerpt:
// quoted strings, runs of word characters, and single punctuation bytes.
func scanSpans(line string) [][2]int {
	var spans [][2]int
	for i := 0; i < len(line); {
		c := line[i]
		switch {
		case c == ' ' || c == '\t' || c == '\r':
			i++
		case c == '\'':
			j := i + 1
			for j < len(line) && line[j] != '\'' {
				if line[j] == '\\' {
					j++
				}
				j++
			}
			if j < len(line) {
				j++
			}
			if j > len(line) {
				j = len(line)
			}
			spans = append(spans, [2]int{i, j})
			i = j
		case isWordByte(c):
			j := i
			for j < len(line) && isWordByte(line[j]) {
				j++
			}
			spans = append(spans, [2]int{i, j})
			i = j
		case (c == '!' || c == '<' || c == '>') && i+1 < len(line) && line[i+1] == '=':
			spans = append(spans, [2]int{i, i + 2})
			i += 2
		default:
			spans = append(spans, [2]int{i, i + 1})
			i++
		}
	}
	return spans
}

func isWordByte(c byte) bool {
	return c == '_' || c == '.' || c == ':' || c == '-' || c == '+' ||
		'0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c >= 0x80
}
