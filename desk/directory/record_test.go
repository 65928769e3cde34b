package directory_test

import (
	"slices"
	"testing"

	"github.com/botforge/dialogd/desk/directory"
)

func TestPhoneKeys(t *testing.T) {
	tests := []struct {
		phones []string
		region string
		want   []string
	}{
		{[]string{"(415) 555-0101"}, "US", []string{"+14155550101", "4155550101"}},
		{[]string{"(415) 555-0101"}, "", []string{"4155550101"}},
		{[]string{"+81 3-1234-5678", "03-1234-5678"}, "JP", []string{"+81312345678", "0312345678"}},
		{[]string{"＋８１ ３ １２３４ ５６７８"}, "", []string{"+81312345678"}},
		{[]string{"n/a", ""}, "US", nil},
	}
	for _, tt := range tests {
		if got := directory.PhoneKeys(tt.phones, tt.region); !slices.Equal(got, tt.want) {
			t.Errorf("PhoneKeys(%q, %q): got %q, want %q", tt.phones, tt.region, got, tt.want)
		}
	}
}

func TestNamesAndEmails(t *testing.T) {
	for _, tt := range []struct{ a, b string }{
		{"Taro Yamada", "yamada  TARO"}, {"Anne-Marie O'Neil", "o neil anne marie"}, {"山田 太郎", "太郎　山田"},
	} {
		if x, y := directory.NormalizeName(tt.a), directory.NormalizeName(tt.b); x != y || x == "" {
			t.Errorf("NormalizeName: %q → %q and %q → %q, want the same", tt.a, x, tt.b, y)
		}
	}
	for name, want := range map[string]bool{"Sato": true, "[not provided]": false, " - ": false, "": false, "李": true} {
		if got := directory.HasName(name); got != want {
			t.Errorf("HasName(%q): got %v, want %v", name, got, want)
		}
	}
	if got := directory.NormalizeEmail(" Jane.Doe@Acme.Example "); got != "jane.doe@acme.example" {
		t.Errorf("NormalizeEmail: got %q", got)
	}
}
