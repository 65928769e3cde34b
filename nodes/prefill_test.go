package nodes

import (
	"context"
	"reflect"
	"strings"
	"testing"
)

func TestParseAnnotated(t *testing.T) {
	tests := []struct {
		in, plain string
		spans     []Annotation
		err       string
		at        int
	}{
		{in: "create a lead", plain: "create a lead"},
		{in: "lead for [Ada](first_name) [Lovelace](last_name)", plain: "lead for Ada Lovelace",
			spans: []Annotation{{"first_name", 9, 12, 9}, {"last_name", 13, 21, 27}}},
		{in: "[山田](last_name)[太郎](first_name)さん", plain: "山田太郎さん",
			spans: []Annotation{{"last_name", 0, 6, 0}, {"first_name", 6, 12, 19}}},
		{in: "for [Ada(first_name)", err: `unbalanced "["`, at: 4},
		{in: "for [Ada [x](y)", err: `unbalanced "["`, at: 4},
		{in: "for Ada](first_name)", err: `"]" closes no "["`, at: 7},
		{in: "for [Ada] now", plain: "for [Ada] now"},
		{in: `a \[b\] [c](d) \x`, plain: `a [b] c \x`, spans: []Annotation{{"d", 6, 7, 8}}},
		{in: "{a: b}, [c]", plain: "{a: b}, [c]"},
		{in: "for [Ada](first_name", err: `unbalanced "("`, at: 9},
		{in: "for [](first_name)", err: "needs the example value", at: 4},
		{in: "for [ Ada](first_name)", err: "starts or ends with a space", at: 4},
		{in: "for [Ada](first name)", err: "must name one entity", at: 9},
	}
	for _, tt := range tests {
		plain, spans, err := ParseAnnotated(tt.in)
		if tt.err != "" {
			ae, ok := err.(*AnnotationError)
			if !ok || !strings.Contains(ae.Msg, tt.err) || ae.At != tt.at {
				t.Errorf("ParseAnnotated(%q) error = %v; want %q at %d", tt.in, err, tt.err, tt.at)
			}
			continue
		}
		if err != nil || plain != tt.plain || !reflect.DeepEqual(spans, tt.spans) {
			t.Errorf("ParseAnnotated(%q) = %q, %v, %v; want %q, %v", tt.in, plain, spans, err, tt.plain, tt.spans)
		}
	}
}

func TestAnchors(t *testing.T) {
	tests := []struct{ lit, before, after string }{
		{"create a lead for ", "for", "create"},
		{" at ", "at", "at"},
		{", e-mail ", "mail", ","},
		{"さんのリードを作成", "作成", "さんの"},
		{"会社は", "社は", "会社"},
		{"様のリード", "ード", "様の"},
		{"", "", ""},
	}
	for _, tt := range tests {
		if got := anchorBefore(tt.lit); got != tt.before {
			t.Errorf("anchorBefore(%q) = %q; want %q", tt.lit, got, tt.before)
		}
		if got := anchorAfter(tt.lit); got != tt.after {
			t.Errorf("anchorAfter(%q) = %q; want %q", tt.lit, got, tt.after)
		}
	}
}

// prefillTask loads an intent node with the given utterances and the
// entity nodes of a lead, bound as the loader binds them.
func prefillTask(t testing.TB, utterances string) (*Intent, []*Entity) {
	t.Helper()
	intent := mustLoad(t, "intent", "utterances:\n"+utterances).(*Intent)
	var ents []*Entity
	for _, src := range []string{
		"name: first_name\nentity_type: person_name\nlabel: {en: first name, de: Vorname, ja: 名}\nprompt: First?",
		"name: last_name\nentity_type: person_name\nlabel: {en: last name, de: Nachname, ja: 姓}\nprompt: Last?",
		"name: company\nentity_type: company_name\nprompt: Company?",
		"name: email\nentity_type: email\nlabel: {en: e-mail, de: E-Mail, ja: メール}\nprompt: E-mail?",
		"name: source\nentity_type: list\nitems: [{value: Web}, {value: Phone Inquiry}]\nprompt: Source?",
		"name: record_id\nentity_type: string\nprompt: Id?",
	} {
		ents = append(ents, mustLoad(t, "entity", src).(*Entity))
	}
	if bad := intent.BindEntities(ents); len(bad) > 0 {
		t.Fatalf("BindEntities: %+v", bad)
	}
	return intent, ents
}

