package templates

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/botforge/dialogd/dialog"
	"github.com/botforge/dialogd/internal/salesforcetest"
	"github.com/botforge/dialogd/nodes"
	"github.com/botforge/dialogd/sessions"
	"github.com/botforge/dialogd/sessions/storetest"
	"github.com/botforge/dialogd/sfsim"
)

// identifyTemplates are "Identify the customer" and "Log the
// conversation".
var identifyTemplates = []string{"salesforce_identify_customer", "salesforce_log_conversation"}

// TestIdentifyLogConventions: utterances and every user-facing text in
// en, de and ja; tests of the happy path in each language; every
// salesforce node names the auth profile.
func TestIdentifyLogConventions(t *testing.T) {
	for _, name := range identifyTemplates {
		t.Run(name, func(t *testing.T) {
			tpl, err := Get(name)
			if err != nil {
				t.Fatal(err)
			}
			var task struct {
				Nodes []map[string]any `yaml:"nodes"`
			}
			if err := tpl.Task.Decode(&task); err != nil {
				t.Fatal(err)
			}
			utts, _ := task.Nodes[0]["utterances"].(map[string]any)
			for lang, least := range map[string]int{"en": 5, "de": 4, "ja": 4} {
				if l, _ := utts[lang].([]any); len(l) < least {
					t.Errorf("%s utterances: %d, want at least %d", lang, len(l), least)
				}
			}
			for _, n := range task.Nodes {
				id := n["id"]
				if n["type"] == "salesforce" && n["auth"] != "${auth_profile}" {
					t.Errorf("node %v: auth %v, want ${auth_profile}", id, n["auth"])
				}
				for _, key := range []string{"text", "prompt"} {
					if v, ok := n[key]; ok {
						identifyTrilingual(t, fmt.Sprintf("%v.%s", id, key), v)
					}
				}
				for _, key := range []string{"quick_replies", "buttons"} {
					bs, _ := n[key].([]any)
					for i, b := range bs {
						identifyTrilingual(t, fmt.Sprintf("%v.%s[%d].title", id, key, i), b.(map[string]any)["title"])
					}
				}
				if c, ok := n["card"].(map[string]any); ok {
					fs, _ := c["fields"].([]any)
					for i, f := range fs {
						identifyTrilingual(t, fmt.Sprintf("%v.card.fields[%d].label", id, i), f.(map[string]any)["label"])
					}
					if l, ok := c["link"].(map[string]any); ok {
						identifyTrilingual(t, fmt.Sprintf("%v.card.link.title", id), l["title"])
					}
				}
			}
			for _, suffix := range []string{"(en)", "(de)", "(ja)"} {
				found := false
				for _, tc := range tpl.Tests {
					found = found || strings.HasSuffix(tc.Name, suffix)
				}
				if !found {
					t.Errorf("no test named ...%s", suffix)
				}
			}
		})
	}
}

func identifyTrilingual(t *testing.T, what string, v any) {
	t.Helper()
	m, ok := v.(map[string]any)
	if !ok {
		t.Errorf("%s: %v is not a map of en, de and ja", what, v)
		return
	}
	for _, lang := range []string{"en", "de", "ja"} {
		if s, _ := m[lang].(string); strings.TrimSpace(s) == "" {
			t.Errorf("%s: no %s text", what, lang)
		}
	}
}

