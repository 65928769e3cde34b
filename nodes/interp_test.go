package nodes

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/botforge/dialogd/internal/golden"
)

// yamlUnmarshal decodes YAML text into v with the host's strict decoder.
func yamlUnmarshal(src string, v any) error { return UnmarshalStrict("test.yaml", []byte(src), v) }

// interpTurn returns a turn with values for template tests.
func interpTurn() *Turn {
	c := &Memory{Intent: "create_lead", Lang: "en", Input: "hello"}
	c.SetEntity("name", "Ada Lovelace")
	c.SetEntity("email", "ada@example.com")
	c.SetEntity("qty", 3.0)
	c.SetEntity("price", 2.5)
	c.SetEntity("big", 1e21)
	c.SetEntity("flag", true)
	c.SetEntity("empty", "")
	c.SetEntity("pad", "  x  ")
	c.SetEntity("tags", []any{"a", "b"})
	c.SetEntity("addr", map[string]any{"city": "Tokyo"})
	c.SetNode("create_lead", map[string]any{"response": map[string]any{
		"status": 201.0, "body": map[string]any{"id": "00Q5g00000A1b2CEAR"},
	}})
	c.SetVar(ScopeConversation, "base", "https://na1.example.my.salesforce.com", 0)
	c.SetVar(ScopeUser, "n", 7, 0) // an int, as a logic node may store
	return &Turn{Memory: c, Lang: "en", Now: time.Unix(1_700_000_000, 0)}
}

func TestParseInterpErrors(t *testing.T) {
	tests := []struct {
		src     string
		wantCol int
		wantMsg string
	}{
		{"Hi {{ entities.name", 4, "unclosed {{"},
		{"Hi {{", 4, "unclosed {{"},
		{"{{}}", 3, "empty interpolation"},
		{"ab {{ | upper }}", 7, "empty interpolation"},
		{"{{ entities. }}", 13, "unexpected \" \" in path"},
		{"{{ entities..x }}", 13, `unexpected "." in path`},
		{"{{ entities.x | shout }}", 17, `unknown filter "shout"`},
		{"{{ entities.x | }}", 17, "missing filter name"},
		{"{{ entities.x | default }}", 17, "filter default needs a value"},
		{"{{ entities.x | upper: 1 }}", 22, "takes no argument"},
		{"{{ entities.x | default: nope }}", 26, "bad value"},
		{`{{ entities.x | default: "open }}`, 26, "unterminated string"},
		{"{{ entities.x y }}", 15, `unexpected "y"`},
		{"{{ entities.x } }}", 15, `unexpected "}"`},
		{"日本語 {{ entities.x ! }}", 19, `unexpected "!"`}, // columns count characters
	}
	for _, tt := range tests {
		t.Run(tt.src, func(t *testing.T) {
			_, err := ParseInterp(tt.src)
			var te *InterpError
			if !errors.As(err, &te) {
				t.Fatalf("ParseInterp(%q) error = %v; want *InterpError", tt.src, err)
			}
			if te.Col != tt.wantCol || !strings.Contains(te.Msg, tt.wantMsg) {
				t.Errorf("ParseInterp(%q) = col %d %q; want col %d containing %q", tt.src, te.Col, te.Msg, tt.wantCol, tt.wantMsg)
			}
		})
	}
}

