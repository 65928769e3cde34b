package soql

import "time"

// dateLiteral describes a relative date literal such as THIS_MONTH.
type dateLiteral struct {
	param bool // takes ":n"
	// span returns the half-open range [from, to) of whole days the literal
	// covers, given today's date (midnight UTC) and n.
	span func(today time.Time, n int) (from, to time.Time)
}

func days(t time.Time, n int) time.Time { return t.AddDate(0, 0, n) }

// weekStart is the Sunday that starts t's week (en_US locale).
func weekStart(t time.Time) time.Time { return days(t, -int(t.Weekday())) }

func monthStart(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
}

func quarterStart(t time.Time) time.Time {
	m := (int(t.Month())-1)/3*3 + 1
	return time.Date(t.Year(), time.Month(m), 1, 0, 0, 0, 0, time.UTC)
}

func yearStart(t time.Time) time.Time { return time.Date(t.Year(), 1, 1, 0, 0, 0, 0, time.UTC) }

// periodLiterals adds THIS_X, LAST_X, NEXT_X, LAST_N_Xs:n, NEXT_N_Xs:n and
// N_Xs_AGO:n for one calendar period.
func periodLiterals(m map[string]dateLiteral, unit, plural string, start func(time.Time) time.Time, add func(time.Time, int) time.Time) {
	m["THIS_"+unit] = dateLiteral{span: func(t time.Time, _ int) (time.Time, time.Time) {
		s := start(t)
		return s, add(s, 1)
	}}
	m["LAST_"+unit] = dateLiteral{span: func(t time.Time, _ int) (time.Time, time.Time) {
		s := start(t)
		return add(s, -1), s
	}}
	m["NEXT_"+unit] = dateLiteral{span: func(t time.Time, _ int) (time.Time, time.Time) {
		s := add(start(t), 1)
		return s, add(s, 1)
	}}
	m["LAST_N_"+plural] = dateLiteral{param: true, span: func(t time.Time, n int) (time.Time, time.Time) {
		s := start(t)
		return add(s, -n), s
	}}
	m["NEXT_N_"+plural] = dateLiteral{param: true, span: func(t time.Time, n int) (time.Time, time.Time) {
		s := add(start(t), 1)
		return s, add(s, n)
	}}
	m["N_"+plural+"_AGO"] = dateLiteral{param: true, span: func(t time.Time, n int) (time.Time, time.Time) {
		s := add(start(t), -n)
		return s, add(s, 1)
	}}
}

// dateLiterals lists the relative date literals by upper-case name. Fiscal
// periods follow the calendar (the default fiscal year starts in January).
var dateLiterals = func() map[string]dateLiteral {
	m := map[string]dateLiteral{
		"YESTERDAY": {span: func(t time.Time, _ int) (time.Time, time.Time) { return days(t, -1), t }},
		"TODAY":     {span: func(t time.Time, _ int) (time.Time, time.Time) { return t, days(t, 1) }},
		"TOMORROW":  {span: func(t time.Time, _ int) (time.Time, time.Time) { return days(t, 1), days(t, 2) }},
		// LAST_N_DAYS:n covers today and the n days before it.
		"LAST_N_DAYS":  {param: true, span: func(t time.Time, n int) (time.Time, time.Time) { return days(t, -n), days(t, 1) }},
		"NEXT_N_DAYS":  {param: true, span: func(t time.Time, n int) (time.Time, time.Time) { return days(t, 1), days(t, 1+n) }},
		"N_DAYS_AGO":   {param: true, span: func(t time.Time, n int) (time.Time, time.Time) { return days(t, -n), days(t, 1-n) }},
		"LAST_90_DAYS": {span: func(t time.Time, _ int) (time.Time, time.Time) { return days(t, -90), days(t, 1) }},
		"NEXT_90_DAYS": {span: func(t time.Time, _ int) (time.Time, time.Time) { return days(t, 1), days(t, 91) }},
	}
	week := func(t time.Time, n int) time.Time { return days(t, 7*n) }
	month := func(t time.Time, n int) time.Time { return t.AddDate(0, n, 0) }
	quarter := func(t time.Time, n int) time.Time { return t.AddDate(0, 3*n, 0) }
	year := func(t time.Time, n int) time.Time { return t.AddDate(n, 0, 0) }
	periodLiterals(m, "WEEK", "WEEKS", weekStart, week)
	periodLiterals(m, "MONTH", "MONTHS", monthStart, month)
	periodLiterals(m, "QUARTER", "QUARTERS", quarterStart, quarter)
	periodLiterals(m, "YEAR", "YEARS", yearStart, year)
	periodLiterals(m, "FISCAL_QUARTER", "FISCAL_QUARTERS", quarterStart, quarter)
	periodLiterals(m, "FISCAL_YEAR", "FISCAL_YEARS", yearStart, year)
	return m
}()

// Salesforce's output formats for date and datetime field values.
const (
	DateLayout     = "2006-01-02"
	DateTimeLayout = "2006-01-02T15:04:05.000-0700"
)

// parseStoredTime reads a record's date or datetime value (or a literal) as
// a UTC instant. It accepts the output layouts plus RFC 3339 variants.
func parseStoredTime(s string) (time.Time, bool) {
	if len(s) == 10 {
		t, err := time.Parse(DateLayout, s)
		return t, err == nil
	}
	for _, layout := range []string{DateTimeLayout, "2006-01-02T15:04:05-0700", time.RFC3339Nano, "2006-01-02T15:04:05Z0700"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}
