package salesforce_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/botforge/dialogd/nodes"
	"github.com/botforge/dialogd/sfsim"
)

// leadTask creates a Lead from four answers, re-asking the one Salesforce
// refuses.
const leadTask = `name: create_lead
nodes:
  - {id: start, type: intent, utterances: [create a lead], next: first_name}
  - {id: first_name, type: entity, entity_type: person_name, prompt: "First name?", next: last_name}
  - {id: last_name, type: entity, entity_type: person_name, prompt: "Last name?", next: company}
  - {id: company, type: entity, entity_type: string, prompt: "Company?", next: email}
  - {id: email, type: entity, entity_type: email, prompt: "E-mail?", next: create}
  - id: create
    type: salesforce
    operation: create
    object: Lead
    timeout: 300ms
    fields:
      FirstName: "{{ entities.first_name }}"
      LastName: "{{ entities.last_name }}"
      Company: "{{ entities.company }}"
      Email: "{{ entities.email }}"
    ask_again: {LastName: last_name, Company: company, Email: email}
    next: done
  - {id: done, type: message, text: "Created {{ create.id }} at {{ create.link }}"}
`

// fillLead answers the four questions.
func fillLead(c *chat, company, email string) []reply {
	c.expect("create a lead", "First name?")
	c.expect("Ada", "Last name?")
	c.expect("Lovelace", "Company?")
	c.expect(company, "E-mail?")
	return c.say(email)
}

func TestCreateLead(t *testing.T) {
	c := newChat(t, map[string]string{"create_lead": leadTask})
	got := texts(fillLead(c, "Analytical Engines", "ada@engines.example"))
	if !strings.HasPrefix(got, "Created 00Q") || !strings.Contains(got, c.org.URL+"/lightning/r/Lead/00Q") {
		t.Fatalf("reply %q; want the new Lead's id and its Lightning link", got)
	}
	if n := c.count("SELECT Id FROM Lead WHERE Email = 'ada@engines.example' AND Company = 'Analytical Engines' AND LastName = 'Lovelace'"); n != 1 {
		t.Errorf("leads in the org: %d; want 1", n)
	}
}

// TestFieldErrorAsksOnlyThatFieldAgain: Salesforce refuses the company
// (STRING_TOO_LONG): the user is told why, asked for the company only,
// and the lead is created with every other answer kept.
func TestFieldErrorAsksOnlyThatFieldAgain(t *testing.T) {
	c := newChat(t, map[string]string{"create_lead": leadTask})
	rs := fillLead(c, strings.Repeat("Engines ", 40), "ada@engines.example")
	if got := texts(rs); !strings.Contains(got, "Salesforce did not accept that") || !strings.HasSuffix(got, "Company?") {
		t.Fatalf("after a company Salesforce refuses: %q; want the reason, then Company? again", got)
	}
	got := texts(c.say("Analytical Engines"))
	if !strings.HasPrefix(got, "Created 00Q") {
		t.Fatalf("after the new company: %q; want the lead created (no other question)", got)
	}
	if n := c.count("SELECT Id FROM Lead WHERE FirstName = 'Ada' AND LastName = 'Lovelace' AND Email = 'ada@engines.example' AND Company = 'Analytical Engines'"); n != 1 {
		t.Errorf("leads with every answer: %d; want 1", n)
	}
}

// TestDuplicateOffersTheExistingRecord: a lead whose e-mail the org's
// duplicate rule matches is not created; the user sees the existing one
// as a link button.
func TestDuplicateOffersTheExistingRecord(t *testing.T) {
	c := newChat(t, map[string]string{"create_lead": leadTask})
	rs := fillLead(c, "Initech", "lena@initech.example")
	if len(rs) != 1 || !strings.Contains(rs[0].Text, "already has a matching record") {
		t.Fatalf("replies %+v; want one duplicate message", rs)
	}
	res, err := c.org.Sim.RunQuery("SELECT Id FROM Lead WHERE Email = 'lena@initech.example'", false)
	if err != nil || len(res.Records) != 1 {
		t.Fatalf("existing lead: %v, %+v", err, res)
	}
	want := c.org.URL + "/lightning/r/Lead/" + res.Records[0]["Id"].(string) + "/view"
	if len(rs[0].Buttons) != 1 || rs[0].Buttons[0].URL != want {
		t.Errorf("buttons %+v; want one link to %s", rs[0].Buttons, want)
	}
	if n := c.count("SELECT Id FROM Lead WHERE Email = 'lena@initech.example'"); n != 1 {
		t.Errorf("leads with that e-mail: %d; want still 1", n)
	}
}