// TestIdentifyFindsEveryPhoneFormat: a number typed in any common format,
// or a verified identity's E.164 number, finds the Contact and the Lead
// whose Phone or MobilePhone is the same number in another format; a
// number that only shares the last digits does not.
func TestIdentifyFindsEveryPhoneFormat(t *testing.T) {
	sf := newSalesforce(t)
	sf.create(t, "Lead", map[string]any{"FirstName": "Mo", "LastName": "Bile",
		"Company": "Cell Co", "MobilePhone": "(212) 555-0142"})
	sf.create(t, "Contact", map[string]any{"FirstName": "Nora", "LastName": "Near",
		"Phone": "+1 646 555 0101"}) // the same last seven digits as Jane Doe's
	sf.create(t, "Contact", map[string]any{"FirstName": "Taro", "LastName": "Yamada",
		"MobilePhone": "+81 3-1234-5678"})
	var tests []Test
	for _, typed := range []string{"+1 415 555 0101", "(415) 555-0101", "415.555.0101", "+14155550101", "001 415 555 0101", "1-415-555-0101"} {
		tests = append(tests, Test{Name: "contact " + typed, Turns: []Turn{
			{Say: "identify me", Expect: "e-mail address or phone number"},
			{Say: typed, Expect: "/^Hello Jane Doe, good/"},
		}})
	}
	for _, typed := range []string{"+1 212 555 0142", "2125550142"} {
		tests = append(tests, Test{Name: "lead " + typed, Turns: []Turn{
			{Say: "identify me", Expect: "e-mail address or phone number"},
			{Say: typed, Expect: "/^Hello Mo Bile, good/"},
		}})
	}
	tests = append(tests,
		Test{Name: "verified identity", Identity: &TestIdentity{Phone: "+16465550101", Verified: true},
			Turns: []Turn{{Say: "identify me", Expect: "/^Hello Nora Near, good to have you here!\nYou have no open cases/"}}},
		Test{Name: "a Japanese number in Japanese", Turns: []Turn{
			{Say: "顧客情報を確認したい", Expect: "メールアドレスまたは電話番号"},
			{Say: "03-1234-5678", Expect: "/^Taro Yamada 様、お問い合わせありがとうございます。/"},
		}},
		Test{Name: "the same digits in English are an American number", Turns: []Turn{
			{Say: "identify me", Expect: "e-mail address or phone number"},
			{Say: "03-1234-5678", Expect: "could not find you"},
		}},
		Test{Name: "same last digits", Turns: []Turn{
			{Say: "identify me", Expect: "e-mail address or phone number"},
			{Say: "+1 212 555 0101", Expect: "could not find you"},
		}},
		Test{Name: "German number in region DE", Params: map[string]string{"region": "DE"}, Turns: []Turn{
			{Say: "identify me", Expect: "e-mail address or phone number"},
			{Say: "0415 5550101", Expect: "could not find you"}, // +494155550101, not Jane's
		}},
	)
	tpl := withTests(t, "salesforce_identify_customer", tests...)
	if err := tpl.RunTests(context.Background(), sf.options()); err != nil {
		t.Fatal(err)
	}
}

// TestIdentifySeveralMatchesArePicked: two Contacts share a number (a
// family's landline), stored in two formats: the customer picks who they
// are, and the case list is the picked one's. The number is typed without
// a country code in German: +49.
func TestIdentifySeveralMatchesArePicked(t *testing.T) {
	sf := newSalesforce(t)
	var kim struct{ ID string }
	kim.ID = sf.create(t, "Contact", map[string]any{"FirstName": "Kim", "LastName": "Home",
		"Email": "kim@home.example", "Phone": "+49 30 1234567"})
	sf.create(t, "Contact", map[string]any{"FirstName": "Lee", "LastName": "Home",
		"Email": "lee@home.example", "MobilePhone": "030 1234567"})
	sf.create(t, "Case", map[string]any{"Subject": "Router blinks", "Origin": "Web", "ContactId": kim.ID})
	tpl := withTests(t, "salesforce_identify_customer", Test{Name: "pick", Turns: []Turn{
		{Say: "meine Kundendaten finden", Expect: "E-Mail-Adresse oder Telefonnummer"},
		{Say: "030 1234567", Expect: "Ich habe 2 Personen mit diesen Angaben gefunden. Wer davon sind Sie?"},
		{Click: "Kim Home", Expect: "/^Guten Tag, Kim Home! Schön, dass Sie sich melden\\.\nIhre offenen Kundenvorgänge \\(1\\):\n#\\d{8} Router blinks \\(New\\)$/"},
	}})
	if err := tpl.RunTests(context.Background(), sf.options()); err != nil {
		t.Fatal(err)
	}
}

