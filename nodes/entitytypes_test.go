package nodes

import (
	"strings"
	"testing"
	"time"
)

// entNow is the fixed clock of the entity tests: Saturday, 21 November 2026.
var entNow = time.Date(2026, 11, 21, 10, 30, 0, 0, time.UTC)

type entCase struct {
	lang string
	in   string
	want any // nil: rejected
}

func runEntCases(t *testing.T, typ string, opts *EntityOptions, cases []entCase) {
	t.Helper()
	et, ok := LookupEntityType(typ)
	if !ok {
		t.Fatalf("LookupEntityType(%q) not found", typ)
	}
	for _, c := range cases {
		got, ok := et.Parse(c.in, c.lang, entNow, opts)
		if c.want == nil {
			if ok {
				t.Errorf("%s.Parse(%q, %s) = %#v; want rejected", typ, c.in, c.lang, got)
			}
			continue
		}
		if !ok || got != c.want {
			t.Errorf("%s.Parse(%q, %s) = %#v, %v; want %#v", typ, c.in, c.lang, got, ok, c.want)
		}
	}
}

func TestEntityTypeNames(t *testing.T) {
	got := strings.Join(EntityTypeNames(), ",")
	want := "company_name,date,description,email,list,number,person_name,phone,string,yes_no"
	if got != want {
		t.Errorf("EntityTypeNames() = %s; want %s", got, want)
	}
	if _, ok := LookupEntityType("color"); ok {
		t.Error(`LookupEntityType("color") found a type; want none`)
	}
}

func TestNumberEntity(t *testing.T) {
	runEntCases(t, EntityNumber, nil, []entCase{
		{"en", "42", 42.0},
		{"en", " 1,234.5 ", 1234.5},
		{"en", "1,234,567", 1234567.0},
		{"en", "-12", -12.0},
		{"en", "−3.5", -3.5},
		{"en", "+7", 7.0},
		{"en", "0.25", 0.25},
		{"en", ".5", 0.5},
		{"en", "1 234", 1234.0},
		{"en", "1\u00a0234.75", 1234.75},
		{"en", "three", 3.0},
		{"en", "Ten", 10.0},
		{"en", "-0", 0.0},
		{"en", "123456789012345", 123456789012345.0},
		{"en", "1234567890123456", nil}, // more digits than a float64 keeps
		{"en", "1,23", nil},
		{"en", "12,34,567", nil},
		{"en", "1234,567", nil},
		{"en", "1,234 567", nil}, // mixed grouping
		{"en", "1.2.3", nil},
		{"en", "1.", nil},
		{"en", "1e5", nil},
		{"en", "--1", nil},
		{"en", "-", nil},
		{"en", "", nil},
		{"en", "abc", nil},
		{"en", "12 apples", nil},
		{"de", "1.234,5", 1234.5},
		{"de", "3,5", 3.5},
		{"de", "1 234,56", 1234.56},
		{"de", "zwei", 2.0},
		{"de", "Zehn", 10.0},
		{"de", "1.5", nil},
		{"de-AT", "1.000", 1000.0},
		{"ja", "一", 1.0},
		{"ja", "十", 10.0},
		{"ja", "１２３", 123.0},
		{"ja", "１，２３４．５", 1234.5},
		{"ja", "－５", -5.0},
	})
}

func TestEmailEntity(t *testing.T) {
	runEntCases(t, EntityEmail, nil, []entCase{
		{"en", "jane@example.com", "jane@example.com"},
		{"en", " Jane.Doe@Example.COM ", "Jane.Doe@example.com"},
		{"en", "mailto:a+tag@b.co", "a+tag@b.co"},
		{"en", "<x_y@mail.example.org>", "x_y@mail.example.org"},
		{"en", "user@bücher.de", "user@bücher.de"},
		{"en", "user@BÜCHER.DE", "user@bücher.de"},
		{"en", "jane", nil},
		{"en", "jane@example", nil},
		{"en", "a@@b.com", nil},
		{"en", "a..b@c.com", nil},
		{"en", ".a@b.com", nil},
		{"en", "a.@b.com", nil},
		{"en", "a@-b.com", nil},
		{"en", "a@b-.com", nil},
		{"en", "a@b..com", nil},
		{"en", "a@b.com.", nil},
		{"en", "a@b.c", nil},
		{"en", "a@b.123", nil},
		{"en", "a b@c.com", nil},
		{"en", `"},"x":1@e.com`, nil},
		{"en", "' OR 1=1 --@e.com", nil},
		{"en", "@example.com", nil},
		{"en", strings.Repeat("a", 65) + "@example.com", nil},
	})
}