func TestInterpRender(t *testing.T) {
	tests := []struct {
		src, want string
	}{
		{"plain text", "plain text"},
		{"", ""},
		{"Hi {{entities.name}}!", "Hi Ada Lovelace!"},
		{"Hi {{ entities.name }}, {{ entities.email }}", "Hi Ada Lovelace, ada@example.com"},
		{"id={{ create_lead.response.body.id }}", "id=00Q5g00000A1b2CEAR"},
		{"{{ create_lead.response.status }}", "201"},
		{"{{ entities.qty }} x {{ entities.price }}", "3 x 2.5"},
		{"{{ entities.big }}", "1e+21"},
		{"{{ user.n }}", "7"},
		{"{{ entities.flag }}", "true"},
		{"{{ entities.tags }}", `["a","b"]`},
		{"{{ entities.addr }}", `{"city":"Tokyo"}`},
		{"{{ entities.tags.1 }}", "b"},
		{"[{{ entities.missing }}]", "[]"},
		{"[{{ nonode.a.b }}]", "[]"},
		{"{{ intent }}/{{ lang }}/{{ input }}", "create_lead/en/hello"},
		{"{{ entities.name | upper }}", "ADA LOVELACE"},
		{"{{ entities.name | lower }}", "ada lovelace"},
		{"[{{ entities.pad | trim }}]", "[x]"},
		{"{{ entities.pad | trim | upper }}", "X"},
		{`{{ entities.missing | default: "none" }}`, "none"},
		{`{{ entities.empty | default: 'none' }}`, "none"},
		{`{{ entities.name | default: "none" }}`, "Ada Lovelace"},
		{`{{ entities.missing | default: 0 }}`, "0"},
		{`{{ entities.missing | default: "a b" | upper }}`, "A B"},
		{`{{ entities.qty | upper }}`, "3"},
		{`{{ "{{" }} literal {{ '}}' }}`, "{{ literal }}"},
		{`{{ "a\"b\\c" }}`, `a"b\c`},
		{"a }} b", "a }} b"},
		{`{{ "O'Brien" | soql }}`, `O\'Brien`},
		{`{{ "a\\b\"c\nd\re\tf" | soql }}`, `a\\b\"c\nd\re\tf`},
		{`{{ "50%_off" | soql_like }}`, `50\%\_off`},
		{`{{ "a b&c=d/é" | url }}`, `a+b%26c%3Dd%2F%C3%A9`},
		{`{{ "say \"hi\"\n" | json }}`, `say \"hi\"\n`},
		{`{{ "<a href='x'>&</a>" | xml }}`, `&lt;a href=&#39;x&#39;&gt;&amp;&lt;/a&gt;`},
	}
	turn := interpTurn()
	for _, tt := range tests {
		t.Run(tt.src, func(t *testing.T) {
			tm, err := ParseInterp(tt.src)
			if err != nil {
				t.Fatalf("ParseInterp(%q) error: %v", tt.src, err)
			}
			got, err := tm.Render(turn, EscapeText)
			if err != nil {
				t.Fatalf("Render(%q) error: %v", tt.src, err)
			}
			if got != tt.want {
				t.Errorf("Render(%q) = %q; want %q", tt.src, got, tt.want)
			}
			if tm.String() != tt.src {
				t.Errorf("String() = %q; want %q", tm.String(), tt.src)
			}
		})
	}
}

func TestInterpEscapers(t *testing.T) {
	turn := interpTurn()
	turn.Memory.SetEntity("evil", `a b/c?d=e&f#g'"<>\`)
	tests := []struct {
		src  string
		esc  Escaper
		want string
	}{
		{"{{ entities.evil }}", EscapeText, `a b/c?d=e&f#g'"<>\`},
		{"/x/{{ entities.evil }}?q={{ entities.evil }}", EscapeURL,
			`/x/a%20b%2Fc%3Fd=e&f%23g%27%22%3C%3E%5C?q=a+b%2Fc%3Fd%3De%26f%23g%27%22%3C%3E%5C`},
		{"{{ conversation.base }}/services/data/v62.0/sobjects/Lead/{{ create_lead.response.body.id }}", EscapeURL,
			"https://na1.example.my.salesforce.com/services/data/v62.0/sobjects/Lead/00Q5g00000A1b2CEAR"},
		{"/query?q=SELECT Id FROM Lead WHERE Email = '{{ entities.evil | soql }}'", EscapeURL,
			`/query?q=SELECT%20Id%20FROM%20Lead%20WHERE%20Email%20=%20'a+b%2Fc%3Fd%3De%26f%23g%5C%27%5C%22%3C%3E%5C%5C'`},
		{"/x y/ü\\<{{ entities.qty }}>", EscapeURL, "/x%20y/%C3%BC%5C%3C3%3E"},
		{"<v a='{{ entities.evil }}'>{{ entities.evil }}</v>", EscapeXML,
			`<v a='a b/c?d=e&amp;f#g&#39;&#34;&lt;&gt;\'>a b/c?d=e&amp;f#g&#39;&#34;&lt;&gt;\</v>`},
		{`{"v": "{{ entities.evil }}"}`, EscapeJSON, `{"v": "a b/c?d=e&f#g'\"<>\\"}`},
		{"n={{ entities.qty }}&p={{ entities.price }}", EscapeURL, "n=3&p=2.5"},
		{"/big/{{ entities.big }}", EscapeURL, "/big/1e+21"},
		{"?big={{ entities.big }}", EscapeURL, "?big=1e%2B21"},
		// Literal text is encoded the same whether or not the text holds an
		// interpolation (issue 9, bug 2: a literal URL went out with raw spaces).
		{"/services/data/v60.0/query?q=SELECT Id FROM Lead", EscapeURL, "/services/data/v60.0/query?q=SELECT%20Id%20FROM%20Lead"},
		{"/x y/ü", EscapeURL, "/x%20y/%C3%BC"},
		{`{"v": "a b"}`, EscapeJSON, `{"v": "a b"}`},
	}
	for _, tt := range tests {
		t.Run(tt.esc.String()+"/"+tt.src, func(t *testing.T) {
			got, err := MustParseInterp(tt.src).Render(turn, tt.esc)
			if err != nil {
				t.Fatalf("Render error: %v", err)
			}
			if got != tt.want {
				t.Errorf("Render(%q, %s) =\n%q\nwant\n%q", tt.src, tt.esc, got, tt.want)
			}
		})
	}
}

