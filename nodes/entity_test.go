package nodes

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"reflect"
	"strings"
	"testing"
)

// entHost is the host the entity and service tests provision nodes with.
var entHost = &Host{
	Bot: "demo", Task: "create_lead", NodeID: "ask", Languages: []string{"en", "de", "ja"},
	AuthProfiles: map[string]bool{"salesforce": true},
}

// decodeEntNode configures n from src as the host does ([ConfigureNode]):
// strict decode, Provision, Validate.
func decodeEntNode(src string, n Node) error {
	config, err := ParseYAML("node.yaml", []byte(src))
	if err != nil {
		return err
	}
	return ConfigureNode(n, NodeSource{File: "node.yaml", Config: config}, *entHost)
}

func mustEntity(t testing.TB, src string) *Entity {
	t.Helper()
	e := new(Entity)
	if err := decodeEntNode(src, e); err != nil {
		t.Fatalf("entity config: %v\n%s", err, src)
	}
	return e
}

func newEntTurn(utterance string) *Turn {
	return &Turn{
		Memory: &Memory{}, Lang: "en", Now: entNow, NodeID: "ask", State: &NodeState{},
		Utterance: utterance,
		Env:       &Env{HTTP: http.DefaultClient, Log: slog.New(slog.DiscardHandler)},
	}
}

func replyTexts(t *Turn) []string {
	var out []string
	for _, r := range t.Replies() {
		out = append(out, r.Text)
	}
	return out
}

func TestEntityRegistered(t *testing.T) {
	info, ok := Default().Lookup("entity")
	if !ok {
		t.Fatal(`Lookup("entity") not registered`)
	}
	if _, ok := info.New().(*Entity); !ok {
		t.Errorf("New() = %T; want *Entity", info.New())
	}
}