func TestEmailExtract(t *testing.T) {
	et := emailEntity{}
	tests := []struct{ in, want string }{
		{"create a lead for jane@example.com please", "jane@example.com"},
		{"(mail: Bob@EXAMPLE.org).", "Bob@example.org"},
		{"write to <ann@example.net>, thanks!", "ann@example.net"},
		{"my address is @home, and a@b", ""},
		{"create a lead", ""},
	}
	for _, tt := range tests {
		got, ok := et.Extract(tt.in, "en", entNow, nil)
		if tt.want == "" {
			if ok {
				t.Errorf("Extract(%q) = %v; want nothing", tt.in, got)
			}
			continue
		}
		if !ok || got != tt.want {
			t.Errorf("Extract(%q) = %v, %v; want %q", tt.in, got, ok, tt.want)
		}
	}
}

func TestPhoneEntity(t *testing.T) {
	runEntCases(t, EntityPhone, nil, []entCase{
		{"en", "+1 650-253-0000", "+16502530000"},
		{"en", "(650) 253-0000", "+16502530000"},
		{"en", "650.253.0000", "+16502530000"},
		{"en-GB", "020 7031 3000", "+442070313000"},
		{"ja", "03-1234-5678", "+81312345678"},
		{"ja", "０３－１２３４－５６７８", "+81312345678"},
		{"de", "030 1234567", "+49301234567"},
		{"de", "+49 30 1234567", "+49301234567"},
		{"fr", "+1 650 253 0000", "+16502530000"},
		{"xx", "650 253 0000", nil}, // no region to read it in
		{"en", "12", nil},
		{"en", "123 456", nil},
		{"en", "call 650 253 0000", nil},
		{"en", "1-800-FLOWERS", nil},
		{"en", "", nil},
	})
	runEntCases(t, EntityPhone, &EntityOptions{Region: "JP"}, []entCase{
		{"en", "03-1234-5678", "+81312345678"},
	})
}

func TestPhoneExtract(t *testing.T) {
	et := phoneEntity{}
	tests := []struct{ lang, in, want string }{
		{"en", "new lead, phone (650) 253-0000, company Acme", "+16502530000"},
		{"en", "call me on +49 30 1234567.", "+49301234567"},
		{"ja", "電話番号は03-1234-5678です", "+81312345678"},
		{"en", "order 12 of 2026-11-21", ""},
		{"en", "no number here", ""},
	}
	for _, tt := range tests {
		got, ok := et.Extract(tt.in, tt.lang, entNow, nil)
		if tt.want == "" {
			if ok {
				t.Errorf("Extract(%q) = %v; want nothing", tt.in, got)
			}
			continue
		}
		if !ok || got != tt.want {
			t.Errorf("Extract(%q) = %v, %v; want %q", tt.in, got, ok, tt.want)
		}
	}
}

func TestDateEntity(t *testing.T) {
	runEntCases(t, EntityDate, nil, []entCase{
		// Calendar dates.
		{"en", "2026-11-21", "2026-11-21"},
		{"en", "2026/11/21", "2026-11-21"},
		{"en", "2026-1-5", "2026-01-05"},
		{"en", "11/21/2026", "2026-11-21"},
		{"en", "11/21/26", "2026-11-21"},
		{"en", "21.11.2026", "2026-11-21"},
		{"en", "12/24", "2026-12-24"},
		{"en", "2/29/2028", "2028-02-29"},
		{"en", "November 30", "2026-11-30"},
		{"en", "Dec 1st, 2026", "2026-12-01"},
		{"en", "1 March 2027", "2027-03-01"},
		{"en-GB", "21/11/2026", "2026-11-21"},
		{"en", "2/29/2026", nil},
		{"en", "21/11/2026", nil}, // month 21
		{"en", "2026-13-01", nil},
		{"en", "2026-11-31", nil},
		{"en", "0999-01-01", nil},
		{"en", "11/21/2026/1", nil},
		{"en", "2026-11/21", nil},
		{"en", "", nil},
		{"en", "soon", nil},
		{"en", "November", nil},
		// Relative words, English.
		{"en", "today", "2026-11-21"},
		{"en", "Tomorrow!", "2026-11-22"},
		{"en", "yesterday", "2026-11-20"},
		{"en", "the day after tomorrow", "2026-11-23"},
		{"en", "in 3 days", "2026-11-24"},
		{"en", "in a day", "2026-11-22"},
		{"en", "in two weeks", "2026-12-05"},
		{"en", "10 days from now", "2026-12-01"},
		{"en", "next week", "2026-11-28"},
		{"en", "next Monday", "2026-11-23"},
		{"en", "monday", "2026-11-23"},
		{"en", "on friday", "2026-11-27"},
		{"en", "saturday", "2026-11-28"}, // today is Saturday: the next one
		{"en", "in 99999 days", nil},
		// German.
		{"de", "21.11.2026", "2026-11-21"},
		{"de", "21/11/2026", "2026-11-21"},
		{"de", "24.12.", "2026-12-24"},
		{"de", "heute", "2026-11-21"},
		{"de", "Morgen", "2026-11-22"},
		{"de", "übermorgen", "2026-11-23"},
		{"de", "gestern", "2026-11-20"},
		{"de", "in 5 Tagen", "2026-11-26"},
		{"de", "in einer Woche", "2026-11-28"},
		{"de", "nächsten Montag", "2026-11-23"},
		{"de", "am Freitag", "2026-11-27"},
		{"de", "21. November 2026", "2026-11-21"},
		{"de", "1. März", "2026-03-01"},
		// Japanese.
		{"ja", "2026年11月21日", "2026-11-21"},
		{"ja", "２０２６年１１月２１日", "2026-11-21"},
		{"ja", "12月1日", "2026-12-01"},
		{"ja", "今日", "2026-11-21"},
		{"ja", "明日", "2026-11-22"},
		{"ja", "明後日", "2026-11-23"},
		{"ja", "昨日", "2026-11-20"},
		{"ja", "3日後", "2026-11-24"},
		{"ja", "三日後", "2026-11-24"},
		{"ja", "2週間後", "2026-12-05"},
		{"ja", "月曜日", "2026-11-23"},
		{"ja", "次の金曜", "2026-11-27"},
		{"ja", "来週の水曜日", "2026-11-25"},
		{"ja", "13月1日", nil},
		{"ja", "明日かな", nil},
	})
}

