package sfsim

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// seedNow is the fixed clock of the seeding tests.
var seedNow = time.Date(2026, 12, 7, 5, 0, 0, 0, time.UTC)

// newEmptyEnv is a test env whose org has the demo user and no records,
// its clock fixed at seedNow.
func newEmptyEnv(t testing.TB) *testEnv {
	t.Helper()
	fx, err := ParseFixture([]byte("users:\n  - username: " + demoUser + "\n"))
	if err != nil {
		t.Fatal(err)
	}
	return newEnv(t, WithFixture(fx), WithClock(func() time.Time { return seedNow }))
}

// seedLeads seeds n Leads modified at at, every tenth one nameless (the
// Web-to-Lead placeholder), and returns their ids.
func seedLeads(t testing.TB, s *Server, n int, at time.Time, tag string) []string {
	t.Helper()
	recs := make([]map[string]any, n)
	for i := range recs {
		last := fmt.Sprintf("%s%04d", tag, i)
		if i%10 == 0 {
			last = NamePlaceholder
		}
		recs[i] = map[string]any{"LastName": last, "FirstName": "F", "Company": "Co " + tag,
			"Email": fmt.Sprintf("%s%d@example.com", strings.ToLower(tag), i), "Phone": fmt.Sprintf("+81 3 %04d %04d", i, n)}
	}
	ids, err := s.SeedRecords("Lead", recs, at)
	if err != nil {
		t.Fatalf("SeedRecords: %v", err)
	}
	return ids
}

// queryPages runs q over REST and follows nextRecordsUrl, returning each
// page's record count and all records.
func (e *testEnv) queryPages(q string) ([]int, []map[string]any) {
	e.t.Helper()
	var sizes []int
	var all []map[string]any
	path := "/services/data/v62.0/query?q=" + url.QueryEscape(q)
	for path != "" {
		resp, b := e.call(http.MethodGet, path, nil)
		if resp.StatusCode != http.StatusOK {
			e.t.Fatalf("GET %s: status %d %s", path, resp.StatusCode, b)
		}
		var page struct {
			Done           bool             `json:"done"`
			NextRecordsURL string           `json:"nextRecordsUrl"`
			Records        []map[string]any `json:"records"`
		}
		if err := json.Unmarshal(b, &page); err != nil {
			e.t.Fatal(err)
		}
		sizes = append(sizes, len(page.Records))
		all = append(all, page.Records...)
		if page.Done != (page.NextRecordsURL == "") {
			e.t.Fatalf("done=%v but nextRecordsUrl=%q", page.Done, page.NextRecordsURL)
		}
		path = page.NextRecordsURL
	}
	return sizes, all
}

func TestSeedRecordsDirectoryImportQueries(t *testing.T) {
	e := newEmptyEnv(t)
	yearAgo := seedNow.AddDate(-1, 0, 0)
	seedLeads(t, e.s, 500, yearAgo.AddDate(0, 0, -30), "Old")
	recent := seedLeads(t, e.s, 2000, seedNow.AddDate(0, -2, 0), "New")
	seedLeads(t, e.s, 0, seedNow, "None")
	if err := e.s.TouchRecords("Lead", seedNow.AddDate(0, 0, -1), recent[5], recent[7]); err != nil {
		t.Fatalf("TouchRecords: %v", err)
	}
	since := yearAgo.Format("2006-01-02T15:04:05Z")
	const fields = "SELECT Id, Name, FirstName, LastName, Company, Email, Phone, MobilePhone, LastModifiedDate FROM Lead "
	tests := []struct {
		name      string
		q         string
		wantPages []int
		check     func(recs []map[string]any) string
	}{
		{"first run: a year back, at most 2000", fields + "WHERE LastModifiedDate > " + since + " ORDER BY LastModifiedDate, Id LIMIT 2000",
			[]int{2000}, func(recs []map[string]any) string { return allModifiedAfter(recs, yearAgo) }},
		{"no limit pages in batches of 2000", fields + "ORDER BY LastModifiedDate, Id", []int{2000, 500},
			func(recs []map[string]any) string { return sortedByModified(recs) }},
		{"incremental: only the touched ones", fields + "WHERE LastModifiedDate > " + seedNow.AddDate(0, 0, -2).Format(time.RFC3339) + " ORDER BY LastModifiedDate, Id",
			[]int{2}, func(recs []map[string]any) string {
				if recs[0]["Id"] != recent[5] || recs[1]["Id"] != recent[7] {
					return fmt.Sprintf("ids %v %v, want %s %s", recs[0]["Id"], recs[1]["Id"], recent[5], recent[7])
				}
				return ""
			}},
		{"nameless ones are the placeholder", "SELECT Id, Name FROM Lead WHERE LastName = '" + NamePlaceholder + "' AND LastModifiedDate > " + since,
			[]int{200}, func(recs []map[string]any) string {
				if n := recs[0]["Name"]; n != "F "+NamePlaceholder {
					return fmt.Sprintf("Name %v, want %q", n, "F "+NamePlaceholder)
				}
				return ""
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sizes, recs := e.queryPages(tt.q)
			if fmt.Sprint(sizes) != fmt.Sprint(tt.wantPages) {
				t.Fatalf("page sizes %v, want %v", sizes, tt.wantPages)
			}
			if msg := tt.check(recs); msg != "" {
				t.Error(msg)
			}
		})
	}
}

