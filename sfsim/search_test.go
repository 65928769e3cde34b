package sfsim

import (
	"fmt"
	"testing"
)

func TestParseSOSL(t *testing.T) {
	tests := []struct {
		q       string
		term    string
		objects string
		limit   int
		code    string
	}{
		{q: "FIND {Acme}", term: "Acme", objects: "[]"},
		{q: "find {Acme Corp} IN ALL FIELDS RETURNING Account(Name, Phone LIMIT 5), Contact LIMIT 20", term: "Acme Corp",
			objects: "[{Account [Name Phone] 5} {Contact [] 0}]", limit: 20},
		{q: `FIND {O\'Brien\}}`, term: "O'Brien}", objects: "[]"},
		{q: "FIND Acme", code: "MALFORMED_SEARCH"},
		{q: "FIND {Acme", code: "MALFORMED_SEARCH"},
		{q: "SELECT Id FROM Account", code: "MALFORMED_SEARCH"},
		{q: "FIND {a}", code: "MALFORMED_SEARCH"},
		{q: "FIND {Acme} RETURNING Account(Name", code: "MALFORMED_SEARCH"},
		{q: "FIND {Acme} LIMIT x", code: "MALFORMED_SEARCH"},
		{q: "FIND {Acme} BOGUS", code: "MALFORMED_SEARCH"},
	}
	for _, tt := range tests {
		spec, err := parseSOSL(tt.q)
		if tt.code != "" {
			if err == nil || err.Code != tt.code {
				t.Errorf("parseSOSL(%q) error = %v; want %s", tt.q, err, tt.code)
			}
			continue
		}
		if err != nil {
			t.Errorf("parseSOSL(%q): %v", tt.q, err)
			continue
		}
		objs := make([]string, 0)
		for _, o := range spec.objects {
			objs = append(objs, fmt.Sprintf("{%s %v %d}", o.name, o.fields, o.limit))
		}
		if spec.term != tt.term || fmt.Sprint(objs) != tt.objects || spec.limit != tt.limit {
			t.Errorf("parseSOSL(%q) = %q %v %d; want %q %s %d", tt.q, spec.term, objs, spec.limit, tt.term, tt.objects, tt.limit)
		}
	}
}

func FuzzParseSOSL(f *testing.F) {
	for _, s := range []string{"FIND {Acme}", "FIND {x*} IN NAME FIELDS RETURNING Lead(Id, Email LIMIT 3), Contact LIMIT 9", `FIND {a\}b}`, "FIND {", "FIND"} {
		f.Add(s)
	}
	s, err := New()
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, q string) {
		spec, aerr := parseSOSL(q)
		if aerr != nil {
			if aerr.Code != "MALFORMED_SEARCH" || aerr.Status != 400 {
				t.Fatalf("parseSOSL(%q) error %+v; want 400 MALFORMED_SEARCH", q, aerr)
			}
			return
		}
		// Running any parsed search must not panic; errors are 400s.
		if _, err := s.runSearch(spec, "62.0"); err != nil && err.Status != 400 {
			t.Fatalf("runSearch(%q) error %+v; want a 400", q, err)
		}
	})
}