func TestDateExtract(t *testing.T) {
	et := dateEntity{}
	tests := []struct{ lang, in, want string }{
		{"en", "book a meeting for tomorrow please", "2026-11-22"},
		{"en", "close it on 2026-12-31.", "2026-12-31"},
		{"en", "create an opportunity closing next friday", "2026-11-27"},
		{"en", "follow up in 3 days", "2026-11-24"},
		{"de", "Guten Morgen, am 24.12.2026 bitte", "2026-12-24"},
		{"de", "Guten Morgen", ""},
		{"ja", "明日の予約をお願いします", "2026-11-22"},
		{"ja", "12月24日に会議", "2026-12-24"},
		{"en", "create a lead", ""},
		{"en", "sat on the mat", ""},
	}
	for _, tt := range tests {
		got, ok := et.Extract(tt.in, tt.lang, entNow, nil)
		if tt.want == "" {
			if ok {
				t.Errorf("Extract(%q) = %v; want nothing", tt.in, got)
			}
			continue
		}
		if !ok || got != tt.want {
			t.Errorf("Extract(%q) = %v, %v; want %q", tt.in, got, ok, tt.want)
		}
	}
}

func TestDateNextWeekdayEveryDay(t *testing.T) {
	// From each day of a week, "next monday" is 1 to 7 days ahead and a Monday.
	for i := range 7 {
		now := entNow.AddDate(0, 0, i)
		v, ok := parseDate("next monday", "en", now)
		if !ok {
			t.Fatalf("parseDate(next monday) at %s rejected", now.Format(time.DateOnly))
		}
		d, _ := time.Parse(time.DateOnly, v)
		days := int(d.Sub(time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)).Hours() / 24)
		if d.Weekday() != time.Monday || days < 1 || days > 7 {
			t.Errorf("next monday at %s = %s (%s, +%d days); want the next Monday", now.Format(time.DateOnly), v, d.Weekday(), days)
		}
	}
}

