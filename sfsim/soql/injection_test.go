package soql

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

// TestInjection shows that values quoted with Quote stay literals, and that
// the same values pasted in unescaped change the query's meaning or fail the
// way Salesforce fails.
func TestInjection(t *testing.T) {
	f := newFixture(t)
	const evil = "x' OR Name != '"
	tests := []struct {
		name     string
		q        string
		want     []string // nil when an error is expected
		wantCode string
	}{
		{"quoted injection stays literal", "SELECT Id FROM Lead WHERE Name = " + Quote(evil), []string{"L4"}, ""},
		{"unescaped injection widens the query", "SELECT Id FROM Lead WHERE Name = '" + evil + "'", []string{"L1", "L2", "L3", "L4", "L5"}, ""},
		{"unescaped injection after AND is refused", "SELECT Id FROM Lead WHERE Status = 'Working' AND Name = '" + evil + "'", nil, CodeMalformedQuery},
		{"quoted backslash quote", "SELECT Id FROM Lead WHERE Name = " + Quote(`\' OR Name != '`), []string{}, ""},
		{"quote-only escaping is refused", "SELECT Id FROM Lead WHERE Name = '" + strings.ReplaceAll(`\' OR Name != '`, "'", `\'`) + "'", nil, CodeMalformedQuery},
		{"apostrophe", "SELECT Id FROM Account WHERE Name = " + Quote("O'Brien & Sons"), []string{"A3"}, ""},
		{"unescaped apostrophe", "SELECT Id FROM Account WHERE Name = 'O'Brien & Sons'", nil, CodeMalformedQuery},
		{"backslash", "SELECT Id FROM Lead WHERE Name = " + Quote(`Back\slash`), []string{"L5"}, ""},
		{"unescaped backslash", `SELECT Id FROM Lead WHERE Name = 'Back\slash'`, nil, CodeMalformedQuery},
		{"like literal percent", "SELECT Id FROM Lead WHERE Company LIKE " + QuoteLike("Evil 100%"), []string{}, ""},
		{"like unescaped percent is a wildcard", "SELECT Id FROM Lead WHERE Company LIKE " + Quote("Evil 100%"), []string{"L4"}, ""},
		{"like contains", "SELECT Id FROM Lead WHERE Company LIKE '%" + QuoteLike("100%_Co")[1:], []string{"L4"}, ""},
		{"comment-like text stays literal", "SELECT Id FROM Lead WHERE Name = " + Quote("x' -- "), []string{}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := f.run(tt.q, false)
			if tt.want == nil {
				var se *Error
				if !errors.As(err, &se) || se.Code != tt.wantCode {
					t.Fatalf("query %q: error = %v; want code %s", tt.q, err, tt.wantCode)
				}
				return
			}
			if err != nil {
				t.Fatalf("query %q: %v", tt.q, err)
			}
			if got := f.labelsOf(res); !slices.Equal(got, tt.want) {
				t.Errorf("query %q = %v; want %v", tt.q, got, tt.want)
			}
		})
	}
}

func TestQuote(t *testing.T) {
	tests := []struct {
		in, want, wantLike string
	}{
		{"plain", "'plain'", "'plain'"},
		{"O'Brien", `'O\'Brien'`, `'O\'Brien'`},
		{`a\b`, `'a\\b'`, `'a\\b'`},
		{"say \"hi\"", `'say \"hi\"'`, `'say \"hi\"'`},
		{"l1\nl2\r\t\b\f", `'l1\nl2\r\t\b\f'`, `'l1\nl2\r\t\b\f'`},
		{"50%_off", "'50%_off'", `'50\%\_off'`},
		{"café ✓", "'café ✓'", "'café ✓'"},
	}
	for _, tt := range tests {
		if got := Quote(tt.in); got != tt.want {
			t.Errorf("Quote(%q) = %s; want %s", tt.in, got, tt.want)
		}
		if got := QuoteLike(tt.in); got != tt.wantLike {
			t.Errorf("QuoteLike(%q) = %s; want %s", tt.in, got, tt.wantLike)
		}
	}
}

// literalOf parses s as the right-hand side of `Name = s` or `Name LIKE s`.
func literalOf(t testing.TB, op, s string) (Value, error) {
	q, err := Parse("SELECT Id FROM Lead WHERE Name " + op + " " + s)
	if err != nil {
		return Value{}, err
	}
	return q.Where.(*Comparison).Values[0], nil
}

// FuzzQuote checks that every string survives Quote and the lexer, and that
// QuoteLike matches exactly the string itself.
func FuzzQuote(f *testing.F) {
	for _, s := range []string{"", "x' OR Name != '", `\' OR Name != '`, "50%_off", "a\nb\\c\"d", "\xff\xfe", "\u00e9\\u00e9"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := literalOf(t, "=", Quote(s))
		if err != nil {
			t.Fatalf("Quote(%q) = %s does not parse: %v", s, Quote(s), err)
		}
		if got := v.Str(); got != s {
			t.Fatalf("Quote(%q) reads back as %q", s, got)
		}
		v, err = literalOf(t, "LIKE", QuoteLike(s))
		if err != nil {
			t.Fatalf("QuoteLike(%q) = %s does not parse: %v", s, QuoteLike(s), err)
		}
		lower := strings.ToLower(s)
		if !likeMatch(strings.ToLower(v.Text), lower) {
			t.Fatalf("QuoteLike(%q) does not match itself", s)
		}
		if likeMatch(strings.ToLower(v.Text), lower+"x") {
			t.Fatalf("QuoteLike(%q) matches a longer string", s)
		}
	})
}

func TestLikeMatch(t *testing.T) {
	tests := []struct {
		pattern, s string
		want       bool
	}{
		{"a%", "abc", true},
		{"a%", "bac", false},
		{"%c", "abc", true},
		{"%b%", "abc", true},
		{"a_c", "abc", true},
		{"a_c", "abbc", false},
		{"a%c", "ac", true},
		{"%", "", true},
		{"_", "", false},
		{`100\%`, "100%", true},
		{`100\%`, "1000", false},
		{`a\_b`, "a_b", true},
		{`a\_b`, "axb", false},
		{`a\\b`, `a\b`, true},
		{"%a%a%a", "aaaaa", true},
		{"é_", "éx", true},
	}
	for _, tt := range tests {
		if got := likeMatch(tt.pattern, tt.s); got != tt.want {
			t.Errorf("likeMatch(%q, %q) = %v; want %v", tt.pattern, tt.s, got, tt.want)
		}
	}
}
