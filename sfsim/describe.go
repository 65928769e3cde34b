package sfsim

import "net/http"

func (s *Server) objectURLs(o *objectDef, version string) map[string]string {
	b := "/services/data/v" + version + "/sobjects/" + o.Name
	return map[string]string{"sobject": b, "describe": b + "/describe", "rowTemplate": b + "/{ID}"}
}

// objectSummary is the per-object entry of the global describe.
func (s *Server) objectSummary(o *objectDef, version string) orderedMap {
	om := orderedMap{vals: map[string]any{}}
	for _, kv := range []struct {
		k string
		v any
	}{
		{"activateable", false}, {"createable", o.Createable}, {"custom", false}, {"customSetting", false},
		{"deletable", o.Deletable}, {"deprecatedAndHidden", false}, {"feedEnabled", false}, {"hasSubtypes", false},
		{"isSubtype", false}, {"keyPrefix", o.KeyPrefix}, {"label", o.Label}, {"labelPlural", o.LabelPlural},
		{"layoutable", o.Createable}, {"mergeable", o.Name == "Account" || o.Name == "Contact" || o.Name == "Lead"},
		{"mruEnabled", o.Createable}, {"name", o.Name}, {"queryable", true}, {"replicateable", true},
		{"retrieveable", true}, {"searchable", o.Createable}, {"triggerable", o.Createable}, {"undeletable", o.Deletable},
		{"updateable", o.Updateable}, {"urls", s.objectURLs(o, version)},
	} {
		om.set(kv.k, kv.v)
	}
	return om
}

func (s *Server) serveGlobalDescribe(d *dataReq) {
	list := make([]any, 0, len(s.db.schema.names))
	for _, n := range s.db.schema.names {
		list = append(list, s.objectSummary(s.db.schema.object(n), d.version))
	}
	writeJSON(d.w, http.StatusOK, map[string]any{"encoding": "UTF-8", "maxBatchSize": 200, "sobjects": list})
}

// serveBasicInfo is GET /sobjects/{Object}: the summary plus recent items.
func (s *Server) serveBasicInfo(d *dataReq, o *objectDef) {
	s.mu.RLock()
	t := s.db.table(o.Name)
	recent := []any{}
	for i := len(t.rows) - 1; i >= 0 && len(recent) < 10; i-- {
		r := t.rows[i]
		if r.deleted {
			continue
		}
		om := orderedMap{vals: map[string]any{}}
		om.set("attributes", attributes(o.Name, r.f["Id"].(string), d.version))
		om.set("Id", r.f["Id"])
		if o.field("Name") != nil {
			om.set("Name", r.f["Name"])
		}
		recent = append(recent, om)
	}
	s.mu.RUnlock()
	writeJSON(d.w, http.StatusOK, map[string]any{"objectDescribe": s.objectSummary(o, d.version), "recentItems": recent})
}

func describeField(f *fieldDef) orderedMap {
	om := orderedMap{vals: map[string]any{}}
	picks := []any{}
	for _, p := range f.Picklist {
		picks = append(picks, map[string]any{"active": true, "defaultValue": f.Default == p, "label": p, "validFor": nil, "value": p})
	}
	refTo := f.ReferenceTo
	if refTo == nil {
		refTo = []string{}
	}
	length := f.Length
	switch f.Type {
	case "boolean", "int", "double", "currency", "percent", "date", "datetime":
		length = 0
	}
	var rel any
	if f.RelationshipName != "" {
		rel = f.RelationshipName
	}
	var def any
	if f.Type == "boolean" || f.Type == "picklist" {
		def = f.Default // null when the field has no default
	}
	soapType := map[string]string{"id": "tns:ID", "reference": "tns:ID", "boolean": "xsd:boolean", "int": "xsd:int",
		"double": "xsd:double", "currency": "xsd:double", "percent": "xsd:double", "date": "xsd:date", "datetime": "xsd:dateTime"}[f.Type]
	if soapType == "" {
		soapType = "xsd:string"
	}
	for _, kv := range []struct {
		k string
		v any
	}{
		{"aggregatable", f.Type != "textarea"}, {"autoNumber", f.Name == "CaseNumber"}, {"byteLength", length * 3},
		{"calculated", false}, {"caseSensitive", false}, {"createable", f.Createable}, {"custom", f.Custom},
		{"defaultValue", def}, {"defaultedOnCreate", f.Defaulted}, {"deprecatedAndHidden", false},
		{"externalId", f.ExternalID}, {"filterable", f.Type != "textarea"}, {"groupable", f.Type != "textarea"},
		{"idLookup", f.IDLookup}, {"label", f.Label}, {"length", length}, {"name", f.Name},
		{"nameField", f.Name == "Name"}, {"nillable", f.Nillable}, {"picklistValues", picks},
		{"polymorphicForeignKey", len(f.ReferenceTo) > 1}, {"referenceTo", refTo}, {"relationshipName", rel},
		{"restrictedPicklist", f.Restricted}, {"soapType", soapType}, {"sortable", f.Type != "textarea"},
		{"type", f.Type}, {"unique", f.Unique}, {"updateable", f.Updateable},
	} {
		om.set(kv.k, kv.v)
	}
	return om
}

func (s *Server) serveDescribe(d *dataReq, o *objectDef) {
	om := s.objectSummary(o, d.version)
	children := []any{}
	for _, c := range o.children {
		children = append(children, map[string]any{"cascadeDelete": false, "childSObject": c.Child, "deprecatedAndHidden": false,
			"field": c.Field, "relationshipName": c.Name, "restrictedDelete": false})
	}
	fields := make([]any, 0, len(o.Fields))
	for _, f := range o.Fields {
		fields = append(fields, describeField(f))
	}
	om.set("childRelationships", children)
	om.set("fields", fields)
	om.set("recordTypeInfos", []any{map[string]any{"active": true, "available": true, "defaultRecordTypeMapping": true,
		"developerName": "Master", "master": true, "name": "Master", "recordTypeId": "012000000000000AAA",
		"urls": map[string]string{"layout": "/services/data/v" + d.version + "/sobjects/" + o.Name + "/describe/layouts/012000000000000AAA"}}})
	writeJSON(d.w, http.StatusOK, om)
}