// allModifiedAfter says which record was not modified after t ("" if none).
func allModifiedAfter(recs []map[string]any, t time.Time) string {
	for _, r := range recs {
		at, err := parseDateTime(fmt.Sprint(r["LastModifiedDate"]))
		if err != nil || !at.After(t) {
			return fmt.Sprintf("record %v modified %v, want after %v", r["Id"], r["LastModifiedDate"], t)
		}
	}
	return ""
}

// sortedByModified says where recs are not in LastModifiedDate, Id order
// (SOQL orders ids without regard to case).
func sortedByModified(recs []map[string]any) string {
	for i := 1; i < len(recs); i++ {
		a := strings.ToLower(fmt.Sprint(recs[i-1]["LastModifiedDate"], recs[i-1]["Id"]))
		b := strings.ToLower(fmt.Sprint(recs[i]["LastModifiedDate"], recs[i]["Id"]))
		if a > b {
			return fmt.Sprintf("record %d (%s) before %d (%s)", i-1, a, i, b)
		}
	}
	return ""
}

func TestSeedRecordsContactAccountName(t *testing.T) {
	e := newEmptyEnv(t)
	old := seedNow.AddDate(-2, 0, 0)
	acc, err := e.s.SeedRecords("Account", []map[string]any{{"Name": "Acme KK", "Phone": "03-1111-2222"}, {"Name": NamePlaceholder}}, old)
	if err != nil {
		t.Fatalf("SeedRecords Account: %v", err)
	}
	if _, err := e.s.SeedRecords("Contact", []map[string]any{
		{"LastName": "Sato", "FirstName": "Hana", "AccountId": acc[0], "Email": "hana@acme.example", "MobilePhone": "090-1234-5678"},
		{"LastName": "Ito"},
	}, seedNow.AddDate(0, 0, -3)); err != nil {
		t.Fatalf("SeedRecords Contact: %v", err)
	}
	_, recs := e.queryPages("SELECT Id, Name, Account.Name, Email, MobilePhone, LastModifiedDate FROM Contact WHERE LastModifiedDate > " +
		seedNow.AddDate(-1, 0, 0).Format(time.RFC3339) + " ORDER BY LastModifiedDate, Id")
	tests := []struct{ name, want string }{{"Hana Sato", "Acme KK"}, {"Ito", "<nil>"}}
	if len(recs) != len(tests) {
		t.Fatalf("got %d contacts, want %d", len(recs), len(tests))
	}
	for i, tt := range tests {
		got := "<nil>"
		if a, ok := recs[i]["Account"].(map[string]any); ok {
			got = fmt.Sprint(a["Name"])
		}
		if recs[i]["Name"] != tt.name || got != tt.want {
			t.Errorf("contact %d: Name %v Account.Name %s, want %s %s", i, recs[i]["Name"], got, tt.name, tt.want)
		}
	}
	_, accs := e.queryPages("SELECT Id, Name, CreatedDate FROM Account WHERE LastModifiedDate < " + seedNow.AddDate(-1, 0, 0).Format(time.RFC3339))
	if len(accs) != 2 || accs[0]["CreatedDate"] != formatDateTime(old) {
		t.Errorf("old accounts %v, want 2 created %s", accs, formatDateTime(old))
	}
}