const leadUtterances = `  en:
    - create a lead
    - create a lead for [Ada](first_name) [Lovelace](last_name) at [Analytical Engines](company)
    - convert lead [00Q5g00000AbCdE](record_id)
  de:
    - Lead für [Ada](first_name) [Lovelace](last_name) bei [Analytical Engines](company) anlegen
    - Lead [Lovelace](last_name) anlegen
    - Lead für Herrn [Lovelace](last_name) anlegen
  ja:
    - "[山田](last_name)[太郎](first_name)さんのリードを作成"
    - "[アナリティカル社](company)の[山田](last_name)様のリード"
`

func TestPrefill(t *testing.T) {
	tests := []struct {
		lang, utterance string
		want            map[string]any
		said            string
	}{
		{"en", "create a lead for Ada Lovelace at Analytical Engines, ada@example.com",
			map[string]any{"first_name": "Ada", "last_name": "Lovelace", "company": "Analytical Engines", "email": "ada@example.com"},
			"Got it: first name Ada, last name Lovelace, company Analytical Engines, e-mail ada@example.com."},
		{"en", "Create a lead for mary ann smith at The Home Depot and her email is m@example.com",
			map[string]any{"first_name": "Mary", "last_name": "Ann Smith", "company": "The Home Depot", "email": "m@example.com"}, ""},
		{"en", "create a lead for Ada Lovelace from the web",
			map[string]any{"first_name": "Ada", "last_name": "Lovelace", "source": "Web"}, ""},
		{"en", "create a lead for a lead", map[string]any{}, ""},
		{"en", "create a lead for at Acme", map[string]any{"company": "Acme"}, ""},
		{"en", "create a lead for 12345 67890", map[string]any{}, ""},
		{"en", "convert lead 00Q5g00000XyZwV please", map[string]any{"record_id": "00Q5g00000XyZwV"}, ""},
		{"en", "please convert 00Q5g00000XyZwVAAQ.", map[string]any{"record_id": "00Q5g00000XyZwVAAQ"}, ""},
		{"en", "convert lead 001000000000001", map[string]any{}, ""},
		{"de", "Lead für Ada Lovelace bei Analytical Engines anlegen, ada@example.com",
			map[string]any{"first_name": "Ada", "last_name": "Lovelace", "company": "Analytical Engines", "email": "ada@example.com"},
			"Verstanden: Vorname Ada, Nachname Lovelace, company Analytical Engines, E-Mail ada@example.com."},
		{"de", "bitte Lead für Herrn Müller anlegen", map[string]any{"last_name": "Müller"}, "Verstanden: Nachname Müller."},
		{"ja", "佐藤花子さんのリードを作成", map[string]any{"first_name": "花子", "last_name": "佐藤"}, "承知しました。名：花子、姓：佐藤。"},
		{"ja", "長谷川一郎さんのリードを作成してください", map[string]any{"first_name": "一郎", "last_name": "長谷川"}, ""},
		{"ja", "バベッジ商会の田中様のリード、tanaka@example.jp",
			map[string]any{"company": "バベッジ商会", "last_name": "田中", "email": "tanaka@example.jp"}, ""},
		{"ja", "さんのリードを作成", map[string]any{}, ""},
	}
	intent, _ := prefillTask(t, leadUtterances)
	for _, tt := range tests {
		t.Run(tt.utterance, func(t *testing.T) {
			turn := newTurn(tt.lang)
			turn.Utterance = tt.utterance
			if _, err := intent.Run(context.Background(), turn); err != nil {
				t.Fatal(err)
			}
			got := turn.Memory.Entities
			if got == nil {
				got = map[string]any{}
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("entities = %v; want %v", got, tt.want)
			}
			said := strings.Join(replyTexts(turn), " | ")
			if tt.said != "" && said != tt.said {
				t.Errorf("said %q; want %q", said, tt.said)
			}
			if len(tt.want) == 0 && said != "" {
				t.Errorf("said %q; want nothing when nothing was taken", said)
			}
		})
	}
}

