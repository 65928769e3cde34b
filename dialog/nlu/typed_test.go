package nlu

import (
	"slices"
	"testing"
)

// TestTypedValuesArePlaceholders: an e-mail address, a phone number, an
// id or a date is one placeholder word whatever its value and spelling,
// so two sentences that differ only in a record detail have the same
// features, and the detail weighs one word.
func TestTypedValuesArePlaceholders(t *testing.T) {
	for _, tc := range []struct{ a, b string }{
		{"find cases for bob@example.net", "find cases for anna.k-l@mail.startup.io"},
		{"which company has the phone number 555-0199?", "which company has the phone number +49 (30) 123 4567?"},
		{"wer ist unter der Nummer 0171 2345678 gespeichert", "wer ist unter der Nummer 42 gespeichert"},
		{"status of case 00001031", "status of case 7"},
		{"電話番号は090-1234-5678です", "電話番号は0312345678です"},
		{"メールはa@b.co.jpです", "メールはlena@example.comです"},
		{"meeting on 12.03.2026", "meeting on 1/2/2027"},
		{"高橋さんのリードを表示", "中村さんのリードを表示"},
		{"Lead der Firma Nordwind GmbH", "Lead der Firma Nordwind Ltd"},
		{"株式会社ヒカリの電話番号", "有限会社ヒカリの電話番号"},
		{"担当の鈴木さんを削除", "担当のスミスさんを削除"},
	} {
		fa, fb := features(tc.a), features(tc.b)
		if !slices.Equal(fa, fb) {
			t.Errorf("features(%q) = %d features, features(%q) = %d: want the same", tc.a, len(fa), tc.b, len(fb))
		}
	}
}

// TestTypedValueEnd: where a typed value ends, and what is not one.
func TestTypedValueEnd(t *testing.T) {
	for _, tc := range []struct {
		text string
		end  int // -1: not a typed value
		word string
	}{
		{"bob@example.net?", 15, "@"},
		{"bob@example", -1, ""},
		{"@home", -1, ""},
		{"030 1234567 anrufen", 11, "#"},
		{"555-0199.", 8, "#"},
		{"2nd lead", -1, ""},
		{"3 leads", 1, "#"},
		{"12 - 3", 2, "#"}, // three joiners: two numbers
		{"1   2", 1, "#"},
		{"lead", -1, ""},
	} {
		rs := []rune(tc.text)
		end, word, ok := typedValueEnd(rs, 0)
		if !ok {
			end = -1
		}
		if end != tc.end || string(word) != tc.word {
			t.Errorf("typedValueEnd(%q) = %d %q, want %d %q", tc.text, end, string(word), tc.end, tc.word)
		}
	}
}

// TestHonorificName: a Japanese name is the kanji or katakana right
// before さん; お客様 and 氏名 hold no name.
func TestHonorificName(t *testing.T) {
	for _, tc := range []struct {
		run        string
		start, end int // -1: no name
	}{
		{"高橋さんのリード", 0, 4},
		{"担当の鈴木さんを", 3, 7},
		{"お客様情報", -1, -1},
		{"リードの氏名を変更", -1, -1},
		{"さんを", -1, -1},
	} {
		start, end, ok := honorificName([]rune(tc.run))
		if !ok {
			start, end = -1, -1
		}
		if start != tc.start || end != tc.end {
			t.Errorf("honorificName(%q) = %d, %d; want %d, %d", tc.run, start, end, tc.start, tc.end)
		}
	}
}

func features(text string) []uint64 {
	e := &extractor{}
	return slices.Clone(e.extract(newNormalizer().normalize(text)))
}
