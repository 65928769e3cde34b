package sfsim

import (
	"errors"
	"fmt"
	"time"
)

// ErrUnknownObject is returned by the Go API for an object sfsim does not
// have, or one whose records cannot be seeded.
var ErrUnknownObject = errors.New("unknown object")

// NamePlaceholder is what Salesforce's Web-to-Lead stores in a required
// name field (LastName, Company) the web form left blank. Lead and Contact
// always have a LastName and Account a Name, so a record "without a name"
// is one whose name is this placeholder (or only spaces and punctuation).
const NamePlaceholder = "[not provided]"

// SeedRecords inserts recs as records of object that were created and last
// modified at at: CreatedDate, LastModifiedDate and SystemModstamp are at,
// not the server clock, for tests of incremental syncs ("changed in the last
// year"). Each record is validated like a REST create (required fields,
// types, references) but duplicate rules do not apply. It is all or
// nothing: on an error no record is kept. It returns the new ids in order.
func (s *Server) SeedRecords(object string, recs []map[string]any, at time.Time) ([]string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o := s.db.schema.object(object)
	if o == nil || !o.Createable {
		return nil, fmt.Errorf("sfsim: seed records of %q: %w", object, ErrUnknownObject)
	}
	tx := &journal{}
	opt := writeOpts{user: s.org.Users[0], allowDuplicates: true, version: defaultVersion, tx: tx}
	ids := make([]string, 0, len(recs))
	for i, rec := range recs {
		body := make(map[string]any, len(rec))
		for k, v := range rec {
			body[k] = v
		}
		id, aerr := s.createLocked(o, body, opt)
		if aerr != nil {
			tx.rollback()
			return nil, fmt.Errorf("sfsim: seed %s[%d]: %w", o.Name, i, aerr)
		}
		ids = append(ids, id)
	}
	s.stampLocked(o.Name, ids, at, true)
	return ids, nil
}

// TouchRecords sets LastModifiedDate and SystemModstamp of the live records
// ids of object to at, as if each had been edited then without a change of
// value. It fails, changing nothing, when an id is not a live record.
func (s *Server) TouchRecords(object string, at time.Time, ids ...string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	o := s.db.schema.object(object)
	if o == nil {
		return fmt.Errorf("sfsim: touch records of %q: %w", object, ErrUnknownObject)
	}
	for _, id := range ids {
		if _, aerr := s.findLocked(o, id); aerr != nil {
			return fmt.Errorf("sfsim: touch %s %s: %w", o.Name, id, aerr)
		}
	}
	s.stampLocked(o.Name, ids, at, false)
	return nil
}

// stampLocked sets the modification stamps (and the creation date when
// created) of the records ids to at. The caller holds the write lock and
// has checked the ids.
func (s *Server) stampLocked(object string, ids []string, at time.Time, created bool) {
	ts := formatDateTime(at)
	stamps := map[string]any{"LastModifiedDate": ts, "SystemModstamp": ts}
	if created {
		stamps["CreatedDate"] = ts
	}
	t := s.db.table(object)
	for _, id := range ids {
		t.update(t.get(id), stamps)
	}
	s.dirty = true
}