// TestPrefillNeedsAnnotations: a task whose utterances annotate nothing
// gets no plan (its first sentence costs nothing), and an annotation that
// names no entity is returned.
func TestPrefillBinding(t *testing.T) {
	plain := mustLoad(t, "intent", "utterances: [create a lead]").(*Intent)
	if bad := plain.BindEntities(nil); bad != nil || plain.prefill != nil {
		t.Errorf("plain utterances: BindEntities = %v, plan %v; want none", bad, plain.prefill)
	}
	n := mustLoad(t, "intent", "utterances: ['lead for [Ada](frist_name)']").(*Intent)
	bad := n.BindEntities(nil)
	if len(bad) != 1 || bad[0].Annotation.Entity != "frist_name" || n.prefill != nil {
		t.Errorf("BindEntities = %+v; want frist_name unbound and no plan", bad)
	}
	if got := n.Utterances(); !reflect.DeepEqual(got, map[string][]string{"en": {"lead for Ada"}}) {
		t.Errorf("Utterances() = %v; want the plain sentence", got)
	}
	if got := n.Annotated(); len(got) != 1 || got[0].Written != "lead for [Ada](frist_name)" {
		t.Errorf("Annotated() = %+v; want the written form", got)
	}
}

// FuzzParseAnnotated: the plain sentence holds each annotated value at its
// span, and nothing panics.
func FuzzParseAnnotated(f *testing.F) {
	for _, s := range []string{"lead for [Ada](first_name) [Lovelace](last_name)", "[山田](last_name)[太郎](first_name)さん", "a [b](c", "]x[", "[x]("} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		plain, spans, err := ParseAnnotated(s)
		if err != nil {
			return
		}
		for _, a := range spans {
			if a.Start < 0 || a.End > len(plain) || a.Start >= a.End || a.At < 0 || a.At >= len(s) || s[a.At] != '[' {
				t.Fatalf("ParseAnnotated(%q): span %+v out of %q", s, a, plain)
			}
			value := plain[a.Start:a.End]
			if !strings.HasPrefix(s[a.At+1:], value+"](") {
				t.Fatalf("ParseAnnotated(%q): span %+v is not its written value", s, a)
			}
			// The entity is what the parentheses hold, spaces around it aside.
			name := s[a.At+1+len(value)+2:]
			if i := strings.IndexByte(name, ')'); i < 0 || strings.TrimSpace(name[:i]) != a.Entity {
				t.Fatalf("ParseAnnotated(%q): span %+v does not name the entity written for it", s, a)
			}
		}
	})
}

// FuzzPrefill: any first sentence fills only entities whose values parse,
// and nothing panics.
func FuzzPrefill(f *testing.F) {
	for _, s := range []string{
		"create a lead for Ada Lovelace at Analytical Engines, ada@example.com",
		"佐藤花子さんのリードを作成", "バベッジ商会の田中様のリード", "convert lead 00Q5g00000XyZwV",
		"for at for at", "さんのさんの", "Lead für  bei  anlegen",
	} {
		f.Add(s, "en")
		f.Add(s, "ja")
	}
	intent, ents := prefillTask(f, leadUtterances)
	f.Fuzz(func(t *testing.T, s, lang string) {
		turn := newTurn(lang)
		turn.Utterance = s
		if _, err := intent.Run(context.Background(), turn); err != nil {
			t.Fatal(err)
		}
		for _, e := range ents {
			v, ok := turn.Memory.Entities[e.Name]
			if !ok {
				continue
			}
			str, _ := v.(string)
			if _, ok := e.typ.Parse(str, lang, turn.Now, &e.opts); !ok {
				t.Fatalf("%q filled %s with %q, which its type does not take", s, e.Name, str)
			}
		}
	})
}

