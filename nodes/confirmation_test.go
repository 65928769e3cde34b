package nodes

import (
	"context"
	"reflect"
	"strings"
	"testing"
)

const confirmSrc = `
prompt: {en: "Create a lead for {{ entities.name }}?", de: "Lead für {{ entities.name }} anlegen?", ja: "{{ entities.name }}さんのリードを作成しますか？"}
on_yes: create_lead
on_no: ask_name
yes_synonyms: [go for it]
no_synonyms: [hold on]
retries: 2
`

func TestConfirmationRun(t *testing.T) {
	tests := []struct {
		lang string
		want Reply
	}{
		{"en", Reply{Type: ReplyMessage, Text: "Create a lead for Ada?",
			QuickReplies: []Button{{Title: "Yes", Payload: "yes"}, {Title: "No", Payload: "no"}}}},
		{"de", Reply{Type: ReplyMessage, Text: "Lead für Ada anlegen?",
			QuickReplies: []Button{{Title: "Ja", Payload: "yes"}, {Title: "Nein", Payload: "no"}}}},
		{"ja", Reply{Type: ReplyMessage, Text: "Adaさんのリードを作成しますか？",
			QuickReplies: []Button{{Title: "はい", Payload: "yes"}, {Title: "いいえ", Payload: "no"}}}},
	}
	for _, tt := range tests {
		t.Run(tt.lang, func(t *testing.T) {
			n := mustLoad(t, "confirmation", confirmSrc)
			turn := newTurn(tt.lang)
			turn.Memory.SetEntity("name", "Ada")
			turn.State.Retries = 2 // left over; Run starts afresh
			out, err := n.Run(context.Background(), turn)
			if err != nil || out != Wait() {
				t.Fatalf("Run = %+v, %v; want Wait()", out, err)
			}
			if got := turn.Replies(); len(got) != 1 || !reflect.DeepEqual(got[0], tt.want) {
				t.Errorf("replies = %+v; want [%+v]", got, tt.want)
			}
			if turn.State.Retries != 0 {
				t.Errorf("Run left retries at %d; want 0", turn.State.Retries)
			}
		})
	}
}

func TestConfirmationInput(t *testing.T) {
	tests := []struct {
		lang       string
		in         Input
		want       Outcome
		wantAnswer string
	}{
		{"en", Input{Text: "Yes", Payload: "yes"}, GoTo("create_lead"), "yes"},
		{"en", Input{Text: "No", Payload: "no"}, GoTo("ask_name"), "no"},
		{"en", Input{Text: "yep!"}, GoTo("create_lead"), "yes"},
		{"en", Input{Text: "of course not"}, GoTo("ask_name"), "no"},
		{"en", Input{Text: "Go for it"}, GoTo("create_lead"), "yes"},
		{"en", Input{Text: "hold on"}, GoTo("ask_name"), "no"},
		{"en", Input{Text: "👍"}, GoTo("create_lead"), "yes"},
		{"ja", Input{Text: "はい、お願いします"}, GoTo("create_lead"), "yes"},
		{"ja", Input{Text: "いいえ"}, GoTo("ask_name"), "no"},
		{"de", Input{Text: "Jawohl"}, GoTo("create_lead"), "yes"},
		{"de", Input{Text: "auf keinen Fall"}, GoTo("ask_name"), "no"},
	}
	for _, tt := range tests {
		t.Run(tt.lang+"/"+tt.in.Value(), func(t *testing.T) {
			n := mustLoad(t, "confirmation", confirmSrc).(*Confirmation)
			turn := newTurn(tt.lang)
			out, err := n.Input(context.Background(), turn, tt.in)
			if err != nil || out != tt.want {
				t.Errorf("Input(%q) = %+v, %v; want %+v", tt.in.Value(), out, err, tt.want)
			}
			c, _ := CompileCond(`node1.answer == "` + tt.wantAnswer + `"`)
			if ok, err := c.Eval(turn); !ok || err != nil {
				t.Errorf("after Input(%q): node1.answer is not %q (ctx %+v)", tt.in.Value(), tt.wantAnswer, turn.Memory.Nodes)
			}
			if turn.Memory.Input != tt.in.Value() {
				t.Errorf("ctx input = %q; want %q", turn.Memory.Input, tt.in.Value())
			}
		})
	}
}

func TestConfirmationEmptyTargetsFollowTransitions(t *testing.T) {
	n := mustLoad(t, "confirmation", "prompt: Sure?")
	for _, text := range []string{"yes", "no"} {
		out, err := n.(InputNode).Input(context.Background(), newTurn("en"), Input{Text: text})
		if err != nil || out != Next() {
			t.Errorf("Input(%q) = %+v, %v; want Next()", text, out, err)
		}
	}
}