func TestInterpYAML(t *testing.T) {
	var cfg struct {
		URL  Interp  `yaml:"url"`
		Opt  *Interp `yaml:"opt"`
		Null Interp  `yaml:"null"`
	}
	if err := yamlUnmarshal("url: /x/{{ entities.name }}\nnull: ~\n", &cfg); err != nil {
		t.Fatal(err)
	}
	if cfg.URL.String() != "/x/{{ entities.name }}" || cfg.URL.IsZero() || !cfg.Opt.IsZero() || !cfg.Null.IsZero() {
		t.Errorf("decoded %q, opt zero %v, null zero %v", cfg.URL.String(), cfg.Opt.IsZero(), cfg.Null.IsZero())
	}
	if got := cfg.URL.Paths(); !reflect.DeepEqual(got, []string{"entities.name"}) {
		t.Errorf("Paths() = %q", got)
	}
	err := yamlUnmarshal("url: {a: 1}", &cfg)
	if err == nil || !strings.Contains(err.Error(), "expected a string, got object") {
		t.Errorf("decode of a map: error %v", err)
	}
	err = yamlUnmarshal("url: \"{{ entities.x | nope }}\"", &cfg)
	var te *InterpError
	if !errors.As(err, &te) || te.Col != 17 {
		t.Errorf("decode of a bad template: error %v; want a *InterpError at column 17", err)
	}
}

func TestInterpNilTurn(t *testing.T) {
	got, err := MustParseInterp(`a{{ entities.x | default: "b" }}{{ "c" }}`).Render(nil, EscapeText)
	if err != nil || got != "abc" {
		t.Errorf("Render(nil turn) = %q, %v; want abc", got, err)
	}
	if got, err := (*Interp)(nil).Render(interpTurn(), EscapeURL); got != "" || err != nil {
		t.Errorf("nil template renders %q, %v", got, err)
	}
	if s, err := MustParseText("hi {{ lang }}").Render(nil); s != "hi " || err != nil {
		t.Errorf("Text.Render(nil) = %q, %v", s, err)
	}
}

func TestInterpUnsafeBaseURL(t *testing.T) {
	tests := []struct {
		base string
		ok   bool
	}{
		{"https://na1.example.com", true},
		{"http://127.0.0.1:8080/base", true},
		{"javascript:alert(1)", false},
		{"//evil.example.com", false},
		{"https://evil.example.com?x=1", false},
		{"https://user:pw@evil.example.com", false},
		{"https://evil.example.com#frag", false},
		{"evil", false},
		{"", false},
	}
	for _, tt := range tests {
		turn := interpTurn()
		turn.Memory.SetEntity("base", tt.base)
		_, err := MustParseInterp("{{ entities.base }}/x").Render(turn, EscapeURL)
		if gotOK := err == nil; gotOK != tt.ok {
			t.Errorf("Render with base %q: error %v; want ok=%v", tt.base, err, tt.ok)
		}
		if err != nil && !errors.Is(err, ErrUnsafeURL) {
			t.Errorf("Render with base %q: error %v; want ErrUnsafeURL", tt.base, err)
		}
	}
}