func TestTextEntities(t *testing.T) {
	long := func(n int, s string) string { return strings.Repeat(s, n) }
	t.Run("string", func(t *testing.T) {
		runEntCases(t, EntityString, nil, []entCase{
			{"en", "hello", "hello"},
			{"en", "  Open - Not Contacted ", "Open - Not Contacted"},
			{"en", "", nil},
			{"en", "   ", nil},
			{"en", "two\nlines", nil},
			{"en", "nul\x00byte", nil},
			{"en", long(1001, "x"), nil},
		})
	})
	t.Run("description", func(t *testing.T) {
		runEntCases(t, EntityDescription, nil, []entCase{
			{"en", "line one\nline two", "line one\nline two"},
			{"en", long(32000, "é"), long(32000, "é")},
			{"en", long(32001, "x"), nil},
			{"en", " \n ", nil},
			{"en", "bell\a", nil},
		})
	})
	t.Run("company_name", func(t *testing.T) {
		runEntCases(t, EntityCompanyName, nil, []entCase{
			{"en", "Acme, Inc.", "Acme, Inc."},
			{"en", "  AT&T   Labs ", "AT&T Labs"},
			{"en", "3M", "3M"},
			{"ja", "株式会社テスト", "株式会社テスト"},
			{"en", "Müller GmbH & Co. KG", "Müller GmbH & Co. KG"},
			{"en", "12345", nil},
			{"en", "", nil},
			{"en", "Acme\nInc", nil},
			{"en", long(256, "a"), nil},
			{"en", long(255, "a"), long(255, "a")},
		})
	})
	t.Run("person_name", func(t *testing.T) {
		runEntCases(t, EntityPersonName, nil, []entCase{
			{"en", "jane o'neil-smith", "Jane O'Neil-Smith"},
			{"en", "JANE DOE", "Jane Doe"},
			{"en", "  ada   lovelace ", "Ada Lovelace"},
			{"en", "Ronald McDonald", "Ronald McDonald"},
			{"en", "josé álvarez", "José Álvarez"},
			{"en", "Zoë d’Arc", "Zoë d’Arc"},
			{"ja", "山田 太郎", "山田 太郎"},
			{"ja", "ヤマダ・タロウ", "ヤマダ・タロウ"},
			{"de", "jürgen müller-lüdenscheidt", "Jürgen Müller-Lüdenscheidt"},
			{"en", "R2D2", nil},
			{"en", "jane@example.com", nil},
			{"en", "", nil},
			{"en", "- '", nil},
			{"en", "Robert'); DROP TABLE", nil},
			{"en", long(81, "a"), nil},
			{"en", long(80, "A"), "A" + long(79, "a")},
		})
	})
}

func TestYesNoEntity(t *testing.T) {
	runEntCases(t, EntityYesNo, nil, []entCase{
		{"en", "yes", true},
		{"en", "no", false},
		{"en", "Sure", true},
		{"de", "Ja", true},
		{"de", "nein", false},
		{"ja", "はい", true},
		{"ja", "いいえ", false},
		{"ja", "yes", true}, // the quick reply payload, whatever the language
		{"en", "maybe", nil},
		{"en", "", nil},
	})
	runEntCases(t, EntityYesNo, &EntityOptions{Yes: []string{"make it so"}}, []entCase{
		{"en", "make it so", true},
	})
}

func TestListEntity(t *testing.T) {
	opts := &EntityOptions{Items: []ListOption{
		{Value: "Prospecting", Title: "Prospecting"},
		{Value: "Closed Won", Title: "Won", Synonyms: []string{"closed", "we got it"}},
		{Value: "42", Title: "The answer"},
	}}
	runEntCases(t, EntityList, opts, []entCase{
		{"en", "prospecting", "Prospecting"},
		{"en", "WON", "Closed Won"},
		{"en", " closed won ", "Closed Won"},
		{"en", "We got it", "Closed Won"},
		{"en", "2", "Closed Won"},
		{"en", "42", "42"}, // a value beats a position
		{"en", "3.", "42"},
		{"en", "0", nil},
		{"en", "4", nil},
		{"en", "lost", nil},
		{"en", "", nil},
	})
	runEntCases(t, EntityList, nil, []entCase{{"en", "prospecting", nil}})

	et := listEntity{}
	extract := []struct{ in, want string }{
		{"move it to prospecting please", "Prospecting"},
		{"it's closed, we won", "Closed Won"},
		{"prospecting or won?", ""},    // ambiguous
		{"prospectings galore", ""},    // not a whole word
		{"the answer is 42", "42"},     // the title
		{"set it to the answer", "42"}, // by title
		{"set it to 42", ""},           // too short to find in a sentence
	}
	for _, tt := range extract {
		got, ok := et.Extract(tt.in, "en", entNow, opts)
		if tt.want == "" {
			if ok {
				t.Errorf("Extract(%q) = %v; want nothing", tt.in, got)
			}
			continue
		}
		if !ok || got != tt.want {
			t.Errorf("Extract(%q) = %v, %v; want %q", tt.in, got, ok, tt.want)
		}
	}
}

func BenchmarkEntityParse(b *testing.B) {
	cases := []struct{ typ, lang, in string }{
		{EntityNumber, "en", "1,234.5"},
		{EntityEmail, "en", "Jane.Doe@Example.com"},
		{EntityDate, "en", "next monday"},
		{EntityDate, "de", "21.11.2026"},
		{EntityPhone, "en", "(650) 253-0000"},
		{EntityPersonName, "en", "jane o'neil-smith"},
	}
	for _, c := range cases {
		et, _ := LookupEntityType(c.typ)
		b.Run(c.typ+"/"+c.lang, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, ok := et.Parse(c.in, c.lang, entNow, nil); !ok {
					b.Fatalf("Parse(%q) rejected", c.in)
				}
			}
		})
	}
}
