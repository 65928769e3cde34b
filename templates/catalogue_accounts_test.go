package templates

import (
	"context"
	"os"
	"testing"
)

// accountTemplates are the Contact and Account actions of the catalogue
// and Convert a Lead (seed 004, Zendesk Action Builder's actions).
var accountTemplates = []string{
	"salesforce_create_contact",
	"salesforce_create_account",
	"salesforce_find_contact",
	"salesforce_find_account",
	"salesforce_delete_contact",
	"salesforce_delete_account",
	"salesforce_update_contact",
	"salesforce_update_account",
	"salesforce_convert_lead",
}

// loadOwn parses a template from its file, so that these tests do not
// depend on every other file of the catalogue parsing.
func loadOwn(t *testing.T, name string) *Template {
	t.Helper()
	data, err := os.ReadFile(name + ".yaml")
	if err != nil {
		t.Fatal(err)
	}
	tpl, err := Parse(name+".yaml", data)
	if err != nil {
		t.Fatal(err)
	}
	return tpl
}

// TestAccountTemplatesPassTheirTests runs each template's own tests
// against sfsim, each template with a fresh org.
func TestAccountTemplatesPassTheirTests(t *testing.T) {
	for _, name := range accountTemplates {
		t.Run(name, func(t *testing.T) {
			tpl := loadOwn(t, name)
			if err := tpl.RunTests(context.Background(), newSalesforce(t).options()); err != nil {
				t.Fatal(err)
			}
		})
	}
}
