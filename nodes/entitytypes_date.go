package nodes

import (
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// dateEntity accepts calendar dates and relative day words in English,
// German and Japanese; the value is "YYYY-MM-DD".
//
// Accepted forms: ISO "2026-11-21", "2026/11/21", "21.11.2026", "11/21/2026"
// (month first for plain "en" and "en-US", day first otherwise), dates
// without a year ("11/21", "21.11.", "11月21日", "Nov 21"), month names
// ("November 21, 2026", "21. November 2026"), Japanese "2026年11月21日",
// and words relative to the turn's clock: today, tomorrow, yesterday, day
// after tomorrow, "in N days/weeks", weekday names ("monday", "next
// monday": the first such day after today), their German (heute, morgen,
// übermorgen, gestern, "in N Tagen", "nächsten Montag") and Japanese
// (今日, 明日, 明後日, 昨日, N日後, 月曜日, 来週の月曜日) forms.
type dateEntity struct{}

func (dateEntity) Parse(text, lang string, now time.Time, _ *EntityOptions) (any, bool) {
	v, ok := parseDate(text, lang, now)
	if !ok {
		return nil, false
	}
	return v, true
}

// dateSpanRE finds date candidates that are not separated by spaces:
// numeric dates and Japanese forms.
var dateSpanRE = regexp.MustCompile(`\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[./]\d{1,2}[./]\d{2,4}|(?:\d{4}年)?\d{1,2}月\d{1,2}日|[0-9〇一二三四五六七八九十]+(?:日|週間)後|(?:来週の?|次の|今度の)?[月火水木金土日]曜日?|明後日|一昨日|今日|本日|明日|昨日|あさって|あした|きょう|きのう|おととい|あす`)

// Extract finds the first date in a sentence ("book it for tomorrow",
// "am 21.11.2026 bitte", "明日の予約").
func (dateEntity) Extract(utterance, lang string, now time.Time, _ *EntityOptions) (any, bool) {
	s := normDate(utterance)
	if s == "" {
		return nil, false
	}
	for _, m := range dateSpanRE.FindAllString(s, 8) {
		if v, ok := parseDate(m, lang, now); ok {
			return v, true
		}
	}
	words := strings.Fields(s)
	if len(words) > 64 {
		words = words[:64]
	}
	for i := range words {
		words[i] = strings.Trim(words[i], ",;:!?()\"'")
	}
	for i := range words {
		if i > 0 && (words[i-1] == "guten" || words[i-1] == "good") {
			continue // "guten morgen" is a greeting, not tomorrow
		}
		for w := min(5, len(words)-i); w >= 1; w-- {
			cand := strings.Join(words[i:i+w], " ")
			if w == 1 && len(cand) < 5 {
				continue // "sat", "mai": too easily a word of something else
			}
			if v, ok := parseDate(cand, lang, now); ok {
				return v, true
			}
		}
	}
	return nil, false
}

// normDate lower-cases text, maps full-width digits to ASCII, collapses
// spaces and drops trailing sentence punctuation.
func normDate(text string) string {
	s := strings.TrimSpace(text)
	if len(s) > 256 {
		return ""
	}
	ascii := true
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= utf8.RuneSelf || (c >= 'A' && c <= 'Z') || c == '\t' || c == '\n' || c == '\r' {
			ascii = false
			break
		}
	}
	if !ascii {
		s = strings.Map(func(r rune) rune {
			if r >= '０' && r <= '９' {
				return '0' + (r - '０')
			}
			switch r {
			case '／':
				return '/'
			case '－':
				return '-'
			}
			return unicode.ToLower(r)
		}, s)
	}
	return strings.TrimRight(collapseSpaces(s), "!?。 ")
}

func parseDate(text, lang string, now time.Time) (string, bool) {
	s := normDate(text)
	if s == "" {
		return "", false
	}
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, now.Location())
	if y, m, d, ok := numericDate(strings.TrimSuffix(s, "."), lang, today.Year()); ok {
		return formatDate(y, m, d)
	}
	if y, m, d, ok := japaneseDate(s, today.Year()); ok {
		return formatDate(y, m, d)
	}
	if t, ok := relativeDate(strings.TrimSuffix(s, "."), today); ok {
		return formatDate(t.Year(), int(t.Month()), t.Day())
	}
	if y, m, d, ok := monthNameDate(s, today.Year()); ok {
		return formatDate(y, m, d)
	}
	return "", false
}

// formatDate checks a date and writes it as YYYY-MM-DD.
func formatDate(y, m, d int) (string, bool) {
	if y < 1000 || y > 9999 || m < 1 || m > 12 || d < 1 || d > daysIn(y, m) {
		return "", false
	}
	b := [10]byte{
		byte('0' + y/1000), byte('0' + y/100%10), byte('0' + y/10%10), byte('0' + y%10), '-',
		byte('0' + m/10), byte('0' + m%10), '-', byte('0' + d/10), byte('0' + d%10),
	}
	return string(b[:]), true
}