// hostile values a user might type.
var hostile = []string{
	`plain`,
	`with "double" and 'single' quotes`,
	`back\slash\\ and \' escaped quote`,
	"new\nline\r\ncarriage\ttab\bback\fform",
	`a&b=c&d`,
	`<script>alert(1)</script>`,
	`{{ entities.email }}`,
	`' OR Name != '`,
	`\\' OR Name != '`,
	`"}, "admin": true, "x": {"`,
	`?x=1#frag/../..`,
	"\x00\x01\x1f\u2028\u2029",
	"日本語 ☃ 😀",
	"bad utf8 \xff\xfe",
	`]]><x>`,
	`%41%2F+`,
}

func TestInjectionJSON(t *testing.T) {
	body, err := ParseBody(`
name: "{{ entities.v }}"
greeting: "Hello {{ entities.v }}!"
upper: "{{ entities.v | upper }}"
nested: {list: ["{{ entities.v }}", "x{{ entities.v }}"]}
`)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range hostile {
		turn := interpTurn()
		turn.Memory.SetEntity("v", v)
		out, err := RenderJSON(turn, body)
		if err != nil {
			t.Fatalf("RenderJSON(%q) error: %v", v, err)
		}
		var got struct {
			Name, Greeting, Upper string
			Nested                struct{ List []string }
		}
		dec := json.NewDecoder(bytes.NewReader(out))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&got); err != nil {
			t.Fatalf("RenderJSON(%q) = %s: not the expected JSON: %v", v, out, err)
		}
		want := jsonRoundTrip(v)
		if got.Name != want || got.Greeting != "Hello "+want+"!" || got.Upper != strings.ToUpper(want) ||
			!reflect.DeepEqual(got.Nested.List, []string{want, "x" + want}) {
			t.Errorf("RenderJSON(%q) = %s; fields differ from the input", v, out)
		}
	}
}

// jsonRoundTrip returns what encoding/json makes of s: invalid UTF-8
// becomes U+FFFD.
func jsonRoundTrip(s string) string {
	data, _ := json.Marshal(s)
	var out string
	_ = json.Unmarshal(data, &out)
	return out
}

func TestInjectionURL(t *testing.T) {
	tm := MustParseInterp("https://api.example.com/records/{{ entities.v }}/x?q={{ entities.v }}&other=1")
	for _, v := range hostile {
		turn := interpTurn()
		turn.Memory.SetEntity("v", v)
		out, err := tm.Render(turn, EscapeURL)
		if err != nil {
			t.Fatalf("Render(%q) error: %v", v, err)
		}
		u, err := url.Parse(out)
		if err != nil {
			t.Fatalf("Render(%q) = %q: not a URL: %v", v, out, err)
		}
		q := u.Query()
		if got := q.Get("q"); got != v || len(q) != 2 || q.Get("other") != "1" || u.Fragment != "" {
			t.Errorf("Render(%q) = %q; query %v, fragment %q", v, out, q, u.Fragment)
		}
		segs := strings.Split(u.EscapedPath(), "/")
		if len(segs) != 4 || segs[3] != "x" {
			t.Fatalf("Render(%q) = %q; path segments %q", v, out, segs)
		}
		if got, err := url.PathUnescape(segs[2]); err != nil || got != v {
			t.Errorf("Render(%q): path segment %q unescapes to %q, %v", v, segs[2], got, err)
		}
	}
}

func TestInjectionXML(t *testing.T) {
	tm := MustParseInterp(`<lead name="{{ entities.v }}"><note>{{ entities.v }}</note></lead>`)
	for _, v := range hostile {
		turn := interpTurn()
		turn.Memory.SetEntity("v", v)
		out, err := tm.Render(turn, EscapeXML)
		if err != nil {
			t.Fatalf("Render(%q) error: %v", v, err)
		}
		var got struct {
			XMLName xml.Name `xml:"lead"`
			Name    string   `xml:"name,attr"`
			Note    []string `xml:"note"`
		}
		if err := xml.Unmarshal([]byte(out), &got); err != nil {
			t.Fatalf("Render(%q) = %q: not XML: %v", v, out, err)
		}
		want := xmlRoundTrip(v)
		if got.Name != want || len(got.Note) != 1 || got.Note[0] != want {
			t.Errorf("Render(%q) = %q; got name %q note %q; want %q", v, out, got.Name, got.Note, want)
		}
	}
}

