package channels

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"strings"
	"testing"
)

// fuzzSecret is the signing secret of FuzzSignerVerify: fixed, so that the
// ids in the seed corpus verify in every fuzz worker.
var fuzzSecret = []byte("fuzz-signing-secret-0123456789")

// referenceVerify is an independent reading of the id format: exactly
// base64url(16 bytes) "." base64url(first 16 bytes of
// HMAC-SHA256(secret, domain || random part)), strict base64 without
// padding, nothing else.
func referenceVerify(secret []byte, domain, id string) bool {
	parts := strings.Split(id, ".")
	if len(parts) != 2 {
		return false
	}
	enc := base64.RawURLEncoding.Strict()
	raw, err := enc.DecodeString(parts[0])
	if err != nil || len(raw) != 16 || enc.EncodeToString(raw) != parts[0] {
		return false // decoders skip line breaks: only the one spelling counts
	}
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(domain))
	m.Write([]byte(parts[0]))
	return parts[1] == enc.EncodeToString(m.Sum(nil)[:16])
}

// signedSeed signs a fixed random part the way Issue does, with the
// reference code.
func signedSeed(domain string, randPart []byte) string {
	r := base64.RawURLEncoding.EncodeToString(randPart)
	m := hmac.New(sha256.New, fuzzSecret)
	m.Write([]byte(domain))
	m.Write([]byte(r))
	return r + "." + base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:16])
}

// FuzzSignerVerify: Verify and VerifyUser agree with an independent
// reading of the id format on every input (so no id verifies that the
// secret did not sign, whatever its spelling), no id is both a session id
// and a user id, and an id signed under another secret never verifies.
func FuzzSignerVerify(f *testing.F) {
	s := NewSigner(fuzzSecret)
	other := NewSigner([]byte("another-secret-of-enough-length"))
	session := signedSeed(sessionDomain, []byte("0123456789abcdef"))
	user := signedSeed(userDomain, []byte("fedcba9876543210"))
	if !s.Verify(session) || !s.VerifyUser(user) {
		f.Fatalf("the reference-signed seeds %q, %q do not verify", session, user)
	}
	for _, id := range []string{
		session, user,
		s.Issue(), s.IssueUser(), other.Issue(),
		session + "=", session[:len(session)-1], strings.ToUpper(session), " " + session,
		strings.Replace(session, ".", "..", 1), strings.Replace(session, "-", "+", 1),
		session[:21] + "B" + session[22:], // the random part's last character carries unused bits
		"", ".", "a.b", "x.y.z", strings.Repeat("A", sessionIDLen),
	} {
		f.Add(id)
	}
	f.Fuzz(func(t *testing.T, id string) {
		gotSession, gotUser := s.Verify(id), s.VerifyUser(id)
		if want := referenceVerify(fuzzSecret, sessionDomain, id); gotSession != want {
			t.Fatalf("Verify(%q) = %v; the reference says %v", id, gotSession, want)
		}
		if want := referenceVerify(fuzzSecret, userDomain, id); gotUser != want {
			t.Fatalf("VerifyUser(%q) = %v; the reference says %v", id, gotUser, want)
		}
		if gotSession && gotUser {
			t.Fatalf("%q verifies as a session id and as a user id", id)
		}
		if (gotSession || gotUser) && (other.Verify(id) || other.VerifyUser(id)) {
			t.Fatalf("%q verifies under two secrets", id)
		}
	})
}
