package nodes

import (
	"fmt"
	"math"
	"sync/atomic"
	"time"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/ast"
)

// Dates and phone numbers in expressions, conditions and interpolations.
//
//	today                      the turn's date, "2026-12-07" (UTC)
//	now                        the turn's time, "2026-12-07T09:30:00Z" (UTC)
//	addDays(today, 30)         a date (or time) n days later: "2027-01-06"
//	{{ today | add_days: 30 }} the same in an interpolation
//	e164(input)                a phone number in E.164 ("+14155550101"), or
//	                           nil when the text is not one; a number
//	                           without a country code is read in the region
//	                           of the conversation's language
//	e164(input, "DE")          … or in the region given
//
// today and now come from the turn's clock, so a conversation test with a
// fixed clock gets fixed dates. Bots have no time zone of their own yet:
// dates are UTC dates. Dates are text in the form Salesforce (and the date
// entity) uses, so they compare in order as text:
// entities.close_date >= today.

// Layouts of today and now.
const (
	dateLayout = "2006-01-02"
	timeLayout = time.RFC3339
)

// clockDate and clockTime are the reserved roots today and now, from the
// turn's clock (Unix seconds). Every expression environment holds them, so
// the last second's texts are kept: turns of the same second format none.
func clockDate(now int64) string { return clockTexts(now).date }
func clockTime(now int64) string { return clockTexts(now).time }

type clockText struct {
	sec        int64
	date, time string
	// dateV and timeV are date and time as interface values, for
	// expression environments (no allocation per environment).
	dateV, timeV any
}

var lastClock atomic.Pointer[clockText]

func clockTexts(now int64) *clockText {
	if c := lastClock.Load(); c != nil && c.sec == now {
		return c
	}
	t := time.Unix(now, 0).UTC()
	c := &clockText{sec: now, date: t.Format(dateLayout), time: t.Format(timeLayout)}
	c.dateV, c.timeV = c.date, c.time
	lastClock.Store(c)
	return c
}

// maxAddDays bounds addDays' shift: about 1000 years.
const maxAddDays = 366_000

// addDays shifts a date ("2026-12-07") or time (RFC 3339) by days days,
// keeping its form; nil and "" stay as they are.
func addDays(v any, days any) (any, error) {
	s, ok := v.(string)
	if v == nil || (ok && s == "") {
		return v, nil
	}
	if !ok {
		return nil, fmt.Errorf("addDays: %T is not a date", v)
	}
	n, ok := toFloat(days)
	if !ok || n != math.Trunc(n) || math.Abs(n) > maxAddDays {
		return nil, fmt.Errorf("addDays: the number of days must be a whole number up to %d", maxAddDays)
	}
	if d, err := time.Parse(dateLayout, s); err == nil {
		return d.AddDate(0, 0, int(n)).Format(dateLayout), nil
	}
	if d, err := time.Parse(timeLayout, s); err == nil {
		return d.AddDate(0, 0, int(n)).Format(timeLayout), nil
	}
	return nil, fmt.Errorf("addDays: %q is not a date (YYYY-MM-DD) or time (RFC 3339)", s)
}

func fnAddDays(params ...any) (any, error) { return addDays(params[0], params[1]) }

// e164Func is the function e164(text[, region]) is rewritten to, with the
// conversation's language as its last argument.
const e164Func = "__e164"

func fnE164(params ...any) (any, error) {
	text, _ := params[0].(string)
	region, _ := params[1].(string)
	lang, _ := params[2].(string)
	if region != "" && !ValidPhoneRegion(region) {
		return nil, fmt.Errorf("e164: %q is not a phone region (an ISO 3166 code such as US, DE or JP)", region)
	}
	num, ok := ParsePhoneNumber(text, lang, region)
	if !ok {
		return nil, nil
	}
	return num.E164, nil
}

// e164Call rewrites e164(x) into __e164(x, "", lang) and e164(x, r) into
// __e164(x, r, lang).
type e164Call struct{}

func (e164Call) Visit(node *ast.Node) {
	call, ok := (*node).(*ast.CallNode)
	if !ok {
		return
	}
	id, ok := call.Callee.(*ast.IdentifierNode)
	if !ok || id.Value != "e164" || len(call.Arguments) < 1 || len(call.Arguments) > 2 {
		return
	}
	args := append([]ast.Node(nil), call.Arguments...)
	if len(args) == 1 {
		region := &ast.StringNode{Value: ""}
		region.SetLocation(call.Location())
		args = append(args, region)
	}
	lang := &ast.IdentifierNode{Value: "lang"}
	lang.SetLocation(call.Location())
	callee := &ast.IdentifierNode{Value: e164Func}
	callee.SetLocation(id.Location())
	out := &ast.CallNode{Callee: callee, Arguments: append(args, lang)}
	out.SetLocation(call.Location())
	*node = out
}

// clockCalls finds a call of today or now, which are values: expr would
// only say that a string is not callable.
type clockCalls struct{ bad *ast.IdentifierNode }

func (c *clockCalls) Visit(node *ast.Node) {
	call, ok := (*node).(*ast.CallNode)
	if !ok || c.bad != nil {
		return
	}
	if id, ok := call.Callee.(*ast.IdentifierNode); ok && (id.Value == "today" || id.Value == "now") {
		c.bad = id
	}
}

// exprFuncOptions are the compile options of the functions above.
func exprFuncOptions(clock *clockCalls) []expr.Option {
	return []expr.Option{
		expr.Patch(clock),
		expr.Function("addDays", fnAddDays, new(func(any, any) any)),
		expr.Function(e164Func, fnE164, new(func(any, any, any) any)),
		expr.Patch(e164Call{}),
	}
}
