package salesforce_test

import (
	"fmt"
	"strings"
	"testing"
)

// lookupTasks find contacts by e-mail (find), leads by keyword (search),
// and a record by id (get).
var lookupTasks = map[string]string{
	"find_contact": `name: find_contact
nodes:
  - {id: start, type: intent, utterances: [find contact], next: email}
  - {id: email, type: entity, entity_type: string, prompt: "Which e-mail?", next: find}
  - id: find
    type: salesforce
    operation: find
    object: Contact
    where: {Email: "{{ entities.email }}"}
    select: [Id, Name, Email, Account.Name]
    on_not_found: none
    next: found
  - {id: found, type: message, text: "Found {{ find.count }}: {{ find.record.Name }} of {{ find.record.Account.Name }}"}
  - {id: none, type: message, text: "No contact with {{ entities.email }}"}
`,
	"find_by_name": `name: find_by_name
nodes:
  - {id: start, type: intent, utterances: [find by name], next: name}
  - {id: name, type: entity, entity_type: string, prompt: "Which name?", next: find}
  - id: find
    type: salesforce
    operation: find
    object: Contact
    where: {LastName: {starts_with: "{{ entities.name }}"}}
    next: found
  - {id: found, type: message, text: "Count {{ find.count }}"}
`,
	"search_leads": `name: search_leads
nodes:
  - {id: start, type: intent, utterances: [search leads], next: keyword}
  - {id: keyword, type: entity, entity_type: string, prompt: "Keyword?", next: search}
  - id: search
    type: salesforce
    operation: search
    object: Lead
    search: "{{ entities.keyword }}"
    select: [Id, Name, Company]
    next: found
  - {id: found, type: message, text: "Leads {{ search.count }}"}
`,
	"by_phone": `name: by_phone
nodes:
  - {id: start, type: intent, utterances: [find by phone], next: phone}
  - {id: phone, type: entity, entity_type: phone, prompt: "Which number?", next: search}
  - {id: search, type: salesforce, operation: search, object: Contact, search: "{{ entities.phone }}", search_in: phone, select: [Id, Name, Phone], next: found}
  - {id: found, type: message, text: "Phone {{ search.count }}: {{ search.record.Name | default: \"nobody\" }}"}
`,
	"view_record": `name: view_record
nodes:
  - {id: start, type: intent, utterances: [view lead], next: lead_id}
  - {id: lead_id, type: entity, entity_type: string, prompt: "Lead id?", next: get}
  - {id: get, type: salesforce, operation: get, object: Lead, record_id: "{{ entities.lead_id }}", select: [Name, Company], next: shown}
  - {id: shown, type: message, text: "{{ get.record.Name }} at {{ get.record.Company }}"}
`,
}

func TestFindContact(t *testing.T) {
	c := newChat(t, lookupTasks)
	c.expect("find contact", "Which e-mail?")
	c.expect("jane.doe@acme.example", "Found 1: Jane Doe of Acme Corporation")
	c.expect("find contact", "Which e-mail?")
	c.expect("nobody@acme.example", "No contact with nobody@acme.example")
}

