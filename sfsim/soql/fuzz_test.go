package soql

import (
	"errors"
	"reflect"
	"testing"
)

// stripPositions zeroes what Parse records only for error messages, so two
// parses of differently spelled text can be compared.
func stripPositions(q *Query) {
	q.ObjectPos, q.src = 0, ""
	for i := range q.Items {
		q.Items[i].Pos = 0
		if q.Items[i].Sub != nil {
			stripPositions(q.Items[i].Sub)
		}
	}
	for i := range q.OrderBy {
		q.OrderBy[i].Pos = 0
	}
	var walk func(e Expr)
	walk = func(e Expr) {
		switch e := e.(type) {
		case *AndExpr:
			for _, t := range e.Terms {
				walk(t)
			}
		case *OrExpr:
			for _, t := range e.Terms {
				walk(t)
			}
		case *NotExpr:
			walk(e.X)
		case *Comparison:
			e.FieldPos = 0
			if e.Sub != nil {
				stripPositions(e.Sub)
			}
			for i := range e.Values {
				e.Values[i].Pos = 0
			}
		}
	}
	walk(q.Where)
}

var parseSeeds = []string{
	"SELECT Id FROM Lead",
	"select id, name from lead l where l.email = 'a@b.c' order by name desc nulls last limit 5 offset 2",
	"SELECT Id, Account.Name, (SELECT Id, Subject FROM Cases WHERE Status != 'Closed' ORDER BY CreatedDate LIMIT 3) FROM Account",
	"SELECT COUNT() FROM Contact WHERE CreatedDate = LAST_N_DAYS:30",
	"SELECT COUNT(Id) n FROM Case",
	"SELECT Id FROM Lead WHERE (Status = 'Working' OR Status = 'New') AND NOT IsConverted = true",
	"SELECT Id FROM Lead WHERE Name LIKE '%100\\%\\_x%' AND Email IN ('a', 'b', null)",
	"SELECT Id FROM Lead WHERE Name = 'O\\'Brien \\u00e9\\\\ \\n'",
	"SELECT Id FROM Lead WHERE CreatedDate > 2024-01-01T00:00:00Z AND LastActivityDate <= 2024-01-01",
	"SELECT Id FROM Lead WHERE Interests__c INCLUDES ('a;b', 'c') AND AnnualRevenue >= -1.5",
	"SELECT Id FROM Lead WHERE Name = 'a' AND Status = 'b' OR Email = 'c'",
	"SELECT Id FROM Lead WHERE Name = 'a\\qb'",
	"SELECT Id FROM Lead WHERE NOT (NOT (Name = 'x'))",
	"SELECT Id FROM Lead WHERE Status <> 'x' AND Id NOT IN ('00Q000000000001')",
	"SELECT Id FROM Lead OFFSET 2001",
	"SELECT Id FROM Account WHERE Id IN (SELECT AccountId FROM Contact WHERE Email != null) AND Id NOT IN (SELECT AccountId FROM Case)",
	"SELECT Id FROM Order ORDER BY Id",
	"invalid",
	"",
}

// FuzzParse checks that Parse never panics, that every failure is an
// *Error, and that valid queries keep their meaning: String() re-parses to
// an equal AST and is a fixed point. Parsed queries also run against the
// test fixture, which must not panic either.
func FuzzParse(f *testing.F) {
	for _, s := range parseSeeds {
		f.Add(s)
	}
	fx := newFixture(f)
	f.Fuzz(func(t *testing.T, s string) {
		q1, err := Parse(s)
		if err != nil {
			var se *Error
			if !errors.As(err, &se) || se.Code == "" || se.Message == "" {
				t.Fatalf("Parse(%q) error %#v is not a complete *Error", s, err)
			}
			return
		}
		text := q1.String()
		q2, err := Parse(text)
		if err != nil {
			t.Fatalf("Parse(%q).String() = %q does not parse: %v", s, text, err)
		}
		if again := q2.String(); again != text {
			t.Fatalf("String() is not stable: %q then %q", text, again)
		}
		_, _ = Execute(q1, fx.src, Options{Now: testNow})
		stripPositions(q1)
		stripPositions(q2)
		if !reflect.DeepEqual(q1, q2) {
			t.Fatalf("Parse(%q) and Parse(%q) differ:\n%#v\n%#v", s, text, q1, q2)
		}
	})
}

func TestStringRoundTrip(t *testing.T) {
	tests := []struct{ in, want string }{
		{"select id from lead", "SELECT id FROM lead"},
		{"SELECT Id FROM Lead WHERE a = 1 AND (b = 2 OR c = 3)", "SELECT Id FROM Lead WHERE a = 1 AND (b = 2 OR c = 3)"},
		{"SELECT Id FROM Lead WHERE ((a = 1))", "SELECT Id FROM Lead WHERE a = 1"},
		{"SELECT Id FROM Lead WHERE NOT (a = 1 OR b = 2)", "SELECT Id FROM Lead WHERE NOT (a = 1 OR b = 2)"},
		{"SELECT Id FROM Lead WHERE a <> 'x'", "SELECT Id FROM Lead WHERE a != 'x'"},
		{"SELECT Id FROM Lead WHERE a = last_n_days:7", "SELECT Id FROM Lead WHERE a = LAST_N_DAYS:7"},
		{`SELECT Id FROM Lead WHERE a LIKE 'x\%%' AND b = '\u0025'`, `SELECT Id FROM Lead WHERE a LIKE 'x\%%' AND b = '%'`},
		{"SELECT COUNT(Id) c FROM Lead LIMIT 1", "SELECT COUNT(Id) c FROM Lead LIMIT 1"},
		{"SELECT Id FROM Lead ORDER BY a ASC NULLS FIRST, b DESC", "SELECT Id FROM Lead ORDER BY a NULLS FIRST, b DESC"},
	}
	for _, tt := range tests {
		q, err := Parse(tt.in)
		if err != nil {
			t.Fatalf("Parse(%q): %v", tt.in, err)
		}
		if got := q.String(); got != tt.want {
			t.Errorf("Parse(%q).String() = %q; want %q", tt.in, got, tt.want)
		}
	}
}
