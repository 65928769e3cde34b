package dialog_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/botforge/dialogd/dialog"
	"github.com/botforge/dialogd/nodes"
	"github.com/botforge/dialogd/sessions"
)

// failingTasks are tasks that each meet one kind of failure; {api} is the
// URL of a service that answers 500.
var failingTasks = map[string]string{
	"service": `
name: service
nodes:
  - {id: start, type: intent, utterances: [service], next: call}
  - {id: call, type: service, method: POST, url: "{api}/leads", body: {a: b}, next: done}
  - {id: done, type: message, text: "Created."}
`,
	"reconnect": `
name: reconnect
nodes:
  - {id: start, type: intent, utterances: [reconnect], next: call}
  - {id: call, type: service, url: "{api}/leads", auth: admin, next: done}
  - {id: done, type: message, text: "Created."}
`,
	"script": `
name: script
nodes:
  - {id: start, type: intent, utterances: [script], next: compute}
  - {id: compute, type: script, set: {conversation.r: 'int("x")'}, next: done}
  - {id: done, type: message, text: "Computed."}
`,
	"loop": `
name: loop
nodes:
  - {id: start, type: intent, utterances: [loop], next: a}
  - {id: a, type: message, text: A, next: b}
  - {id: b, type: message, text: B, next: a}
`,
	"retries": `
name: retries
nodes:
  - {id: start, type: intent, utterances: [retries], next: ask}
  - {id: ask, type: entity, entity_type: number, prompt: "How many?", retries: 1, next: done}
  - {id: done, type: message, text: "Noted."}
`,
	"confirm": `
name: confirm
nodes:
  - {id: start, type: intent, utterances: [confirm], next: sure}
  - {id: sure, type: confirmation, prompt: "Sure?", retries: 0, on_yes: done, on_no: done}
  - {id: done, type: message, text: "Noted."}
`,
	"denied": `
name: denied
nodes:
  - {id: start, type: intent, utterances: [denied], next: call}
  - {id: call, type: service, url: "{api}/leads", auth: crm, next: done}
  - {id: done, type: message, text: "Created."}
`,
	"internal": `
name: internal
nodes:
  - {id: start, type: intent, utterances: [internal], next: pick}
  - {id: pick, type: entity, entity_type: list, prompt: "Which?", from: nothing.records, value: Id, next: done}
  - {id: done, type: message, text: "Picked."}
`,
	"recover": `
name: recover
nodes:
  - {id: start, type: intent, utterances: [recover], next: call}
  - {id: call, type: service, method: POST, url: "{api}/leads", body: {a: b}, next: done, on_error: sorry}
  - {id: sorry, type: message, text: "We could not create it; a colleague will call you."}
  - {id: done, type: message, text: "Created."}
`,
	"fine": `
name: fine
nodes:
  - {id: start, type: intent, utterances: [fine], next: done}
  - {id: done, type: message, text: "Done."}
`,
}

