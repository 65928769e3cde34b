package sfsim

import "fmt"

// Record access for code outside the REST handlers (SOAP convertLead, the Go
// API). Each function takes the server lock itself; callers must not hold it.
// Failures are *APIError values (Code, Message, Fields, Status).

func copyRecord(f map[string]any) map[string]any {
	c := make(map[string]any, len(f))
	for k, v := range f {
		c[k] = v
	}
	return c
}

// getRecord returns a copy of the live record (canonical field names,
// 18-character Id), or nil.
func (s *Server) getRecord(object, id string) map[string]any {
	s.mu.RLock()
	defer s.mu.RUnlock()
	t := s.db.table(object)
	if t == nil {
		return nil
	}
	r := t.get(id)
	if r == nil || r.deleted {
		return nil
	}
	return copyRecord(r.f)
}

// findRecords returns copies of the live records of object for which match
// returns true, in creation order.
func (s *Server) findRecords(object string, match func(rec map[string]any) bool) []map[string]any {
	s.mu.RLock()
	defer s.mu.RUnlock()
	t := s.db.table(object)
	if t == nil {
		return nil
	}
	var out []map[string]any
	for _, r := range t.rows {
		if !r.deleted && match(r.f) {
			out = append(out, copyRecord(r.f))
		}
	}
	return out
}

// createRecord validates and inserts like REST POST /sobjects/{object}, as
// user u. Duplicate rules apply.
func (s *Server) createRecord(u *User, object string, fields map[string]any) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o := s.db.schema.object(object)
	if o == nil {
		return "", errInvalidType(object)
	}
	id, err := s.createLocked(o, fields, writeOpts{user: u, version: defaultVersion})
	if err != nil {
		return "", err
	}
	return id, nil
}

// updateRecord validates and updates like REST PATCH, as user u.
func (s *Server) updateRecord(u *User, object, id string, fields map[string]any) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	o := s.db.schema.object(object)
	if o == nil {
		return errInvalidType(object)
	}
	r, aerr := s.findLocked(o, id)
	if aerr != nil {
		return aerr
	}
	if aerr := s.updateLocked(o, r, fields, writeOpts{user: u, version: defaultVersion}); aerr != nil {
		return aerr
	}
	return nil
}

// systemUpdateRecord sets fields without validation or read-only checks
// (lead conversion sets IsConverted, ConvertedAccountId…). Values must
// already be in stored form.
func (s *Server) systemUpdateRecord(u *User, object, id string, fields map[string]any) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	o := s.db.schema.object(object)
	if o == nil {
		return errInvalidType(object)
	}
	r, aerr := s.findLocked(o, id)
	if aerr != nil {
		return aerr
	}
	merged := copyRecord(r.f)
	for k, v := range fields {
		if f := o.field(k); f != nil {
			merged[f.Name] = v
		}
	}
	derive(o, merged)
	ts := formatDateTime(s.now())
	merged["LastModifiedDate"], merged["SystemModstamp"], merged["LastModifiedById"] = ts, ts, u.ID
	s.db.table(o.Name).update(r, merged)
	s.dirty = true
	return nil
}

// setSystemFields writes fields without the createable/updateable checks
// (IsConverted, ConvertedDate, Converted*Id, Status of a converted Lead) and
// bumps LastModifiedDate. Values must already be in stored form.
func (s *Server) setSystemFields(object, id string, fields map[string]any) error {
	s.mu.RLock()
	o := s.db.schema.object(object)
	var by *User
	if o != nil {
		if r := s.db.table(o.Name).get(id); r != nil {
			by = s.lastModifierLocked(fmt.Sprint(r.f["LastModifiedById"]))
		}
	}
	s.mu.RUnlock()
	if by == nil {
		by = &User{ID: ""}
		if o == nil {
			return errInvalidType(object)
		}
		return errNotFound()
	}
	return s.systemUpdateRecord(by, object, id, fields)
}

// deleteRecord removes a record without a trace (not even for queryAll):
// the rollback of a half-done conversion.
func (s *Server) deleteRecord(object, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	o := s.db.schema.object(object)
	if o == nil {
		return errInvalidType(object)
	}
	t := s.db.table(o.Name)
	r := t.get(id)
	if r == nil {
		return errNotFound()
	}
	t.hardRemove(r)
	s.dirty = true
	return nil
}

// hasField reports whether object has the field (case-insensitively).
func (s *Server) hasField(object, field string) bool {
	o := s.db.schema.object(object)
	return o != nil && o.field(field) != nil
}

// lastModifierLocked is userByID for callers holding the lock.
func (s *Server) lastModifierLocked(id string) *User {
	k, ok := idKey(id)
	if !ok {
		return nil
	}
	for _, u := range s.org.Users {
		if uk, _ := idKey(u.ID); uk == k {
			return u
		}
	}
	return nil
}