// xmlRoundTrip returns s with what XML cannot carry replaced by U+FFFD
// and CRLF kept (attribute and text escaping keep \r as &#xD;).
func xmlRoundTrip(s string) string {
	var b strings.Builder
	for i, r := range s {
		if r == utf8.RuneError {
			if _, w := utf8.DecodeRuneInString(s[i:]); w == 1 {
				b.WriteRune('\uFFFD')
				continue
			}
		}
		if !xmlChar(r) {
			r = '\uFFFD'
		}
		b.WriteRune(r)
	}
	return b.String()
}

// soqlLiteral reads the single-quoted SOQL string literal at the start of
// s, unescaping it per the SOQL rules, and returns it and the rest.
func soqlLiteral(t *testing.T, s string) (string, string) {
	t.Helper()
	if !strings.HasPrefix(s, "'") {
		t.Fatalf("no literal at %q", s)
	}
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		switch c := s[i]; c {
		case '\'':
			return b.String(), s[i+1:]
		case '\\':
			i++
			if i >= len(s) {
				t.Fatalf("dangling backslash in %q", s)
			}
			m := map[byte]byte{'n': '\n', 'r': '\r', 't': '\t', 'b': '\b', 'f': '\f', '"': '"', '\'': '\'', '\\': '\\', '%': '%', '_': '_'}
			e, ok := m[s[i]]
			if !ok {
				t.Fatalf("invalid escape \\%c in %q", s[i], s)
			}
			b.WriteByte(e)
		case '\n', '\r':
			t.Fatalf("raw line break inside literal %q", s)
		default:
			b.WriteByte(c)
		}
	}
	t.Fatalf("unterminated literal %q", s)
	return "", ""
}

func TestInjectionSOQL(t *testing.T) {
	tm := MustParseInterp(`SELECT Id FROM Lead WHERE Email = '{{ entities.v | soql }}' AND Name LIKE '%{{ entities.v | soql_like }}%' LIMIT 1`)
	for _, v := range hostile {
		turn := interpTurn()
		turn.Memory.SetEntity("v", v)
		out, err := tm.Render(turn, EscapeText)
		if err != nil {
			t.Fatalf("Render(%q) error: %v", v, err)
		}
		const prefix = "SELECT Id FROM Lead WHERE Email = "
		if !strings.HasPrefix(out, prefix) {
			t.Fatalf("Render(%q) = %q", v, out)
		}
		lit, rest := soqlLiteral(t, out[len(prefix):])
		if lit != v {
			t.Errorf("Render(%q): first literal is %q", v, lit)
		}
		const mid = " AND Name LIKE "
		if !strings.HasPrefix(rest, mid) {
			t.Fatalf("Render(%q): value broke out of its literal: rest %q", v, rest)
		}
		like, rest := soqlLiteral(t, rest[len(mid):])
		if like != "%"+v+"%" || rest != " LIMIT 1" {
			t.Errorf("Render(%q): LIKE literal %q, rest %q", v, like, rest)
		}
	}
}

