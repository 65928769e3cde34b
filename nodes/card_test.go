package nodes

import (
	"context"
	"reflect"
	"strings"
	"testing"
)

const cardSrc = `
text: {en: "Here is the lead:", de: "Hier ist der Lead:"}
card:
  title: "{{ create.record.FirstName }} {{ create.record.LastName }}"
  subtitle: "{{ create.record.Company }}"
  fields:
    - {label: {en: E-mail, de: E-Mail}, value: "{{ create.record.Email }}"}
    - {label: Phone, value: "{{ create.record.Phone }}"}
  link: {title: {en: View Lead, de: Lead ansehen}, url: "{{ create.link }}"}
`

// TestMessageCard: a message shows a record as a card, leaves out fields
// that render empty, and carries the card as plain text for clients that
// do not show cards.
func TestMessageCard(t *testing.T) {
	for _, tc := range []struct {
		lang, link string
		want       Reply
	}{
		{"en", "https://org.example/lightning/r/Lead/00Q1/view", Reply{
			Type: ReplyMessage, Lead: "Here is the lead:",
			Text: "Here is the lead:\nAda Lovelace — Engines\nE-mail: ada@engines.example\nView Lead: https://org.example/lightning/r/Lead/00Q1/view",
			Card: &Card{Title: "Ada Lovelace", Subtitle: "Engines", Fields: []CardField{{Label: "E-mail", Value: "ada@engines.example"}},
				Link: &Button{Title: "View Lead", Payload: "https://org.example/lightning/r/Lead/00Q1/view", URL: "https://org.example/lightning/r/Lead/00Q1/view"}},
		}},
		{"de", "javascript:alert(1)", Reply{
			Type: ReplyMessage, Lead: "Hier ist der Lead:",
			Text: "Hier ist der Lead:\nAda Lovelace — Engines\nE-Mail: ada@engines.example",
			Card: &Card{Title: "Ada Lovelace", Subtitle: "Engines", Fields: []CardField{{Label: "E-Mail", Value: "ada@engines.example"}}},
		}},
	} {
		t.Run(tc.lang, func(t *testing.T) {
			n := mustLoad(t, "message", cardSrc)
			turn := newTurn(tc.lang)
			turn.Memory.SetNode("create", map[string]any{"link": tc.link, "record": map[string]any{
				"FirstName": "Ada", "LastName": "Lovelace", "Company": "Engines", "Email": "ada@engines.example", "Phone": ""}})
			if _, err := n.Run(context.Background(), turn); err != nil {
				t.Fatal(err)
			}
			got := turn.Replies()
			if len(got) != 1 || !reflect.DeepEqual(got[0], tc.want) {
				t.Errorf("replies\n got %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

// TestConfirmationCard: a confirmation shows what is confirmed as a card
// above its Yes/No quick replies.
func TestConfirmationCard(t *testing.T) {
	n := mustLoad(t, "confirmation", `
prompt: Create this lead?
card: {title: "{{ entities.name }}", fields: [{label: Company, value: "{{ entities.company }}"}]}
`)
	turn := newTurn("en")
	turn.Memory.SetEntity("name", "Ada Lovelace")
	turn.Memory.SetEntity("company", "Engines")
	if _, err := n.Run(context.Background(), turn); err != nil {
		t.Fatal(err)
	}
	r := turn.Replies()[0]
	if r.Card == nil || r.Card.Title != "Ada Lovelace" || r.Lead != "Create this lead?" || !strings.HasSuffix(r.Text, "Company: Engines") || len(r.QuickReplies) != 2 {
		t.Errorf("reply %+v; want the prompt, a card and Yes/No", r)
	}
}

func TestCardErrors(t *testing.T) {
	for _, tc := range []struct{ src, want string }{
		{"card: {subtitle: x}", "card: title is required"},
		{"card: {title: x, fields: [{label: a}]}", "fields[0] needs a label and a value"},
		{"card: {title: x, link: {title: View}}", "link needs a title and a url"},
	} {
		_, err := loadNode("message", tc.src, nil)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v; want %q", tc.src, err, tc.want)
		}
	}
}

// TestListSubtitles: a list of records to pick from shows each record's
// second line under its title; the payload stays the record's value.
func TestListSubtitles(t *testing.T) {
	n := mustLoad(t, "entity", `
entity_type: list
prompt: Which one?
from: find.records
value: Id
title: Name
subtitle: Email
`)
	turn := newTurn("en")
	turn.Memory.SetNode("find", map[string]any{"records": []any{
		map[string]any{"Id": "003A", "Name": "Jane Doe", "Email": "jane@acme.example"},
		map[string]any{"Id": "003B", "Name": "Jane Roe"},
	}})
	if _, err := n.Run(context.Background(), turn); err != nil {
		t.Fatal(err)
	}
	want := []Button{{Title: "Jane Doe", Payload: "003A", Subtitle: "jane@acme.example"}, {Title: "Jane Roe", Payload: "003B"}}
	if got := turn.Replies()[0].Buttons; !reflect.DeepEqual(got, want) {
		t.Errorf("buttons %+v; want %+v", got, want)
	}
}
