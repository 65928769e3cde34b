package soql

import (
	"encoding/json"
	"errors"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/botforge/dialogd/internal/golden"
)

// expand replaces {L1}, {L1:15} and {L1:lower} with fixture ids.
func (f *fixture) expand(q string) string {
	return regexp.MustCompile(`\{([A-Z][0-9])(:15|:lower)?\}`).ReplaceAllStringFunc(q, func(m string) string {
		parts := strings.Split(strings.Trim(m, "{}"), ":")
		id := f.id[parts[0]]
		if len(parts) == 2 {
			switch parts[1] {
			case "15":
				return id[:15]
			case "lower":
				return strings.ToLower(id)
			}
		}
		return id
	})
}

func TestExecuteMatches(t *testing.T) {
	f := newFixture(t)
	tests := []struct {
		name string
		q    string
		all  bool
		want []string
	}{
		{"all leads", "SELECT Id FROM Lead", false, []string{"L1", "L2", "L3", "L4", "L5"}},
		{"keywords any case", "select id from lead where status = 'Working'", false, []string{"L2", "L4", "L5"}},
		{"equality ignores case", "SELECT Id FROM Lead WHERE Email = 'ADA@example.com'", false, []string{"L1"}},
		{"like prefix", "SELECT Id FROM Lead WHERE Name LIKE 'a%'", false, []string{"L1", "L3"}},
		{"like underscore", "SELECT Id FROM Lead WHERE Name LIKE '%o_e%'", false, []string{"L1"}},
		{"like escaped wildcards", `SELECT Id FROM Lead WHERE Company LIKE '%100\%\_Co'`, false, []string{"L4"}},
		{"like escaped wildcard is literal", `SELECT Id FROM Lead WHERE Company LIKE 'Evil 100\%Co'`, false, []string{}},
		{"like wildcards", "SELECT Id FROM Lead WHERE Company LIKE '%100%Co'", false, []string{"L4"}},
		{"like anchored", "SELECT Id FROM Lead WHERE Company LIKE '100%'", false, []string{}},
		{"in", "SELECT Id FROM Lead WHERE Status IN ('Working', 'closed - converted')", false, []string{"L2", "L3", "L4", "L5"}},
		{"not in", "SELECT Id FROM Lead WHERE Status NOT IN ('Working')", false, []string{"L1", "L3"}},
		{"boolean", "SELECT Id FROM Lead WHERE IsConverted = true", false, []string{"L3"}},
		{"and", "SELECT Id FROM Lead WHERE IsConverted = false AND Status = 'Working'", false, []string{"L2", "L4", "L5"}},
		{"parenthesised or in and", "SELECT Id FROM Lead WHERE (Status = 'Working' OR IsConverted = true) AND Email != null", false, []string{"L2", "L3", "L5"}},
		{"and in or", "SELECT Id FROM Lead WHERE (Status = 'Working' AND IsConverted = false) OR (IsConverted = true)", false, []string{"L2", "L3", "L4", "L5"}},
		{"not", "SELECT Id FROM Lead WHERE NOT Status = 'Working'", false, []string{"L1", "L3"}},
		{"not group", "SELECT Id FROM Lead WHERE NOT (Status = 'Working' OR Status = 'Closed - Converted')", false, []string{"L1"}},
		{"angle not equal", "SELECT Id FROM Lead WHERE Status <> 'Working'", false, []string{"L1", "L3"}},
		{"null", "SELECT Id FROM Lead WHERE Email = null", false, []string{"L4"}},
		{"not equal keeps nulls", "SELECT Id FROM Lead WHERE Email != 'ada@example.com'", false, []string{"L2", "L3", "L4", "L5"}},
		{"today", "SELECT Id FROM Lead WHERE CreatedDate = TODAY", false, []string{"L1"}},
		{"yesterday", "SELECT Id FROM Lead WHERE CreatedDate = YESTERDAY", false, []string{"L2"}},
		{"tomorrow", "SELECT Id FROM Lead WHERE CreatedDate = TOMORROW", false, []string{"L5"}},
		{"last n days includes today", "SELECT Id FROM Lead WHERE CreatedDate = LAST_N_DAYS:1", false, []string{"L1", "L2"}},
		{"last n days lower case", "SELECT Id FROM Lead WHERE CreatedDate = last_n_days:30", false, []string{"L1", "L2", "L3"}},
		{"next n days", "SELECT Id FROM Lead WHERE CreatedDate = NEXT_N_DAYS:2", false, []string{"L5"}},
		{"this month", "SELECT Id FROM Lead WHERE CreatedDate = THIS_MONTH", false, []string{"L1", "L2", "L5"}},
		{"last month", "SELECT Id FROM Lead WHERE CreatedDate = LAST_MONTH", false, []string{"L3"}},
		{"before this year", "SELECT Id FROM Lead WHERE CreatedDate < THIS_YEAR", false, []string{"L4"}},
		{"after last year", "SELECT Id FROM Lead WHERE CreatedDate > LAST_YEAR", false, []string{"L1", "L2", "L3", "L5"}},
		{"this quarter", "SELECT Id FROM Lead WHERE CreatedDate = THIS_QUARTER", false, []string{"L1", "L2", "L3", "L5"}},
		{"datetime literal", "SELECT Id FROM Lead WHERE CreatedDate > 2024-03-14T12:00:00Z", false, []string{"L1", "L5"}},
		{"datetime offset literal", "SELECT Id FROM Lead WHERE CreatedDate >= 2024-03-14T12:00:00+02:00", false, []string{"L1", "L2", "L5"}},
		{"datetime literal go-soql layout", "SELECT Id FROM Lead WHERE CreatedDate > 2024-03-14T12:00:00.000+0000", false, []string{"L1", "L5"}},
		{"datetime literal fraction and offset", "SELECT Id FROM Lead WHERE CreatedDate < 2024-03-15T09:00:00.5+01:00", false, []string{"L1", "L2", "L3", "L4"}},
		{"date this week", "SELECT Id FROM Lead WHERE LastActivityDate = THIS_WEEK", false, []string{"L1", "L2"}},
		{"date last week", "SELECT Id FROM Lead WHERE LastActivityDate = LAST_WEEK", false, []string{}},
		{"date before", "SELECT Id FROM Lead WHERE LastActivityDate < 2024-03-10", false, []string{"L3"}},
		{"date n days ago", "SELECT Id FROM Lead WHERE LastActivityDate = N_DAYS_AGO:5", false, []string{"L2"}},
		{"includes", "SELECT Id FROM Lead WHERE Interests__c INCLUDES ('Golf')", false, []string{"L1"}},
		{"includes all of", "SELECT Id FROM Lead WHERE Interests__c INCLUDES ('golf;tennis', 'Squash')", false, []string{"L1"}},
		{"excludes", "SELECT Id FROM Lead WHERE Interests__c EXCLUDES ('Golf')", false, []string{"L2", "L3", "L4", "L5"}},
		{"order by", "SELECT Id FROM Lead ORDER BY LastName", false, []string{"L5", "L2", "L1", "L3", "L4"}},
		{"order desc limit", "SELECT Id FROM Lead ORDER BY LastName DESC LIMIT 2", false, []string{"L4", "L3"}},
		{"order nulls last", "SELECT Id FROM Lead ORDER BY Email NULLS LAST", false, []string{"L1", "L3", "L5", "L2", "L4"}},
		{"order nulls first by default", "SELECT Id FROM Lead ORDER BY Email", false, []string{"L4", "L1", "L3", "L5", "L2"}},
		{"order desc nulls first by default", "SELECT Id FROM Lead ORDER BY Email DESC", false, []string{"L4", "L2", "L5", "L3", "L1"}},
		{"order two keys", "SELECT Id FROM Lead ORDER BY IsConverted DESC, Status ASC, LastName DESC", false, []string{"L3", "L1", "L4", "L2", "L5"}},
		{"order by parent field", "SELECT Id FROM Contact ORDER BY Account.Name DESC NULLS LAST", false, []string{"C2", "C1", "C3"}},
		{"limit offset", "SELECT Id FROM Lead ORDER BY LastName LIMIT 2 OFFSET 1", false, []string{"L2", "L1"}},
		{"offset past end", "SELECT Id FROM Lead OFFSET 10", false, []string{}},
		{"limit zero", "SELECT Id FROM Lead LIMIT 0", false, []string{}},
		{"alias", "SELECT l.Id FROM Lead l WHERE l.Status = 'Working' ORDER BY l.LastName", false, []string{"L5", "L2", "L4"}},
		{"parent field", "SELECT Id FROM Lead WHERE Owner.Name = 'Ada Admin'", false, []string{"L1"}},
		{"id 15 chars", "SELECT Id FROM Lead WHERE Id = '{L2:15}'", false, []string{"L2"}},
		{"id 18 chars lower case", "SELECT Id FROM Lead WHERE Id = '{L2:lower}'", false, []string{"L2"}},
		{"id in", "SELECT Id FROM Lead WHERE Id IN ('{L1}', '{L3:15}')", false, []string{"L1", "L3"}},
		{"id of another object", "SELECT Id FROM Lead WHERE Id = '{A1}'", false, []string{}},
		{"reference", "SELECT Id FROM Contact WHERE AccountId = '{A1:15}'", false, []string{"C1"}},
		{"parent name", "SELECT Id FROM Contact WHERE Account.Name = 'globex'", false, []string{"C2"}},
		{"grandparent", "SELECT Id FROM Contact WHERE Account.Owner.Name LIKE 'ada%'", false, []string{"C1", "C2"}},
		{"null reference", "SELECT Id FROM Contact WHERE AccountId = null", false, []string{"C3"}},
		{"empty string is null", "SELECT Id FROM Contact WHERE Email = null", false, []string{"C3"}},
		{"date field", "SELECT Id FROM Contact WHERE Birthdate > 1990-01-01", false, []string{"C2"}},
		{"number", "SELECT Id FROM Account WHERE AnnualRevenue > 300000", false, []string{"A1"}},
		{"number decimal", "SELECT Id FROM Account WHERE AnnualRevenue <= 250000.0", false, []string{"A2"}},
		{"number null", "SELECT Id FROM Account WHERE NumberOfEmployees = null", false, []string{"A2", "A3"}},
		{"number in", "SELECT Id FROM Account WHERE NumberOfEmployees IN (10, 50)", false, []string{"A1"}},
		{"escaped quote", `SELECT Id FROM Account WHERE Name = 'O\'Brien & Sons'`, false, []string{"A3"}},
		{"unicode escape", `SELECT Id FROM Account WHERE Name = 'o\'brien \u0026 sons'`, false, []string{"A3"}},
		{"escaped backslash", `SELECT Id FROM Lead WHERE Name = 'Back\\slash'`, false, []string{"L5"}},
		{"order number desc nulls last", "SELECT Id FROM Account ORDER BY AnnualRevenue DESC NULLS LAST", false, []string{"A1", "A2", "A3"}},
		{"string greater", "SELECT Id FROM Account WHERE Name > 'B' ORDER BY Name", false, []string{"A2", "A3"}},
		{"parent and", "SELECT Id FROM Case WHERE Account.Name = 'Acme' AND Priority = 'High'", false, []string{"K1"}},
		{"two hops", "SELECT Id FROM Case WHERE Contact.Account.Name = 'Acme'", false, []string{"K1"}},
		{"polymorphic parent", "SELECT Id FROM Task WHERE Who.Name = 'Ada Lovelace'", false, []string{"T1"}},
		{"semi-join", "SELECT Id FROM Account WHERE Id IN (SELECT AccountId FROM Contact WHERE Email LIKE '%globex%')", false, []string{"A2"}},
		{"anti-join", "SELECT Id FROM Account WHERE Id NOT IN (SELECT AccountId FROM Case WHERE Priority = 'High')", false, []string{"A3"}},
		{"semi-join on reference", "SELECT Id FROM Case WHERE AccountId IN (SELECT Id FROM Account WHERE Name = 'Globex')", false, []string{"K3"}},
		{"deleted hidden", "SELECT Id FROM Lead WHERE Company = 'Ghost'", false, []string{}},
		{"query all", "SELECT Id FROM Lead WHERE Company = 'Ghost'", true, []string{"L9"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := f.expand(tt.q)
			res, err := f.run(q, tt.all)
			if err != nil {
				t.Fatalf("query %q: %v", q, err)
			}
			if got := f.labelsOf(res); !slices.Equal(got, tt.want) {
				t.Errorf("query %q = %v; want %v", q, got, tt.want)
			}
			if res.TotalSize != len(tt.want) {
				t.Errorf("query %q totalSize = %d; want %d", q, res.TotalSize, len(tt.want))
			}
		})
	}
}