func TestConfirmationElse(t *testing.T) {
	n := mustLoad(t, "confirmation", confirmSrc+"on_else: explain\n")
	turn := newTurn("en")
	out, err := n.(InputNode).Input(context.Background(), turn, Input{Text: "what do you mean?"})
	if err != nil || out != GoTo("explain") {
		t.Errorf("Input = %+v, %v; want GoTo(explain)", out, err)
	}
	if len(turn.Replies()) != 0 {
		t.Errorf("replies = %+v; want none", turn.Replies())
	}
}

func TestConfirmationRetries(t *testing.T) {
	tests := []struct {
		name, src  string
		lang       string
		wantPrompt []string // error prompts said before failing
		wantFail   string
	}{
		{"default prompts", confirmSrc, "en",
			[]string{"Sorry, I didn't get that. Please answer yes or no.", "Sorry, I didn't get that. Please answer yes or no."},
			""},
		{"own prompts cycle", confirmSrc + "retries: 3\nerror_prompts: [\"Yes or no?\", {en: \"Just yes or no, {{ entities.name }}.\"}]\nfail_message: Giving up.\n", "en",
			[]string{"Yes or no?", "Just yes or no, Ada.", "Yes or no?"}, "Giving up."},
		{"german defaults", confirmSrc, "de",
			[]string{"Entschuldigung, bitte antworten Sie mit Ja oder Nein.", "Entschuldigung, bitte antworten Sie mit Ja oder Nein."},
			""},
		{"zero retries", "prompt: Sure?\nretries: 0\n", "en", nil, ""},
		{"omitted retries means three", "prompt: Sure?\n", "en",
			[]string{"Sorry, I didn't get that. Please answer yes or no.", "Sorry, I didn't get that. Please answer yes or no.", "Sorry, I didn't get that. Please answer yes or no."},
			""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := tt.src
			if strings.Count(src, "retries:") > 1 { // a later key would be a duplicate
				src = strings.Replace(src, "retries: 2\n", "", 1)
			}
			n := mustLoad(t, "confirmation", src).(*Confirmation)
			turn := newTurn(tt.lang)
			turn.Memory.SetEntity("name", "Ada")
			if _, err := n.Run(context.Background(), turn); err != nil {
				t.Fatal(err)
			}
			turn.ResetReplies()
			var said []string
			for i := 0; ; i++ {
				if i > 10 {
					t.Fatal("never failed")
				}
				out, err := n.Input(context.Background(), turn, Input{Text: "banana"})
				if err != nil {
					t.Fatal(err)
				}
				if out.Status == StatusEnd {
					if want := FailWith(FailRetries, tt.wantFail); out != want {
						t.Errorf("final outcome = %+v; want %+v", out, want)
					}
					break
				}
				if out != Wait() {
					t.Fatalf("Input #%d = %+v; want Wait()", i, out)
				}
				r := turn.Replies()
				if len(r) != 1 || len(r[0].QuickReplies) != 2 {
					t.Fatalf("re-prompt #%d replies = %+v; want one with Yes/No quick replies", i, r)
				}
				said = append(said, r[0].Text)
				turn.ResetReplies()
			}
			if !reflect.DeepEqual(said, tt.wantPrompt) {
				t.Errorf("error prompts = %q; want %q", said, tt.wantPrompt)
			}
		})
	}
}

func TestConfirmationErrors(t *testing.T) {
	tests := []struct{ src, want string }{
		{"on_yes: a", "prompt is required"},
		{"prompt: ok?\nretries: -1", "retries must be between 0 and 10"},
		{"prompt: ok?\non_yes: [a]", "node.yaml:2:9: on_yes: want a string, got a list"},
	}
	for _, tt := range tests {
		_, err := loadNode("confirmation", tt.src, nil)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("load %q: error %v; want it to contain %q", tt.src, err, tt.want)
		}
	}
}

func BenchmarkConfirmationInput(b *testing.B) {
	n, err := loadNode("confirmation", confirmSrc, nil)
	if err != nil {
		b.Fatal(err)
	}
	turn := newTurn("en")
	in := Input{Text: "Of course not!"}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		out, err := n.(InputNode).Input(ctx, turn, in)
		if err != nil || out != GoTo("ask_name") {
			b.Fatalf("Input = %+v, %v", out, err)
		}
	}
}