// failBot writes a bot with the failing tasks and the given events and
// messages sections of bot.yaml, and returns its runtime. Its crm
// profile always asks for authorization and its admin profile always
// needs an administrator.
func failBot(t *testing.T, botYAML string, opts dialog.Options) (*dialog.Runtime, *clock) {
	t.Helper()
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, `{"error":"down"}`, http.StatusInternalServerError)
	}))
	t.Cleanup(api.Close)
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "tasks"), 0o755); err != nil {
		t.Fatal(err)
	}
	head := "name: failbot\nlanguages: [en, de]\nsettings: {max_node_visits: 5}\n" +
		"auth_profiles:\n  crm: {kind: bearer, secret: {env: FAILBOT_TOKEN}}\n  admin: {kind: bearer, secret: {env: FAILBOT_TOKEN}}\n"
	if err := os.WriteFile(filepath.Join(dir, "bot.yaml"), []byte(head+botYAML), 0o644); err != nil {
		t.Fatal(err)
	}
	for name, src := range failingTasks {
		if err := os.WriteFile(filepath.Join(dir, "tasks", name+".yaml"), []byte(strings.ReplaceAll(src, "{api}", api.URL)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	bot, err := dialog.LoadDir(dir)
	if err != nil {
		t.Fatalf("load the failing bot: %v", err)
	}
	clk := &clock{}
	clk.t.Store(time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC).Unix())
	opts.Auth, opts.Now, opts.ParkTTL = refusingAuth{}, clk.now, 10*time.Minute
	return dialog.NewRuntime(bot, sessions.NewMemory(sessions.Options{}), opts), clk
}

// refusingAuth asks for an authorization on the crm profile and reports
// a credential only an administrator can restore on the admin profile.
type refusingAuth struct{}

func (refusingAuth) Apply(_ context.Context, _ *nodes.Turn, profile string, _ *http.Request) error {
	if profile == "admin" {
		return fmt.Errorf("refresh refused: %w", nodes.ErrReconnectRequired)
	}
	return &nodes.AuthorizationRequiredError{Profile: profile, URL: "https://login.example/authorize", Text: "Please connect."}
}

// meet drives a conversation into one kind of failure and returns what the
// bot said in the turn that failed.
func meet(t *testing.T, rt *dialog.Runtime, clk *clock, kind nodes.Failure) string {
	t.Helper()
	c := &chat{t: t, rt: rt, sid: "s-" + t.Name()}
	switch kind {
	case nodes.FailService:
		return texts(c.say("service"))
	case nodes.FailReconnect:
		return texts(c.say("reconnect"))
	case nodes.FailScript:
		return texts(c.say("script"))
	case nodes.FailLoop:
		return texts(c.say("loop"))
	case nodes.FailRetries:
		c.say("retries")
		c.say("many")
		return texts(c.say("lots"))
	case nodes.FailDenied:
		c.say("denied")
		frames, err := rt.Denied(context.Background(), c.sid, "u1")
		if err != nil {
			t.Fatal(err)
		}
		return texts(decode(t, frames))
	case nodes.FailExpired:
		c.say("denied")
		clk.add(11 * time.Minute)
		frames, err := rt.Resume(context.Background(), c.sid, "u1")
		if err != nil {
			t.Fatal(err)
		}
		return texts(decode(t, frames))
	case nodes.FailInternal:
		return texts(c.say("internal"))
	}
	t.Fatalf("no way to meet failure %s", kind)
	return ""
}

// Every failure a user can meet says the bot's text for its kind when
// bot.yaml has one, and the built-in phrase for the kind otherwise.
func TestFailureTextsByKind(t *testing.T) {
	var overrides strings.Builder
	overrides.WriteString("events:\n  failures:\n")
	for _, kind := range nodes.Failures() {
		fmt.Fprintf(&overrides, "    %s: \"Our own words for %s.\"\n", kind, kind)
	}
	withTexts, clkWith := failBot(t, overrides.String(), dialog.Options{})
	builtin, clkBuiltin := failBot(t, "", dialog.Options{})
	for _, kind := range nodes.Failures() {
		t.Run(string(kind), func(t *testing.T) {
			if got, want := meet(t, withTexts, clkWith, kind), "Our own words for "+string(kind)+"."; !strings.HasSuffix(got, want) {
				t.Errorf("with events.failures.%s: said %q; want it to end with %q", kind, got, want)
			}
			want := nodes.BuiltinPhrase("en", kind.PhraseKey(), "denied")
			if got := meet(t, builtin, clkBuiltin, kind); !strings.HasSuffix(got, want) {
				t.Errorf("without a text of the bot: said %q; want it to end with %q", got, want)
			}
		})
	}
}

// A node's own text beats its failure_text, which beats the bot's text
// for the kind, which beats the bot's text for every failure.
func TestFailureTextPrecedence(t *testing.T) {
	tests := []struct {
		name, bot, task, want string
	}{
		{"task_failure for every kind", "events:\n  task_failure: Something broke; call 555.\n", "script",
			"Something broke; call 555."},
		{"task_end.failed before task_failure", "events:\n  task_end: {failed: \"Failed, sorry.\"}\n  task_failure: Something broke.\n", "service",
			"Failed, sorry."},
		{"the kind before every kind", "events:\n  task_failure: Something broke.\n  failures: {loop: \"Going in circles.\"}\n", "loop",
			"Going in circles."},
		{"language map", "events:\n  failures: {service_error: {en: \"The CRM is down.\", de: \"Das CRM ist weg.\"}}\n", "service",
			"The CRM is down."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rt, _ := failBot(t, tt.bot, dialog.Options{})
			c := &chat{t: t, rt: rt, sid: "s-" + t.Name()}
			if got := texts(c.say(tt.task)); !strings.HasSuffix(got, tt.want) {
				t.Errorf("%s: said %q; want it to end with %q", tt.task, got, tt.want)
			}
		})
	}
}

