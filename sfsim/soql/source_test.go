package soql

import (
	"fmt"
	"sort"
	"strings"
)

// testObject is a tiny schema for tests.
type testObject struct {
	name     string
	fields   map[string]Field // key: lower-case name
	children map[string][2]string
}

func (o *testObject) Name() string { return o.name }

func (o *testObject) Field(name string) (Field, bool) {
	f, ok := o.fields[strings.ToLower(name)]
	return f, ok
}

func (o *testObject) ChildName(rel string) (string, bool) {
	for _, c := range []string{"Contacts", "Cases"} {
		if strings.EqualFold(c, rel) {
			_, ok := o.children[strings.ToLower(rel)]
			return c, ok
		}
	}
	return "", false
}

func (o *testObject) Child(rel string) (string, string, bool) {
	c, ok := o.children[strings.ToLower(rel)]
	return c[0], c[1], ok
}

// testSource holds records in insertion order per object, with optional
// case-insensitive indexes.
type testSource struct {
	objects map[string]*testObject
	recs    map[string][]map[string]any
	deleted map[string][]map[string]any
	indexed map[string]bool // "Object.Field"
	lookups int             // Lookup calls that used an index
	scans   int
}

func newObject(name string, fields string, children ...string) *testObject {
	o := &testObject{name: name, fields: map[string]Field{}, children: map[string][2]string{}}
	for _, spec := range strings.Fields(fields) {
		// Name:type[:ReferenceTo:RelationshipName]
		p := strings.Split(spec, ":")
		f := Field{Name: p[0], Type: p[1]}
		if len(p) > 2 {
			f.ReferenceTo, f.RelationshipName = p[2], p[3]
		}
		o.fields[strings.ToLower(f.Name)] = f
	}
	for _, c := range children {
		p := strings.Split(c, ":")
		o.children[strings.ToLower(p[0])] = [2]string{p[1], p[2]}
	}
	return o
}

func newTestSource() *testSource {
	s := &testSource{
		objects: map[string]*testObject{},
		recs:    map[string][]map[string]any{},
		deleted: map[string][]map[string]any{},
		indexed: map[string]bool{},
	}
	for _, o := range []*testObject{
		newObject("Account", "Id:id Name:string Industry:picklist AnnualRevenue:currency NumberOfEmployees:int OwnerId:reference:User:Owner CreatedDate:datetime",
			"Contacts:Contact:AccountId", "Cases:Case:AccountId"),
		newObject("Contact", "Id:id FirstName:string LastName:string Email:email Phone:phone AccountId:reference:Account:Account OwnerId:reference:User:Owner Birthdate:date CreatedDate:datetime",
			"Cases:Case:ContactId"),
		newObject("Lead", "Id:id FirstName:string LastName:string Name:string Company:string Email:email Phone:phone Status:picklist IsConverted:boolean Interests__c:multipicklist OwnerId:reference:User:Owner CreatedDate:datetime LastActivityDate:date"),
		newObject("Case", "Id:id CaseNumber:string Subject:string Status:picklist Priority:picklist AccountId:reference:Account:Account ContactId:reference:Contact:Contact OwnerId:reference:User:Owner CreatedDate:datetime"),
		newObject("User", "Id:id Name:string Username:string Email:email IsActive:boolean"),
		newObject("Task", "Id:id Subject:string WhoId:reference:Lead,Contact:Who ActivityDate:date"),
	} {
		s.objects[strings.ToLower(o.name)] = o
	}
	return s
}

func (s *testSource) Object(name string) (Object, bool) {
	o, ok := s.objects[strings.ToLower(name)]
	if !ok {
		return nil, false
	}
	return o, true
}

func (s *testSource) Scan(object string, fn func(map[string]any) bool) {
	s.scans++
	for _, r := range s.recs[object] {
		if !fn(r) {
			return
		}
	}
}

func (s *testSource) ScanAll(object string, fn func(map[string]any) bool) {
	for _, r := range append(append([]map[string]any{}, s.recs[object]...), s.deleted[object]...) {
		if !fn(r) {
			return
		}
	}
}

func (s *testSource) Get(object, id string) (map[string]any, bool) {
	full, ok := to18(id)
	if !ok {
		return nil, false
	}
	for _, r := range s.recs[object] {
		if strings.EqualFold(r["Id"].(string), full) {
			return r, true
		}
	}
	return nil, false
}

func (s *testSource) Lookup(object, field, value string) ([]map[string]any, bool) {
	if !s.indexed[object+"."+field] {
		return nil, false
	}
	s.lookups++
	var out []map[string]any
	for _, r := range s.recs[object] {
		if v, ok := r[field].(string); ok && strings.EqualFold(v, value) {
			out = append(out, r)
		}
	}
	return out, true
}

var prefixes = map[string]string{"Account": "001", "Contact": "003", "Lead": "00Q", "Case": "500", "User": "005", "Task": "00T"}

// add inserts a record with a deterministic 18-character id and returns it.
func (s *testSource) add(object string, rec map[string]any) string {
	n := len(s.recs[object]) + len(s.deleted[object]) + 1
	id, _ := to18(fmt.Sprintf("%s%012d", prefixes[object], n))
	rec["Id"] = id
	s.recs[object] = append(s.recs[object], rec)
	return id
}

func (s *testSource) ids(object string) []string {
	var out []string
	for _, r := range s.recs[object] {
		out = append(out, r["Id"].(string))
	}
	sort.Strings(out)
	return out
}

var (
	_ Source     = (*testSource)(nil)
	_ Indexed    = (*testSource)(nil)
	_ AllScanner = (*testSource)(nil)
	_ ChildNamer = (*testObject)(nil)
)
