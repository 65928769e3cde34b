package soql

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

func TestParseSearch(t *testing.T) {
	tests := []struct {
		in        string
		scope     string
		returning string // "Object(items) LIMIT n" per entry, "; " separated
		limit     int
	}{
		{"FIND {Acme}", "ALL", "", -1},
		{"find {Acme} in name fields", "NAME", "", -1},
		{"FIND {a@b.com} IN EMAIL FIELDS RETURNING Lead(Id, Name), Contact", "EMAIL", "SELECT Id, Name FROM Lead; SELECT Id FROM Contact", -1},
		{"FIND {555} IN PHONE FIELDS RETURNING Contact(Id WHERE AccountId != null ORDER BY LastName LIMIT 5) LIMIT 20", "PHONE",
			"SELECT Id FROM Contact WHERE AccountId != null ORDER BY LastName LIMIT 5", 20},
		{`FIND {O\'Brien \& Sons} IN ALL FIELDS RETURNING Account(Name OFFSET 1)`, "ALL", "SELECT Name FROM Account OFFSET 1", -1},
		{"FIND {Acme} IN SIDEBAR FIELDS", "NAME", "", -1},
	}
	for _, tt := range tests {
		s, err := ParseSearch(tt.in)
		if err != nil {
			t.Fatalf("ParseSearch(%q): %v", tt.in, err)
		}
		var rs []string
		for _, q := range s.Returning {
			rs = append(rs, q.String())
		}
		if got := strings.Join(rs, "; "); s.Scope != tt.scope || got != tt.returning || s.Limit != tt.limit {
			t.Errorf("ParseSearch(%q) = scope %s, returning %q, limit %d; want %s, %q, %d", tt.in, s.Scope, got, s.Limit, tt.scope, tt.returning, tt.limit)
		}
	}
}

func TestParseSearchErrors(t *testing.T) {
	tests := []struct {
		in, code, contains string
	}{
		{"FIND Acme", CodeMalformedSearch, "No search term found. The search term must be enclosed in braces."},
		{"FIND {Acme", CodeMalformedSearch, "No search term found. The search term must be enclosed in braces."},
		{"SELECT Id FROM Lead", CodeMalformedSearch, "No search term found."},
		{"FIND {a}", CodeMalformedSearch, "search term must be longer than one character"},
		{"FIND {*}", CodeMalformedSearch, "search term must be longer than one character"},
		{"FIND {Acme} IN BOGUS FIELDS", CodeMalformedSearch, "unexpected token: 'BOGUS'"},
		{"FIND {Acme} RETURNING", CodeMalformedSearch, "unexpected token: '<EOF>'"},
		{"FIND {Acme} RETURNING Lead(", CodeMalformedSearch, "unexpected token: '<EOF>'"},
		{"FIND {Acme} RETURNING Lead(Id WHERE Name = 'x' OR Email = 'y' AND Phone = 'z')", CodeMalformedSearch, "unexpected token: 'AND'"},
		{`FIND {Acme} RETURNING Lead(Id WHERE Name = 'a\qb')`, CodeMalformedSearch, `Illegal character sequence '\q'`},
		{"FIND {Acme} extra", CodeMalformedSearch, "unexpected token: 'extra'"},
		{`FIND {"unclosed} `, CodeMalformedSearch, "unmatched quote"},
	}
	for _, tt := range tests {
		_, err := ParseSearch(tt.in)
		var se *Error
		if !errors.As(err, &se) || se.Code != tt.code || !strings.Contains(se.Message, tt.contains) {
			t.Errorf("ParseSearch(%q) error = %v; want %s containing %q", tt.in, err, tt.code, tt.contains)
		}
	}
}

