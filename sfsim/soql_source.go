package sfsim

import (
	"strings"

	"github.com/botforge/dialogd/sfsim/soql"
)

// soqlObject adapts an objectDef to soql.Object.
type soqlObject struct{ o *objectDef }

func (a soqlObject) Name() string { return a.o.Name }

func (a soqlObject) Field(name string) (soql.Field, bool) {
	f := a.o.field(name)
	if f == nil {
		return soql.Field{}, false
	}
	return soql.Field{Name: f.Name, Type: f.Type, ReferenceTo: strings.Join(f.ReferenceTo, ","), RelationshipName: f.RelationshipName}, true
}

func (a soqlObject) Child(relationship string) (string, string, bool) {
	for _, c := range a.o.children {
		if strings.EqualFold(c.Name, relationship) {
			return c.Child, c.Field, true
		}
	}
	return "", "", false
}

// ChildName returns the canonical spelling of a child relationship name.
func (a soqlObject) ChildName(relationship string) (string, bool) {
	for _, c := range a.o.children {
		if strings.EqualFold(c.Name, relationship) {
			return c.Name, true
		}
	}
	return "", false
}

// soqlSource adapts the record store to soql.Source, soql.Indexed and
// soql.AllScanner. The caller holds the read lock while the query runs.
type soqlSource struct{ st *store }

func (src soqlSource) Object(name string) (soql.Object, bool) {
	o := src.st.schema.object(name)
	if o == nil {
		return nil, false
	}
	return soqlObject{o}, true
}

func (src soqlSource) Scan(object string, fn func(rec map[string]any) bool) {
	t := src.st.table(object)
	if t == nil {
		return
	}
	for _, r := range t.rows {
		if !r.deleted && !fn(r.f) {
			return
		}
	}
}

func (src soqlSource) ScanAll(object string, fn func(rec map[string]any) bool) {
	t := src.st.table(object)
	if t == nil {
		return
	}
	for _, r := range t.rows {
		if !fn(r.f) {
			return
		}
	}
}

func (src soqlSource) Get(object, id string) (map[string]any, bool) {
	t := src.st.table(object)
	if t == nil {
		return nil, false
	}
	r := t.get(id)
	if r == nil || r.deleted || prefixOf(r.f["Id"].(string)) != t.def.KeyPrefix {
		return nil, false
	}
	return r.f, true
}

func (src soqlSource) Lookup(object, field, value string) ([]map[string]any, bool) {
	t := src.st.table(object)
	if t == nil {
		return nil, false
	}
	rows, ok := t.lookup(field, value)
	if !ok {
		return nil, false
	}
	out := make([]map[string]any, 0, len(rows))
	for _, r := range rows {
		if !r.deleted {
			out = append(out, r.f)
		}
	}
	return out, true
}

var (
	_ soql.Source     = soqlSource{}
	_ soql.Indexed    = soqlSource{}
	_ soql.AllScanner = soqlSource{}
	_ soql.Object     = soqlObject{}
	_ soql.ChildNamer = soqlObject{}
)
