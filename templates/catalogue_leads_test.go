package templates

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
)

// leadTemplates are Kore.ai's seven Salesforce templates (koreai.md §(b)):
// six on Leads and one on Opportunities.
var leadTemplates = []string{
	"salesforce_create_lead",
	"salesforce_update_lead",
	"salesforce_view_lead",
	"salesforce_list_leads",
	"salesforce_search_leads",
	"salesforce_delete_lead",
	"salesforce_create_opportunity",
}

// leadTemplate parses the template from its file, not from the embedded
// catalogue, so that these tests need only this template to be well-formed.
func leadTemplate(t *testing.T, name string) *Template {
	t.Helper()
	file := name + ".yaml"
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	tpl, err := Parse(file, data)
	if err != nil {
		t.Fatal(err)
	}
	return tpl
}

// runLeadTemplate runs the template's own tests (or tests, when given)
// against sf.
func runLeadTemplate(t *testing.T, sf *salesforce, name string, tests ...Test) {
	t.Helper()
	tpl := leadTemplate(t, name)
	if len(tests) > 0 {
		c := *tpl
		c.Tests = tests
		tpl = &c
	}
	if err := tpl.RunTests(context.Background(), sf.options()); err != nil {
		t.Fatal(err)
	}
}

func TestGoldenLeadTemplates(t *testing.T) {
	for _, name := range leadTemplates {
		t.Run(name, func(t *testing.T) {
			if _, err := os.Stat(name + ".yaml"); err != nil {
				t.Skip("not written yet")
			}
			got, err := leadTemplate(t, name).Render(nil)
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join("testdata", name+".golden.yaml")
			if *update {
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("rendered %s differs from %s (run go test -update if intended)\ngot:\n%s", name, path, got)
			}
		})
	}
}

func TestLeadTemplatesOwnTests(t *testing.T) {
	for _, name := range leadTemplates {
		t.Run(name, func(t *testing.T) {
			if _, err := os.Stat(name + ".yaml"); err != nil {
				t.Skip("not written yet")
			}
			runLeadTemplate(t, newSalesforce(t), name)
		})
	}
}
