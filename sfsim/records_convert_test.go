package sfsim

import (
	"fmt"
	"strings"
	"testing"
)

// TestConvertFieldValues pins what a write stores for each field type and
// which error code it answers with, one row per branch of convert.
func TestConvertFieldValues(t *testing.T) {
	e := newEnv(t)
	account := must201(e, v+"/sobjects/Account", `{"Name":"Convert Test"}`)
	gone := must201(e, v+"/sobjects/Account", `{"Name":"Convert Gone"}`)
	if resp, b := e.call("DELETE", v+"/sobjects/Account/"+gone, nil); resp.StatusCode != 204 {
		t.Fatalf("delete: %d %s", resp.StatusCode, b)
	}
	lead := must201(e, v+"/sobjects/Lead", `{"LastName":"Convert","Company":"Acme"}`)

	ref := &fieldDef{Name: "AccountId", Label: "Account ID", Type: "reference", ReferenceTo: []string{"Account"}}
	picklist := &fieldDef{Name: "Rating", Label: "Rating", Type: "picklist", Picklist: []string{"Hot", "Warm"}}
	restricted := &fieldDef{Name: "Rating", Label: "Rating", Type: "picklist", Picklist: []string{"Hot", "Warm"}, Restricted: true}
	tests := []struct {
		name     string
		field    *fieldDef
		in       any
		want     any
		wantCode string
	}{
		{"nil stays nil", &fieldDef{Type: "boolean"}, nil, nil, ""},
		{"boolean", &fieldDef{Type: "boolean"}, true, true, ""},
		{"boolean from text", &fieldDef{Type: "boolean"}, "false", false, ""},
		{"boolean bad text", &fieldDef{Type: "boolean"}, "maybe", nil, "JSON_PARSER_ERROR"},
		{"boolean from number", &fieldDef{Type: "boolean"}, 1.0, nil, "JSON_PARSER_ERROR"},
		{"int", &fieldDef{Type: "int"}, 12.0, 12.0, ""},
		{"int with fraction", &fieldDef{Type: "int"}, 1.5, nil, "JSON_PARSER_ERROR"},
		{"double with fraction", &fieldDef{Type: "double"}, 1.5, 1.5, ""},
		{"currency from text", &fieldDef{Type: "currency"}, "2.25", 2.25, ""},
		{"percent empty text", &fieldDef{Type: "percent"}, "", nil, ""},
		{"double bad text", &fieldDef{Type: "double"}, "lots", nil, "JSON_PARSER_ERROR"},
		{"double from bool", &fieldDef{Type: "double"}, true, nil, "JSON_PARSER_ERROR"},
		{"date", &fieldDef{Type: "date"}, "2026-03-01", "2026-03-01", ""},
		{"date from datetime", &fieldDef{Type: "date"}, "2026-03-01T23:30:00.000-0200", "2026-03-02", ""},
		{"date empty", &fieldDef{Type: "date"}, "", nil, ""},
		{"date bad", &fieldDef{Type: "date"}, "01/03/2026", nil, "JSON_PARSER_ERROR"},
		{"date long bad", &fieldDef{Type: "date"}, "2026-03-01 noon", nil, "JSON_PARSER_ERROR"},
		{"date not text", &fieldDef{Type: "date"}, 3.0, nil, "JSON_PARSER_ERROR"},
		{"datetime", &fieldDef{Type: "datetime"}, "2026-03-01T10:00:00Z", "2026-03-01T10:00:00.000+0000", ""},
		{"datetime local", &fieldDef{Type: "datetime"}, "2026-03-01T10:00:00", "2026-03-01T10:00:00.000+0000", ""},
		{"datetime empty", &fieldDef{Type: "datetime"}, "", nil, ""},
		{"datetime bad", &fieldDef{Type: "datetime"}, "tomorrow", nil, "JSON_PARSER_ERROR"},
		{"datetime not text", &fieldDef{Type: "datetime"}, false, nil, "JSON_PARSER_ERROR"},
		{"reference 18", ref, account, account, ""},
		{"reference 15", ref, account[:15], account, ""},
		{"reference empty", ref, "", nil, ""},
		{"reference not text", ref, 5.0, nil, "JSON_PARSER_ERROR"},
		{"reference malformed", ref, "not-an-id", nil, "MALFORMED_ID"},
		{"reference other object", ref, lead, nil, "MALFORMED_ID"},
		{"reference deleted", ref, gone, nil, "INVALID_CROSS_REFERENCE_KEY"},
		{"text", &fieldDef{Type: "string", Length: 5}, "abc", "abc", ""},
		{"text from number", &fieldDef{Type: "string"}, 2.5, "2.5", ""},
		{"text from bool", &fieldDef{Type: "string"}, true, "true", ""},
		{"text from object", &fieldDef{Type: "string"}, map[string]any{}, nil, "JSON_PARSER_ERROR"},
		{"text empty", &fieldDef{Type: "string"}, "", nil, ""},
		{"text too long", &fieldDef{Type: "string", Length: 3}, "abcd", nil, "STRING_TOO_LONG"},
		{"text length in runes", &fieldDef{Type: "string", Length: 3}, "äöü", "äöü", ""},
		{"email", &fieldDef{Type: "email"}, "a@b.example", "a@b.example", ""},
		{"email bad", &fieldDef{Type: "email"}, "a@", nil, "INVALID_EMAIL_ADDRESS"},
		{"picklist open", picklist, "cold", "cold", ""},
		{"picklist restricted canonical case", restricted, "hot", "Hot", ""},
		{"picklist restricted unknown", restricted, "Cold", nil, "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST"},
	}
	e.s.mu.Lock()
	defer e.s.mu.Unlock()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, apiErr := e.s.convert(e.s.db.schema.object("Contact"), tc.field, tc.in)
			gotCode := ""
			if apiErr != nil {
				gotCode = apiErr.Code
			}
			if gotCode != tc.wantCode || fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Errorf("convert(%s, %#v) = %#v, %v; want %#v, code %q", tc.field.Type, tc.in, got, apiErr, tc.want, tc.wantCode)
			}
		})
	}
}