// TestUnavailableOffersToTryAgain: a 503 keeps the answers and offers to
// try again; trying again creates the lead once.
func TestUnavailableOffersToTryAgain(t *testing.T) {
	c := newChat(t, map[string]string{"create_lead": leadTask})
	if err := c.org.Sim.FailNext(1, sfsim.FaultUnavailable, "/sobjects/Lead"); err != nil {
		t.Fatal(err)
	}
	rs := fillLead(c, "Analytical Engines", "ada@engines.example")
	if len(rs) != 1 || !strings.Contains(rs[0].Text, "not available") || len(rs[0].QuickReplies) != 2 {
		t.Fatalf("replies %+v; want the try-again offer with two quick replies", rs)
	}
	retry := rs[0].QuickReplies[0]
	c.n++
	got := texts(c.send(nodes.Input{ID: "retry", Text: retry.Title, Payload: retry.Payload}))
	if !strings.HasPrefix(got, "Created 00Q") {
		t.Fatalf("after Try again: %q; want the lead created", got)
	}
	if n := c.count("SELECT Id FROM Lead WHERE Email = 'ada@engines.example'"); n != 1 {
		t.Errorf("leads: %d; want 1", n)
	}
}

// TestTimeoutThenTryAgainMakesOneRecord: the create times out although
// Salesforce made the record; trying again finds it (match_on, by default
// the e-mail) instead of making a second.
func TestTimeoutThenTryAgainMakesOneRecord(t *testing.T) {
	c := newChat(t, map[string]string{"create_lead": leadTask})
	c.org.Sim.SetLatency(time.Second)
	rs := fillLead(c, "Analytical Engines", "ada@engines.example")
	c.org.Sim.SetLatency(0)
	if !strings.Contains(texts(rs), "not available") {
		t.Fatalf("replies %q; want the try-again offer after the timeout", texts(rs))
	}
	// sfsim finishes the create after its delay although the client left.
	deadline := time.Now().Add(3 * time.Second)
	for c.count("SELECT Id FROM Lead WHERE Email = 'ada@engines.example'") == 0 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if got := texts(c.say("yes")); !strings.HasPrefix(got, "Created 00Q") {
		t.Fatalf("after yes: %q; want the lead", got)
	}
	if n := c.count("SELECT Id FROM Lead WHERE Email = 'ada@engines.example'"); n != 1 {
		t.Errorf("leads: %d; want 1 (the first attempt's, found again)", n)
	}
}

// TestCrashAfterCreateMakesOneRecord: the turn that created the lead died
// before its commit; the client re-sends the message, and the run looks
// the record up (match_on) instead of creating a second.
func TestCrashAfterCreateMakesOneRecord(t *testing.T) {
	c := newChat(t, map[string]string{"create_lead": leadTask})
	c.expect("create a lead", "First name?")
	c.expect("Ada", "Last name?")
	c.expect("Lovelace", "Company?")
	c.expect("Analytical Engines", "E-mail?")
	c.store.LoseNext(1)
	in := nodes.Input{ID: "last", Text: "ada@engines.example"}
	if _, err := c.rt.Handle(t.Context(), "s-1", "u-1", in); err == nil {
		t.Fatal("lost commit: want an error")
	}
	if got := texts(c.send(in)); !strings.HasPrefix(got, "Created 00Q") {
		t.Fatalf("re-sent message: %q; want the lead", got)
	}
	if n := c.count("SELECT Id FROM Lead WHERE Email = 'ada@engines.example'"); n != 1 {
		t.Errorf("leads: %d; want 1", n)
	}
}

// TestUpsertByExternalID: an upsert on an external-id field creates the
// record once and then updates it, whatever instance or retry sends it.
func TestUpsertByExternalID(t *testing.T) {
	c := newChat(t, map[string]string{"sync": `name: sync
nodes:
  - {id: start, type: intent, utterances: [sync lead], next: company}
  - {id: company, type: entity, entity_type: string, prompt: "Company?", next: upsert}
  - id: upsert
    type: salesforce
    operation: upsert
    object: Lead
    external_id: {field: External_Id__c, value: "web-{{ entities.company }}"}
    fields: {LastName: Sync, Company: "{{ entities.company }}"}
    next: done
  - {id: done, type: message, text: "created={{ upsert.created }} id={{ upsert.id }}"}
`})
	c.expect("sync lead", "Company?")
	first := texts(c.expect("Umbrella", "created=true id=00Q"))
	c.expect("sync lead", "Company?")
	second := texts(c.expect("Umbrella", "created=false id=00Q"))
	if first[len("created=true"):] != second[len("created=false"):] {
		t.Errorf("first %q, second %q; want the same record", first, second)
	}
	if n := c.count("SELECT Id FROM Lead WHERE External_Id__c = 'web-Umbrella'"); n != 1 {
		t.Errorf("leads: %d; want 1", n)
	}
}

