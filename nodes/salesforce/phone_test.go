package salesforce_test

import (
	"net/url"
	"regexp"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/botforge/dialogd/nodes"
)

// phoneTasks find a contact, then a lead, by a number in Phone or
// MobilePhone: one from the phone entity (E.164), one as typed.
var phoneTasks = map[string]string{
	"by_number": `name: by_number
nodes:
  - {id: start, type: intent, utterances: [contact by number], next: number}
  - {id: number, type: entity, entity_type: phone, prompt: "Which number?", next: find}
  - id: find
    type: salesforce
    operation: find
    object: Contact
    any_of:
      - {Phone: {phone: "{{ entities.number }}"}}
      - {MobilePhone: {phone: "{{ entities.number }}"}}
    select: [Id, Name]
    order_by: Name
    next: found
  - {id: found, type: message, text: "Contacts {{ find.count }}: {{ find.records | default: \"[]\" }}"}
`,
	"lead_by_typed": `name: lead_by_typed
nodes:
  - {id: start, type: intent, utterances: [lead by typed number], next: typed}
  - {id: typed, type: entity, entity_type: string, prompt: "Type it", next: find}
  - id: find
    type: salesforce
    operation: find
    object: Lead
    where: {IsConverted: false, Phone: {phone: "{{ entities.typed }}"}}
    region: DE
    select: [Name]
    on_not_found: none
    next: found
  - {id: found, type: message, text: "Lead {{ find.count }}: {{ find.record.Name }}"}
  - {id: none, type: message, text: "No lead"}
`,
}

// seedPhones stores numbers the way people type them.
func seedPhones(c *chat) {
	c.t.Helper()
	c.create("Contact", map[string]any{"LastName": "Paren", "Phone": "(212) 555-0142"})
	c.create("Contact", map[string]any{"LastName": "Mobile", "MobilePhone": "+1 212-555-0142"})
	c.create("Contact", map[string]any{"LastName": "Dotted", "Phone": "212.555.0199 ext. 7"})
	c.create("Contact", map[string]any{"LastName": "Berlin", "Phone": "+49 (0)30 1234567"})
	c.create("Contact", map[string]any{"LastName": "Tokyo", "MobilePhone": "03-1234-5678"})
	c.create("Contact", map[string]any{"LastName": "Other", "Phone": "+1 312 555 0142"}) // same last digits, another number
	c.create("Contact", map[string]any{"LastName": "Abroad", "Phone": "001 646 555 0123"})
	c.create("Lead", map[string]any{"LastName": "Kaiser", "Company": "K GmbH", "Phone": "030 / 98 76 54"})
	c.create("Lead", map[string]any{"LastName": "Quote", "Company": "Q", "Phone": "0' OR Phone != '"})
}

// TestFindByPhoneMatchesStoredFormats: a number the user gives in any
// format, in any of the bot's languages, finds the records whose Phone or
// MobilePhone is the same number stored in another format, and nothing
// else.
func TestFindByPhoneMatchesStoredFormats(t *testing.T) {
	c := newChat(t, phoneTasks)
	seedPhones(c)
	for _, tt := range []struct{ typed, want string }{
		{"+1 212 555 0142", "Contacts 2"},
		{"(212) 555-0142", "Contacts 2"},
		{"2125550142", "Contacts 2"},
		{"+12125550199", "Contacts 1"},    // stored with an extension
		{"+1 415 555 0101", "Contacts 1"}, // the demo org's Jane Doe
		{"+49 30 1234567", "Contacts 1"},  // stored with (0)
		{"+81 3 1234 5678", "Contacts 0"}, // stored as 03-…: read in the conversation's region, US
		{"+1 646 555 0123", "Contacts 1"}, // stored with 00 for +
		{"+1 212 555 0143", "Contacts 0"}, // one digit off
		{"+1 312 555 0199", "Contacts 0"}, // the same last digits
	} {
		c.expect("contact by number", "Which number?")
		got := texts(c.say(tt.typed))
		if !strings.HasPrefix(got, tt.want+":") {
			t.Errorf("%q: got %q; want %s", tt.typed, got, tt.want)
		}
	}
	c.expect("contact by number", "Which number?")
	if got := texts(c.say("(212) 555-0142")); !strings.Contains(got, `"Name":"Mobile"`) || !strings.Contains(got, `"Name":"Paren"`) {
		t.Errorf("both formats of one number: %q; want Mobile and Paren", got)
	}
}