func TestErrors(t *testing.T) {
	f := newFixture(t)
	const noColumnTail = ". If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names."
	tests := []struct {
		name     string
		q        string
		code     string
		msg      string // exact message when set
		contains string // otherwise a part of it
	}{
		{"unknown object", "SELECT Id FROM Bogus", CodeInvalidType,
			"\nSELECT Id FROM Bogus\n               ^\nERROR at Row:1:Column:16\nsObject type 'Bogus' is not supported. If you are attempting to use a custom object, be sure to append the '__c' after the entity name. Please reference your WSDL or the describe call for the appropriate names.", ""},
		{"unknown field", "SELECT Id, Nam FROM Account", CodeInvalidField,
			"\nSELECT Id, Nam FROM Account\n           ^\nERROR at Row:1:Column:12\nNo such column 'Nam' on entity 'Account'" + noColumnTail, ""},
		{"unknown field far right", "SELECT Id, Name, Industry, AnnualRevenue, Phone FROM Account", CodeInvalidField,
			"\nIndustry, AnnualRevenue, Phone FROM Account\n                         ^\nERROR at Row:1:Column:43\nNo such column 'Phone' on entity 'Account'" + noColumnTail, ""},
		{"unknown field second row", "SELECT Id\nFROM Lead\nWHERE Nope = 'x'", CodeInvalidField,
			"\nWHERE Nope = 'x'\n      ^\nERROR at Row:3:Column:7\nNo such column 'Nope' on entity 'Lead'" + noColumnTail, ""},
		{"not a query", "invalid", CodeMalformedQuery, "unexpected token: 'invalid'", ""},
		{"mixed and or", "SELECT Id FROM Lead WHERE Name = 'a' AND Status = 'b' OR Email = 'c'", CodeMalformedQuery,
			"\nAND Status = 'b' OR Email = 'c'\n                 ^\nERROR at Row:1:Column:55\nunexpected token: 'OR'", ""},
		{"mixed or and", "SELECT Id FROM Lead WHERE Name = 'a' OR Status = 'b' AND Email = 'c'", CodeMalformedQuery, "", "unexpected token: 'AND'"},
		{"bad escape", `SELECT Id FROM Lead WHERE Name = 'a\qb'`, CodeMalformedQuery, "", `Invalid string literal 'a\qb'. Illegal character sequence '\q' in string literal.`},
		{"like escape outside like", `SELECT Id FROM Lead WHERE Name = 'a\%'`, CodeMalformedQuery, "", `Illegal character sequence '\%'`},
		{"bad unicode escape", `SELECT Id FROM Lead WHERE Name = '\u12G4'`, CodeMalformedQuery, "", `Illegal character sequence '\u'`},
		{"unterminated string", "SELECT Id FROM Lead WHERE Name = 'abc", CodeMalformedQuery, "line 1:37 mismatched character '<EOF>' expecting '''", ""},
		{"double quotes", `SELECT Id FROM Lead WHERE Name = "abc"`, CodeMalformedQuery, "", `unexpected token: '"'`},
		{"quoted datetime", "SELECT Id FROM Lead WHERE CreatedDate > '2024-01-01'", CodeInvalidField, "", "value of filter criterion for field 'CreatedDate' must be of type dateTime and should not be enclosed in quotes"},
		{"date on datetime field", "SELECT Id FROM Lead WHERE CreatedDate > 2024-01-01", CodeInvalidField, "", "must be of type dateTime and should not be enclosed in quotes"},
		{"datetime on date field", "SELECT Id FROM Lead WHERE LastActivityDate = 2024-03-15T00:00:00Z", CodeInvalidField, "", "field 'LastActivityDate' must be of type date"},
		{"number on string field", "SELECT Id FROM Lead WHERE Name = 5", CodeInvalidField, "", "value of filter criterion for field 'Name' must be of type string and should be enclosed in quotes"},
		{"quoted boolean", "SELECT Id FROM Lead WHERE IsConverted = 'true'", CodeInvalidField, "", "must be of type boolean and should not be enclosed in quotes"},
		{"quoted number", "SELECT Id FROM Account WHERE AnnualRevenue > '5'", CodeInvalidField, "", "must be of type double and should not be enclosed in quotes"},
		{"bad id", "SELECT Id FROM Lead WHERE Id = 'abc'", CodeInvalidFilterOp, "", "invalid ID field: abc"},
		{"offset too big", "SELECT Id FROM Lead OFFSET 2001", CodeNumberOutsideRange, "Maximum SOQL offset allowed is 2000", ""},
		{"bad relationship", "SELECT Id FROM Contact WHERE Acount.Name = 'x'", CodeInvalidField, "", "Didn't understand relationship 'Acount' in field path."},
		{"bad parent field", "SELECT Account.Nme FROM Contact", CodeInvalidField, "", "No such column 'Nme' on entity 'Account'"},
		{"bad child relationship", "SELECT Id, (SELECT Id FROM Casez) FROM Account", CodeInvalidType, "", "Didn't understand relationship 'Casez' in FROM part of query call."},
		{"bad child field", "SELECT Id, (SELECT Nope FROM Cases) FROM Account", CodeInvalidField, "", "No such column 'Nope' on entity 'Case'"},
		{"dangling where", "SELECT Id FROM Lead WHERE", CodeMalformedQuery, "", "unexpected token: '<EOF>'"},
		{"bind variable", "SELECT Id FROM Lead WHERE Name = :name", CodeMalformedQuery, "", "Bind variables only allowed in Apex code"},
		{"negative limit", "SELECT Id FROM Lead LIMIT -1", CodeMalformedQuery, "", "unexpected token: '-1'"},
		{"aggregate with field", "SELECT COUNT(Id), Name FROM Lead", CodeMalformedQuery, "", "Field must be grouped or aggregated: Name"},
		{"group by", "SELECT Name FROM Lead GROUP BY Name", CodeMalformedQuery, "", "unexpected token: 'GROUP'"},
		{"missing date literal parameter", "SELECT Id FROM Lead WHERE CreatedDate = LAST_N_DAYS", CodeMalformedQuery, "", "unexpected token: '<EOF>'"},
		{"unknown literal", "SELECT Id FROM Lead WHERE CreatedDate = LAST_DECADE", CodeMalformedQuery, "", "unexpected token: 'LAST_DECADE'"},
		{"missing from", "SELECT Id Lead", CodeMalformedQuery, "", "unexpected token: 'Lead'"},
		{"trailing comma", "SELECT Id, FROM Lead", CodeMalformedQuery, "", "unexpected token: 'FROM'"},
		{"like on number", "SELECT Id FROM Account WHERE AnnualRevenue LIKE '5%'", CodeInvalidField, "", "must be of type double"},
		{"includes on picklist", "SELECT Id FROM Lead WHERE Status INCLUDES ('x')", CodeInvalidFilterOp, "", "INCLUDES or EXCLUDES operator only valid on multipicklist field"},
		{"field compared with field", "SELECT Id FROM Lead WHERE Name = Company", CodeMalformedQuery, "", "unexpected token: 'Company'"},
		{"semi-join on text", "SELECT Id FROM Lead WHERE Email IN (SELECT Email FROM Contact)", CodeInvalidField, "", "semi join"},
		{"semi-join two fields", "SELECT Id FROM Account WHERE Id IN (SELECT AccountId, Id FROM Contact)", CodeMalformedQuery, "", "unexpected token: 'Id'"},
		{"semi-join unknown object", "SELECT Id FROM Account WHERE Id IN (SELECT AccountId FROM Contakt)", CodeInvalidType, "", "sObject type 'Contakt' is not supported."},
		{"empty in list", "SELECT Id FROM Lead WHERE Name IN ()", CodeMalformedQuery, "", "unexpected token: ')'"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := f.run(tt.q, false)
			var se *Error
			if !errors.As(err, &se) {
				t.Fatalf("query %q: error = %v; want *Error %s", tt.q, err, tt.code)
			}
			if se.Code != tt.code {
				t.Errorf("query %q: code = %s; want %s (message %q)", tt.q, se.Code, tt.code, se.Message)
			}
			if tt.msg != "" && se.Message != tt.msg {
				t.Errorf("query %q: message =\n%q\nwant\n%q", tt.q, se.Message, tt.msg)
			}
			if tt.contains != "" && !strings.Contains(se.Message, tt.contains) {
				t.Errorf("query %q: message = %q; want it to contain %q", tt.q, se.Message, tt.contains)
			}
			if got, want := se.Error(), se.Code+": "+se.Message; got != want {
				t.Errorf("Error() = %q; want %q", got, want)
			}
		})
	}
}

