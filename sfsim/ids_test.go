package sfsim

import (
	"strings"
	"testing"
)

func TestTo18SpecExamples(t *testing.T) {
	tests := []struct{ id15, want string }{
		{"001D000000IqhSL", "001D000000IqhSLIAZ"},
		{"00190000001pPvH", "00190000001pPvHAAU"},
		{"003RO0000035WQg", "003RO0000035WQgYAM"},
		{"0036000000QKv5T", "0036000000QKv5TAAT"},
	}
	for _, tt := range tests {
		if got := to18(tt.id15); got != tt.want {
			t.Errorf("to18(%s) = %s; want %s", tt.id15, got, tt.want)
		}
	}
}

func TestIDKey(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"001D000000IqhSL", "001D000000IqhSL", true},
		{"001D000000IqhSLIAZ", "001D000000IqhSL", true},
		{"001d000000iqhslIAZ", "001D000000IqhSL", true}, // 18-char form is case-insensitive
		{"001D000000IQHSLiaz", "001D000000IqhSL", true},
		{"001D000000IqhSLIA9", "", false}, // 9 is not a suffix character
		{"001D000000IqhS", "", false},
		{"001D000000Iqh-L", "", false},
		{"0010000000000001AA", "", false}, // suffix says upper case where there is a digit
		{"", "", false},
	}
	for _, tt := range tests {
		got, ok := idKey(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("idKey(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestNewIDShape(t *testing.T) {
	seen := map[string]bool{}
	for serial := uint64(1); serial < 5000; serial += 7 {
		id := newID(prefixLead, serial)
		if len(id) != 18 || !strings.HasPrefix(id, "00Q") {
			t.Fatalf("newID = %q", id)
		}
		k, ok := idKey(id)
		if !ok || k != id[:15] {
			t.Fatalf("idKey(newID) = %q, %v; want %q", k, ok, id[:15])
		}
		if seen[strings.ToLower(id)] {
			t.Fatalf("ids collide case-insensitively: %s", id)
		}
		seen[strings.ToLower(id)] = true
	}
}

func FuzzIDKey(f *testing.F) {
	for _, s := range []string{"001D000000IqhSL", "001D000000IqhSLIAZ", "001d000000iqhslIAZ", "", "zzzzzzzzzzzzzzzzzz"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		k, ok := idKey(s)
		if !ok {
			return
		}
		if len(k) != 15 {
			t.Fatalf("idKey(%q) = %q: not 15 characters", s, k)
		}
		// The canonical form is stable: its 18-char form maps back to it,
		// and so does any case variant of that 18-char form.
		id18 := to18(k)
		for _, v := range []string{id18, strings.ToLower(id18), strings.ToUpper(id18)} {
			if k2, ok := idKey(v); !ok || k2 != k {
				t.Fatalf("idKey(%q) = %q, %v; want %q", v, k2, ok, k)
			}
		}
		if len(s) == 18 && !strings.EqualFold(s, id18) {
			t.Fatalf("idKey(%q) = %q whose 18-char form %q differs", s, k, id18)
		}
	})
}