func TestExecuteSearch(t *testing.T) {
	f := newFixture(t)
	tests := []struct {
		name     string
		q        string
		defaults []string
		want     []string
	}{
		{"word in any field", "FIND {Acme} RETURNING Account, Contact", nil, []string{"A1", "C1"}},
		{"default objects", "FIND {Acme}", []string{"Account", "Contact", "Lead"}, []string{"A1", "C1"}},
		{"email scope", "FIND {john@acme.com} IN EMAIL FIELDS RETURNING Contact, Lead", nil, []string{"C1"}},
		{"name scope skips email", "FIND {acme} IN NAME FIELDS RETURNING Contact, Account", nil, []string{"A1"}},
		{"phone digits", "FIND {5550100} IN PHONE FIELDS RETURNING Contact", nil, []string{"C1"}},
		{"wildcard", "FIND {Lov*} RETURNING Lead", nil, []string{"L1"}},
		{"one-char wildcard", "FIND {Hopp?r} RETURNING Lead", nil, []string{"L2"}},
		{"no prefix match without wildcard", "FIND {Lov} RETURNING Lead", nil, []string{}},
		{"implicit and", "FIND {Ada Navy} RETURNING Lead", nil, []string{}},
		{"or", "FIND {Turing OR Hopper} RETURNING Lead", nil, []string{"L2", "L3"}},
		{"and not", "FIND {Working AND NOT Navy} RETURNING Lead", nil, []string{"L4", "L5"}},
		{"phrase", `FIND {"Analytical Engines"} RETURNING Lead`, nil, []string{"L1"}},
		{"phrase order matters", `FIND {"Engines Analytical"} RETURNING Lead`, nil, []string{}},
		{"escaped apostrophe", `FIND {O\'Brien} RETURNING Account`, nil, []string{"A3"}},
		{"returning where", "FIND {Working} RETURNING Lead(Id WHERE Email != null ORDER BY LastName DESC)", nil, []string{"L2", "L5"}},
		{"returning limit", "FIND {Working} RETURNING Lead(Id LIMIT 1)", nil, []string{"L2"}},
		{"global limit", "FIND {Acme} RETURNING Account, Contact LIMIT 1", nil, []string{"A1"}},
		{"quoted search term", "FIND " + QuoteSearch("100%_Co") + " RETURNING Lead", nil, []string{"L4"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := ParseSearch(tt.q)
			if err != nil {
				t.Fatalf("ParseSearch(%q): %v", tt.q, err)
			}
			recs, err := ExecuteSearch(s, f.src, tt.defaults, Options{Now: testNow})
			if err != nil {
				t.Fatalf("ExecuteSearch(%q): %v", tt.q, err)
			}
			if got := f.labelsOf(&Result{Records: recs}); !slices.Equal(got, tt.want) {
				t.Errorf("search %q = %v; want %v", tt.q, got, tt.want)
			}
		})
	}
}

func TestExecuteSearchErrors(t *testing.T) {
	f := newFixture(t)
	for _, tt := range []struct{ q, code string }{
		{"FIND {Acme} RETURNING Bogus", CodeInvalidType},
		{"FIND {Acme} RETURNING Account(Nope)", CodeInvalidField},
	} {
		s, err := ParseSearch(tt.q)
		if err != nil {
			t.Fatalf("ParseSearch(%q): %v", tt.q, err)
		}
		_, err = ExecuteSearch(s, f.src, nil, Options{Now: testNow})
		var se *Error
		if !errors.As(err, &se) || se.Code != tt.code {
			t.Errorf("ExecuteSearch(%q) error = %v; want %s", tt.q, err, tt.code)
		}
	}
}

func TestQuoteSearch(t *testing.T) {
	if got, want := QuoteSearch(`a{b}c\d*e?f"g'h-i`), `{"a\{b\}c\\d\*e\?f\"g\'h\-i"}`; got != want {
		t.Errorf("QuoteSearch = %s; want %s", got, want)
	}
}

// FuzzParseSearch checks that ParseSearch never panics, that failures are
// *Error, and that any term quoted with QuoteSearch parses and matches the
// text it came from.
func FuzzParseSearch(f *testing.F) {
	for _, s := range []string{"FIND {Acme}", "FIND {a*b?c} IN NAME FIELDS RETURNING Lead(Id WHERE Name != null LIMIT 2) LIMIT 5",
		`FIND {"x y" OR (z AND NOT w)}`, `FIND {\}\\}`, "FIND {}", "FIND {ab} RETURNING"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if _, err := ParseSearch(s); err != nil {
			var se *Error
			if !errors.As(err, &se) || se.Code == "" {
				t.Fatalf("ParseSearch(%q) error %#v is not an *Error", s, err)
			}
		}
		q := "FIND " + QuoteSearch(s)
		srch, err := ParseSearch(q)
		if err != nil {
			var se *Error
			if errors.As(err, &se) && se.Message == msgTermShort {
				return // too few letters and digits to search for
			}
			t.Fatalf("ParseSearch(%q): %v", q, err)
		}
		if !srch.Match([]string{s}) {
			t.Fatalf("quoted term %q does not match its own text", s)
		}
	})
}