func TestEntityConfigErrors(t *testing.T) {
	tests := []struct {
		name, yaml, want string
	}{
		{"no type", `prompt: hi`, "entity_type is required"},
		{"unknown type", "entity_type: colour\nprompt: hi", `unknown entity_type "colour"; known types: company_name, date`},
		{"no prompt", `entity_type: email`, "prompt is required"},
		{"retries zero", "entity_type: email\nprompt: hi\nretries: 0", "retries must be between 1 and 10, got 0"},
		{"retries eleven", "entity_type: email\nprompt: hi\nretries: 11", "retries must be between 1 and 10, got 11"},
		{"unknown field", "entity_type: email\nprompt: hi\nslot: x", `node.yaml:3:1: unknown key "slot"`},
		{"items on email", "entity_type: email\nprompt: hi\nitems: [{value: a}]", "only for entity_type list, not email"},
		{"region on date", "entity_type: date\nprompt: hi\nregion: US", "region is only for entity_type phone"},
		{"bad region", "entity_type: phone\nprompt: hi\nregion: XX", `region "XX" is not a known phone region`},
		{"empty list", "entity_type: list\nprompt: hi", "a list needs items or from"},
		{"both lists", "entity_type: list\nprompt: hi\nitems: [{value: a}]\nfrom: x.y", "either items or from"},
		{"value without from", "entity_type: list\nprompt: hi\nitems: [{value: a}]\nvalue: Id", "value and title name the keys"},
		{"blank item", "entity_type: list\nprompt: hi\nitems: [{value: ' '}]", "items[0]: value is required"},
		{"dup item", "entity_type: list\nprompt: hi\nitems: [{value: A}, {value: a}]", `items[1]: value "a" already used by items[0]`},
		{"dotted name", "entity_type: email\nprompt: hi\nname: a.b", "must not contain dots"},
		{"optional on_fail", "entity_type: email\nprompt: hi\noptional: true\non_fail: x", "on_fail is never used"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := decodeEntNode(tt.yaml, new(Entity))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("config error = %v; want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestEntityDefaults(t *testing.T) {
	e := mustEntity(t, "entity_type: email\nprompt: What is your e-mail?")
	if e.Name != "ask" || e.maxRetries != defaultRetries {
		t.Errorf("Name, retries = %q, %d; want %q, %d", e.Name, e.maxRetries, "ask", defaultRetries)
	}
}

func TestEntityPreExtraction(t *testing.T) {
	e := mustEntity(t, "entity_type: email\nname: email\nprompt: What is your e-mail?")
	turn := newEntTurn("create a lead for jane@Example.com")
	out, err := e.Run(context.Background(), turn)
	if err != nil || out != Next() {
		t.Fatalf("Run = %+v, %v; want Next", out, err)
	}
	if got := turn.Memory.Entities["email"]; got != "jane@example.com" {
		t.Errorf("entities.email = %v; want jane@example.com", got)
	}
	if len(turn.Replies()) != 0 {
		t.Errorf("replies = %q; want none (the e-mail was in the utterance)", replyTexts(turn))
	}

	// A filled entity is not asked for again.
	turn.Utterance = ""
	out, err = e.Run(context.Background(), turn)
	if err != nil || out != Next() || len(turn.Replies()) != 0 {
		t.Errorf("Run with the entity filled = %+v, %v, %q; want Next and no reply", out, err, replyTexts(turn))
	}

	// String types do not extract: the utterance is not the answer.
	s := mustEntity(t, "entity_type: string\nname: last\nprompt: Last name?")
	turn = newEntTurn("create a lead for jane@example.com")
	if out, _ := s.Run(context.Background(), turn); out != Wait() {
		t.Errorf("string Run = %+v; want Wait()", out)
	}
}

func TestEntityPromptRetryGood(t *testing.T) {
	e := mustEntity(t, `
entity_type: email
name: email
prompt: What is your e-mail?
error_prompts:
  - "That is not an e-mail address. Try again?"
  - {en: "Please type it like jane@example.com.", de: "Bitte so: jane@example.com."}
`)
	ctx := context.Background()
	turn := newEntTurn("create a lead")
	out, err := e.Run(ctx, turn)
	if err != nil || out != Wait() {
		t.Fatalf("Run = %+v, %v; want Wait()", out, err)
	}
	steps := []struct {
		in      string
		want    Outcome
		replies []string
	}{
		{"jane", Wait(), []string{"That is not an e-mail address. Try again?"}},
		{"jane at example", Wait(), []string{"Please type it like jane@example.com."}},
		{"jane@example", Wait(), []string{"That is not an e-mail address. Try again?"}},
		{" Jane@EXAMPLE.com ", Next(), nil},
	}
	if got := replyTexts(turn); !reflect.DeepEqual(got, []string{"What is your e-mail?"}) {
		t.Errorf("Run replies = %q; want the prompt", got)
	}
	for i, s := range steps {
		turn.ResetReplies()
		out, err := e.Input(ctx, turn, Input{Text: s.in})
		if err != nil || out != s.want {
			t.Fatalf("step %d: Input(%q) = %+v, %v; want %+v", i, s.in, out, err, s.want)
		}
		if got := replyTexts(turn); !reflect.DeepEqual(got, s.replies) {
			t.Errorf("step %d: replies = %q; want %q", i, got, s.replies)
		}
	}
	if got := turn.Memory.Entities["email"]; got != "Jane@example.com" {
		t.Errorf("entities.email = %v; want Jane@example.com", got)
	}
	if turn.State.Retries != 3 {
		t.Errorf("State.Retries = %d; want 3", turn.State.Retries)
	}
}

func TestEntityNoErrorPromptsRepeatsPrompt(t *testing.T) {
	e := mustEntity(t, "entity_type: number\nprompt: {en: \"How many?\", de: \"Wie viele?\"}")
	turn := newEntTurn("")
	turn.Lang = "de"
	if _, err := e.Run(context.Background(), turn); err != nil {
		t.Fatal(err)
	}
	turn.ResetReplies()
	out, err := e.Input(context.Background(), turn, Input{Text: "viele"})
	if err != nil || out != Wait() {
		t.Fatalf("Input = %+v, %v; want Wait()", out, err)
	}
	want := []string{"Das sieht leider nicht wie eine Zahl aus.", "Wie viele?"}
	if got := replyTexts(turn); !reflect.DeepEqual(got, want) {
		t.Errorf("replies = %q; want %q", got, want)
	}
	turn.ResetReplies()
	if out, _ := e.Input(context.Background(), turn, Input{Text: "1.234,5"}); out != Next() {
		t.Fatalf("Input(1.234,5) = %+v; want Next", out)
	}
	if got := turn.Memory.Entities["ask"]; got != 1234.5 {
		t.Errorf("entities.ask = %v; want 1234.5", got)
	}
}

func TestEntityDefaultHints(t *testing.T) {
	for _, tt := range []struct{ typ, lang, want string }{
		{"email", "en", "Sorry, that doesn't look like an e-mail address."},
		{"date", "ja", "日付を読み取れませんでした。「2026-12-01」や「明日」のように入力してください。"},
		{"yes_no", "de-CH", "Bitte antworten Sie mit Ja oder Nein."},
		{"string", "en", "Sorry, that doesn't look right."},
		{"company_name", "fr", "Sorry, that doesn't look right."}, // no French: the first language
	} {
		e := mustEntity(t, "entity_type: "+tt.typ+"\nprompt: Go on")
		turn := newEntTurn("")
		turn.Lang = tt.lang
		e.Run(context.Background(), turn)
		turn.ResetReplies()
		e.Input(context.Background(), turn, Input{Text: "\x00"})
		if got := replyTexts(turn); !reflect.DeepEqual(got, []string{tt.want, "Go on"}) {
			t.Errorf("%s/%s replies = %q; want %q and the prompt", tt.typ, tt.lang, got, tt.want)
		}
	}
}

func TestEntityRetriesExhausted(t *testing.T) {
	tests := []struct {
		name, yaml string
		want       Outcome
		replies    int // error replies before giving up
	}{
		{"on_fail", "entity_type: date\nprompt: When?\nretries: 2\nerror_prompts: ['Eh?']\non_fail: apologize",
			Recover("apologize", FailRetries), 2},
		{"fail default", "entity_type: date\nprompt: When?\nretries: 1\nerror_prompts: ['Eh?']",
			FailWith(FailRetries, ""), 1},
		{"fail message", "entity_type: date\nprompt: When?\nretries: 3\nerror_prompts: ['Eh?', 'What?']\nfail_message: Let us try another time.",
			FailWith(FailRetries, "Let us try another time."), 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := mustEntity(t, tt.yaml)
			turn := newEntTurn("")
			if out, _ := e.Run(context.Background(), turn); out != Wait() {
				t.Fatalf("Run = %+v; want Wait()", out)
			}
			for i := range tt.replies {
				turn.ResetReplies()
				out, err := e.Input(context.Background(), turn, Input{Text: "whenever"})
				if err != nil || out != Wait() || len(turn.Replies()) != 1 {
					t.Fatalf("bad answer %d: Input = %+v, %v, %q; want Wait() and one error prompt", i+1, out, err, replyTexts(turn))
				}
			}
			turn.ResetReplies()
			out, err := e.Input(context.Background(), turn, Input{Text: "whenever"})
			if err != nil || out != tt.want {
				t.Errorf("last bad answer: Input = %+v, %v; want %+v", out, err, tt.want)
			}
			if len(turn.Replies()) != 0 {
				t.Errorf("last bad answer replies = %q; want none", replyTexts(turn))
			}
			if _, ok := turn.Memory.Entities["ask"]; ok {
				t.Error("entity filled after failing")
			}
		})
	}
}

func TestEntityOptional(t *testing.T) {
	e := mustEntity(t, "entity_type: phone\nname: phone\nprompt: Phone (optional)?\noptional: true\nregion: jp")
	turn := newEntTurn("")
	e.Run(context.Background(), turn)
	out, err := e.Input(context.Background(), turn, Input{Text: "no thanks"})
	if err != nil || out != Next() {
		t.Fatalf("Input(bad) = %+v, %v; want Next", out, err)
	}
	if _, ok := turn.Memory.Entities["phone"]; ok {
		t.Error("optional entity filled by a bad answer")
	}
	turn = newEntTurn("")
	e.Run(context.Background(), turn)
	if out, _ := e.Input(context.Background(), turn, Input{Text: "03-1234-5678"}); out != Next() {
		t.Fatalf("Input(good) = %+v; want Next", out)
	}
	if got := turn.Memory.Entities["phone"]; got != "+81312345678" {
		t.Errorf("entities.phone = %v; want +81312345678 (region JP)", got)
	}
}

// An optional entity offers a Skip chip; the chip, or its label typed,
// goes on without a value, even for a type that would take any text.
func TestEntityOptionalSkip(t *testing.T) {
	for _, tc := range []struct {
		lang string
		in   Input
	}{
		{"en", Input{Text: "Skip", Payload: "entity:skip"}},
		{"en", Input{Text: "skip"}},
		{"de", Input{Text: "Überspringen"}},
		{"ja", Input{Text: "スキップ", Payload: "entity:skip"}},
	} {
		e := mustEntity(t, "entity_type: string\nname: company\nprompt: Company (optional)?\noptional: true")
		turn := newEntTurn("")
		turn.Lang = tc.lang
		if out, err := e.Run(context.Background(), turn); err != nil || out != Wait() {
			t.Fatalf("Run = %+v, %v; want Wait()", out, err)
		}
		replies := turn.Replies()
		if len(replies) != 1 || len(replies[0].QuickReplies) != 1 || replies[0].QuickReplies[0].Payload != "entity:skip" {
			t.Fatalf("%s: prompt = %+v; want one Skip quick reply", tc.lang, replies)
		}
		if got, want := replies[0].QuickReplies[0].Title, turn.Phrase("button.skip"); got != want {
			t.Errorf("%s: Skip chip title = %q; want %q", tc.lang, got, want)
		}
		out, err := e.Input(context.Background(), turn, tc.in)
		if err != nil || out != Next() {
			t.Fatalf("%s: Input(%+v) = %+v, %v; want Next", tc.lang, tc.in, out, err)
		}
		if v, ok := turn.Memory.Entities["company"]; ok {
			t.Errorf("%s: Input(%+v) set company = %v; want it left empty", tc.lang, tc.in, v)
		}
	}
	// A required entity has no Skip chip, and "skip" is just an answer.
	e := mustEntity(t, "entity_type: string\nname: company\nprompt: Company?")
	turn := newEntTurn("")
	e.Run(context.Background(), turn)
	if qr := turn.Replies()[0].QuickReplies; len(qr) != 0 {
		t.Errorf("required entity quick replies = %+v; want none", qr)
	}
}

func TestEntityStaticList(t *testing.T) {
	e := mustEntity(t, `
entity_type: list
name: stage
prompt: {en: "Which stage?", de: "Welche Phase?"}
items:
  - {value: Prospecting, title: {en: Prospecting, de: Akquise}}
  - {value: Closed Won, title: {en: Won, de: Gewonnen}, synonyms: [we got it]}
`)
	turn := newEntTurn("")
	turn.Lang = "de"
	out, err := e.Run(context.Background(), turn)
	if err != nil || out != Wait() {
		t.Fatalf("Run = %+v, %v; want Wait()", out, err)
	}
	want := []Button{{Title: "Akquise", Payload: "Prospecting"}, {Title: "Gewonnen", Payload: "Closed Won"}}
	if r := turn.Replies(); len(r) != 1 || r[0].Text != "Welche Phase?" || !reflect.DeepEqual(r[0].Buttons, want) {
		t.Fatalf("replies = %+v; want the German prompt with buttons %+v", r, want)
	}
	for _, tt := range []struct{ in Input }{
		{Input{Text: "Gewonnen", Payload: "Closed Won"}}, // button
		{Input{Text: "gewonnen"}},                        // German title typed
		{Input{Text: "WON"}},                             // English title typed
		{Input{Text: "we got it"}},                       // synonym
		{Input{Text: "2"}},                               // position
	} {
		turn.Memory.Entities = nil
		out, err := e.Input(context.Background(), turn, tt.in)
		if err != nil || out != Next() || turn.Memory.Entities["stage"] != "Closed Won" {
			t.Errorf("Input(%+v) = %+v, %v, stage %v; want Next and Closed Won", tt.in, out, err, turn.Memory.Entities["stage"])
		}
	}
	// A regional variant of a bot language gets that language's buttons.
	turn = newEntTurn("")
	turn.Lang = "de-AT"
	e.Run(context.Background(), turn)
	if r := turn.Replies(); len(r) != 1 || !reflect.DeepEqual(r[0].Buttons, want) {
		t.Errorf("de-AT replies = %+v; want buttons %+v", r, want)
	}
	// A list item in the utterance is taken without asking.
	turn = newEntTurn("create an opportunity in prospecting")
	if out, _ := e.Run(context.Background(), turn); out != Next() || turn.Memory.Entities["stage"] != "Prospecting" {
		t.Errorf("Run with an item in the utterance = %+v, stage %v; want Next, Prospecting", out, turn.Memory.Entities["stage"])
	}
}

func TestEntityListFromContext(t *testing.T) {
	e := mustEntity(t, `
entity_type: list
name: account
prompt: Which account?
from: lookup.response.body.records
value: Id
title: Name
`)
	turn := newEntTurn("")
	out, err := e.Run(context.Background(), turn)
	if !errors.Is(err, ErrNoListItems) {
		t.Fatalf("Run without records = %+v, %v; want ErrNoListItems", out, err)
	}
	withFail := mustEntity(t, "entity_type: list\nprompt: Which?\nfrom: lookup.records\nvalue: Id\non_fail: none_found")
	if out, err := withFail.Run(context.Background(), turn); err != nil || out != Recover("none_found", FailInternal) {
		t.Errorf("Run without records, with on_fail = %+v, %v; want GoTo(none_found)", out, err)
	}
	turn.Memory.SetNode("lookup", map[string]any{"response": map[string]any{"status": 200.0, "body": map[string]any{
		"records": []any{
			map[string]any{"Id": "001A", "Name": "Acme"},
			map[string]any{"Id": "001B", "Name": "Globex"},
			map[string]any{"Name": "no id: skipped"},
			map[string]any{"Id": 7.0},
		},
	}}})
	out, err = e.Run(context.Background(), turn)
	if err != nil || out != Wait() {
		t.Fatalf("Run = %+v, %v; want Wait()", out, err)
	}
	want := []Button{{Title: "Acme", Payload: "001A"}, {Title: "Globex", Payload: "001B"}, {Title: "7", Payload: "7"}}
	if r := turn.Replies(); len(r) != 1 || !reflect.DeepEqual(r[0].Buttons, want) {
		t.Fatalf("replies = %+v; want buttons %+v", r, want)
	}
	if out, _ := e.Input(context.Background(), turn, Input{Text: "globex"}); out != Next() || turn.Memory.Entities["account"] != "001B" {
		t.Errorf("Input(globex) = %+v, account %v; want Next, 001B", out, turn.Memory.Entities["account"])
	}
}

func TestEntityYesNoQuickReplies(t *testing.T) {
	e := mustEntity(t, "entity_type: yes_no\nname: ok\nprompt: {en: \"Shall I?\", ja: よろしいですか？}")
	turn := newEntTurn("")
	turn.Lang = "ja"
	e.Run(context.Background(), turn)
	want := []Button{{Title: "はい", Payload: "yes"}, {Title: "いいえ", Payload: "no"}}
	if r := turn.Replies(); len(r) != 1 || r[0].Text != "よろしいですか？" || !reflect.DeepEqual(r[0].QuickReplies, want) {
		t.Fatalf("replies = %+v; want quick replies %+v", r, want)
	}
	if out, _ := e.Input(context.Background(), turn, Input{Text: "いいえ", Payload: "no"}); out != Next() || turn.Memory.Entities["ok"] != false {
		t.Errorf("Input(no) = %+v, ok %v; want Next, false", out, turn.Memory.Entities["ok"])
	}
}

// BenchmarkEntityInput measures one answered turn at an entity node, the
// hot path of a conversation.
func BenchmarkEntityInput(b *testing.B) {
	cases := []struct{ name, yaml, answer string }{
		{"email", "entity_type: email\nprompt: E-mail?", "Jane.Doe@Example.com"},
		{"date", "entity_type: date\nprompt: When?", "next friday"},
		{"person_name", "entity_type: person_name\nprompt: Name?", "jane o'neil"},
		{"phone", "entity_type: phone\nprompt: Phone?", "(650) 253-0000"},
		{"list", "entity_type: list\nprompt: Stage?\nitems: [{value: Prospecting}, {value: Qualification}, {value: Closed Won, synonyms: [won]}]", "won"},
		{"invalid_email", "entity_type: email\nprompt: E-mail?\nretries: 10\nerror_prompts: ['Again?']", "nope"},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			e := mustEntity(b, c.yaml)
			turn := newEntTurn("")
			in := Input{Text: c.answer}
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				turn.Memory.Entities = nil
				turn.State.Retries = 0
				turn.ResetReplies()
				if _, err := e.Input(ctx, turn, in); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N), "µs/turn")
		})
	}
}

// An entity node asks, re-prompts on invalid input and stores the value.
func ExampleEntity() {
	var e Entity
	config, err := ParseYAML("lead.yaml", []byte(`
entity_type: email
name: email
prompt: What is your e-mail address?
error_prompts: ["That does not look like an e-mail address. Please try again."]
`))
	if err != nil {
		panic(err)
	}
	if err := ConfigureNode(&e, NodeSource{File: "lead.yaml", Config: config}, Host{NodeID: "ask_email", Languages: []string{"en"}}); err != nil {
		panic(err)
	}
	ctx := context.Background()
	t := &Turn{Memory: &Memory{}, Lang: "en", State: &NodeState{}, Utterance: "create a lead"}

	e.Run(ctx, t) // nothing to extract from the utterance: ask
	for _, answer := range []string{"jane at example", "Jane@EXAMPLE.com"} {
		out, _ := e.Input(ctx, t, Input{Text: answer})
		fmt.Println(out.Status == StatusWait, t.Memory.Entities["email"])
	}
	for _, r := range t.Replies() {
		fmt.Println("bot:", r.Text)
	}
	// Output:
	// true <nil>
	// false Jane@example.com
	// bot: What is your e-mail address?
	// bot: That does not look like an e-mail address. Please try again.
}
