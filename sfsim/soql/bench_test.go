package soql

import (
	"fmt"
	"strings"
	"testing"
)

// mapIndexSource adds a real hash index on Lead.Email to testSource.
type mapIndexSource struct {
	*testSource
	byEmail map[string][]map[string]any
}

func (s *mapIndexSource) Lookup(object, field, value string) ([]map[string]any, bool) {
	if object != "Lead" || field != "Email" {
		return nil, false
	}
	return s.byEmail[strings.ToLower(value)], true
}

func benchSource(n int) *mapIndexSource {
	s := &mapIndexSource{testSource: newTestSource(), byEmail: map[string][]map[string]any{}}
	for i := range n {
		email := fmt.Sprintf("user%d@example.com", i)
		if i == n/2 {
			email = "x@y.com"
		}
		rec := map[string]any{"LastName": fmt.Sprintf("Last%d", i), "Name": fmt.Sprintf("First Last%d", i),
			"Company": "Acme", "Email": email, "Status": "Working", "IsConverted": false,
			"CreatedDate": "2024-03-01T10:00:00.000+0000"}
		s.add("Lead", rec)
		s.byEmail[email] = append(s.byEmail[email], rec)
	}
	return s
}

// BenchmarkParseExecuteIndexed measures Parse+Execute of an equality query
// served by an index over 10,000 leads; the budget is well under 50 µs.
func BenchmarkParseExecuteIndexed(b *testing.B) {
	src := benchSource(10000)
	const q = "SELECT Id, Name FROM Lead WHERE Email = 'x@y.com'"
	b.ReportAllocs()
	for b.Loop() {
		parsed, err := Parse(q)
		if err != nil {
			b.Fatal(err)
		}
		res, err := Execute(parsed, src, Options{Now: testNow})
		if err != nil || res.TotalSize != 1 {
			b.Fatalf("res = %+v, err = %v", res, err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "queries/s")
}

// BenchmarkParse measures the parser alone on a query with most clauses.
func BenchmarkParse(b *testing.B) {
	const q = "SELECT Id, Name, Account.Name, (SELECT Id FROM Cases WHERE Status != 'Closed') FROM Contact " +
		"WHERE (Email LIKE '%@acme.com' OR Phone != null) AND CreatedDate = LAST_N_DAYS:30 ORDER BY Name DESC NULLS LAST LIMIT 200 OFFSET 10"
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(q); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(q))*float64(b.N)/b.Elapsed().Seconds()/1e6, "MB/s")
}

// BenchmarkScan1000 measures a filtered, sorted query that has to scan
// 1,000 records.
func BenchmarkScan1000(b *testing.B) {
	src := benchSource(1000)
	parsed, err := Parse("SELECT Id, Name FROM Lead WHERE Status = 'Working' AND LastName LIKE 'last1%' ORDER BY LastName LIMIT 50")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		res, err := Execute(parsed, src, Options{Now: testNow})
		if err != nil || res.TotalSize != 50 {
			b.Fatalf("res = %d, err = %v", res.TotalSize, err)
		}
	}
	b.ReportMetric(1000*float64(b.N)/b.Elapsed().Seconds(), "records/s")
}
