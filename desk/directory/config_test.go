package directory_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/botforge/dialogd/desk/directory"
	"github.com/botforge/dialogd/nodes"
)

// decode parses a bot.yaml holding src and decodes its directory: section.
func decode(t *testing.T, src string) (*directory.Config, error) {
	t.Helper()
	root, err := nodes.ParseYAML("bot.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	_, section := nodes.MappingValue(root, "directory")
	return directory.Decode(section, "bot.yaml")
}

func TestDecodeDefaults(t *testing.T) {
	cfg, err := decode(t, "name: acme\ndirectory:\n  salesforce: sf_admin\n  object: Lead\n")
	if err != nil {
		t.Fatal(err)
	}
	want := directory.Config{Salesforce: "sf_admin", Object: "Lead", Every: 24 * time.Hour, MaxPerRun: 2000, FirstRunSince: 8760 * time.Hour}
	if *cfg != want {
		t.Errorf("got %+v, want %+v", *cfg, want)
	}
	cfg, err = decode(t, "name: acme\n")
	if cfg != nil || err != nil {
		t.Errorf("no directory section: got %+v, %v; want nil, nil", cfg, err)
	}
}

func TestDecodeErrors(t *testing.T) {
	tests := []struct {
		name, src string
		want      []string
	}{
		{"unknown key and bad object", "directory:\n  salesforce: sf\n  object: Opportunity\n  evry: 1h\n",
			[]string{
				"bot.yaml:3:11: directory.object: unknown object \"Opportunity\" (want Lead, Contact or Account)",
				"bot.yaml:4:3: directory: unknown key \"evry\" (did you mean \"every\"?)",
			}},
		{"every values", "directory:\n  object: Contact\n  every: 30s\n  max_per_run: 0\n  first_run_since: -1h\n",
			[]string{
				"bot.yaml:2:3: directory.salesforce: required: the auth profile to import with",
				"bot.yaml:3:10: directory.every: 30s is too often (at least 1m0s)",
				"bot.yaml:5:20: directory.first_run_since: must not be negative",
			}},
		{"wrong types", "directory:\n  salesforce: [a]\n  every: soon\n",
			[]string{"bot.yaml:2:15: directory.salesforce:", "bot.yaml:3:10: directory.every:"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := decode(t, tt.src)
			var errs nodes.ConfigErrors
			if !errors.As(err, &errs) {
				t.Fatalf("got %v (%T), want nodes.ConfigErrors", err, err)
			}
			for _, w := range tt.want {
				found := false
				for _, e := range errs {
					if strings.HasPrefix(e.Error(), w) {
						found = true
					}
				}
				if !found {
					t.Errorf("got\n%v\nwant a line starting %q", err, w)
				}
			}
		})
	}
}