func daysIn(y, m int) int {
	return time.Date(y, time.Month(m)+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// monthFirst reports whether slashed dates put the month first in lang.
func monthFirst(lang string) bool {
	switch strings.ToLower(lang) {
	case "en", "en-us", "en_us":
		return true
	}
	return false
}

// numericDate parses 2026-11-21, 2026/11/21, 21.11.2026, 11/21/2026,
// 21.11 and 11/21.
func numericDate(s, lang string, year int) (y, m, d int, ok bool) {
	var f [3]int
	var width [3]int
	n := 0
	var sep byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			if width[n] == 4 {
				return 0, 0, 0, false
			}
			f[n] = f[n]*10 + int(c-'0')
			width[n]++
		case c == '-' || c == '/' || c == '.':
			if width[n] == 0 || n == 2 || (sep != 0 && c != sep) {
				return 0, 0, 0, false
			}
			sep = c
			n++
		default:
			return 0, 0, 0, false
		}
	}
	if width[n] == 0 || n == 0 {
		return 0, 0, 0, false
	}
	if width[0] == 4 {
		if n != 2 || width[1] > 2 || width[2] > 2 {
			return 0, 0, 0, false
		}
		return f[0], f[1], f[2], true
	}
	if width[0] > 2 || width[1] > 2 {
		return 0, 0, 0, false
	}
	if n == 2 {
		switch width[2] {
		case 4:
			year = f[2]
		case 2:
			year = 2000 + f[2]
		default:
			return 0, 0, 0, false
		}
	}
	if sep != '.' && monthFirst(lang) {
		return year, f[0], f[1], true
	}
	return year, f[1], f[0], true
}

// japaneseDate parses 2026年11月21日 and 11月21日.
func japaneseDate(s string, year int) (y, m, d int, ok bool) {
	rest := strings.ReplaceAll(s, " ", "")
	if i := strings.Index(rest, "年"); i >= 0 {
		v, ok := atoi(rest[:i])
		if !ok || i != 4 {
			return 0, 0, 0, false
		}
		year = v
		rest = rest[i+len("年"):]
	}
	i := strings.Index(rest, "月")
	if i <= 0 || !strings.HasSuffix(rest, "日") {
		return 0, 0, 0, false
	}
	m, ok1 := atoi(rest[:i])
	d, ok2 := atoi(rest[i+len("月") : len(rest)-len("日")])
	if !ok1 || !ok2 {
		return 0, 0, 0, false
	}
	return year, m, d, true
}

var relativeDays = map[string]int{
	"today": 0, "tonight": 0, "tomorrow": 1, "yesterday": -1,
	"day after tomorrow": 2, "the day after tomorrow": 2,
	"day before yesterday": -2, "the day before yesterday": -2,
	"next week": 7, "in a week": 7, "in one week": 7,
	"heute": 0, "morgen": 1, "übermorgen": 2, "uebermorgen": 2, "gestern": -1, "vorgestern": -2,
	"nächste woche": 7, "naechste woche": 7, "in einer woche": 7,
	"今日": 0, "きょう": 0, "本日": 0, "明日": 1, "あした": 1, "あす": 1, "明後日": 2, "あさって": 2,
	"昨日": -1, "きのう": -1, "一昨日": -2, "おととい": -2, "来週": 7,
}

var weekdays = map[string]time.Weekday{
	"monday": time.Monday, "tuesday": time.Tuesday, "wednesday": time.Wednesday, "thursday": time.Thursday,
	"friday": time.Friday, "saturday": time.Saturday, "sunday": time.Sunday,
	"mon": time.Monday, "tue": time.Tuesday, "tues": time.Tuesday, "wed": time.Wednesday, "thu": time.Thursday,
	"thur": time.Thursday, "thurs": time.Thursday, "fri": time.Friday, "sat": time.Saturday, "sun": time.Sunday,
	"montag": time.Monday, "dienstag": time.Tuesday, "mittwoch": time.Wednesday, "donnerstag": time.Thursday,
	"freitag": time.Friday, "samstag": time.Saturday, "sonnabend": time.Saturday, "sonntag": time.Sunday,
	"月曜日": time.Monday, "火曜日": time.Tuesday, "水曜日": time.Wednesday, "木曜日": time.Thursday,
	"金曜日": time.Friday, "土曜日": time.Saturday, "日曜日": time.Sunday,
	"月曜": time.Monday, "火曜": time.Tuesday, "水曜": time.Wednesday, "木曜": time.Thursday,
	"金曜": time.Friday, "土曜": time.Saturday, "日曜": time.Sunday,
}