// BenchmarkPrefill measures the first turn of a task with annotated
// utterances (every later turn costs nothing), and of one without.
func BenchmarkPrefill(b *testing.B) {
	annotated, _ := prefillTask(b, leadUtterances)
	plain := mustLoad(b, "intent", "utterances: [create a lead]").(*Intent)
	plain.BindEntities(nil)
	for _, bc := range []struct {
		name   string
		intent *Intent
	}{{"annotated", annotated}, {"plain", plain}} {
		b.Run(bc.name, func(b *testing.B) {
			turn := newTurn("en")
			turn.Utterance = "create a lead for Ada Lovelace at Analytical Engines, ada@example.com"
			b.ReportAllocs()
			for b.Loop() {
				turn.Memory.Entities = nil
				turn.ResetReplies()
				if _, err := bc.intent.Run(context.Background(), turn); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestPrefillCaseNumber: an annotated id is one token of its shape, at its
// place or anywhere; a shorter number or a word is not one.
func TestPrefillCaseNumber(t *testing.T) {
	intent := mustLoad(t, "intent", "utterances:\n  en: ['update case [00001026](case_number)']\n  ja: ['ケース[00001026](case_number)を更新']").(*Intent)
	number := mustLoad(t, "entity", "name: case_number\nentity_type: string\nlabel: {en: case, ja: ケース番号}\nprompt: Which case?").(*Entity)
	if bad := intent.BindEntities([]*Entity{number}); len(bad) > 0 {
		t.Fatalf("BindEntities: %+v", bad)
	}
	tests := []struct{ lang, utterance, want, said string }{
		{"en", "update case 00001027 please", "00001027", "Got it: case 00001027."},
		{"en", "please update the status of case #00001031.", "00001031", ""},
		{"en", "set 00001099 to escalated", "00001099", ""},
		{"en", "update case 12", "", ""},
		{"en", "update case soon", "", ""},
		{"ja", "ケース00001050を更新して", "00001050", "承知しました。ケース番号：00001050。"},
	}
	for _, tt := range tests {
		turn := newTurn(tt.lang)
		turn.Utterance = tt.utterance
		if _, err := intent.Run(context.Background(), turn); err != nil {
			t.Fatal(err)
		}
		got, _ := turn.Memory.Entities["case_number"].(string)
		if got != tt.want {
			t.Errorf("%q: case_number = %q; want %q", tt.utterance, got, tt.want)
		}
		if said := strings.Join(replyTexts(turn), " | "); tt.said != "" && said != tt.said {
			t.Errorf("%q: said %q; want %q", tt.utterance, said, tt.said)
		}
	}
}

// TestPrefillTypedValueFillsOneEntity: a sentence with one phone number
// (or date) fills the first entity of that type, not every one.
func TestPrefillTypedValueFillsOneEntity(t *testing.T) {
	intent := mustLoad(t, "intent", "utterances:\n  en:\n    - add a contact for [Ada](first_name)\n").(*Intent)
	var ents []*Entity
	for _, src := range []string{
		"name: first_name\nentity_type: person_name\nprompt: First?",
		"name: phone\nentity_type: phone\nprompt: Phone?",
		"name: mobile\nentity_type: phone\nprompt: Mobile?",
		"name: start\nentity_type: date\nprompt: Start?",
		"name: end\nentity_type: date\nprompt: End?",
	} {
		ents = append(ents, mustLoad(t, "entity", src).(*Entity))
	}
	if bad := intent.BindEntities(ents); len(bad) > 0 {
		t.Fatalf("BindEntities: %+v", bad)
	}
	turn := newTurn("en")
	turn.Utterance = "add a contact for Ada, office +49 711 1234567, starting 2027-01-05"
	if _, err := intent.Run(context.Background(), turn); err != nil {
		t.Fatal(err)
	}
	got := turn.Memory.Entities
	for _, name := range []string{"first_name", "phone", "start"} {
		if _, ok := got[name]; !ok {
			t.Errorf("entities %v lack %s", got, name)
		}
	}
	for _, name := range []string{"mobile", "end"} {
		if v, ok := got[name]; ok {
			t.Errorf("entities.%s = %v; the sentence's one value of its type went to another entity already", name, v)
		}
	}
}
