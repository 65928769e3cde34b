package nlu

import (
	"slices"
	"testing"
)

// TestGroupsOfWords: which synonym groups a word names, including the
// words that begin like a stem but are something else ("marketing" is
// no mark, "accounting" no account, German "falls" means "if").
func TestGroupsOfWords(t *testing.T) {
	for _, tc := range []struct {
		text string
		want []string
	}{
		{"mark", []string{"update"}},
		{"marketing", nil},
		{"account", []string{"account"}},
		{"accounting", nil},
		{"falls", nil},
		{"fall", []string{"case"}},
		{"statement", nil},
		{"status", []string{"status"}},
		{"set up", []string{"create"}},
		{"set", nil},
		{"turn off", []string{"update", "convert"}},
		{"a new phone number", []string{"update"}},
		{"registered", nil},
		{"register", []string{"create"}},
		{"登録済みの者です", nil},
		{"登録して", []string{"create"}},
		{"new e-mail address", []string{"update"}},
		{"eine neue Adresse", []string{"update"}},
		{"new contact", []string{"create", "contact"}},
		{"add a new e-mail", []string{"create", "update"}},
		{"gibt es", []string{"exist"}},
		{"ありますか", []string{"exist"}},
		{"進捗", []string{"status"}},
		{"cancel", []string{"delete"}},
		{"まだ解決していない", []string{"unresolved"}},
		{"株式会社ヒカリ", []string{"account"}},
		{"person", []string{"contact"}},
		{"personal", nil},
		{"Nordwind GmbH", []string{"account"}},
		{"unerledigte", []string{"unresolved"}},
		{"stornieren", []string{"delete"}},
		{"キャンセルして", []string{"delete"}},
	} {
		e := &extractor{}
		e.extract(newNormalizer().normalize(tc.text))
		var got []string
		for gi, g := range synonymGroups {
			if e.groups&(1<<gi) != 0 {
				got = append(got, g.name)
			}
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("groups of %q = %v, want %v", tc.text, got, tc.want)
		}
	}
}

// TestHeadRecord: the record a request is about is the first one named
// in English and German and the last one in a Japanese run.
func TestHeadRecord(t *testing.T) {
	for _, tc := range []struct{ text, want string }{
		{"add an opportunity for the Initech account", "opportunity"},
		{"den Lead der Firma Nordwind in einen Account überführen", "lead"},
		{"取引先ヤマト運輸の案件を作成したい", "opportunity"},
		{"リードの会社名を変更したい", "lead"},
		{"新規リード：佐藤一郎、ABC株式会社", "lead"},
		{"add a lead from Initech Ltd", "lead"},
		{"create something", ""},
	} {
		e := &extractor{}
		e.extract(newNormalizer().normalize(tc.text))
		got := ""
		if e.head >= 0 {
			got = synonymGroups[e.head].name
		}
		if got != tc.want {
			t.Errorf("head record of %q = %q, want %q", tc.text, got, tc.want)
		}
	}
}
