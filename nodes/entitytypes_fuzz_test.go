package nodes

import (
	"math"
	"testing"
	"time"
	"unicode/utf8"
)

var fuzzLangs = []string{"en", "de", "ja", "en-GB", "fr", ""}

func fuzzLang(i uint8) string { return fuzzLangs[int(i)%len(fuzzLangs)] }

// FuzzParseNumber checks that number parsing never panics and that every
// accepted value is finite and reads back from its plain form.
func FuzzParseNumber(f *testing.F) {
	for _, s := range []string{"42", "1,234.5", "1.234,5", "−3.5", "１２３", "zehn", "1 234", ".5", "-0", "999999999999999"} {
		f.Add(s, uint8(0))
		f.Add(s, uint8(1))
	}
	f.Fuzz(func(t *testing.T, s string, li uint8) {
		v, ok := parseNumber(s, fuzzLang(li))
		if !ok {
			return
		}
		if math.IsNaN(v) || math.IsInf(v, 0) {
			t.Fatalf("parseNumber(%q) = %v; want a finite number", s, v)
		}
		back, ok := parseNumber(formatNumber(v), "en")
		if !ok || back != v {
			t.Fatalf("parseNumber(%q) = %v, but %q reads back as %v, %v", s, v, formatNumber(v), back, ok)
		}
	})
}

// FuzzParseDate checks that date parsing never panics and that accepted
// values are ISO dates that read back as themselves in every language.
func FuzzParseDate(f *testing.F) {
	for _, s := range []string{"2026-11-21", "11/21/2026", "21.11.2026", "tomorrow", "in 3 days",
		"next monday", "übermorgen", "2026年11月21日", "3日後", "来週の月曜日", "Dec 1st, 2026", "24.12."} {
		f.Add(s, uint8(0), int64(0))
	}
	f.Fuzz(func(t *testing.T, s string, li uint8, shift int64) {
		now := entNow.Add(time.Duration(shift%(400*24)) * time.Hour)
		v, ok := parseDate(s, fuzzLang(li), now)
		if !ok {
			return
		}
		if _, err := time.Parse(time.DateOnly, v); err != nil || len(v) != 10 {
			t.Fatalf("parseDate(%q) = %q; not an ISO date: %v", s, v, err)
		}
		for _, lang := range fuzzLangs {
			if back, ok := parseDate(v, lang, now); !ok || back != v {
				t.Fatalf("parseDate(%q) = %q, which reads back in %q as %q, %v", s, v, lang, back, ok)
			}
		}
	})
}

// FuzzParsePhone checks that phone parsing never panics and that accepted
// numbers are E.164 and read back as themselves from any region.
func FuzzParsePhone(f *testing.F) {
	for _, s := range []string{"+1 650-253-0000", "(650) 253-0000", "03-1234-5678", "030 1234567", "+44 20 7031 3000", "12"} {
		f.Add(s, "US")
		f.Add(s, "JP")
	}
	f.Fuzz(func(t *testing.T, s, region string) {
		v, ok := parsePhone(s, region)
		if !ok {
			return
		}
		if len(v) < 3 || v[0] != '+' {
			t.Fatalf("parsePhone(%q, %q) = %q; want E.164", s, region, v)
		}
		for _, r := range []string{"", "US", "DE"} {
			if back, ok := parsePhone(v, r); !ok || back != v {
				t.Fatalf("parsePhone(%q, %q) = %q, which reads back from %q as %q, %v", s, region, v, r, back, ok)
			}
		}
	})
}

// FuzzParseEmail checks that e-mail parsing never panics and is
// idempotent.
func FuzzParseEmail(f *testing.F) {
	for _, s := range []string{"jane@example.com", "Jane.Doe@Example.COM", "mailto:a@b.co", "<x@y.org>", "user@BÜCHER.DE", `"},"x":1@e.com`, "a..b@c.com"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, ok := parseEmail(s)
		if !ok {
			return
		}
		if !utf8.ValidString(v) || len(v) > maxEmailLen {
			t.Fatalf("parseEmail(%q) = %q; invalid or too long", s, v)
		}
		if back, ok := parseEmail(v); !ok || back != v {
			t.Fatalf("parseEmail(%q) = %q, which reads back as %q, %v", s, v, back, ok)
		}
	})
}

// FuzzParsePersonName checks that name parsing never panics, keeps within
// its limits and is idempotent.
func FuzzParsePersonName(f *testing.F) {
	for _, s := range []string{"jane o'neil-smith", "JANE DOE", "Ronald McDonald", "山田 太郎", "ヤマダ・タロウ", "josé álvarez", "R2D2"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, ok := parsePersonName(s)
		if !ok {
			return
		}
		if n := utf8.RuneCountInString(v); n == 0 || n > maxPersonNameLen || !utf8.ValidString(v) {
			t.Fatalf("parsePersonName(%q) = %q; bad length or encoding", s, v)
		}
		if back, ok := parsePersonName(v); !ok || back != v {
			t.Fatalf("parsePersonName(%q) = %q, which reads back as %q, %v", s, v, back, ok)
		}
	})
}
