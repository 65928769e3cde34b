package soql

import "time"

// Field describes one field of an object's schema. Type is one of id,
// string, email, phone, url, picklist, multipicklist, combobox, textarea,
// boolean, double, int, currency, percent, date, datetime, reference.
// ReferenceTo names the target object of a reference field; a polymorphic
// reference lists its targets separated by commas ("Lead,Contact").
// RelationshipName is what a query writes to follow the reference
// ("Account" for AccountId).
type Field struct{ Name, Type, ReferenceTo, RelationshipName string }

// Object is one object's schema, as the query engine needs it.
type Object interface {
	// Name returns the canonical API name ("Lead").
	Name() string
	// Field looks a field up by name, case-insensitively.
	Field(name string) (Field, bool)
	// Child resolves a child relationship name ("Cases") to the child
	// object and the child's reference field ("Case", "AccountId").
	Child(relationship string) (object, field string, ok bool)
}

// ChildNamer is an optional Object extension: ChildName returns the
// canonical spelling of a child relationship name ("cases" → "Cases"),
// which results then use as the key of the subquery's records. Without it
// the key is spelled as the query wrote it.
type ChildNamer interface {
	ChildName(relationship string) (string, bool)
}

// Source is the data a query runs against. Records are maps keyed by
// canonical field API names whose values are string, float64, bool or nil;
// dates are "YYYY-MM-DD" and datetimes "2006-01-02T15:04:05.000+0000". The
// engine never modifies a record it is given.
type Source interface {
	// Object looks an object up by name, case-insensitively.
	Object(name string) (Object, bool)
	// Scan calls fn for each live record of the object until fn returns
	// false.
	Scan(object string, fn func(rec map[string]any) bool)
	// Get returns a live record by 15- or 18-character id.
	Get(object, id string) (map[string]any, bool)
}

// Indexed is an optional Source extension. Lookup returns the live records
// whose field equals value, compared case-insensitively (returning more is
// allowed: the engine re-checks the whole WHERE clause); ok=false means the
// field has no index and the engine scans instead.
type Indexed interface {
	Lookup(object, field string, value string) (recs []map[string]any, ok bool)
}

// AllScanner is an optional Source extension for queryAll: ScanAll visits
// live and deleted records alike (deleted ones carry "IsDeleted": true).
// When Options.All is set and the Source does not implement it, Scan is used.
type AllScanner interface {
	ScanAll(object string, fn func(rec map[string]any) bool)
}

// Options tune one execution.
type Options struct {
	// Now is the instant relative date literals (TODAY, LAST_N_DAYS:n) are
	// computed from, in UTC. Zero means time.Now().
	Now time.Time
	// All includes deleted records (queryAll).
	All bool
	// Version is the API version used in "attributes.url", e.g. "62.0".
	// Empty means DefaultVersion.
	Version string
}

// DefaultVersion is the API version used when Options.Version is empty.
const DefaultVersion = "62.0"

// Result is an executed query.
type Result struct {
	// TotalSize is the number of records the query returns, after LIMIT and
	// OFFSET; for COUNT() it is the count.
	TotalSize int
	// Records are in Salesforce's JSON shape: each has "attributes"
	// {"type","url"}, the selected fields under canonical names, parent
	// relationships as nested records (nil when the reference is empty) and
	// child subqueries as {"totalSize","done","records"} (nil when empty).
	// For COUNT() it is empty; for COUNT(field) it holds one AggregateResult.
	Records []map[string]any
	// Count is set for SELECT COUNT() queries.
	Count *int
}
