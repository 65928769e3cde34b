package nodes

import (
	"context"
	"strings"
	"testing"
	"time"
)

// clockTurn is a turn at 23:30 UTC on 31 December 2026: the next day in
// Tokyo, so a date that came from a local clock would show.
func clockTurn() *Turn {
	turn := newTurn("en")
	turn.Now = time.Date(2027, 1, 1, 8, 30, 0, 0, time.FixedZone("JST", 9*3600))
	turn.Memory.SetEntity("close", "2027-02-28")
	turn.Memory.SetEntity("at", "2027-01-01T09:00:00Z")
	turn.Memory.SetEntity("phone_typed", "(415) 555-0101")
	turn.Memory.SetEntity("junk", "x' OR 1=1")
	return turn
}

// TestTodayNowInInterpolations: today and now are the turn's date and
// time in UTC, and add_days moves a date or time.
func TestTodayNowInInterpolations(t *testing.T) {
	for _, tt := range []struct{ src, want string }{
		{"{{ today }}", "2026-12-31"},
		{"{{ now }}", "2026-12-31T23:30:00Z"},
		{"{{ today | add_days: 30 }}", "2027-01-30"},
		{"{{ today | add_days: -365 }}", "2025-12-31"},
		{"{{ today | add_days: 0 }}", "2026-12-31"},
		{"{{ now | add_days: 1 }}", "2027-01-01T23:30:00Z"},
		{"{{ entities.close | add_days: 1 }}", "2027-03-01"},
		{"{{ entities.nope | add_days: 1 }}", ""},
		{"{{ entities.nope | default: \"2027-01-01\" | add_days: 2 }}", "2027-01-03"},
		{"Due {{ today | add_days: 7 }}.", "Due 2027-01-07."},
	} {
		got, err := MustParseInterp(tt.src).Render(clockTurn(), EscapeText)
		if err != nil || got != tt.want {
			t.Errorf("%s = %q, %v; want %q", tt.src, got, err, tt.want)
		}
	}
	if _, err := MustParseInterp("{{ entities.junk | add_days: 1 }}").Render(clockTurn(), EscapeText); err == nil || !strings.Contains(err.Error(), "is not a date") {
		t.Errorf("add_days of text that is no date: %v; want an error", err)
	}
}

func TestAddDaysFilterErrors(t *testing.T) {
	for _, tt := range []struct{ src, want string }{
		{"{{ today | add_days }}", "add_days needs a number of days"},
		{"{{ today | add_days: \"30\" }}", "add_days needs a whole number"},
		{"{{ today | add_days: 1.5 }}", "add_days needs a whole number"},
		{"{{ today | add_days: 1e9 }}", "add_days needs a whole number"},
		{"{{ today | add_dayz: 1 }}", `unknown filter "add_dayz"`},
	} {
		_, err := ParseInterp(tt.src)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: error %v; want it to contain %q", tt.src, err, tt.want)
		}
	}
}

// TestClockAndPhoneInExpressions: today, now, addDays and e164 in
// conditions and expressions.
func TestClockAndPhoneInExpressions(t *testing.T) {
	for _, tt := range []struct {
		src  string
		want any
	}{
		{`today`, "2026-12-31"},
		{`now`, "2026-12-31T23:30:00Z"},
		{`addDays(today, 30)`, "2027-01-30"},
		{`addDays(now, -1)`, "2026-12-30T23:30:00Z"},
		{`addDays(entities.nope, 3)`, nil},
		{`entities.close > today`, true},
		{`entities.close <= addDays(today, 30)`, false},
		{`e164(entities.phone_typed)`, "+14155550101"},
		{`e164("030 1234567", "DE")`, "+49301234567"},
		{`e164("030 1234567")`, nil}, // not an American number
		{`e164(entities.junk)`, nil},
		{`e164(entities.nope) ?? "none"`, "none"},
	} {
		e, err := CompileExpr(tt.src)
		if err != nil {
			t.Fatalf("%s: %v", tt.src, err)
		}
		got, err := e.Eval(clockTurn())
		if err != nil || got != tt.want {
			t.Errorf("%s = %#v, %v; want %#v", tt.src, got, err, tt.want)
		}
	}
	turn := clockTurn()
	turn.Lang, turn.Memory.Lang = "de", "de"
	if got, err := mustCompileExpr(t, `e164("030 1234567")`).Eval(turn); err != nil || got != "+49301234567" {
		t.Errorf(`e164 in German = %#v, %v; want +49301234567 (the language's region)`, got, err)
	}
	for _, src := range []string{`addDays(entities.junk, 1)`, `addDays(today, 0.5)`, `e164("1", "XX")`} {
		if _, err := mustCompileExpr(t, src).Eval(clockTurn()); err == nil {
			t.Errorf("%s: no error", src)
		}
	}
}

func mustCompileExpr(t *testing.T, src string) *Expr {
	t.Helper()
	e, err := CompileExpr(src)
	if err != nil {
		t.Fatalf("%s: %v", src, err)
	}
	return e
}

// TestClockRootsAreReserved: a node cannot be named today or now, and a
// node result stored under such a name does not hide the clock.
func TestClockRootsAreReserved(t *testing.T) {
	for _, name := range []string{"today", "now"} {
		if !IsReservedRoot(name) {
			t.Errorf("%s is not a reserved root", name)
		}
	}
	turn := clockTurn()
	turn.Memory.SetNode("today", "a node result")
	got, _ := mustCompileExpr(t, `today`).Eval(turn)
	if got != "2026-12-31" {
		t.Errorf("today = %#v; want the date", got)
	}
	out, err := mustLoad(t, "logic", `set: [{name: due, value: "{{ today | add_days: 14 }}"}, {name: at, expr: "now"}]`).Run(context.Background(), turn)
	if err != nil || out != Next() {
		t.Fatal(out, err)
	}
	if v, _ := turn.Memory.Lookup(SplitPath("conversation.due"), turn.Now.Unix()); v != "2027-01-14" {
		t.Errorf("conversation.due = %#v; want 2027-01-14", v)
	}
}
