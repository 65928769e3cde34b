package soql

import (
	"strings"
	"testing"
)

// tokString shows tokens as kind[part part] separated by spaces.
func tokString(toks []termTok) string {
	var out []string
	for _, t := range toks {
		if t.kind == "word" || t.kind == "phrase" {
			out = append(out, t.kind+"["+strings.Join(t.parts, " ")+"]")
			continue
		}
		out = append(out, t.kind)
	}
	return strings.Join(out, " ")
}

func TestLexTerm(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"Acme", "word[acme]"},
		{"  Acme \t Co ", "word[acme] word[co]"},
		{"john@acme.com", "word[john acme com]"},
		{`O\'Brien`, "word[o brien]"},
		{"Lov*", "word[lov%]"},
		{"a*b", "word[a%b]"},
		{"Hopp?r", "word[hopp_r]"},
		{"*", "word[%]"},
		{"-", "word[]"},
		{"a AND b or c Not d", "word[a] AND word[b] OR word[c] NOT word[d]"},
		{`\AND and\ OR`, "word[and] word[and or]"},
		{"(a OR b)", "( word[a] OR word[b] )"},
		{`"Analytical Engines"`, "phrase[analytical engines]"},
		{`"x AND (y)"`, "phrase[x and y]"},
		{`"a \" b"`, "phrase[a b]"},
		{`x"y z"w`, "word[x] phrase[y z] word[w]"},
		{`""`, "phrase[]"},
	}
	for _, tt := range tests {
		toks, err := lexTerm(tt.in)
		if err != nil {
			t.Errorf("lexTerm(%q) error = %v; want %s", tt.in, err, tt.want)
			continue
		}
		if got := tokString(toks); got != tt.want {
			t.Errorf("lexTerm(%q) = %s; want %s", tt.in, got, tt.want)
		}
	}
}

func TestLexTermErrors(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{`abc\`, "search term ends in an escape character"},
		{`"abc`, "unmatched quote in search term"},
		{`"abc\"`, "unmatched quote in search term"},
		{`a "b`, "unmatched quote in search term"},
	}
	for _, tt := range tests {
		toks, err := lexTerm(tt.in)
		if err == nil || err.Code != CodeMalformedSearch || !strings.Contains(err.Message, tt.want) {
			t.Errorf("lexTerm(%q) = %s, %v; want %s %q", tt.in, tokString(toks), err, CodeMalformedSearch, tt.want)
		}
	}
}
