package sfsim

import (
	"strings"
	"testing"
)

func TestParamSOSL(t *testing.T) {
	tests := []struct {
		term  string
		objs  []searchObject
		limit int
		want  string
		code  string
	}{
		{term: "Acme", want: `FIND {"Acme"} IN ALL FIELDS`},
		{term: "Acme", objs: []searchObject{{name: "Account", fields: []string{"Id", "Name"}, limit: 5}, {name: "Contact"}}, limit: 9,
			want: `FIND {"Acme"} IN ALL FIELDS RETURNING Account(Id, Name LIMIT 5), Contact LIMIT 9`},
		{term: `x} RETURNING User(Password`, want: `FIND {"x\} RETURNING User\(Password"} IN ALL FIELDS`},
		{term: "a", objs: []searchObject{{name: "Account) , User("}}, code: "INVALID_TYPE"},
		{term: "a", objs: []searchObject{{name: "Account", fields: []string{"Name LIMIT 1"}}}, code: "INVALID_FIELD"},
	}
	for _, tt := range tests {
		got, err := paramSOSL(tt.term, tt.objs, tt.limit)
		if tt.code != "" {
			if err == nil || err.Code != tt.code {
				t.Errorf("paramSOSL(%q, %v) error = %v; want %s", tt.term, tt.objs, err, tt.code)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("paramSOSL(%q, %v) = %q, %v; want %q", tt.term, tt.objs, got, err, tt.want)
		}
	}
}

// TestParamSOSLScope: parameterizedSearch's in parameter picks the
// fields searched; an unknown scope is refused.
func TestParamSOSLScope(t *testing.T) {
	for _, tc := range []struct{ scope, want, code string }{
		{"", `FIND {"4155550101"} IN ALL FIELDS`, ""},
		{"phone", `FIND {"4155550101"} IN PHONE FIELDS`, ""},
		{"EMAIL", `FIND {"4155550101"} IN EMAIL FIELDS`, ""},
		{"PHONE FIELDS RETURNING User", "", "INVALID_SEARCH_SCOPE"},
	} {
		got, err := paramSOSLIn("4155550101", tc.scope, nil, 0)
		if tc.code != "" {
			if err == nil || err.Code != tc.code {
				t.Errorf("scope %q: error %v; want %s", tc.scope, err, tc.code)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("scope %q: %q, %v; want %q", tc.scope, got, err, tc.want)
		}
	}
}

func TestSearchEndpoints(t *testing.T) {
	e := newEnv(t)
	tests := []struct {
		method, path, body string
		want               int
		contains           string
	}{
		{"GET", v + "/search?q=" + qesc("FIND {jane} RETURNING Contact(Email)"), "", 200, `"Email":"jane.doe@acme.example"`},
		{"GET", v + "/search?q=" + qesc("FIND {nomatchatall}"), "", 200, `"searchRecords":[]`},
		{"GET", v + "/search?q=" + qesc("FIND jane"), "", 400, "MALFORMED_SEARCH"},
		{"GET", v + "/parameterizedSearch?q=Globex&sobject=Account&Account.fields=Id,Name", "", 200, `"Name":"Globex"`},
		{"POST", v + "/parameterizedSearch", `{"q":"Initech","sobjects":[{"name":"Lead","fields":["Company"]}]}`, 200, `"Company":"Initech"`},
		{"GET", v + "/parameterizedSearch?sobject=Account", "", 400, "MISSING_ARGUMENT"},
		{"GET", v + "/parameterizedSearch?q=xy}&sobject=Bogus", "", 400, "INVALID_TYPE"},
	}
	for _, tt := range tests {
		var body any
		if tt.body != "" {
			body = tt.body
		}
		resp, b := e.call(tt.method, tt.path, body)
		if resp.StatusCode != tt.want || !strings.Contains(string(b), tt.contains) {
			t.Errorf("%s %s: %d %s; want %d containing %s", tt.method, tt.path, resp.StatusCode, b, tt.want, tt.contains)
		}
	}
}

func FuzzParamSOSL(f *testing.F) {
	f.Add("Acme", "Account", "Name")
	f.Add(`x} RETURNING User`, "Contact", "Email")
	f.Add(`"\`, "Lead", "Id")
	s, err := New()
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, term, object, field string) {
		q, aerr := paramSOSL(term, []searchObject{{name: object, fields: []string{field}}}, 0)
		if aerr != nil {
			return
		}
		// Whatever the term, the generated SOSL parses, and running it is
		// at worst a 400.
		if _, err := s.runSOSL(q, "62.0"); err != nil && err.Status != 400 {
			t.Fatalf("runSOSL(%q) = %+v; want success or a 400", q, err)
		}
	})
}