// TestIdentifyLookupsRefuseInjection: quotes, backslashes and LIKE or SOSL
// characters in a typed address or a verified identity find nobody.
func TestIdentifyLookupsRefuseInjection(t *testing.T) {
	sf := newSalesforce(t)
	var tests []Test
	for i, v := range []string{`x'OR'1'='1@acme.example`, `jane.doe@acme.example'OR'x'='x`, `%@acme.example`, `_ane.doe@acme.example`,
		`\'@acme.example`, `jane.doe@acme.example\`} {
		tests = append(tests, Test{Name: fmt.Sprintf("typed %d", i), Turns: []Turn{
			{Say: "identify me", Expect: "e-mail address or phone number"},
			{Say: v, Expect: "could not find you"},
		}}, Test{Name: fmt.Sprintf("identity %d", i), Identity: &TestIdentity{Email: v, Verified: true},
			Turns: []Turn{{Say: "identify me", Expect: "could not find you"}}})
	}
	for i, v := range []string{`+1 (415) 555-0101) OR (x`, `+1 415 555 0101*`} {
		tests = append(tests, Test{Name: fmt.Sprintf("phone identity %d", i), Identity: &TestIdentity{Phone: v, Verified: true},
			Turns: []Turn{{Say: "identify me", Expect: "/^(Hello Jane Doe|Sorry, I could not find you)/"}}})
	}
	// The phone condition: quotes, backslashes and LIKE wildcards around
	// or inside Jane's number find nobody.
	for i, v := range []string{`'`, `\`, `%`, `_`, `%0101`, `415_555_0101`, `+1 415 555 0101' OR Phone != '`, `+1 415 555 010%`,
		`+1 415 555 0101\`, `' OR MobilePhone LIKE '%`} {
		tests = append(tests, Test{Name: fmt.Sprintf("phone injection %d", i), Identity: &TestIdentity{Phone: v, Verified: true},
			Turns: []Turn{{Say: "identify me", Expect: "could not find you"}}})
	}
	tpl := withTests(t, "salesforce_identify_customer", tests...)
	if err := tpl.RunTests(context.Background(), sf.options()); err != nil {
		t.Fatal(err)
	}
}

// TestIdentifyCreatesTheCaseOnTheContact: the case created from the open
// cases' button is linked to the Contact and its Account.
func TestIdentifyCreatesTheCaseOnTheContact(t *testing.T) {
	sf := newSalesforce(t)
	tpl := withTests(t, "salesforce_identify_customer", Test{Name: "case", Turns: []Turn{
		{Say: "identify me", Expect: "e-mail address or phone number"},
		{Say: "jane.doe@acme.example", Expect: "Widget arrived broken"},
		{Click: "Create a case", Expect: "in a few words"},
		{Say: "Blue widget fades", Expect: "Anything to add"},
		{Say: "The colour fades in the sun.", Expect: "Shall I open the case"},
		{Click: "Yes", Expect: "/^Done – your case \\d{8} is open\\./"},
	}})
	if err := tpl.RunTests(context.Background(), sf.options()); err != nil {
		t.Fatal(err)
	}
	jane := sf.query(t, "SELECT Id, AccountId FROM Contact WHERE Email = 'jane.doe@acme.example'")
	cases := sf.query(t, "SELECT ContactId, AccountId, Description, Origin, SuppliedEmail, IsClosed FROM Case WHERE Subject = 'Blue widget fades'")
	if len(jane) != 1 || len(cases) != 1 {
		t.Fatalf("contacts %v, cases %v; want one each", jane, cases)
	}
	want := map[string]any{"ContactId": jane[0]["Id"], "AccountId": jane[0]["AccountId"], "Description": "The colour fades in the sun.",
		"Origin": "Web", "SuppliedEmail": "jane.doe@acme.example", "IsClosed": false}
	for k, v := range want {
		if cases[0][k] != v {
			t.Errorf("case %s = %#v, want %#v", k, cases[0][k], v)
		}
	}
}

// identifyBot is a bot with the identify and log templates installed and
// events.conversation_end running the log with the transcript, against
// sfsim, on a store that can lose commits (a botd dying before it
// stores what a turn or an end did).
type identifyBot struct {
	t     *testing.T
	org   *salesforcetest.Org
	rt    *dialog.Runtime
	store *storetest.LostCommits
	n     int
}

func newIdentifyBot(t *testing.T) *identifyBot {
	t.Helper()
	return newIdentifyBotAt(t, nil)
}

// newIdentifyBotAt is newIdentifyBot whose runtime reads the clock now
// (nil: the time).
func newIdentifyBotAt(t *testing.T, now func() time.Time) *identifyBot {
	t.Helper()
	return newIdentifyBotWith(t, dialog.Options{Now: now})
}

// newIdentifyBotWith is newIdentifyBot whose runtime takes opts (its
// Auth and Logger set here).
func newIdentifyBotWith(t *testing.T, opts dialog.Options) *identifyBot {
	t.Helper()
	org := salesforcetest.Start(t, "identify")
	dir := t.TempDir()
	bot := "name: identify\nlanguages: [en, de, ja]\nauth_profiles:\n  salesforce:\n    kind: bearer\n    secret: {env: UNUSED_SF_TOKEN}\n"
	if err := os.WriteFile(filepath.Join(dir, "bot.yaml"), []byte(bot), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, name := range identifyTemplates {
		if _, err := Install(dir, name, nil); err != nil {
			t.Fatalf("install %s: %v", name, err)
		}
	}
	// The end handler names the installed task.
	bot += "events:\n  conversation_end: {task: log_conversation, transcript: true}\n"
	if err := os.WriteFile(filepath.Join(dir, "bot.yaml"), []byte(bot), 0o644); err != nil {
		t.Fatal(err)
	}
	b, err := dialog.LoadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	mem := sessions.NewMemory(sessions.Options{})
	t.Cleanup(func() { mem.Close() })
	store := &storetest.LostCommits{Store: mem}
	opts.Auth, opts.Logger = org.Auth, slog.New(slog.NewTextHandler(io.Discard, nil))
	rt := dialog.NewRuntime(b, store, opts)
	return &identifyBot{t: t, org: org, rt: rt, store: store}
}

// say sends a message (or a button's payload) in session/user and fails
// unless the replies contain want.
func (b *identifyBot) say(session, text, payload, want string) {
	b.t.Helper()
	b.n++
	frames, err := b.rt.Handle(context.Background(), session, "user-"+session, nodes.Input{ID: fmt.Sprintf("m%d", b.n), Text: text, Payload: payload})
	if err != nil {
		b.t.Fatalf("say %q: %v", text, err)
	}
	var got []string
	for _, f := range frames {
		var r struct {
			Text string `json:"text"`
		}
		if json.Unmarshal(f, &r) == nil && r.Text != "" {
			got = append(got, r.Text)
		}
	}
	if s := strings.Join(got, "\n"); !strings.Contains(s, want) {
		b.t.Fatalf("say %q: got %q, want %q", text, s, want)
	}
}

func (b *identifyBot) end(session string) error {
	_, err := b.rt.End(context.Background(), session, "user-"+session, "")
	return err
}

func (b *identifyBot) query(soql string) []map[string]any {
	b.t.Helper()
	res, err := b.org.Sim.RunQuery(soql, false)
	if err != nil {
		b.t.Fatalf("%s: %v", soql, err)
	}
	return res.Records
}

// TestIdentifyUnknownForgetsTheLastMatch: a user identified before who is
// not found now loses the earlier match (the user variables are cleared,
// in the store too), so nothing is logged on someone else.
func TestIdentifyUnknownForgetsTheLastMatch(t *testing.T) {
	b := newIdentifyBot(t)
	b.say("s1", "identify me", "", "e-mail address or phone number")
	b.say("s1", "jane.doe@acme.example", "", "Hello Jane Doe")
	b.say("s1", "No, thanks", "identify_done", "How else can I help you?")
	b.say("s1", "identify me", "", "e-mail address or phone number")
	b.say("s1", "nobody@nowhere.example", "", "could not find you")
	raw, err := b.store.Get(context.Background(), "uv:identify:user-s1")
	if err != nil {
		t.Fatal(err)
	}
	var vars map[string]any
	if err := json.Unmarshal(raw, &vars); err != nil {
		t.Fatalf("user variables %q: %v", raw, err)
	}
	for _, name := range []string{"sf_who_id", "sf_who_type", "sf_name", "sf_email", "sf_account_id"} {
		if v, ok := vars[name]; ok {
			t.Errorf("user.%s = %v after an unknown customer; want it cleared", name, v)
		}
	}
}

// TestLogConversationDateIsTheTurnsDay: the Task's ActivityDate is the
// day of the turn that logs it, by the runtime's clock (in UTC).
func TestLogConversationDateIsTheTurnsDay(t *testing.T) {
	later := time.Now().AddDate(0, 0, 400)
	b := newIdentifyBotAt(t, func() time.Time { return later })
	b.say("s1", "identify me", "", "e-mail address or phone number")
	b.say("s1", "jane.doe@acme.example", "", "Hello Jane Doe")
	b.say("s1", "No, thanks", "identify_done", "How else can I help you?")
	if err := b.end("s1"); err != nil {
		t.Fatal(err)
	}
	tasks := b.query("SELECT ActivityDate FROM Task")
	if want := later.UTC().Format("2006-01-02"); len(tasks) != 1 || tasks[0]["ActivityDate"] != want {
		t.Errorf("tasks %v, want one with ActivityDate %s", tasks, want)
	}
}

// TestLogConversationAtConversationEnd: each ended conversation is one
// Task on the right Contact or Lead, with its transcript, also when the
// end handler runs twice (a lost commit) and when the first run died
// between creating the Lead and the Task.
func TestLogConversationAtConversationEnd(t *testing.T) {
	b := newIdentifyBot(t)
	today := time.Now().UTC().Format("2006-01-02")
	taskFields := "SELECT Id, Subject, Description, Status, ActivityDate, WhoId FROM Task"

	// A known Contact, identified by a typed e-mail.
	b.say("s1", "identify me", "", "e-mail address or phone number")
	b.say("s1", "jane.doe@acme.example", "", "Hello Jane Doe")
	b.say("s1", "No, thanks", "identify_done", "How else can I help you?")
	if err := b.end("s1"); err != nil {
		t.Fatal(err)
	}
	if err := b.end("s1"); err != nil { // ended already: nothing happens
		t.Fatal(err)
	}
	jane := b.query("SELECT Id FROM Contact WHERE Email = 'jane.doe@acme.example'")[0]["Id"]
	tasks := b.query(taskFields + " WHERE WhoId = '" + jane.(string) + "'")
	if len(tasks) != 1 {
		t.Fatalf("Jane's tasks: %v, want 1", tasks)
	}
	task := tasks[0]
	if !regexp.MustCompile(`^Chat [0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$`).MatchString(task["Subject"].(string)) {
		t.Errorf("subject %q, want Chat and the conversation id", task["Subject"])
	}
	desc, _ := task["Description"].(string)
	for _, line := range []string{"User: identify me", "User: jane.doe@acme.example", "Bot: Hello Jane Doe, good to have you here!"} {
		if !strings.Contains(desc, line) {
			t.Errorf("description %q lacks %q", desc, line)
		}
	}
	if task["Status"] != "Completed" || task["ActivityDate"] != today {
		t.Errorf("task %v, want Status Completed and ActivityDate %s", task, today)
	}

	// An unknown customer who left their details; the end handler runs
	// twice (its first commit lost): one Lead, one Task.
	b.say("s2", "identify me", "", "e-mail address or phone number")
	b.say("s2", "ada@engines.example", "", "could not find you")
	b.say("s2", "Leave my details", "identify_leave", "What is your name?")
	b.say("s2", "Ada Lovelace", "", "We will get back to you at ada@engines.example")
	b.store.LoseNext(1)
	if err := b.end("s2"); err == nil {
		t.Fatal("end with a lost commit: want an error")
	}
	if err := b.end("s2"); err != nil {
		t.Fatal(err)
	}
	leads := b.query("SELECT Id, FirstName, LastName, Company FROM Lead WHERE Email = 'ada@engines.example'")
	if len(leads) != 1 || leads[0]["FirstName"] != "Ada" || leads[0]["LastName"] != "Lovelace" {
		t.Fatalf("leads %v, want one Ada Lovelace", leads)
	}
	tasks = b.query(taskFields + " WHERE WhoId = '" + leads[0]["Id"].(string) + "'")
	if len(tasks) != 1 || !strings.Contains(tasks[0]["Description"].(string), "User: Ada Lovelace") {
		t.Fatalf("Ada's tasks: %v, want 1 with the transcript", tasks)
	}

	// The first run created the Lead and died before the Task (a 503 and
	// a lost commit); the second finds the Lead and writes the Task.
	b.say("s3", "identify me", "", "e-mail address or phone number")
	b.say("s3", "grace@navy.example", "", "could not find you")
	b.say("s3", "Leave my details", "identify_leave", "What is your name?")
	b.say("s3", "Grace Hopper", "", "We will get back to you")
	if err := b.org.Sim.FailNext(1, sfsim.FaultUnavailable, "/sobjects/Task"); err != nil {
		t.Fatal(err)
	}
	b.store.LoseNext(1)
	if err := b.end("s3"); err == nil {
		t.Fatal("end with a lost commit: want an error")
	}
	if n := len(b.query("SELECT Id FROM Lead WHERE Email = 'grace@navy.example'")); n != 1 {
		t.Fatalf("after the first run: %d leads, want 1", n)
	}
	if err := b.end("s3"); err != nil {
		t.Fatal(err)
	}
	leads = b.query("SELECT Id FROM Lead WHERE Email = 'grace@navy.example'")
	if len(leads) != 1 {
		t.Fatalf("leads %v, want 1", leads)
	}
	if tasks := b.query(taskFields + " WHERE WhoId = '" + leads[0]["Id"].(string) + "'"); len(tasks) != 1 {
		t.Fatalf("Grace's tasks: %v, want 1", tasks)
	}

	// A conversation nobody identified is logged without WhoId; a
	// "log this conversation" in the chat and the end make one Task.
	b.say("s4", "log this conversation", "", "I have logged this conversation")
	b.say("s4", "log this conversation", "", "I have logged this conversation")
	if err := b.end("s4"); err != nil {
		t.Fatal(err)
	}
	all := b.query(taskFields)
	if len(all) != 4 {
		t.Fatalf("tasks %v, want 4 (one per conversation)", all)
	}
	subjects := map[string]bool{}
	for _, tk := range all {
		subjects[tk["Subject"].(string)] = true
	}
	if len(subjects) != 4 {
		t.Errorf("subjects %v, want 4 different", subjects)
	}
	for _, tk := range all {
		if tk["WhoId"] == nil {
			if d, _ := tk["Description"].(string); !strings.Contains(d, "User: log this conversation") || strings.Count(d, "User: log this conversation") != 2 {
				t.Errorf("unidentified conversation's description %q, want the whole transcript (brought up to date at the end)", d)
			}
		}
	}
}
