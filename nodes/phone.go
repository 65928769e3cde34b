package nodes

import (
	"strings"

	"github.com/nyaruka/phonenumbers"
)

// PhoneNumber is a phone number read the way the phone entity reads one.
type PhoneNumber struct {
	// E164 is the number in E.164 form: "+14155550101".
	E164 string
	// National is its national significant number, the digits after the
	// country code without a trunk prefix: "4155550101".
	National string
}

// ParsePhoneNumber reads a phone number as the phone entity type does
// (loose formats, checked against the numbering plan). A number without a
// country code is read in region (an ISO 3166 code such as "US"), or when
// region is empty in the region of lang ("en" US, "de" DE, "ja" JP, "en-GB"
// GB). A number that starts with 00 and is not a number of the region is
// read as 00 and an international number, as in most of the world
// ("001 415 555 0101" in the US too).
func ParsePhoneNumber(text, lang, region string) (PhoneNumber, bool) {
	region = PhoneRegion(lang, region)
	e164, ok := parsePhone(text, region)
	if t := strings.TrimSpace(text); !ok && strings.HasPrefix(t, "00") {
		e164, ok = parsePhone("+"+t[2:], region)
	}
	if !ok {
		return PhoneNumber{}, false
	}
	num, err := phonenumbers.Parse(e164, "")
	if err != nil {
		return PhoneNumber{}, false
	}
	return PhoneNumber{E164: e164, National: phonenumbers.GetNationalSignificantNumber(num)}, true
}

// maxStoredPhoneLen bounds the stored form of a number that
// StoredPhoneE164 reads.
const maxStoredPhoneLen = 64

// StoredPhoneE164 is the E.164 form of a number as some other system
// stored it ("(415) 555-0101", "+1 415 555 0101 ext. 3", "030 1234567"),
// or "" when it is not a number. It is lenient: the number is not checked
// against the numbering plan (an extension is dropped), so that a stored
// number equals the number a user gave whenever their digits agree. region
// and lang are as for [ParsePhoneNumber].
func StoredPhoneE164(stored, lang, region string) string {
	s := strings.TrimSpace(stored)
	if s == "" || len(s) > maxStoredPhoneLen {
		return ""
	}
	num, err := phonenumbers.Parse(s, PhoneRegion(lang, region))
	if strings.HasPrefix(s, "00") && (err != nil || !phonenumbers.IsValidNumber(num)) {
		if intl, err2 := phonenumbers.Parse("+"+s[2:], ""); err2 == nil {
			num, err = intl, nil
		}
	}
	if err != nil {
		return ""
	}
	return phonenumbers.Format(num, phonenumbers.E164)
}

// PhoneRegion is the region numbers without a country code are read in:
// region when given, else the region of lang.
func PhoneRegion(lang, region string) string {
	if region != "" {
		return strings.ToUpper(region)
	}
	return phoneRegion(lang, nil)
}

// ValidPhoneRegion reports whether region is a region code the phone
// numbering plan knows ("US", "DE", "JP").
func ValidPhoneRegion(region string) bool { return validRegion(strings.ToUpper(region)) }