// TestConversationEndLogsOnce: a conversation_end handler that writes
// the conversation to Salesforce as a Task makes one Task however often
// it runs: an event run (which may be a second run after a process died)
// looks for its record before creating it.
func TestConversationEndLogsOnce(t *testing.T) {
	c := newChat(t, map[string]string{
		"hello": `name: hello
nodes:
  - {id: start, type: intent, utterances: [hello], next: name}
  - {id: name, type: entity, entity_type: person_name, prompt: "Your name?", next: keep}
  - {id: keep, type: logic, set: [{name: visitor, value: "{{ entities.name }}"}], next: hi}
  - {id: hi, type: message, text: "Hi {{ entities.name }}."}
`,
		"log_it": `name: log_it
nodes:
  - {id: start, type: intent, utterances: [log the conversation], next: log}
  - id: log
    type: salesforce
    operation: create
    object: Task
    fields: {Subject: "Chat with {{ conversation.visitor }}", Status: Completed, Description: "{{ conversation.id }} {{ conversation.end_reason }}"}
    match_on: [Subject]
`})
	c.rt.Bot().Config.Events.ConversationEnd.Task = "log_it"
	c.expect("hello", "Your name?")
	c.expect("Ada", "Hi Ada.")
	c.create("Task", map[string]any{"Subject": "Chat with Ada", "Status": "Completed"}) // an earlier run's
	if _, err := c.rt.End(t.Context(), "s-1", "u-1", ""); err != nil {
		t.Fatal(err)
	}
	if n := c.count("SELECT Id FROM Task WHERE Subject = 'Chat with Ada'"); n != 1 {
		t.Errorf("tasks: %d; want 1 (the earlier run's, found)", n)
	}
	c.expect("hello", "Your name?")
	c.expect("Grace", "Hi Grace.")
	if _, err := c.rt.End(t.Context(), "s-1", "u-1", ""); err != nil {
		t.Fatal(err)
	}
	res, err := c.org.Sim.RunQuery("SELECT Description FROM Task WHERE Subject = 'Chat with Grace'", false)
	if err != nil || len(res.Records) != 1 || !strings.HasSuffix(res.Records[0]["Description"].(string), " closed") || len(res.Records[0]["Description"].(string)) < 40 {
		t.Errorf("Grace's task: %v %+v; want one, described by the conversation id and closed", err, res)
	}
}

// TestAPIVersionFromTheProfile: the API version is set once per bot, on
// the Salesforce auth profile; nodes use it unless they set their own.
func TestAPIVersionFromTheProfile(t *testing.T) {
	c := newChatWithBot(t, "name: sfbot\nauth_profiles:\n  salesforce:\n    kind: oauth2\n    mode: per_user\n    salesforce: {login: production, api_version: \"58.0\"}\n    client_id: x\n    client_secret: {env: UNUSED_SF_SECRET}\n",
		map[string]string{"create_lead": leadTask})
	c.org.Sim.ResetRequests()
	fillLead(c, "Analytical Engines", "ada@engines.example")
	var paths []string
	for _, r := range c.org.Sim.Requests() {
		paths = append(paths, r.Path)
	}
	if !slices.Contains(paths, "/services/data/v58.0/sobjects/Lead") {
		t.Errorf("requests %q; want the create under v58.0", paths)
	}
}

// TestRequestLimitSaysSo: the org's daily API limit is told apart from an
// outage, with the same offer to try again.
func TestRequestLimitSaysSo(t *testing.T) {
	c := newChat(t, map[string]string{"create_lead": leadTask})
	if err := c.org.Sim.FailNext(1, sfsim.FaultRequestLimit, "/sobjects/Lead"); err != nil {
		t.Fatal(err)
	}
	rs := fillLead(c, "Analytical Engines", "ada@engines.example")
	if len(rs) != 1 || !strings.Contains(rs[0].Text, "API limit for today") || len(rs[0].QuickReplies) != 2 {
		t.Fatalf("replies %+v; want the limit said, with the try-again offer", rs)
	}
	if got := texts(c.say("yes")); !strings.HasPrefix(got, "Created 00Q") {
		t.Errorf("after yes: %q; want the lead", got)
	}
}

// TestRetryFrom: with retry_from, the node asked again goes straight back
// to the create; without, the dialog walks on from it (here through a
// message) as it did the first time.
func TestRetryFrom(t *testing.T) {
	task := func(retry string) string {
		return strings.NewReplacer(
			`{id: company, type: entity, entity_type: string, prompt: "Company?", next: email}`,
			`{id: company, type: entity, entity_type: string, prompt: "Company?", next: noted}
  - {id: noted, type: message, text: "Noted.", next: email}`,
			"    ask_again: {LastName: last_name, Company: company, Email: email}",
			"    ask_again: {LastName: last_name, Company: company, Email: email}"+retry,
		).Replace(leadTask)
	}
	for _, tc := range []struct {
		retry, want string
	}{
		{"", "Noted. | Created 00Q"},
		{"\n    retry_from: create", "Created 00Q"},
	} {
		c := newChat(t, map[string]string{"create_lead": task(tc.retry)})
		fillLead(c, strings.Repeat("Engines ", 40), "ada@engines.example")
		if got := texts(c.say("Analytical Engines")); !strings.HasPrefix(got, tc.want) {
			t.Errorf("retry_from %q: after the new company %q; want it to start %q", tc.retry, got, tc.want)
		}
	}
}
