package examples_test

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/botforge/dialogd/auth"
	"github.com/botforge/dialogd/dialog"
	"github.com/botforge/dialogd/templates"
)

func TestSalesforceExampleLoads(t *testing.T) {
	bot, err := dialog.LoadDir("salesforce")
	if err != nil {
		t.Fatalf("examples/salesforce does not load: %v", err)
	}
	if got, want := bot.TaskNames(), []string{"create_case", "create_lead", "find_open_cases"}; !slices.Equal(got, want) {
		t.Errorf("tasks = %q, want %q", got, want)
	}
	p := bot.Config.AuthProfiles["salesforce"]
	if p == nil {
		t.Fatalf("no auth profile salesforce (have %v)", bot.Config.AuthProfiles)
	}
	checks := []struct {
		what      string
		got, want any
	}{
		{"kind", p.Kind, auth.KindOAuth2},
		{"mode", p.Mode, auth.ModePerUser},
		{"salesforce preset", p.Salesforce != nil, true},
		{"client_secret", p.ClientSecret, auth.SecretRef{Env: "SF_CLIENT_SECRET"}},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("profile salesforce: %s = %v, want %v", c.what, c.got, c.want)
		}
	}
}

// TestSalesforceExampleMatchesTemplates checks that the committed tasks are
// what botctl install writes today, so the example follows the templates.
func TestSalesforceExampleMatchesTemplates(t *testing.T) {
	for template, file := range map[string]string{
		"salesforce_create_case":     "create_case.yaml",
		"salesforce_create_lead":     "create_lead.yaml",
		"salesforce_find_open_cases": "find_open_cases.yaml",
	} {
		tpl, err := templates.Get(template)
		if err != nil {
			t.Fatal(err)
		}
		want, err := tpl.Render(nil)
		if err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(filepath.Join("salesforce", "tasks", file))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("examples/salesforce/tasks/%s differs from template %s; reinstall it with botctl install -force %s examples/salesforce",
				file, template, template)
		}
	}
}
