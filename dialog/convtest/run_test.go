package convtest

import (
	"context"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/botforge/dialogd/dialog"
	"github.com/botforge/dialogd/nodes"
)

const askTask = `name: ask
nodes:
  - {id: start, type: intent, utterances: [ask me], next: name}
  - {id: name, type: entity, entity_type: person_name, prompt: "Your name?", next: sure}
  - {id: sure, type: confirmation, prompt: "Sure, {{ entities.name }}?", on_yes: "yes", on_no: "no"}
  - {id: "yes", type: message, text: Confirmed., next: end}
  - {id: "no", type: message, text: Dropped.}
`

func askBot(t *testing.T) *dialog.Bot {
	t.Helper()
	bot, err := dialog.LoadFS(fstest.MapFS{
		"bot.yaml":       {Data: []byte("name: ask\nlanguages: [en]\n")},
		"tasks/ask.yaml": {Data: []byte(askTask)},
	}, "ask", nodes.Default())
	if err != nil {
		t.Fatal(err)
	}
	return bot
}

func TestRunTracesMovesForCoverage(t *testing.T) {
	bot := askBot(t)
	tc := Test{Name: "yes", Turns: []Turn{
		{Say: "ask me", Expect: "Your name?"},
		{Say: "Ada", Expect: "Sure, Ada?", Kind: "quick_replies", Context: &Values{"entities.name": "Ada"}},
		{Click: "Yes", Expect: "Confirmed.", Context: &Values{"entities.name": "Ada", "intent": "ask"}},
	}}
	res := Run(context.Background(), Env{Bot: bot}, tc, 0)
	if res.Failure != nil {
		t.Fatalf("test failed:\n%s", res.Failure.Report(""))
	}
	var moves []string
	for _, m := range res.Moves {
		moves = append(moves, m.Task+":"+m.From+"→"+m.To)
	}
	if got, want := strings.Join(moves, " "), "ask:start→name ask:name→sure ask:sure→yes ask:yes→end"; got != want {
		t.Errorf("moves = %s, want %s", got, want)
	}
	cov := Coverage(bot.Tasks["ask"], res.Moves)
	if cov.Taken != 4 || cov.Declared != 5 || len(cov.Untaken) != 1 || cov.Untaken[0].From != "sure" || cov.Untaken[0].To != "no" || cov.Untaken[0].Key != "on_no" {
		t.Errorf("coverage = %+v, want 4 of 5 taken, sure → no (on_no) not", cov)
	}
}

func TestRunReportsTheFirstFailure(t *testing.T) {
	bot := askBot(t)
	tests := []struct {
		name  string
		turns []Turn
		turn  int
		check string
		sum   string
	}{
		{"text", []Turn{{Say: "ask me", Expect: "/^Name\\?$/"}}, 1, "text", `say "ask me": got "Your name?", want a match of /^Name\?$/`},
		{"kind", []Turn{{Say: "ask me", Kind: "card"}}, 1, "kind", `say "ask me": kind: want card, got message`},
		{"context", []Turn{{Say: "ask me", Expect: "name"}, {Say: "Ada", Context: &Values{"entities.name": "Bob"}}}, 2, "context",
			`say "Ada": context: want entities.name: Bob, got entities.name: Ada`},
		{"button", []Turn{{Say: "ask me", Expect: "name"}, {Say: "Ada", Expect: "Sure"}, {Click: "Maybe", Expect: "x"}}, 3, "button",
			`click "Maybe": no such button (the replies offered "Yes", "No")`},
		{"records without an org", []Turn{{Say: "ask me", Records: &RecordsCheck{SOQL: "SELECT Id FROM Lead", Rows: []Values{}}}}, 1, "records",
			`say "ask me": no Salesforce org to query`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := Run(context.Background(), Env{Bot: bot}, Test{Turns: tt.turns}, 0)
			f := res.Failure
			if f == nil {
				t.Fatal("test passed, want a failure")
			}
			if f.Turn != tt.turn || f.Check != tt.check || f.Summary() != tt.sum {
				t.Errorf("failure = turn %d, %s: %s; want turn %d, %s: %s", f.Turn, f.Check, f.Summary(), tt.turn, tt.check, tt.sum)
			}
			sent := tt.turn // the turns sent: all but a click on a missing button
			if tt.check == "button" {
				sent--
			}
			if len(f.Transcript) != sent {
				t.Errorf("transcript has %d turns, want %d", len(f.Transcript), sent)
			}
		})
	}
}
