package auth

import (
	"encoding/base64"
	"strings"
	"testing"
)

// FuzzOAuthState: decodeState accepts exactly what encodeState makes. Any
// state it accepts has a bot, a 32-byte nonce and is the one spelling
// encodeState gives for them (so a relabelled or re-padded state is not a
// second key to the same record); and any bot with any nonce that fits the
// length limit decodes back to itself.
func FuzzOAuthState(f *testing.F) {
	nonce := base64.RawURLEncoding.EncodeToString([]byte("0123456789abcdef0123456789abcdef"))
	f.Add(encodeState("acme", nonce), "acme", []byte("0123456789abcdef0123456789abcdef"))
	f.Add(encodeState("bot with spaces/ünïcode", nonce), "", []byte{})
	f.Add("YWNtZQ."+nonce+"=", "a.b", []byte{0xff})
	f.Add("YWNtZQ=."+nonce, "\x00", make([]byte, 33))
	f.Add("YWNtZR."+nonce, strings.Repeat("b", 400), make([]byte, 32))
	f.Add("."+nonce, "x", []byte("short"))
	f.Add("YWNtZQ."+nonce+"."+nonce, "x", []byte(nil))
	f.Add("YWNtZQ.\n"+nonce, "x", []byte(nil))
	f.Add("", "", []byte(nil))
	f.Fuzz(func(t *testing.T, s, bot string, nonceBytes []byte) {
		if gotBot, gotNonce, err := decodeState(s); err == nil {
			nb, nerr := base64.RawURLEncoding.DecodeString(gotNonce)
			switch {
			case gotBot == "":
				t.Fatalf("decodeState(%q) accepted an empty bot", s)
			case nerr != nil || len(nb) != nonceLen:
				t.Fatalf("decodeState(%q) accepted nonce %q (%d bytes, %v)", s, gotNonce, len(nb), nerr)
			case encodeState(gotBot, gotNonce) != s:
				t.Fatalf("decodeState(%q) = (%q, %q), which encodes to %q: two spellings of one state", s, gotBot, gotNonce, encodeState(gotBot, gotNonce))
			}
		}
		if bot == "" || len(nonceBytes) != nonceLen {
			return
		}
		n := base64.RawURLEncoding.EncodeToString(nonceBytes)
		enc := encodeState(bot, n)
		gotBot, gotNonce, err := decodeState(enc)
		if len(enc) > 512 {
			if err == nil {
				t.Fatalf("decodeState accepted a %d-byte state", len(enc))
			}
			return
		}
		if err != nil || gotBot != bot || gotNonce != n {
			t.Fatalf("decodeState(encodeState(%q, %q)) = (%q, %q, %v)", bot, n, gotBot, gotNonce, err)
		}
	})
}
