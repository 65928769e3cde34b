package directory

import (
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/botforge/dialogd/nodes"
)

// Record is one imported customer.
type Record struct {
	ID      string   `json:"id"`
	Object  string   `json:"object"`
	Name    string   `json:"name"`
	Company string   `json:"company,omitempty"`
	Account string   `json:"account_id,omitempty"` // a Contact's AccountId, an Account's Id
	Email   string   `json:"email,omitempty"`
	Phones  []string `json:"phones,omitempty"`
	// PhoneKeys are the phones' lookup keys (see PhoneKeys); when empty,
	// the phones' digits are.
	PhoneKeys []string  `json:"phone_keys,omitempty"`
	Modified  time.Time `json:"modified"` // LastModifiedDate in Salesforce
}

// public is the record as nodes see it.
func (r Record) public() nodes.DirectoryRecord {
	return nodes.DirectoryRecord{ID: r.ID, Object: r.Object, Name: r.Name, Company: r.Company, AccountID: r.Account, Email: r.Email, Phones: slices.Clone(r.Phones)}
}

// indexKey is one lookup key of a record: kind (email, phone, name) and
// the normalised value.
type indexKey struct{ kind, value string }

// keys returns the record's lookup keys.
func (r Record) keys() []indexKey {
	var ks []indexKey
	if e := NormalizeEmail(r.Email); e != "" {
		ks = append(ks, indexKey{nodes.DirectoryByEmail, e})
	}
	phones := r.PhoneKeys
	if len(phones) == 0 {
		phones = PhoneKeys(r.Phones, "")
	}
	for _, p := range phones {
		ks = append(ks, indexKey{nodes.DirectoryByPhone, p})
	}
	if n := NormalizeName(r.Name); n != "" {
		ks = append(ks, indexKey{nodes.DirectoryByName, n})
	}
	return ks
}

// NormalizeEmail lowercases and trims an e-mail address.
func NormalizeEmail(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// NormalizePhone keeps a phone number's digits (full-width ones as ASCII)
// and a leading +: "+81 (3) 1234-5678" → "+81312345678". Fewer than four
// digits is no number ("").
func NormalizePhone(s string) string {
	s = strings.TrimSpace(s)
	var b strings.Builder
	if strings.HasPrefix(s, "+") || strings.HasPrefix(s, "＋") {
		b.WriteByte('+')
	}
	digits := 0
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
			digits++
		case r >= '０' && r <= '９':
			b.WriteRune('0' + (r - '０'))
			digits++
		}
	}
	if digits < 4 {
		return ""
	}
	return b.String()
}

// PhoneKeys are the lookup keys of phone numbers: each one's E.164 form
// (a number without a country code read in region, an ISO 3166 code;
// none when region is empty) and its digits as written (NormalizePhone),
// without repeats. "(415) 555-0101" in region US has the keys
// "+14155550101" and "4155550101".
func PhoneKeys(phones []string, region string) []string {
	var keys []string
	add := func(k string) {
		if k != "" && !slices.Contains(keys, k) {
			keys = append(keys, k)
		}
	}
	for _, p := range phones {
		add(nodes.StoredPhoneE164(p, "", region))
		add(NormalizePhone(p))
	}
	return keys
}

// NormalizeName lowercases a name and sorts its words, so that "Yamada
// Taro", "taro  YAMADA" and "Taro Yamada" are one key; punctuation
// separates words.
func NormalizeName(s string) string {
	words := strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && !unicode.Is(unicode.Mn, r)
	})
	slices.Sort(words)
	return strings.Join(words, " ")
}

// HasName reports whether a CRM name field holds a name: not empty, not
// Web-to-Lead's "[not provided]" placeholder, not only punctuation.
func HasName(s string) bool {
	s = strings.TrimSpace(s)
	if s == "" || strings.EqualFold(s, "[not provided]") {
		return false
	}
	return strings.IndexFunc(s, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }) >= 0
}