func TestInjectionSOQLInURL(t *testing.T) {
	tm := MustParseInterp(`{{ conversation.base }}/services/data/v62.0/query?q=SELECT Id FROM Lead WHERE Email = '{{ entities.v | soql }}' LIMIT 1`)
	for _, v := range hostile {
		turn := interpTurn()
		turn.Memory.SetEntity("v", v)
		out, err := tm.Render(turn, EscapeURL)
		if err != nil {
			t.Fatalf("Render(%q) error: %v", v, err)
		}
		u, err := url.Parse(out)
		if err != nil || strings.ContainsAny(out, " \n\"<>") {
			t.Fatalf("Render(%q) = %q: not a clean URL (%v)", v, out, err)
		}
		q := u.Query()
		if len(q) != 1 || u.Host != "na1.example.my.salesforce.com" || u.Path != "/services/data/v62.0/query" {
			t.Fatalf("Render(%q) = %q: host %q path %q query %v", v, out, u.Host, u.Path, q)
		}
		soql := q.Get("q")
		const prefix = "SELECT Id FROM Lead WHERE Email = "
		if !strings.HasPrefix(soql, prefix) {
			t.Fatalf("Render(%q): q = %q", v, soql)
		}
		lit, rest := soqlLiteral(t, soql[len(prefix):])
		if lit != strings.ToValidUTF8(v, "\uFFFD") && lit != v || rest != " LIMIT 1" {
			t.Errorf("Render(%q): literal %q, rest %q", v, lit, rest)
		}
	}
}

func TestRenderJSONTypes(t *testing.T) {
	body, err := ParseBody(`
LastName: "{{ entities.name }}"
Qty: "{{ entities.qty }}"
QtyText: "n={{ entities.qty }}"
Flag: "{{ entities.flag }}"
Tags: "{{ entities.tags }}"
Addr: "{{ entities.addr }}"
Missing: "{{ entities.missing }}"
Defaulted: "{{ entities.missing | default: 5 }}"
DefaultText: "{{ entities.missing | default: \"n/a\" }}"
Upper: "{{ entities.qty | upper }}"
Literal: 42
Float: 1.5
Yes: true
Nothing: null
Quoted: "42"
List: [1, "two", "{{ entities.qty }}"]
Empty: {}
Lit: "say \"{{ entities.name }}\"\n\\"
`)
	if err != nil {
		t.Fatal(err)
	}
	out, err := RenderJSON(interpTurn(), body)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"LastName":"Ada Lovelace","Qty":3,"QtyText":"n=3","Flag":true,"Tags":["a","b"],"Addr":{"city":"Tokyo"},` +
		`"Missing":null,"Defaulted":5,"DefaultText":"n/a","Upper":"3","Literal":42,"Float":1.5,"Yes":true,"Nothing":null,` +
		`"Quoted":"42","List":[1,"two",3],"Empty":{},"Lit":"say \"Ada Lovelace\"\n\\"}`
	if string(out) != want {
		t.Errorf("RenderJSON =\n%s\nwant\n%s", out, want)
	}
	val, err := body.Value(interpTurn())
	if err != nil {
		t.Fatal(err)
	}
	var fromJSON any
	if err := json.Unmarshal(out, &fromJSON); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(val, fromJSON) {
		t.Errorf("Value = %#v; want the same as the JSON %#v", val, fromJSON)
	}
}

func TestRenderJSONGolden(t *testing.T) {
	src, err := os.ReadFile(filepath.Join("testdata", "template_lead.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	body, err := ParseBody(string(src))
	if err != nil {
		t.Fatal(err)
	}
	out, err := RenderJSON(interpTurn(), body)
	if err != nil {
		t.Fatal(err)
	}
	var pretty bytes.Buffer
	if err := json.Indent(&pretty, out, "", "  "); err != nil {
		t.Fatalf("RenderJSON output is not JSON: %v\n%s", err, out)
	}
	pretty.WriteByte('\n')
	golden.Check(t, filepath.Join("testdata", "template_lead.golden"), pretty.Bytes())
}

func TestRenderForm(t *testing.T) {
	body, err := ParseBody(`