// failure_text on a node is said for any failure there; the node type's
// own text (a service's error_message) still comes first.
func TestNodeFailureText(t *testing.T) {
	saved := failingTasks["service"]
	t.Cleanup(func() { failingTasks["service"] = saved })
	bot := "events:\n  failures: {service_error: \"The bot's words.\"}\n"
	tests := []struct {
		name, extra, want string
	}{
		{"failure_text", `, failure_text: "The node's words."`, "The node's words."},
		{"error_message first", `, failure_text: "The node's words.", error_message: "The service's own words."`, "The service's own words."},
		{"neither", "", "The bot's words."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			failingTasks["service"] = strings.Replace(saved, "next: done}", "next: done"+tt.extra+"}", 1)
			rt, _ := failBot(t, bot, dialog.Options{})
			c := &chat{t: t, rt: rt, sid: "s-" + t.Name()}
			if got := texts(c.say("service")); !strings.HasSuffix(got, tt.want) {
				t.Errorf("said %q; want it to end with %q", got, tt.want)
			}
		})
	}
}

// A task that went down a node's on_error branch and then ended is
// counted as recovered, not fulfilled, and the fulfilled text is not said
// after the branch's apology.
func TestErrorBranchEndsRecovered(t *testing.T) {
	reg := prometheus.NewRegistry()
	rt, _ := failBot(t, "events:\n  task_end: {fulfilled: \"All done!\"}\n", dialog.Options{Metrics: dialog.NewMetrics(reg)})
	c := &chat{t: t, rt: rt, sid: "s-" + t.Name()}
	if got := texts(c.say("recover")); !strings.Contains(got, "We could not create it") || strings.Contains(got, "All done!") {
		t.Errorf("recover: said %q; want the on_error apology and no fulfilled text", got)
	}
	if got := texts(c.say("fine")); !strings.Contains(got, "All done!") {
		t.Errorf("fine: said %q; want the fulfilled text", got)
	}
	ended := map[string]float64{}
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != "dialogd_tasks_ended_total" {
			continue
		}
		for _, m := range mf.GetMetric() {
			labels := map[string]string{}
			for _, l := range m.GetLabel() {
				labels[l.GetName()] = l.GetValue()
			}
			ended[labels["task"]+"/"+labels["reason"]] += m.GetCounter().GetValue()
		}
	}
	want := map[string]float64{"recover/recovered": 1, "fine/fulfilled": 1}
	for k, v := range want {
		if ended[k] != v {
			t.Errorf("tasks ended %s = %v; want %v (all: %v)", k, ended[k], v, ended)
		}
	}
	if ended["recover/fulfilled"] != 0 {
		t.Errorf("the recovered task was also counted fulfilled: %v", ended)
	}
}

// A bot's messages: override built-in phrases, per language; the
// languages it does not give keep the built-in phrase.
func TestMessagesOverridePhrases(t *testing.T) {
	rt, _ := failBot(t, "messages:\n  fallback: {de: \"Das kann ich noch nicht.\"}\n  help: Try one of these.\n  button.yes: Sure\n", dialog.Options{})
	c := &chat{t: t, rt: rt, sid: "s-" + t.Name()}
	tests := []struct {
		say, want string
	}{
		{"xyzzy", nodes.BuiltinPhrase("en", "fallback")},
		{"help", "Try one of these."},
		{"hilfe", "Try one of these."},
		{"xyzzy", "Das kann ich noch nicht."},
	}
	for _, tt := range tests {
		if got := texts(c.say(tt.say)); !strings.Contains(got, tt.want) {
			t.Errorf("%q: said %q; want %q", tt.say, got, tt.want)
		}
	}
	c.say("cancel")
	rs := c.say("confirm")
	if l := last(t, rs); len(l.QuickReplies) != 2 || l.QuickReplies[0].Title != "Sure" || l.QuickReplies[1].Title != "No" {
		t.Errorf("confirmation quick replies = %+v; want Sure (the bot's) and No (built-in)", l.QuickReplies)
	}
}

// Unknown phrase keys and failure texts in messages: are load errors.
func TestMessagesRefuseUnknownKeys(t *testing.T) {
	tests := []struct {
		bot, want string
	}{
		{"messages:\n  fallbak: Hmm.\n", `unknown phrase "fallbak"`},
		{"messages:\n  failure.loop: Hmm.\n", "failure texts are set by kind under events.failures"},
		{"events:\n  failures: {lop: \"Hmm.\"}\n", `unknown key "lop"`},
	}
	for _, tt := range tests {
		dir := t.TempDir()
		os.Mkdir(filepath.Join(dir, "tasks"), 0o755)
		os.WriteFile(filepath.Join(dir, "bot.yaml"), []byte("name: b\nlanguages: [en]\n"+tt.bot), 0o644)
		os.WriteFile(filepath.Join(dir, "tasks", "fine.yaml"), []byte(failingTasks["fine"]), 0o644)
		_, err := dialog.LoadDir(dir)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("bot.yaml %q: load error %v; want one containing %q", tt.bot, err, tt.want)
		}
	}
}
