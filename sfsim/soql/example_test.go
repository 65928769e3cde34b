package soql_test

import (
	"errors"
	"fmt"
	"strings"

	"github.com/botforge/dialogd/sfsim/soql"
)

// leadSchema is a one-object schema.
type leadSchema struct{}

func (leadSchema) Name() string { return "Lead" }

func (leadSchema) Field(name string) (soql.Field, bool) {
	switch strings.ToLower(name) {
	case "id":
		return soql.Field{Name: "Id", Type: "id"}, true
	case "lastname":
		return soql.Field{Name: "LastName", Type: "string"}, true
	case "email":
		return soql.Field{Name: "Email", Type: "email"}, true
	}
	return soql.Field{}, false
}

func (leadSchema) Child(string) (string, string, bool) { return "", "", false }

// leads is a Source holding a slice of Lead records.
type leads []map[string]any

func (leads) Object(name string) (soql.Object, bool) {
	return leadSchema{}, strings.EqualFold(name, "Lead")
}

func (l leads) Scan(_ string, fn func(map[string]any) bool) {
	for _, r := range l {
		if !fn(r) {
			return
		}
	}
}

func (l leads) Get(_, id string) (map[string]any, bool) {
	for _, r := range l {
		if r["Id"] == id {
			return r, true
		}
	}
	return nil, false
}

func Example() {
	src := leads{
		{"Id": "00Q000000000001EAA", "LastName": "O'Brien", "Email": "ob@example.com"},
		{"Id": "00Q000000000002EAA", "LastName": "Lovelace", "Email": "ada@example.com"},
	}
	userInput := "O'Brien"
	q, err := soql.Parse("SELECT LastName, Email FROM Lead WHERE LastName = " + soql.Quote(userInput))
	if err != nil {
		fmt.Println(err)
		return
	}
	res, err := soql.Execute(q, src, soql.Options{Version: "62.0"})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, r := range res.Records {
		fmt.Println(r["attributes"].(map[string]any)["url"], r["LastName"], r["Email"])
	}

	// Pasting the value in unescaped breaks the query the way Salesforce
	// reports it: the message carries caret diagnostics.
	_, err = soql.Parse("SELECT Id FROM Lead WHERE LastName = '" + userInput + "'")
	var se *soql.Error
	if errors.As(err, &se) {
		fmt.Println(se.Code)
		fmt.Println(strings.TrimPrefix(se.Message, "\n"))
	}
	// Output:
	// /services/data/v62.0/sobjects/Lead/00Q000000000001EAA O'Brien ob@example.com
	// MALFORMED_QUERY
	// WHERE LastName = 'O'Brien'
	//                     ^
	// ERROR at Row:1:Column:41
	// unexpected token: 'Brien'
}