grant_type: password
username: "{{ entities.email }}"
qty: "{{ entities.qty }}"
n: 5
scope: [api, "{{ entities.name }}"]
none: null
`)
	if err != nil {
		t.Fatal(err)
	}
	form, err := RenderForm(interpTurn(), body)
	if err != nil {
		t.Fatal(err)
	}
	want := url.Values{
		"grant_type": {"password"}, "username": {"ada@example.com"}, "qty": {"3"},
		"n": {"5"}, "scope": {"api", "Ada Lovelace"}, "none": {""},
	}
	if !reflect.DeepEqual(form, want) {
		t.Errorf("RenderForm = %v; want %v", form, want)
	}
	nested, _ := ParseBody(`{a: {b: c}}`)
	if _, err := RenderForm(interpTurn(), nested); err == nil {
		t.Errorf("RenderForm of a nested body succeeded; want an error")
	}
}

func TestParseBodyErrors(t *testing.T) {
	tests := []struct {
		src, want string
	}{
		{"a: 1\na: 2\n", `body: line 2: duplicate key "a"`},
		{"a: {b: \"{{ x | nope }}\"}", `body.a.b: line 1: template column 8: unknown filter "nope"`},
		{"l: [ok, \"{{\"]", `body.l.1: line 1: template column 1: unclosed {{`},
		{"base: &b {x: 1}\nc:\n  <<: *b\n", `merge keys are not supported`},
		{"? [a]\n: 1\n", `keys must be strings`},
		{"x: .nan\n", `is not a JSON number`},
	}
	for _, tt := range tests {
		_, err := ParseBody(tt.src)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("ParseBody(%q) error = %v; want it to contain %q", tt.src, err, tt.want)
		}
	}
}

func TestTextRender(t *testing.T) {
	var cfg struct {
		Plain Text `yaml:"plain"`
		Multi Text `yaml:"multi"`
	}
	src := "plain: Hi {{ entities.name }}\nmulti: {en: \"Hi {{ entities.name }}\", ja: \"こんにちは\", de: Hallo}\n"
	if err := yamlUnmarshal(src, &cfg); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		lang       string
		plain, mlt string
	}{
		{"en", "Hi Ada Lovelace", "Hi Ada Lovelace"},
		{"ja", "Hi Ada Lovelace", "こんにちは"},
		{"de", "Hi Ada Lovelace", "Hallo"},
		{"de-CH", "Hi Ada Lovelace", "Hallo"},
		{"fr", "Hi Ada Lovelace", "Hi Ada Lovelace"},
		{"", "Hi Ada Lovelace", "Hi Ada Lovelace"},
	}
	for _, tt := range tests {
		turn := interpTurn()
		turn.Lang = tt.lang
		p, err1 := cfg.Plain.Render(turn)
		m, err2 := cfg.Multi.Render(turn)
		if err1 != nil || err2 != nil || p != tt.plain || m != tt.mlt {
			t.Errorf("lang %q: Render = %q, %q (%v, %v); want %q, %q", tt.lang, p, m, err1, err2, tt.plain, tt.mlt)
		}
	}
	if got := cfg.Multi.Languages(); !reflect.DeepEqual(got, []string{"en", "ja", "de"}) {
		t.Errorf("Languages() = %q", got)
	}
	var zero Text
	if !zero.IsZero() || cfg.Plain.IsZero() {
		t.Errorf("IsZero: zero %v, plain %v", zero.IsZero(), cfg.Plain.IsZero())
	}
	if s, err := zero.Render(interpTurn()); s != "" || err != nil {
		t.Errorf("zero Text renders %q, %v", s, err)
	}
}

func TestTextErrors(t *testing.T) {
	tests := []struct{ src, want string }{
		{"t: [a, b]", "expected a string or a map"},
		{"t: {en: a, en: b}", `language "en" given twice`},
		{"t: {en: [a]}", "text for en: expected a string"},
		{"t: {en: \"{{ x\"}", "text for en: template column 1: unclosed {{"},
	}
	for _, tt := range tests {
		var cfg struct {
			T Text `yaml:"t"`
		}
		err := yamlUnmarshal(tt.src, &cfg)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("decode %q: error %v; want it to contain %q", tt.src, err, tt.want)
		}
	}
}

func TestTextList(t *testing.T) {
	var cfg struct {
		One  TextList `yaml:"one"`
		Many TextList `yaml:"many"`
	}
	if err := yamlUnmarshal("one: only\nmany: [first, {en: second, de: zweite}, third]\n", &cfg); err != nil {
		t.Fatal(err)
	}
	turn := interpTurn()
	turn.Lang = "de"
	var got []string
	for i := range 5 {
		s, err := cfg.Many.Render(turn, i)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, s)
	}
	if want := []string{"first", "zweite", "third", "first", "zweite"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Many.Render(0..4) = %q; want %q", got, want)
	}
	if s, _ := cfg.One.Render(turn, 3); s != "only" {
		t.Errorf("One.Render(3) = %q; want only", s)
	}
	if s, _ := TextList(nil).Render(turn, 1); s != "" {
		t.Errorf("empty list renders %q", s)
	}
}

func FuzzParseInterp(f *testing.F) {
	seeds := []string{
		"Hi {{ entities.name }}", "{{ a.b | default: \"x\" | upper }}", "{{", "}}{{}}",
		"{{ 'a' }}", "{{ x | default: 1e400 }}", "{{ x | soql | url | json | xml }}", "日本 {{ 名前 }}",
	}
	for _, s := range seeds {
		f.Add(s, `va"l\ue`)
	}
	body, err := ParseBody(`{a: "{{ entities.v }}", b: "<{{ entities.v }}>", c: ["{{ entities.v | trim }}"], d: "{{ entities.v | default: 1 }}"}`)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, src, val string) {
		turn := interpTurn()
		turn.Memory.SetEntity("v", val)
		turn.Memory.SetEntity("name", val)
		if tm, err := ParseInterp(src); err == nil {
			if tm.String() != src {
				t.Fatalf("String() = %q; want %q", tm.String(), src)
			}
			for _, esc := range []Escaper{EscapeText, EscapeURL, EscapeXML, EscapeJSON} {
				_, _ = tm.Render(turn, esc)
			}
			// Any template as a string leaf still gives valid JSON.
			leaf := &Body{set: true, root: bodyNode{kind: bodyMap, keys: []string{src}, vals: []bodyNode{{kind: bodyTmpl, tmpl: tm}}}}
			if out, err := RenderJSON(turn, leaf); err == nil && !json.Valid(out) {
				t.Fatalf("RenderJSON with leaf %q = %s: invalid JSON", src, out)
			}
		} else {
			var te *InterpError
			if !errors.As(err, &te) || te.Col < 1 || te.Col > utf8.RuneCountInString(src)+1 {
				t.Fatalf("ParseInterp(%q) error %v: want a *InterpError with a column inside the text", src, err)
			}
		}
		out, err := RenderJSON(turn, body)
		if err != nil {
			t.Fatalf("RenderJSON error: %v", err)
		}
		var got struct {
			A, B string
			C    []string
			D    any
		}
		if err := json.Unmarshal(out, &got); err != nil {
			t.Fatalf("RenderJSON(%q) = %s: invalid JSON: %v", val, out, err)
		}
		want := jsonRoundTrip(val)
		var wantD any = want
		if val == "" {
			wantD = 1.0
		}
		if got.A != want || got.B != "<"+want+">" || len(got.C) != 1 || got.C[0] != strings.TrimSpace(want) || got.D != wantD {
			t.Fatalf("RenderJSON(%q) = %s; leaves differ from the input", val, out)
		}
	})
}

