package sfsim

import (
	"errors"
	"os"
	"strings"
	"testing"
)

func TestDemoFixture(t *testing.T) {
	fx, err := DemoFixture()
	if err != nil {
		t.Fatal(err)
	}
	s, err := New(WithFixture(fx))
	if err != nil {
		t.Fatal(err)
	}
	c, err := s.Credentials()
	if err != nil {
		t.Fatal(err)
	}
	fc, _ := fx.Credentials()
	if c != fc {
		t.Errorf("server credentials %+v differ from fixture credentials %+v", c, fc)
	}
	if !s.appByKey(c.ClientID).AllowPasswordFlow {
		t.Errorf("the demo app must allow the password flow")
	}
	counts := map[string]int{"Account": 2, "Contact": 2, "Lead": 1, "Opportunity": 1, "Case": 1, "User": 2, "LeadStatus": 4, "ServicePresenceStatus": 3}
	for obj, want := range counts {
		if got := len(s.findRecords(obj, func(map[string]any) bool { return true })); got != want {
			t.Errorf("%s records = %d; want %d", obj, got, want)
		}
	}
	jane := s.findRecords("Contact", func(r map[string]any) bool { return r["Email"] == "jane.doe@acme.example" })
	acme := s.findRecords("Account", func(r map[string]any) bool { return r["Name"] == "Acme Corporation" })
	if len(jane) != 1 || len(acme) != 1 || jane[0]["AccountId"] != acme[0]["Id"] {
		t.Errorf("@acme reference not resolved: contact %v, account %v", jane, acme)
	}
}

func TestFixtureErrors(t *testing.T) {
	base := "users: [{username: a@b.c, password: p}]\n"
	tests := []struct {
		name, yaml, want string
	}{
		{"unknown key", base + "bogus: 1\n", "field bogus not found"},
		{"bad org id", "org: {id: 001000000000001}\n" + base, "org.id"},
		{"no users", "org: {name: x}\n", "at least one user"},
		{"duplicate username", "users: [{username: a@b.c}, {username: A@B.C}]\n", "duplicate username"},
		{"unknown object", base + "records: {Widget: [{Name: x}]}\n", "records.Widget: unknown object"},
		{"unknown reference", base + "records: {Contact: [{LastName: x, AccountId: '@nope'}]}\n", "unknown reference @nope"},
		{"invalid record", base + "records: {Contact: [{FirstName: x}]}\n", "REQUIRED_FIELD_MISSING"},
		{"bad custom field", base + "customFields: {Account: [{name: NoSuffix, type: string}]}\n", "must end in __c"},
		{"custom field on unknown object", base + "customFields: {Widget: [{name: X__c, type: string}]}\n", "customFields.Widget"},
		{"bad duplicate rule", base + "duplicateRules: [{object: Lead, field: Nope}]\n", "unknown field Lead.Nope"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fx, err := ParseFixture([]byte(tt.yaml))
			if err == nil {
				_, err = New(WithFixture(fx))
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error = %v; want it to mention %q", err, tt.want)
			}
		})
	}
}

func TestFixtureErrorType(t *testing.T) {
	fx, err := ParseFixture([]byte("users: [{username: a@b.c}]\nrecords: {Lead: [{LastName: x}]}\n"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = New(WithFixture(fx))
	var fe *FixtureError
	if !errors.As(err, &fe) || fe.Path != "records.Lead[0]" {
		t.Fatalf("error = %#v; want *FixtureError at records.Lead[0]", err)
	}
}

func FuzzFixture(f *testing.F) {
	demo, err := os.ReadFile("demo.yaml")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(demo)
	f.Add([]byte("users: [{username: a@b.c}]\nrecords: {Account: [{_ref: a, Name: x}], Contact: [{LastName: y, AccountId: '@a'}]}\n"))
	f.Add([]byte("org: {id: 00D000000000001, sessionTimeout: 1h}\nusers: [{username: u}]\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		fx, err := ParseFixture(b)
		if err != nil {
			return
		}
		s, err := New(WithFixture(fx))
		if err != nil {
			var fe *FixtureError
			if !errors.As(err, &fe) {
				t.Fatalf("New failed with %T %v; want *FixtureError", err, err)
			}
			return
		}
		if len(s.Org().Users) == 0 || !looksLikeID(s.Org().ID) {
			t.Fatalf("seeded org without users or with a bad id: %+v", s.Org())
		}
	})
}