// TestResultShape pins the JSON shape of results: attributes, nested
// parents, child subqueries, COUNT() and aggregates.
func TestResultShape(t *testing.T) {
	f := newFixture(t)
	queries := []string{
		"SELECT Id, Name, Owner.Name, Owner.Email FROM Lead WHERE Email = 'ada@example.com'",
		"SELECT Id, LastName, Account.Name, Account.Owner.Name FROM Contact ORDER BY LastName",
		"SELECT Name, (SELECT Subject, Status FROM Cases ORDER BY Subject), (SELECT LastName FROM Contacts) FROM Account ORDER BY Name",
		"SELECT Name, (SELECT Subject FROM cases WHERE Status = 'New' LIMIT 1) FROM Account WHERE Name = 'Acme'",
		"SELECT COUNT() FROM Lead WHERE IsConverted = false",
		"SELECT COUNT(Id) cnt FROM Case WHERE Status = 'New'",
		"SELECT COUNT(Email) FROM Contact",
		"SELECT Subject, Who.Name, ActivityDate FROM Task ORDER BY Subject",
		"SELECT Name, AnnualRevenue, NumberOfEmployees, CreatedDate FROM Account WHERE Name LIKE 'o\\'%'",
	}
	type entry struct {
		Query     string           `json:"query"`
		TotalSize int              `json:"totalSize"`
		Count     *int             `json:"count,omitempty"`
		Records   []map[string]any `json:"records"`
	}
	var got []entry
	for _, q := range queries {
		res, err := f.run(q, false)
		if err != nil {
			t.Fatalf("query %q: %v", q, err)
		}
		got = append(got, entry{q, res.TotalSize, res.Count, res.Records})
	}
	data, err := json.MarshalIndent(got, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	golden.Check(t, filepath.Join("testdata", "results.golden.json"), append(data, '\n'))
}

func TestIndexFastPath(t *testing.T) {
	f := newFixture(t)
	f.src.indexed["Lead.Email"] = true
	tests := []struct {
		name        string
		q           string
		want        []string
		wantLookups int
		wantScans   int
	}{
		{"indexed equality", "SELECT Id FROM Lead WHERE Email = 'GRACE@navy.mil'", []string{"L2"}, 1, 0},
		{"indexed conjunct", "SELECT Id FROM Lead WHERE Status = 'Working' AND Email = 'back@slash.io'", []string{"L5"}, 1, 0},
		{"index result rechecked", "SELECT Id FROM Lead WHERE Email = 'back@slash.io' AND Status = 'New'", []string{}, 1, 0},
		{"id uses get", "SELECT Id FROM Lead WHERE Id = '{L3:15}'", []string{"L3"}, 0, 0},
		{"or is not indexed", "SELECT Id FROM Lead WHERE Email = 'ada@example.com' OR Status = 'Working'", []string{"L1", "L2", "L4", "L5"}, 0, 1},
		{"empty string is null, not an index key", "SELECT Id FROM Lead WHERE Email = ''", []string{"L4"}, 0, 1},
		{"unindexed field scans", "SELECT Id FROM Lead WHERE Company = 'Navy'", []string{"L2"}, 0, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f.src.lookups, f.src.scans = 0, 0
			res, err := f.run(f.expand(tt.q), false)
			if err != nil {
				t.Fatal(err)
			}
			if got := f.labelsOf(res); !slices.Equal(got, tt.want) {
				t.Errorf("query %q = %v; want %v", tt.q, got, tt.want)
			}
			if f.src.lookups != tt.wantLookups || f.src.scans != tt.wantScans {
				t.Errorf("query %q: lookups, scans = %d, %d; want %d, %d", tt.q, f.src.lookups, f.src.scans, tt.wantLookups, tt.wantScans)
			}
		})
	}
}
