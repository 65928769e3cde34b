package sfsim

import (
	"fmt"
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

const sfDateTime = "2006-01-02T15:04:05.000-0700"

// formatDateTime renders t the way Salesforce does in JSON: UTC, milliseconds, +0000.
func formatDateTime(t time.Time) string { return t.UTC().Format(sfDateTime) }

// writeOpts says who writes and which checks apply.
type writeOpts struct {
	user            *User
	allowDuplicates bool   // Sforce-Duplicate-Rule-Header: allowSave=true, or seeding
	version         string // API version for attribute URLs in error bodies, e.g. "62.0"
	tx              *journal
}

// journal records how to undo writes, for allOrNone composite calls.
type journal struct{ undo []func() }

func (j *journal) add(f func()) {
	if j != nil {
		j.undo = append(j.undo, f)
	}
}

// rollback undoes the journaled writes, newest first. The caller holds the lock.
func (j *journal) rollback() {
	for i := len(j.undo) - 1; i >= 0; i-- {
		j.undo[i]()
	}
	j.undo = nil
}

func errInvalidType(object string) *APIError {
	return badRequest("INVALID_TYPE", "sObject type '"+object+"' is not supported.")
}

// nextID allocates an id; the caller holds the lock.
func (s *Server) nextID(prefix string) string {
	s.serial++
	return newID(prefix, s.serial)
}

// systemInsertLocked inserts a record without validation (seeding of
// read-only objects). The caller holds the lock.
func (s *Server) systemInsertLocked(object string, f map[string]any, by *User) string {
	t := s.db.table(object)
	id := s.nextID(t.def.KeyPrefix)
	ts := formatDateTime(s.now())
	f["Id"], f["IsDeleted"], f["CreatedDate"], f["LastModifiedDate"], f["SystemModstamp"] = id, false, ts, ts, ts
	f["CreatedById"], f["LastModifiedById"] = by.ID, by.ID
	if t.def.field("OwnerId") != nil {
		if _, ok := f["OwnerId"]; !ok {
			f["OwnerId"] = by.ID
		}
	}
	t.insert(f)
	s.dirty = true
	return id
}

var emailRE = regexp.MustCompile(`^[A-Za-z0-9.!#$%&'*+/=?^_` + "`" + `{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$`)

func badRequest(code, msg string, fields ...string) *APIError {
	if fields == nil {
		fields = []string{}
	}
	return &APIError{Status: http.StatusBadRequest, Code: code, Message: msg, Fields: fields}
}

func errNoSuchColumn(field, object string) *APIError {
	return &APIError{Status: http.StatusBadRequest, Code: "INVALID_FIELD",
		Message: fmt.Sprintf("No such column '%s' on sobject of type %s", field, object)}
}

// normalize validates the client-supplied fields of a create (create=true)
// or update and converts them to stored values keyed by canonical names.
// The caller holds (at least) the read lock.
func (s *Server) normalize(o *objectDef, body map[string]any, create bool) (map[string]any, *APIError) {
	keys := make([]string, 0, len(body))
	for k := range body {
		if k != "attributes" {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	out := make(map[string]any, len(keys))
	var readOnly []string
	for _, k := range keys {
		f := o.field(k)
		if f == nil {
			return nil, errNoSuchColumn(k, o.Name)
		}
		if f.Name == "Id" {
			if create {
				return nil, &APIError{Status: http.StatusBadRequest, Code: "INVALID_FIELD", Message: "The Id field should not be specified in the sobject data."}
			}
			continue
		}
		if (create && !f.Createable) || (!create && !f.Updateable) {
			readOnly = append(readOnly, f.Name)
			continue
		}
		v, err := s.convert(o, f, body[k])
		if err != nil {
			return nil, err
		}
		out[f.Name] = v
	}
	if len(readOnly) > 0 {
		return nil, badRequest("INVALID_FIELD_FOR_INSERT_UPDATE",
			fmt.Sprintf("Unable to create/update fields: %s. Please check the security settings of this field and verify that it is read/write for your profile or permission set.", strings.Join(readOnly, ", ")),
			readOnly...)
	}
	var missing []string
	for _, f := range o.Fields {
		if !f.required() {
			continue
		}
		v, present := out[f.Name]
		if (create && (!present || isBlank(v))) || (!create && present && isBlank(v)) {
			missing = append(missing, f.Name)
		}
	}
	if len(missing) > 0 {
		return nil, badRequest("REQUIRED_FIELD_MISSING", "Required fields are missing: ["+strings.Join(missing, ", ")+"]", missing...)
	}
	return out, nil
}

func isBlank(v any) bool {
	if v == nil {
		return true
	}
	sv, ok := v.(string)
	return ok && sv == ""
}

func parserError(typ string, v any) *APIError {
	return &APIError{Status: http.StatusBadRequest, Code: "JSON_PARSER_ERROR",
		Message: fmt.Sprintf("Cannot deserialize instance of %s from %s value %v or request may be missing a required field", typ, jsonKind(v), v)}
}

func jsonKind(v any) string {
	switch v.(type) {
	case string:
		return "VALUE_STRING"
	case float64:
		return "VALUE_NUMBER_FLOAT"
	case bool:
		return "VALUE_TRUE"
	case map[string]any:
		return "START_OBJECT"
	case []any:
		return "START_ARRAY"
	}
	return "VALUE_NULL"
}

// convert checks one value against its field and returns the stored form.
func (s *Server) convert(o *objectDef, f *fieldDef, v any) (any, *APIError) {
	if v == nil {
		return nil, nil
	}
	switch f.Type {
	case "boolean":
		return convertBoolean(v)
	case "int", "double", "currency", "percent":
		return convertNumber(f.Type, v)
	case "date":
		return convertDate(v)
	case "datetime":
		return convertDateTime(v)
	case "reference":
		return s.convertReference(f, v)
	}
	return convertText(f, v)
}

// convertBoolean accepts a JSON boolean or its text form ("true", "0", …).
func convertBoolean(v any) (any, *APIError) {
	switch x := v.(type) {
	case bool:
		return x, nil
	case string:
		if b, err := strconv.ParseBool(x); err == nil {
			return b, nil
		}
	}
	return nil, parserError("boolean", v)
}

// convertNumber accepts a JSON number (whole for int) or a numeric text; an
// empty text clears the field.
func convertNumber(typ string, v any) (any, *APIError) {
	switch x := v.(type) {
	case float64:
		if typ == "int" && x != float64(int64(x)) {
			return nil, parserError("int", v)
		}
		return x, nil
	case string:
		if x == "" {
			return nil, nil
		}
		if n, err := strconv.ParseFloat(x, 64); err == nil {
			return n, nil
		}
	}
	return nil, parserError(typ, v)
}

// convertDate accepts YYYY-MM-DD, or a datetime whose UTC day is stored.
func convertDate(v any) (any, *APIError) {
	x, ok := v.(string)
	if !ok {
		return nil, parserError("date", v)
	}
	if x == "" {
		return nil, nil
	}
	if len(x) > 10 {
		if t, err := parseDateTime(x); err == nil {
			return t.UTC().Format("2006-01-02"), nil
		}
	}
	if _, err := time.Parse("2006-01-02", x); err != nil {
		return nil, parserError("date", v)
	}
	return x, nil
}

// convertDateTime accepts the forms of parseDateTime and stores Salesforce's.
func convertDateTime(v any) (any, *APIError) {
	x, ok := v.(string)
	if !ok {
		return nil, parserError("datetime", v)
	}
	if x == "" {
		return nil, nil
	}
	t, err := parseDateTime(x)
	if err != nil {
		return nil, parserError("datetime", v)
	}
	return formatDateTime(t), nil
}

// convertReference accepts a 15- or 18-character id of a live record of an
// object the field may point to, and stores the 18-character form.
func (s *Server) convertReference(f *fieldDef, v any) (any, *APIError) {
	x, ok := v.(string)
	if !ok {
		return nil, parserError("id", v)
	}
	if x == "" {
		return nil, nil
	}
	id, err := canonicalID(x)
	if err != nil || !s.referenceAllowed(f, id) {
		return nil, badRequest("MALFORMED_ID", fmt.Sprintf("%s: id value of incorrect type: %s", f.Label, x), f.Name)
	}
	t := s.db.schema.objectForID(id)
	r := s.db.table(t.Name).get(id)
	if r == nil || r.deleted {
		return nil, badRequest("INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id", f.Name)
	}
	return id, nil
}

// referenceAllowed reports whether id's key prefix is one of the objects
// the reference field points to.
func (s *Server) referenceAllowed(f *fieldDef, id string) bool {
	for _, to := range f.ReferenceTo {
		if t := s.db.table(to); t != nil && t.def.KeyPrefix == prefixOf(id) {
			return true
		}
	}
	return false
}

// convertText checks a value of a text type (string, textarea, email,
// picklist, …): JSON numbers and booleans become their text, an empty text
// clears the field, and the length, email form and restricted picklist
// values are enforced.
func convertText(f *fieldDef, v any) (any, *APIError) {
	x, ok := textOf(v)
	if !ok {
		return nil, parserError("String", v)
	}
	if x == "" {
		return nil, nil
	}
	if f.Length > 0 && utf8.RuneCountInString(x) > f.Length {
		return nil, badRequest("STRING_TOO_LONG", fmt.Sprintf("%s: data value too large: %s (max length=%d)", f.Label, x, f.Length), f.Name)
	}
	switch {
	case f.Type == "email" && !emailRE.MatchString(x):
		return nil, badRequest("INVALID_EMAIL_ADDRESS", fmt.Sprintf("%s: invalid email address: %s", f.Label, x), f.Name)
	case f.Type == "picklist" && f.Restricted:
		return restrictedPicklistValue(f, x)
	}
	return x, nil
}

// textOf is the text form of a JSON string, number or boolean.
func textOf(v any) (string, bool) {
	switch t := v.(type) {
	case string:
		return t, true
	case float64:
		return strconv.FormatFloat(t, 'f', -1, 64), true
	case bool:
		return strconv.FormatBool(t), true
	}
	return "", false
}

// restrictedPicklistValue returns the picklist's own spelling of x (the
// last one matching without regard to case), or the error for a value the
// picklist does not have.
func restrictedPicklistValue(f *fieldDef, x string) (any, *APIError) {
	canon := ""
	for _, p := range f.Picklist {
		if strings.EqualFold(p, x) {
			canon = p
		}
	}
	if canon == "" {
		return nil, badRequest("INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST", fmt.Sprintf("%s: bad value for restricted picklist field: %s", f.Label, x), f.Name)
	}
	return canon, nil
}

// parseDateTime accepts the datetime forms clients send.
func parseDateTime(x string) (time.Time, error) {
	for _, layout := range []string{sfDateTime, "2006-01-02T15:04:05.000Z07:00", time.RFC3339Nano, "2006-01-02T15:04:05-0700", "2006-01-02T15:04:05"} {
		if t, err := time.Parse(layout, x); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("bad datetime %q", x)
}

// derive fills the computed fields of a record after a write.
func derive(o *objectDef, f map[string]any) {
	switch o.Name {
	case "Lead", "Contact":
		first, _ := f["FirstName"].(string)
		last, _ := f["LastName"].(string)
		f["Name"] = strings.TrimSpace(first + " " + last)
	case "Task":
		f["IsClosed"] = f["Status"] == "Completed"
	case "Case":
		f["IsClosed"] = f["Status"] == "Closed"
	case "Opportunity":
		st, _ := f["StageName"].(string)
		f["IsClosed"] = strings.HasPrefix(st, "Closed")
		f["IsWon"] = st == "Closed Won"
	}
}

// duplicateCheck applies the org's duplicate rules to the would-be record f
// (self is the record being updated, or nil).
func (s *Server) duplicateCheck(o *objectDef, f map[string]any, self *row, version string) *APIError {
	for _, rule := range s.org.DuplicateRules {
		if rule.Object != o.Name {
			continue
		}
		v, ok := f[rule.Field].(string)
		if !ok || v == "" {
			continue
		}
		t := s.db.table(o.Name)
		rows, indexed := t.lookup(rule.Field, v)
		if !indexed {
			for _, r := range t.rows {
				if sv, ok := r.f[rule.Field].(string); ok && strings.EqualFold(sv, v) {
					rows = append(rows, r)
				}
			}
		}
		var matches []any
		for _, r := range rows {
			if r == self || r.deleted {
				continue
			}
			id := r.f["Id"].(string)
			matches = append(matches, map[string]any{
				"additionalInformation": []any{}, "fieldDiffs": []any{}, "matchConfidence": 100.0,
				"record": orderedMap{keys: []string{"attributes", "Id"}, vals: map[string]any{"attributes": attributes(o.Name, id, version), "Id": id}},
			})
		}
		if len(matches) == 0 {
			continue
		}
		const msg = "You're creating a duplicate record. We recommend you use an existing record instead."
		return &APIError{Status: http.StatusBadRequest, Code: "DUPLICATES_DETECTED", Message: msg, Extra: map[string]any{
			"duplicateResut": map[string]any{
				"allowSave": false, "duplicateRule": rule.Name, "duplicateRuleEntityType": o.Name, "errorMessage": msg,
				"matchResults": []any{map[string]any{
					"entityType": o.Name, "errors": []any{}, "matchEngine": "FuzzyMatchEngine", "matchRecords": matches,
					"rule": "Standard_" + o.Name + "_Match_Rule_v1_1", "size": len(matches), "success": true,
				}},
			},
		}}
	}
	return nil
}

// attributes is the "attributes" object of a record in JSON.
func attributes(object, id, version string) map[string]any {
	return map[string]any{"type": object, "url": "/services/data/v" + version + "/sobjects/" + object + "/" + id}
}

// createLocked validates body and inserts a record. The caller holds the
// write lock.
func (s *Server) createLocked(o *objectDef, body map[string]any, opt writeOpts) (string, *APIError) {
	if !o.Createable {
		return "", errNotAllowed(http.MethodPost, "GET, HEAD")
	}
	f, err := s.normalize(o, body, true)
	if err != nil {
		return "", err
	}
	for _, fd := range o.Fields {
		if _, set := f[fd.Name]; set {
			continue
		}
		if fd.Defaulted && fd.Default != nil {
			f[fd.Name] = fd.Default
		}
	}
	t := s.db.table(o.Name)
	if o.Name == "Case" {
		f["CaseNumber"] = fmt.Sprintf("%08d", 1000+len(t.rows)+1)
	}
	if fd := o.field("OwnerId"); fd != nil && f["OwnerId"] == nil {
		f["OwnerId"] = opt.user.ID
	}
	derive(o, f)
	if !opt.allowDuplicates {
		if err := s.duplicateCheck(o, f, nil, opt.version); err != nil {
			return "", err
		}
	}
	if err := s.uniqueCheck(o, f, nil); err != nil {
		return "", err
	}
	id := s.nextID(o.KeyPrefix)
	ts := formatDateTime(s.now())
	f["Id"], f["IsDeleted"], f["CreatedDate"], f["LastModifiedDate"], f["SystemModstamp"] = id, false, ts, ts, ts
	f["CreatedById"], f["LastModifiedById"] = opt.user.ID, opt.user.ID
	r := t.insert(f)
	opt.tx.add(func() { t.hardRemove(r) })
	s.dirty = true
	return id, nil
}

// uniqueCheck enforces unique custom fields.
func (s *Server) uniqueCheck(o *objectDef, f map[string]any, self *row) *APIError {
	t := s.db.table(o.Name)
	for _, fd := range o.Fields {
		if !fd.Unique {
			continue
		}
		v, ok := f[fd.Name].(string)
		if !ok || v == "" {
			continue
		}
		rows, _ := t.lookup(fd.Name, v)
		for _, r := range rows {
			if r != self && !r.deleted {
				return badRequest("DUPLICATE_VALUE", fmt.Sprintf("duplicate value found: %s duplicates value on record with id: %s", fd.Name, r.f["Id"]), fd.Name)
			}
		}
	}
	return nil
}

// findLocked returns the live record id of object o, or the REST error for a
// missing or deleted one.
func (s *Server) findLocked(o *objectDef, id string) (*row, *APIError) {
	t := s.db.table(o.Name)
	r := t.get(id)
	if r == nil || prefixOf(r.f["Id"].(string)) != o.KeyPrefix {
		return nil, errNotFound()
	}
	if r.deleted {
		return nil, &APIError{Status: http.StatusNotFound, Code: "ENTITY_IS_DELETED", Message: "entity is deleted", Fields: []string{}}
	}
	return r, nil
}

func errNotFound() *APIError {
	return &APIError{Status: http.StatusNotFound, Code: "NOT_FOUND", Message: "The requested resource does not exist"}
}

func errNotAllowed(method, allowed string) *APIError {
	return &APIError{Status: http.StatusMethodNotAllowed, Code: "METHOD_NOT_ALLOWED",
		Message: fmt.Sprintf("HTTP Method '%s' not allowed. Allowed are %s", method, allowed)}
}

// updateLocked validates body and applies it to the record id. The caller
// holds the write lock.
func (s *Server) updateLocked(o *objectDef, r *row, body map[string]any, opt writeOpts) *APIError {
	if !o.Updateable {
		return errNotAllowed(http.MethodPatch, "GET, HEAD")
	}
	if o.Name == "Lead" && r.f["IsConverted"] == true {
		return badRequest("CANNOT_UPDATE_CONVERTED_LEAD", "cannot reference converted lead")
	}
	ch, err := s.normalize(o, body, false)
	if err != nil {
		return err
	}
	merged := make(map[string]any, len(r.f)+len(ch))
	for k, v := range r.f {
		merged[k] = v
	}
	for k, v := range ch {
		merged[k] = v
	}
	derive(o, merged)
	if !opt.allowDuplicates {
		if err := s.duplicateCheck(o, merged, r, opt.version); err != nil {
			return err
		}
	}
	if err := s.uniqueCheck(o, merged, r); err != nil {
		return err
	}
	ts := formatDateTime(s.now())
	merged["LastModifiedDate"], merged["SystemModstamp"], merged["LastModifiedById"] = ts, ts, opt.user.ID
	t := s.db.table(o.Name)
	old := r.f
	t.update(r, merged)
	opt.tx.add(func() { t.replace(r, old) })
	s.dirty = true
	return nil
}

// deleteLocked deletes a record. The caller holds the write lock.
func (s *Server) deleteLocked(o *objectDef, r *row, opt writeOpts) *APIError {
	if !o.Deletable {
		return errNotAllowed(http.MethodDelete, "GET, HEAD")
	}
	t := s.db.table(o.Name)
	old := r.f
	t.remove(r)
	opt.tx.add(func() { t.undelete(r, old) })
	s.dirty = true
	return nil
}