func TestSeedRecordsRefusesAllOnError(t *testing.T) {
	tests := []struct {
		name, object string
		recs         []map[string]any
		wantErr      string
	}{
		{"lead without LastName", "Lead", []map[string]any{{"LastName": "Ok", "Company": "C"}, {"Company": "C"}}, "REQUIRED_FIELD_MISSING"},
		{"blank Account name", "Account", []map[string]any{{"Name": "Ok"}, {"Name": ""}}, "REQUIRED_FIELD_MISSING"},
		{"unknown field", "Contact", []map[string]any{{"LastName": "Ok"}, {"LastName": "X", "Nickname": "y"}}, "INVALID_FIELD"},
		{"read-only object", "UserServicePresence", []map[string]any{{}}, ErrUnknownObject.Error()},
		{"unknown object", "Widget", nil, ErrUnknownObject.Error()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			count := func() int {
				if tt.object == "Widget" {
					return 0
				}
				res, err := e.s.RunQuery("SELECT COUNT() FROM "+tt.object, false)
				if err != nil {
					t.Fatal(err)
				}
				return *res.Count
			}
			before := count()
			_, err := e.s.SeedRecords(tt.object, tt.recs, seedNow)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("error %v, want one containing %q", err, tt.wantErr)
			}
			if after := count(); after != before {
				t.Errorf("%d records after a failed seed, want %d", after, before)
			}
		})
	}
}

func TestTouchRecordsUnknownID(t *testing.T) {
	e := newEnv(t)
	ids, err := e.s.SeedRecords("Lead", []map[string]any{{"LastName": "A", "Company": "C"}}, seedNow)
	if err != nil {
		t.Fatal(err)
	}
	err = e.s.TouchRecords("Lead", seedNow.AddDate(0, 0, 1), ids[0], "00Q000000000000AAA")
	var ae *APIError
	if !errors.As(err, &ae) || ae.Code != "NOT_FOUND" {
		t.Fatalf("error %v, want NOT_FOUND", err)
	}
	res, err := e.s.RunQuery("SELECT LastModifiedDate FROM Lead WHERE Id = '"+ids[0]+"'", false)
	if err != nil {
		t.Fatal(err)
	}
	if got := res.Records[0]["LastModifiedDate"]; got != formatDateTime(seedNow) {
		t.Errorf("LastModifiedDate %v after a failed touch, want %s", got, formatDateTime(seedNow))
	}
}

// BenchmarkDirectoryImportQuery is one first-run import of a directory
// sync against 2,500 seeded Leads: the year-back query with LIMIT 2000
// over HTTP (one 2000-record page), as desk/directory runs it.
func BenchmarkDirectoryImportQuery(b *testing.B) {
	e := newEmptyEnv(b)
	seedLeads(b, e.s, 500, seedNow.AddDate(-2, 0, 0), "Old")
	seedLeads(b, e.s, 2000, seedNow.AddDate(0, -1, 0), "New")
	q := "SELECT Id, Name, FirstName, LastName, Company, Email, Phone, MobilePhone, LastModifiedDate FROM Lead WHERE LastModifiedDate > " +
		seedNow.AddDate(-1, 0, 0).Format(time.RFC3339) + " ORDER BY LastModifiedDate, Id LIMIT 2000"
	cpu0 := cpuTime()
	b.ResetTimer()
	for range b.N {
		if sizes, _ := e.queryPages(q); len(sizes) != 1 || sizes[0] != 2000 {
			b.Fatalf("pages %v, want [2000]", sizes)
		}
	}
	report(b, cpu0)
}
