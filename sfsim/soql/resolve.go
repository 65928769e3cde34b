package soql

import (
	"fmt"
	"strings"
)

// fieldKind groups field types by how they compare.
type fieldKind uint8

const (
	kindText fieldKind = iota
	kindID
	kindNumber
	kindBool
	kindDate
	kindDateTime
	kindMulti
)

func kindOf(typ string) fieldKind {
	switch strings.ToLower(typ) {
	case "id", "reference":
		return kindID
	case "double", "int", "currency", "percent", "long":
		return kindNumber
	case "boolean":
		return kindBool
	case "date":
		return kindDate
	case "datetime":
		return kindDateTime
	case "multipicklist":
		return kindMulti
	}
	return kindText
}

// typeWord is how Salesforce names a field type in filter errors.
func typeWord(k fieldKind) string {
	switch k {
	case kindNumber:
		return "double"
	case kindBool:
		return "boolean"
	case kindDate:
		return "date"
	case kindDateTime:
		return "dateTime"
	}
	return "string"
}

// hop is one parent relationship followed by a path.
type hop struct {
	ref     Field    // the reference field on the current object
	targets []Object // candidate parent objects
}

// path is a resolved field path: zero or more hops, then a field.
type path struct {
	hops  []hop
	field Field
	kind  fieldKind
	rels  []string // canonical relationship names of the hops
}

const (
	msgNoColumn = "No such column '%s' on entity '%s'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names."
	msgNoRel    = "Didn't understand relationship '%s' in field path. If you are attempting to use a custom relationship, be sure to append the '__r' after the custom relationship name. Please reference your WSDL or the describe call for the appropriate names."
	msgNoType   = "sObject type '%s' is not supported. If you are attempting to use a custom object, be sure to append the '__c' after the entity name. Please reference your WSDL or the describe call for the appropriate names."
	msgNoChild  = "Didn't understand relationship '%s' in FROM part of query call. If you are attempting to use a custom relationship, be sure to append the '__r' after the custom relationship name. Please reference your WSDL or the describe call for the appropriate names."
)

// resolvePath resolves a dotted field path written in a query on obj.
func resolvePath(src Source, obj Object, alias, written string, pos int, query string) (path, *Error) {
	segs := strings.Split(written, ".")
	if alias != "" && len(segs) > 1 && strings.EqualFold(segs[0], alias) {
		segs = segs[1:]
	}
	var p path
	cur := []Object{obj}
	for i, seg := range segs {
		if i == len(segs)-1 {
			f, ok := fieldOn(cur, seg)
			if !ok {
				if len(segs) > 1 {
					return p, posError(CodeInvalidField, query, pos, fmt.Sprintf(msgNoColumn, seg, cur[0].Name()))
				}
				return p, posError(CodeInvalidField, query, pos, fmt.Sprintf(msgNoColumn, seg, obj.Name()))
			}
			p.field, p.kind = f, kindOf(f.Type)
			return p, nil
		}
		ref, ok := relationshipOn(cur, seg)
		if !ok {
			return p, posError(CodeInvalidField, query, pos, fmt.Sprintf(msgNoRel, seg))
		}
		var targets []Object
		for _, name := range strings.Split(ref.ReferenceTo, ",") {
			if o, ok := src.Object(strings.TrimSpace(name)); ok {
				targets = append(targets, o)
			}
		}
		if len(targets) == 0 {
			return p, posError(CodeInvalidField, query, pos, fmt.Sprintf(msgNoRel, seg))
		}
		p.hops = append(p.hops, hop{ref: ref, targets: targets})
		p.rels = append(p.rels, ref.RelationshipName)
		cur = targets
	}
	return p, nil
}

func fieldOn(objs []Object, name string) (Field, bool) {
	for _, o := range objs {
		if f, ok := o.Field(name); ok {
			return f, true
		}
	}
	return Field{}, false
}

// relationshipOn finds the reference field whose relationship name is rel:
// Account → AccountId, Owner → OwnerId, Foo__r → Foo__c.
func relationshipOn(objs []Object, rel string) (Field, bool) {
	candidates := []string{rel + "Id"}
	if base, ok := strings.CutSuffix(strings.ToLower(rel), "__r"); ok {
		candidates = []string{rel[:len(base)] + "__c"}
	}
	for _, o := range objs {
		for _, c := range candidates {
			f, ok := o.Field(c)
			if ok && f.ReferenceTo != "" && (f.RelationshipName == "" || strings.EqualFold(f.RelationshipName, rel)) {
				if f.RelationshipName == "" {
					f.RelationshipName = rel
				}
				return f, true
			}
		}
	}
	return Field{}, false
}
