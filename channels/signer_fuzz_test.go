package channels

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
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

// referenceBound is the tag domain of the session ids of user, written
// again: the bound-session domain, the user id's length as a uvarint, the
// user id.
func referenceBound(user string) string {
	return "dialogd/bound-session-id/v1\x00" + string(binary.AppendUvarint(nil, uint64(len(user)))) + user
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

// FuzzSignerVerify: Verify, VerifyUser and VerifySession agree with an
// independent reading of the id format on every input (so no id verifies
// that the secret did not sign, whatever its spelling); no id passes as
// two kinds (session, bound session, user); a bound session id verifies
// for its own user only; and an id signed under another secret never
// verifies.
func FuzzSignerVerify(f *testing.F) {
	s := NewSigner(fuzzSecret)
	other := NewSigner([]byte("another-secret-of-enough-length"))
	session := signedSeed(sessionDomain, []byte("0123456789abcdef"))
	user := signedSeed(userDomain, []byte("fedcba9876543210"))
	bound := signedSeed(referenceBound(user), []byte("0123456789ABCDEF"))
	if !s.Verify(session) || !s.VerifyUser(user) || !s.VerifySession(bound, user) {
		f.Fatalf("the reference-signed seeds %q, %q, %q do not verify", session, user, bound)
	}
	for _, id := range []string{
		session, user, bound,
		s.Issue(), s.IssueUser(), s.IssueSession(user), other.Issue(),
		session + "=", session[:len(session)-1], strings.ToUpper(session), " " + session,
		strings.Replace(session, ".", "..", 1), strings.Replace(session, "-", "+", 1),
		session[:21] + "B" + session[22:], // the random part's last character carries unused bits
		"", ".", "a.b", "x.y.z", strings.Repeat("A", sessionIDLen),
	} {
		f.Add(id, user)
	}
	f.Add(bound, user+"x")
	f.Add(bound, "")
	f.Add(signedSeed(referenceBound(""), []byte("0000000000000000")), "")
	f.Fuzz(func(t *testing.T, id, forUser string) {
		gotSession, gotUser, gotBound := s.Verify(id), s.VerifyUser(id), s.VerifySession(id, forUser)
		if want := referenceVerify(fuzzSecret, sessionDomain, id); gotSession != want {
			t.Fatalf("Verify(%q) = %v; the reference says %v", id, gotSession, want)
		}
		if want := referenceVerify(fuzzSecret, userDomain, id); gotUser != want {
			t.Fatalf("VerifyUser(%q) = %v; the reference says %v", id, gotUser, want)
		}
		if want := referenceVerify(fuzzSecret, referenceBound(forUser), id); gotBound != want {
			t.Fatalf("VerifySession(%q, %q) = %v; the reference says %v", id, forUser, gotBound, want)
		}
		if n := btoi(gotSession) + btoi(gotUser) + btoi(gotBound); n > 1 {
			t.Fatalf("%q verifies as %d kinds of id (session %v, user %v, bound to %q %v)", id, n, gotSession, gotUser, forUser, gotBound)
		}
		if gotBound && (s.VerifySession(id, forUser+"x") || forUser != "" && s.VerifySession(id, forUser[:len(forUser)-1])) {
			t.Fatalf("%q verifies for %q and for another user", id, forUser)
		}
		if (gotSession || gotUser || gotBound) && (other.Verify(id) || other.VerifyUser(id) || other.VerifySession(id, forUser)) {
			t.Fatalf("%q verifies under two secrets", id)
		}
	})
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}