func BenchmarkTemplateRender(b *testing.B) {
	tm := MustParseInterp("Thanks {{ entities.name }}! Lead {{ create_lead.response.body.id }} has {{ entities.qty }} items.")
	turn := interpTurn()
	b.ReportAllocs()
	var n int
	for b.Loop() {
		s, err := tm.Render(turn, EscapeText)
		if err != nil {
			b.Fatal(err)
		}
		n = len(s)
	}
	b.ReportMetric(float64(n), "bytes/render")
}

func BenchmarkTemplateRenderURL(b *testing.B) {
	tm := MustParseInterp("{{ conversation.base }}/services/data/v62.0/query?q=SELECT Id FROM Lead WHERE Email = '{{ entities.email | soql }}'")
	turn := interpTurn()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := tm.Render(turn, EscapeURL); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRenderJSON(b *testing.B) {
	body, err := ParseBody(`{LastName: "{{ entities.name }}", Company: "Acme {{ entities.name }}", Email: "{{ entities.email }}", Qty: "{{ entities.qty }}", Source: Web}`)
	if err != nil {
		b.Fatal(err)
	}
	turn := interpTurn()
	b.ReportAllocs()
	var n int
	for b.Loop() {
		out, err := RenderJSON(turn, body)
		if err != nil {
			b.Fatal(err)
		}
		n = len(out)
	}
	b.ReportMetric(float64(n), "bytes/body")
}
