package nodes

import "testing"

// TestParseNumberSeparators covers the sign and separator rules of
// parseNumber that TestNumberEntity leaves out.
func TestParseNumberSeparators(t *testing.T) {
	tests := []struct {
		lang, in string
		want     float64
		wantOK   bool
	}{
		{"en", "- 5", -5, true},
		{"en", "+ 5", 5, true},
		{"en", "-  5", 0, false}, // one space after the sign at most
		{"en", "-.5", -0.5, true},
		{"en", "1'234", 1234, true},
		{"en", "1'234'567.5", 1234567.5, true},
		{"en", "1'234,567", 0, false}, // one grouping separator throughout
		{"en", "1,23.5", 0, false},    // a short last group before the decimals
		{"en", "1,2345", 0, false},    // a long last group
		{"en", ",123", 0, false},      // a separator before any digit
		{"en", "1.5.", 0, false},
		{"de", ",5", 0.5, true},
		{"de", "1.234.5", 0, false},
		{"de", "1 234.5", 0, false}, // '.' groups in German, so a short group
		{"ja", "１２３．４５６", 123.456, true},
	}
	for _, tt := range tests {
		got, ok := parseNumber(tt.in, tt.lang)
		if got != tt.want || ok != tt.wantOK {
			t.Errorf("parseNumber(%q, %s) = %v, %v; want %v, %v", tt.in, tt.lang, got, ok, tt.want, tt.wantOK)
		}
	}
}
