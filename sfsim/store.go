package sfsim

import (
	"strconv"
	"strings"
)

// store holds the records of every object. The server lock guards it.
type store struct {
	schema *schema
	tables map[string]*table // by lower-case object name
}

// table holds the records of one object in insertion order, with a primary
// index on Id and value indexes on the fields marked Indexed (Email, Phone,
// external ids).
type table struct {
	def  *objectDef
	rows []*row
	byID map[string]*row // by 15-character id
	idx  map[string]map[string][]*row
	live int
}

// row is one record. f is keyed by canonical field names and holds string,
// float64, bool or nil values; it is replaced, never mutated, once a query
// may have seen it... except through store methods under the write lock.
type row struct {
	f       map[string]any
	deleted bool
}

func newStore(sc *schema) *store {
	st := &store{schema: sc, tables: map[string]*table{}}
	for _, o := range sc.objects {
		t := &table{def: o, byID: map[string]*row{}, idx: map[string]map[string][]*row{}}
		for _, f := range o.Fields {
			if f.Indexed {
				t.idx[f.Name] = map[string][]*row{}
			}
		}
		st.tables[strings.ToLower(o.Name)] = t
	}
	return st
}

func (st *store) table(object string) *table { return st.tables[strings.ToLower(object)] }

// indexKey normalises a value for an index: case-insensitive text.
func indexKey(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		if x == "" {
			return "", false
		}
		return strings.ToLower(x), true
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64), true
	case bool:
		return strconv.FormatBool(x), true
	}
	return "", false
}

func (t *table) indexAdd(r *row) {
	for field, m := range t.idx {
		if k, ok := indexKey(r.f[field]); ok {
			m[k] = append(m[k], r)
		}
	}
}

func (t *table) indexRemove(r *row) {
	for field, m := range t.idx {
		k, ok := indexKey(r.f[field])
		if !ok {
			continue
		}
		list := m[k]
		for i, x := range list {
			if x == r {
				list = append(list[:i:i], list[i+1:]...)
				break
			}
		}
		if len(list) == 0 {
			delete(m, k)
		} else {
			m[k] = list
		}
	}
}

// insert adds a new record whose f already carries Id and system fields.
func (t *table) insert(f map[string]any) *row {
	r := &row{f: f}
	k, _ := idKey(f["Id"].(string))
	t.byID[k] = r
	t.rows = append(t.rows, r)
	t.indexAdd(r)
	t.live++
	return r
}

// update replaces the field map of r (copy-on-write so readers holding the
// old map keep a consistent record).
func (t *table) update(r *row, changes map[string]any) {
	t.indexRemove(r)
	nf := make(map[string]any, len(r.f)+len(changes))
	for k, v := range r.f {
		nf[k] = v
	}
	for k, v := range changes {
		nf[k] = v
	}
	r.f = nf
	t.indexAdd(r)
}

// remove marks r deleted; it stays visible to queryAll.
func (t *table) remove(r *row) {
	if r.deleted {
		return
	}
	t.indexRemove(r)
	t.update(r, map[string]any{"IsDeleted": true})
	t.indexRemove(r)
	r.deleted = true
	t.live--
}

// replace restores an earlier field map of r (rollback of an update).
func (t *table) replace(r *row, f map[string]any) {
	t.indexRemove(r)
	r.f = f
	t.indexAdd(r)
}

// undelete restores a deleted row with its earlier field map.
func (t *table) undelete(r *row, f map[string]any) {
	if !r.deleted {
		return
	}
	r.deleted = false
	r.f = f
	t.indexAdd(r)
	t.live++
}

// hardRemove erases a row completely (rollback of an insert).
func (t *table) hardRemove(r *row) {
	if !r.deleted {
		t.indexRemove(r)
		t.live--
	}
	k, _ := idKey(r.f["Id"].(string))
	delete(t.byID, k)
	for i := len(t.rows) - 1; i >= 0; i-- {
		if t.rows[i] == r {
			t.rows = append(t.rows[:i], t.rows[i+1:]...)
			break
		}
	}
}

// get finds a record by 15- or 18-character id, deleted ones included.
func (t *table) get(id string) *row {
	k, ok := idKey(id)
	if !ok {
		return nil
	}
	return t.byID[k]
}

// lookup returns the live records whose indexed field equals value
// (case-insensitively). ok is false when the field has no index.
func (t *table) lookup(field, value string) ([]*row, bool) {
	m, ok := t.idx[field]
	if !ok {
		if f := t.def.field(field); f != nil {
			m, ok = t.idx[f.Name]
		}
		if !ok {
			return nil, false
		}
	}
	k, has := indexKey(value)
	if !has {
		return nil, true
	}
	return m[k], true
}

func itoa(i int) string { return strconv.Itoa(i) }
