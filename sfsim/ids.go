package sfsim

import (
	"fmt"
	"strings"
)

// Key prefixes of the objects sfsim knows (spec §3).
const (
	prefixAccount               = "001"
	prefixContact               = "003"
	prefixUser                  = "005"
	prefixOpportunity           = "006"
	prefixLead                  = "00Q"
	prefixTask                  = "00T"
	prefixCase                  = "500"
	prefixCampaign              = "701"
	prefixOrg                   = "00D"
	prefixLeadStatus            = "01J"
	prefixServicePresenceStatus = "0N5"
	prefixUserServicePresence   = "0Hn"
	prefixQueryLocator          = "01g"
)

const base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

const suffixAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"

// to18 appends the case-checksum suffix to a 15-character id.
func to18(id15 string) string {
	var b strings.Builder
	b.Grow(18)
	b.WriteString(id15)
	for chunk := 0; chunk < 3; chunk++ {
		flags := 0
		for j := 0; j < 5; j++ {
			c := id15[chunk*5+j]
			if c >= 'A' && c <= 'Z' {
				flags |= 1 << j
			}
		}
		b.WriteByte(suffixAlphabet[flags])
	}
	return b.String()
}

// idKey returns the canonical case-sensitive 15-character form of a 15- or
// 18-character id. For 18-character input the case of the first 15
// characters is restored from the suffix, so the 18-character form may be
// given in any case, as Salesforce allows.
func idKey(id string) (string, bool) {
	switch len(id) {
	case 15:
		if !isAlnum(id) {
			return "", false
		}
		return id, true
	case 18:
		if !isAlnum(id) {
			return "", false
		}
		b := []byte(id[:15])
		for chunk := 0; chunk < 3; chunk++ {
			flags := strings.IndexByte(suffixAlphabet, upper(id[15+chunk]))
			if flags < 0 {
				return "", false
			}
			for j := 0; j < 5; j++ {
				c := b[chunk*5+j]
				isLetter := (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
				wantUpper := flags&(1<<j) != 0
				switch {
				case wantUpper && isLetter:
					b[chunk*5+j] = upper(c)
				case !wantUpper && isLetter:
					b[chunk*5+j] = lower(c)
				case wantUpper && !isLetter:
					return "", false
				}
			}
		}
		return string(b), true
	}
	return "", false
}

// looksLikeID reports whether s has the shape of a record id.
func looksLikeID(s string) bool {
	_, ok := idKey(s)
	return ok
}

func isAlnum(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			return false
		}
	}
	return true
}

func upper(c byte) byte {
	if c >= 'a' && c <= 'z' {
		return c - 'a' + 'A'
	}
	return c
}

func lower(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c - 'A' + 'a'
	}
	return c
}

// newID15 builds a 15-character id: key prefix, a fixed two-character pod
// marker, and a ten-digit base-62 serial.
func newID15(prefix string, serial uint64) string {
	var digits [10]byte
	for i := 9; i >= 0; i-- {
		digits[i] = base62[serial%62]
		serial /= 62
	}
	return prefix + "Rk" + string(digits[:])
}

// newID returns the 18-character id for prefix and serial.
func newID(prefix string, serial uint64) string {
	return to18(newID15(prefix, serial))
}

// prefixOf returns the key prefix of an id.
func prefixOf(id string) string {
	if len(id) < 3 {
		return ""
	}
	return id[:3]
}

// canonicalID turns a 15- or 18-character id into its 18-character form.
func canonicalID(id string) (string, error) {
	k, ok := idKey(id)
	if !ok {
		return "", fmt.Errorf("invalid id %q", id)
	}
	return to18(k), nil
}