// TestLookupsRefuseInjection: values that would change a query built by
// string concatenation (quotes, backslashes, LIKE wildcards, SOSL
// operators) find nothing extra in every lookup.
func TestLookupsRefuseInjection(t *testing.T) {
	c := newChat(t, lookupTasks)
	for _, v := range []string{
		`x' OR Email != '`, `\' OR Email != \'`, `jane.doe@acme.example' OR LastName != '`,
		`%`, `_`, `%@%`, `\`, `'`, `"`, `jane.doe@acme.example\`,
	} {
		c.expect("find contact", "Which e-mail?")
		if got := texts(c.say(v)); !strings.Contains(got, "No contact with") {
			t.Errorf("find by e-mail %q: %q; want no contact", v, got)
		}
	}
	for _, v := range []string{`%`, `_`, `D%`, `' OR LastName != '`, `\`} {
		c.expect("find by name", "Which name?")
		if got := texts(c.say(v)); got != "Count 0" {
			t.Errorf("find by name starting %q: %q; want Count 0", v, got)
		}
	}
	c.expect("find by name", "Which name?")
	c.expect("Do", "Count 1") // the real prefix still finds Jane Doe
	for _, v := range []string{`Lena OR Initech`, `"Lena" AND NOT x`, `Lena*`, `{Lena}`, `Lena) OR (x`} {
		c.expect("search leads", "Keyword?")
		got := texts(c.say(v))
		if got != "Leads 0" && got != "Leads 1" {
			t.Errorf("search %q: %q; want at most the one Lena lead", v, got)
		}
	}
	c.expect("search leads", "Keyword?")
	c.expect("Initech", "Leads 1")
}

func TestGetRecord(t *testing.T) {
	c := newChat(t, lookupTasks)
	res, err := c.org.Sim.RunQuery("SELECT Id FROM Lead WHERE Email = 'lena@initech.example'", false)
	if err != nil {
		t.Fatal(err)
	}
	id := res.Records[0]["Id"].(string)
	c.expect("view lead", "Lead id?")
	c.expect(id, "Lena Lead at Initech")
	for _, bad := range []string{id[:15], "00Q000000000000AAA", "not an id", "../../sobjects/Account"} {
		c.expect("view lead", "Lead id?")
		got := texts(c.say(bad))
		if bad == id[:15] {
			if got != "Lena Lead at Initech" {
				t.Errorf("15-character id: %q; want the lead", got)
			}
			continue
		}
		if !strings.Contains(got, "could not find that record") {
			t.Errorf("id %q: %q; want not found", bad, got)
		}
	}
}

// TestUpdateDeleteConvert: the record's other operations, and a lead
// converted to an account, a contact and an opportunity.
func TestUpdateDeleteConvert(t *testing.T) {
	c := newChat(t, map[string]string{"ops": `name: ops
nodes:
  - {id: start, type: intent, utterances: [work on lead], next: lead}
  - {id: lead, type: entity, entity_type: string, prompt: "Lead id?", next: what}
  - {id: what, type: entity, entity_type: string, prompt: "What?", transitions: [{if: 'entities.what == "update"', to: update}, {if: 'entities.what == "convert"', to: convert}, {else: delete}]}
  - id: update
    type: salesforce
    operation: update
    object: Lead
    record_id: "{{ entities.lead }}"
    fields: {Title: CTO, MobilePhone: "+1 415 555 0111"}
    next: updated
  - {id: updated, type: message, text: "Updated {{ update.id }}"}
  - {id: delete, type: salesforce, operation: delete, object: Lead, record_id: "{{ entities.lead }}", next: deleted}
  - {id: deleted, type: message, text: "Deleted {{ delete.id }}"}
  - id: convert
    type: salesforce
    operation: convert_lead
    record_id: "{{ entities.lead }}"
    next: converted
  - {id: converted, type: message, text: "Account {{ convert.account_id }} contact {{ convert.contact_id }} opportunity {{ convert.opportunity_id }}"}
`})
	res, err := c.org.Sim.RunQuery("SELECT Id FROM Lead WHERE Email = 'lena@initech.example'", false)
	if err != nil {
		t.Fatal(err)
	}
	id := res.Records[0]["Id"].(string)
	c.expect("work on lead", "Lead id?")
	c.expect(id, "What?")
	c.expect("update", "Updated "+id)
	if n := c.count(fmt.Sprintf("SELECT Id FROM Lead WHERE Id = '%s' AND Title = 'CTO'", id)); n != 1 {
		t.Errorf("updated leads: %d; want 1", n)
	}
	c.expect("work on lead", "Lead id?")
	c.expect(id, "What?")
	got := texts(c.say("convert"))
	if !strings.HasPrefix(got, "Account 001") || !strings.Contains(got, "contact 003") || !strings.Contains(got, "opportunity 006") {
		t.Fatalf("convert: %q; want account, contact and opportunity ids", got)
	}
	if n := c.count(fmt.Sprintf("SELECT Id FROM Lead WHERE Id = '%s' AND IsConverted = true", id)); n != 1 {
		t.Errorf("converted leads: %d; want 1", n)
	}
	c.expect("work on lead", "Lead id?")
	c.expect(id, "What?")
	c.expect("delete", "Deleted "+id)
	c.expect("work on lead", "Lead id?")
	c.expect(id, "What?")
	c.expect("delete", "Deleted "+id) // deleting a deleted record is done
	c.expect("work on lead", "Lead id?")
	c.expect(id, "What?")
	c.expect("update", "could not find that record")
}

// TestDescribePicklists: describe reads the picklist values, and a second
// describe of the same object is served from the cache.
func TestDescribePicklists(t *testing.T) {
	c := newChat(t, map[string]string{"statuses": `name: statuses
nodes:
  - {id: start, type: intent, utterances: [lead statuses], next: describe}
  - {id: describe, type: salesforce, operation: describe, object: Lead, picklists: [Status], next: said}
  - {id: said, type: message, text: "{{ describe.picklists.Status.0.value }} / {{ describe.picklists.Status.0.label }}"}
`})
	c.org.Sim.ResetRequests()
	c.expect("lead statuses", "Open - Not Contacted / Open - Not Contacted")
	c.expect("lead statuses", "Open - Not Contacted")
	n := 0
	for _, r := range c.org.Sim.Requests() {
		if strings.HasSuffix(r.Path, "/sobjects/Lead/describe") {
			n++
		}
	}
	if n != 1 {
		t.Errorf("describe calls: %d; want 1 (the second from the cache)", n)
	}
}

// TestSearchByPhone: a phone number the user writes any way finds the
// contact whose stored number is written another way.
func TestSearchByPhone(t *testing.T) {
	c := newChat(t, lookupTasks)
	for _, typed := range []string{"+1 415 555 0101", "(415) 555-0101", "+14155550101"} {
		c.expect("find by phone", "Which number?")
		c.expect(typed, "Phone 1: Jane Doe")
	}
	c.expect("find by phone", "Which number?")
	c.expect("+1 415 555 0199", "Phone 0: nobody")
}
