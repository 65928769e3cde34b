package soql

import (
	"testing"
	"time"
)

// testNow is Friday 2024-03-15 12:00 UTC.
var testNow = time.Date(2024, 3, 15, 12, 0, 0, 0, time.UTC)

// fixture is a small org used by the query tests. labels maps every record
// id to a short name the tests refer to.
type fixture struct {
	src    *testSource
	labels map[string]string
	id     map[string]string
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	f := &fixture{src: newTestSource(), labels: map[string]string{}, id: map[string]string{}}
	add := func(label, object string, rec map[string]any) {
		id := f.src.add(object, rec)
		f.labels[id] = label
		f.id[label] = id
	}
	add("U1", "User", map[string]any{"Name": "Ada Admin", "Username": "admin@example.com", "Email": "admin@example.com", "IsActive": true})
	add("A1", "Account", map[string]any{"Name": "Acme", "Industry": "Technology", "AnnualRevenue": 1000000.0, "NumberOfEmployees": 50.0, "OwnerId": f.id["U1"], "CreatedDate": "2024-03-15T09:00:00.000+0000"})
	add("A2", "Account", map[string]any{"Name": "Globex", "Industry": "Energy", "AnnualRevenue": 250000.0, "NumberOfEmployees": nil, "OwnerId": f.id["U1"], "CreatedDate": "2024-03-10T10:00:00.000+0000"})
	add("A3", "Account", map[string]any{"Name": "O'Brien & Sons", "Industry": nil, "AnnualRevenue": nil, "CreatedDate": "2023-12-01T00:00:00.000+0000"})
	add("C1", "Contact", map[string]any{"FirstName": "John", "LastName": "Smith", "Email": "john@acme.com", "Phone": "+1 555 0100", "AccountId": f.id["A1"], "Birthdate": "1980-05-01", "CreatedDate": "2024-03-14T23:59:59.000+0000"})
	add("C2", "Contact", map[string]any{"FirstName": "Jane", "LastName": "Doe", "Email": "jane@globex.com", "AccountId": f.id["A2"], "Birthdate": "1992-11-30", "CreatedDate": "2024-03-15T00:00:00.000+0000"})
	add("C3", "Contact", map[string]any{"FirstName": "Ann", "LastName": "Lone", "Email": "", "AccountId": nil, "CreatedDate": "2024-01-05T08:00:00.000+0000"})
	add("L1", "Lead", map[string]any{"FirstName": "Ada", "LastName": "Lovelace", "Name": "Ada Lovelace", "Company": "Analytical Engines", "Email": "ada@example.com", "Status": "Open - Not Contacted", "IsConverted": false, "Interests__c": "Golf;Tennis", "OwnerId": f.id["U1"], "CreatedDate": "2024-03-15T08:00:00.000+0000", "LastActivityDate": "2024-03-15"})
	add("L2", "Lead", map[string]any{"FirstName": "Grace", "LastName": "Hopper", "Name": "Grace Hopper", "Company": "Navy", "Email": "grace@navy.mil", "Status": "Working", "IsConverted": false, "Interests__c": "Tennis", "CreatedDate": "2024-03-14T10:00:00.000+0000", "LastActivityDate": "2024-03-10"})
	add("L3", "Lead", map[string]any{"FirstName": "Alan", "LastName": "Turing", "Name": "Alan Turing", "Company": "Bletchley", "Email": "alan@bletchley.uk", "Status": "Closed - Converted", "IsConverted": true, "CreatedDate": "2024-02-20T10:00:00.000+0000", "LastActivityDate": "2024-02-01"})
	add("L4", "Lead", map[string]any{"LastName": "x' OR Name != '", "Name": "x' OR Name != '", "Company": "Evil 100%_Co", "Status": "Working", "IsConverted": false, "CreatedDate": "2023-06-01T10:00:00.000+0000"})
	add("L5", "Lead", map[string]any{"LastName": `Back\slash`, "Name": `Back\slash`, "Company": "Slash Inc", "Email": "back@slash.io", "Status": "Working", "IsConverted": false, "CreatedDate": "2024-03-16T00:30:00.000+0000"})
	add("K1", "Case", map[string]any{"CaseNumber": "00001001", "Subject": "Broken widget", "Status": "New", "Priority": "High", "AccountId": f.id["A1"], "ContactId": f.id["C1"], "CreatedDate": "2024-03-15T10:00:00.000+0000"})
	add("K2", "Case", map[string]any{"CaseNumber": "00001002", "Subject": "Billing question", "Status": "Closed", "Priority": "Low", "AccountId": f.id["A1"], "CreatedDate": "2024-03-01T10:00:00.000+0000"})
	add("K3", "Case", map[string]any{"CaseNumber": "00001003", "Subject": "Outage", "Status": "New", "Priority": "High", "AccountId": f.id["A2"], "CreatedDate": "2024-03-12T10:00:00.000+0000"})
	add("T1", "Task", map[string]any{"Subject": "Call", "WhoId": f.id["L1"], "ActivityDate": "2024-03-18"})
	add("T2", "Task", map[string]any{"Subject": "Email", "WhoId": f.id["C1"], "ActivityDate": "2024-03-11"})
	// A deleted lead, visible to queryAll only.
	f.src.deleted["Lead"] = append(f.src.deleted["Lead"], map[string]any{"Id": "00Q000000000099AAA", "LastName": "Gone", "Company": "Ghost", "IsDeleted": true})
	f.labels["00Q000000000099AAA"] = "L9"
	return f
}

// run parses and executes q at testNow.
func (f *fixture) run(q string, all bool) (*Result, error) {
	parsed, err := Parse(q)
	if err != nil {
		return nil, err
	}
	return Execute(parsed, f.src, Options{Now: testNow, All: all, Version: "62.0"})
}

// labelsOf maps result records back to fixture labels.
func (f *fixture) labelsOf(res *Result) []string {
	out := []string{}
	for _, r := range res.Records {
		attrs := r["attributes"].(map[string]any)
		url := attrs["url"].(string)
		id := url[len(url)-18:]
		out = append(out, f.labels[id])
	}
	return out
}
