package convtest

import (
	"strings"
	"testing"
)

func TestTurnProblems(t *testing.T) {
	zero := 0
	tests := []struct {
		name string
		turn Turn
		want string // "" for none; else a substring of the first problem
	}{
		{"say and expect", Turn{Say: "hi", Expect: "hello"}, ""},
		{"click and kind only", Turn{Click: "Yes", Kind: "card, link"}, ""},
		{"neither say nor click", Turn{Expect: "x"}, "either says something or clicks"},
		{"both say and click", Turn{Say: "a", Click: "b", Expect: "x"}, "either says something or clicks"},
		{"expects nothing", Turn{Say: "a"}, "expects something"},
		{"signs in", Turn{SignIn: SignInGrant, Expect: "Done"}, ""},
		{"signs in and says", Turn{SignIn: SignInDeny, Say: "no", Expect: "x"}, "either says something or clicks a button (or signs in"},
		{"signs in how", Turn{SignIn: "yes", Expect: "x"}, `sign_in "yes" is not grant or deny`},
		{"bad regexp", Turn{Say: "a", Expect: "/(/"}, "expect /(/"},
		{"unknown kind", Turn{Say: "a", Kind: "cards"}, `kind "cards" is not one of message, authorize`},
		{"bad context regexp", Turn{Say: "a", Context: &Values{"entities.x": "/[/"}}, "context entities.x"},
		{"records without soql", Turn{Say: "a", Records: &RecordsCheck{Count: &zero}}, "records needs a soql query"},
		{"records without rows or count", Turn{Say: "a", Records: &RecordsCheck{SOQL: "SELECT Id FROM Lead"}}, "needs rows or a count"},
		{"records with both", Turn{Say: "a", Records: &RecordsCheck{SOQL: "SELECT Id FROM Lead", Count: &zero, Rows: []Values{{}}}}, "not both"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			probs := tt.turn.Problems()
			switch {
			case tt.want == "" && len(probs) > 0:
				t.Errorf("Problems() = %q, want none", probs)
			case tt.want != "" && (len(probs) == 0 || !strings.Contains(probs[0], tt.want)):
				t.Errorf("Problems() = %q, want a first one containing %q", probs, tt.want)
			}
		})
	}
}

func TestRowsMatch(t *testing.T) {
	got := []map[string]any{
		{"attributes": map[string]any{"type": "Lead"}, "LastName": "Doe", "Amount": 1200.0, "Account": map[string]any{"Name": "Acme"}},
		{"LastName": "Roe", "Amount": 5.5, "Account": nil},
	}
	tests := []struct {
		name string
		want []Values
		ok   bool
	}{
		{"any order", []Values{{"LastName": "Roe"}, {"LastName": "Doe"}}, true},
		{"numbers as written", []Values{{"Amount": 1200}, {"Amount": 5.5}}, true},
		{"field names in any case", []Values{{"lastname": "Doe"}, {"LASTNAME": "Roe"}}, true},
		{"relationship field", []Values{{"Account.Name": "Acme"}, {"Account.Name": nil}}, true},
		{"regexp", []Values{{"LastName": "/^D/"}, {"LastName": "/oe$/"}}, true},
		{"a row too few", []Values{{"LastName": "Doe"}}, false},
		{"one row for two", []Values{{"LastName": "Doe"}, {"LastName": "Doe"}}, false},
		{"a value differs", []Values{{"LastName": "Doe"}, {"LastName": "Rowe"}}, false},
		{"null wants unset", []Values{{"LastName": "Doe", "Email": nil}, {"LastName": "Roe"}}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if ok := rowsMatch(tt.want, got); ok != tt.ok {
				t.Errorf("rowsMatch(%v) = %v, want %v", tt.want, ok, tt.ok)
			}
		})
	}
}

func TestReadAnswerKinds(t *testing.T) {
	frames := [][]byte{
		[]byte(`{"type":"message","text":"Done.","card":{"title":"Doe","link":{"title":"View","payload":"","url":"https://x.example/1"}}}`),
		[]byte(`{"type":"message","text":"More?","quick_replies":[{"title":"Yes","payload":"yes"}],"buttons":[{"title":"Open","payload":"","url":"https://x.example"}]}`),
	}
	a, err := readAnswer(frames)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := strings.Join(a.kinds, ","), "message,card,link,quick_replies"; got != want {
		t.Errorf("kinds = %s, want %s", got, want)
	}
	if a.text != "Done.\nMore?" {
		t.Errorf("text = %q", a.text)
	}
	if _, ok := a.findButton("yes"); !ok || len(a.buttons) != 1 {
		t.Errorf("buttons = %v: want the quick reply only (a link button sends nothing)", a.buttons)
	}
}