// weekdayPrefixes may precede a weekday name without changing its meaning.
var weekdayPrefixes = []string{
	"next ", "this ", "on ", "coming ", "this coming ", "on the ",
	"nächsten ", "nächster ", "nächstem ", "naechsten ", "am ", "kommenden ", "diesen ", "diesem ", "am nächsten ",
	"次の", "今度の",
}

// dayUnits are the words after "in N …" with the days each stands for.
var dayUnits = map[string]int{
	"day": 1, "days": 1, "week": 7, "weeks": 7,
	"tag": 1, "tagen": 1, "woche": 7, "wochen": 7,
}

// relativeDate parses day words relative to today.
func relativeDate(s string, today time.Time) (time.Time, bool) {
	if n, ok := relativeDays[s]; ok {
		return today.AddDate(0, 0, n), true
	}
	// Weekdays.
	if wd, ok := weekdays[s]; ok {
		return nextWeekday(today, wd), true
	}
	for _, p := range weekdayPrefixes {
		if rest, ok := strings.CutPrefix(s, p); ok {
			if wd, ok := weekdays[rest]; ok {
				return nextWeekday(today, wd), true
			}
		}
	}
	for _, p := range []string{"来週の", "来週"} {
		if rest, ok := strings.CutPrefix(s, p); ok {
			if wd, ok := weekdays[rest]; ok {
				// The given day of next week (weeks start on Monday).
				monday := today.AddDate(0, 0, 7-(int(today.Weekday())+6)%7)
				return monday.AddDate(0, 0, (int(wd)+6)%7), true
			}
		}
	}
	// N日後, N週間後.
	for _, u := range jaAfterUnits {
		if num, ok := strings.CutSuffix(s, u.suffix); ok {
			if n, ok := smallCount(num); ok {
				return today.AddDate(0, 0, n*u.days), true
			}
		}
	}
	// in N days / in N Tagen / N days from now / N days later.
	f := strings.Fields(s)
	switch {
	case len(f) == 3 && f[0] == "in":
		if n, ok := smallCount(f[1]); ok {
			if u, ok := dayUnits[f[2]]; ok {
				return today.AddDate(0, 0, n*u), true
			}
		}
	case len(f) == 4 && f[2] == "from" && f[3] == "now", len(f) == 3 && f[2] == "later":
		if n, ok := smallCount(f[0]); ok {
			if u, ok := dayUnits[f[1]]; ok {
				return today.AddDate(0, 0, n*u), true
			}
		}
	}
	return time.Time{}, false
}

var jaAfterUnits = []struct {
	suffix string
	days   int
}{{"週間後", 7}, {"日後", 1}}

// maxDateOffset bounds "in N days" to about ten years.
const maxDateOffset = 3660

// smallCount parses the N of "in N days": digits or a spelled-out number.
func smallCount(s string) (int, bool) {
	if s == "a" || s == "an" {
		return 1, true
	}
	if n, ok := atoi(s); ok && n <= maxDateOffset {
		return n, true
	}
	if v, ok := spelledNumbers[s]; ok {
		return int(v), true
	}
	return 0, false
}

// nextWeekday returns the first day after today that falls on wd.
func nextWeekday(today time.Time, wd time.Weekday) time.Time {
	n := (int(wd) - int(today.Weekday()) + 7) % 7
	if n == 0 {
		n = 7
	}
	return today.AddDate(0, 0, n)
}

var monthNames = map[string]int{
	"january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7,
	"august": 8, "september": 9, "october": 10, "november": 11, "december": 12,
	"jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "sept": 9,
	"oct": 10, "nov": 11, "dec": 12,
	"januar": 1, "jänner": 1, "februar": 2, "märz": 3, "maerz": 3, "mär": 3, "mai": 5, "juni": 6,
	"juli": 7, "oktober": 10, "okt": 10, "dezember": 12, "dez": 12,
}

// monthNameDate parses "november 21, 2026", "21 nov 2026", "21. november"
// and "nov 21st".
func monthNameDate(s string, year int) (y, m, d int, ok bool) {
	f := strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == ',' })
	if len(f) < 2 || len(f) > 3 {
		return 0, 0, 0, false
	}
	haveYear := false
	for _, w := range f {
		w = strings.TrimSuffix(w, ".")
		if v, ok := monthNames[w]; ok && m == 0 {
			m = v
			continue
		}
		if len(w) == 4 && !haveYear {
			v, ok := atoi(w)
			if !ok {
				return 0, 0, 0, false
			}
			year, haveYear = v, true
			continue
		}
		if d != 0 {
			return 0, 0, 0, false
		}
		for _, suf := range []string{"st", "nd", "rd", "th"} {
			w = strings.TrimSuffix(w, suf)
		}
		v, ok := atoi(w)
		if !ok || len(w) > 2 {
			return 0, 0, 0, false
		}
		d = v
	}
	if m == 0 || d == 0 {
		return 0, 0, 0, false
	}
	return year, m, d, true
}