// TestFindByPhoneRegion: a number without a country code, and the org's
// national numbers, are read in the node's region (DE), whatever the
// conversation's language.
func TestFindByPhoneRegion(t *testing.T) {
	c := newChat(t, phoneTasks)
	seedPhones(c)
	for _, tt := range []struct{ typed, want string }{
		{"030 987654", "Lead 1: Kaiser"},
		{"+49 30 987654", "Lead 1: Kaiser"},
		{"0049 30 98 76 54", "Lead 1: Kaiser"},
		{"+1 30 987654", "No lead"},
		{"030 987655", "No lead"},
	} {
		c.expect("lead by typed number", "Type it")
		if got := texts(c.say(tt.typed)); got != tt.want {
			t.Errorf("%q: got %q; want %q", tt.typed, got, tt.want)
		}
	}
}

// phoneLikeRE is the only form a phone condition takes in a query.
var phoneLikeRE = regexp.MustCompile(`(Phone|MobilePhone) LIKE '%([0-9]%)+'`)

// TestFindByPhoneRefusesInjection: quotes, backslashes and LIKE wildcards
// in the number find nothing (a stored "0' OR Phone != '" included), and
// the queries sent hold digits and % only where the number goes.
func TestFindByPhoneRefusesInjection(t *testing.T) {
	c := newChat(t, phoneTasks)
	seedPhones(c)
	c.org.Sim.ResetRequests()
	for _, v := range []string{
		`'`, `\`, `%`, `_`, `%%`, `0%`, `030_987654`, `030' OR Phone != '`, `030\' OR Phone != \'`,
		`030 987654' OR Name != '`, `0' OR Phone != '`, `+49 30 98765%`, `%30 987654`,
	} {
		c.expect("lead by typed number", "Type it")
		if got := texts(c.say(v)); got != "No lead" {
			t.Errorf("%q: got %q; want No lead", v, got)
		}
	}
	c.expect("lead by typed number", "Type it")
	c.expect("030 987654", "Lead 1: Kaiser")
	queries := 0
	for _, r := range c.org.Sim.Requests() {
		if !strings.HasSuffix(r.Path, "/query") {
			continue
		}
		queries++
		q, _ := url.ParseQuery(r.Query)
		soql := q.Get("q")
		rest := phoneLikeRE.ReplaceAllString(soql, "")
		if strings.ContainsAny(rest, `'\%`) {
			t.Errorf("query %q: quotes, backslashes or %% outside the phone pattern", soql)
		}
	}
	if queries == 0 {
		t.Error("no query reached sfsim")
	}
}

// TestPhoneConditionConfigErrors: a phone condition's mistakes are told
// where they are written.
func TestPhoneConditionConfigErrors(t *testing.T) {
	for _, tt := range []struct{ name, yaml, want string }{
		{"number literal", `{operation: find, object: Contact, where: {Phone: {phone: 4155550101}}}`, "phone wants text"},
		{"unknown region", `{operation: find, object: Contact, region: XX, where: {Phone: {phone: "{{ input }}"}}}`, `region "XX" is not a known phone region`},
		{"region without phone", `{operation: find, object: Contact, region: DE, where: {Email: "{{ input }}"}}`, "region is only for a find with a phone condition"},
		{"mixed any_of", `{operation: find, object: Contact, any_of: [{Phone: {phone: "{{ input }}"}}, {Email: "{{ input }}"}]}`, "any_of[1]: beside a group with a phone condition (any_of[0])"},
		{"misspelt operator", `{operation: find, object: Contact, where: {Phone: {phon: "{{ input }}"}}}`, `unknown operator "phon"`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var doc yaml.Node
			if err := yaml.Unmarshal([]byte(tt.yaml), &doc); err != nil {
				t.Fatal(err)
			}
			host := nodes.Host{NodeID: "find", Languages: []string{"en"}, AuthProfiles: map[string]bool{"salesforce": true}}
			_, err := nodes.Default().DecodeNode("salesforce", nodes.NodeSource{File: "task.yaml", Path: "nodes.find", Config: doc.Content[0]}, host)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v; want an error containing %q", err, tt.want)
			}
		})
	}
}
