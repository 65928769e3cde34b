package directory

import (
	"fmt"
	"strings"
	"time"
)

// sfTimeLayout is how Salesforce writes a datetime in JSON.
const sfTimeLayout = "2006-01-02T15:04:05.000-0700"

// fields are the fields read of each object.
var fields = map[string]string{
	ObjectLead:    "Id, Name, LastName, Company, Email, Phone, MobilePhone, LastModifiedDate",
	ObjectContact: "Id, Name, LastName, AccountId, Account.Name, Email, Phone, MobilePhone, LastModifiedDate",
	ObjectAccount: "Id, Name, Phone, LastModifiedDate",
}

// firstRunQuery reads what changed since since, newest first: the first
// run keeps the most recently active customers when there are more than
// max_per_run.
func firstRunQuery(object string, since time.Time) string {
	return fmt.Sprintf("SELECT %s FROM %s WHERE LastModifiedDate >= %s ORDER BY LastModifiedDate DESC, Id DESC",
		fields[object], object, soqlTime(since))
}

// changesQuery reads what changed at or after mark, oldest first, so a
// run that stops at max_per_run leaves a mark the next one continues
// from. Records at the mark itself are filtered by id (afterMark).
func changesQuery(object string, mark time.Time) string {
	return fmt.Sprintf("SELECT %s FROM %s WHERE LastModifiedDate >= %s ORDER BY LastModifiedDate ASC, Id ASC",
		fields[object], object, soqlTime(mark))
}

// soqlTime is a SOQL datetime literal, whole seconds rounded down.
func soqlTime(t time.Time) string {
	return t.UTC().Truncate(time.Second).Format("2006-01-02T15:04:05Z")
}

// sfRecord is one queried row turned into a Record; named says whether
// it has a name (those without are left out or removed).
func sfRecord(object, region string, row map[string]any) (rec Record, named bool, err error) {
	str := func(m map[string]any, k string) string { s, _ := m[k].(string); return strings.TrimSpace(s) }
	rec = Record{ID: str(row, "Id"), Object: object, Name: str(row, "Name"), Email: str(row, "Email")}
	if rec.ID == "" {
		return rec, false, fmt.Errorf("directory: a %s row has no Id", object)
	}
	rec.Modified, err = time.Parse(sfTimeLayout, str(row, "LastModifiedDate"))
	if err != nil {
		return rec, false, fmt.Errorf("directory: %s %s: LastModifiedDate: %w", object, rec.ID, err)
	}
	for _, k := range []string{"Phone", "MobilePhone"} {
		if p := str(row, k); p != "" {
			rec.Phones = append(rec.Phones, p)
		}
	}
	rec.PhoneKeys = PhoneKeys(rec.Phones, region)
	switch object {
	case ObjectLead:
		rec.Company = str(row, "Company")
		named = HasName(str(row, "LastName"))
	case ObjectContact:
		rec.Account = str(row, "AccountId")
		if acc, ok := row["Account"].(map[string]any); ok {
			rec.Company = str(acc, "Name")
		}
		named = HasName(str(row, "LastName"))
	case ObjectAccount:
		rec.Company, rec.Account = rec.Name, rec.ID
		named = HasName(rec.Name)
	}
	if rec.Company == "[not provided]" {
		rec.Company = ""
	}
	return rec, named, nil
}