// TestConvertErrorMessages pins the wording of convert's errors, which
// clients see in the REST answer.
func TestConvertErrorMessages(t *testing.T) {
	e := newEnv(t)
	tests := []struct {
		field *fieldDef
		in    any
		want  string
	}{
		{&fieldDef{Type: "int"}, "x", "Cannot deserialize instance of int from VALUE_STRING value x"},
		{&fieldDef{Type: "reference", Label: "Account ID", ReferenceTo: []string{"Account"}}, true, "Cannot deserialize instance of id from VALUE_TRUE value true"},
		{&fieldDef{Type: "reference", Label: "Account ID", ReferenceTo: []string{"Account"}}, "x", "Account ID: id value of incorrect type: x"},
		{&fieldDef{Type: "string", Label: "Title", Length: 2}, "abc", "Title: data value too large: abc (max length=2)"},
		{&fieldDef{Type: "string", Label: "Title"}, []any{}, "Cannot deserialize instance of String from START_ARRAY value []"},
		{&fieldDef{Type: "email", Label: "Email"}, "x", "Email: invalid email address: x"},
		{&fieldDef{Type: "picklist", Label: "Rating", Restricted: true, Picklist: []string{"Hot"}}, "x", "Rating: bad value for restricted picklist field: x"},
	}
	e.s.mu.Lock()
	defer e.s.mu.Unlock()
	for _, tc := range tests {
		_, apiErr := e.s.convert(nil, tc.field, tc.in)
		if apiErr == nil || !strings.HasPrefix(apiErr.Message, tc.want) {
			t.Errorf("convert(%s, %#v) error = %v; want a message starting %q", tc.field.Type, tc.in, apiErr, tc.want)
		}
	}
}
