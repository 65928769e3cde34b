package channels

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"strings"
)

const (
	sessionRandBytes = 16 // random part of a session id
	sessionMACBytes  = 16 // truncated HMAC-SHA256 tag
	// MinSecretLen is the shortest signing secret NewSigner accepts, in bytes.
	MinSecretLen = 16
)

// sessionIDLen is the length of an issued id: two unpadded base64url parts
// and a dot.
var sessionIDLen = b64.EncodedLen(sessionRandBytes) + 1 + b64.EncodedLen(sessionMACBytes)

var b64 = base64.RawURLEncoding

// Domains separate the tags of the two kinds of id signed with one secret,
// so that a session id never verifies as a user id and vice versa.
const (
	sessionDomain = "dialogd/session-id/v1\x00"
	userDomain    = "dialogd/user-id/v1\x00"
	// boundDomain tags session ids bound to a user (IssueSession): the
	// user id is part of the signed text, so the id verifies for that
	// user only.
	boundDomain = "dialogd/bound-session-id/v1\x00"
)

// Signer issues and checks session ids and anonymous user ids. An id is base64url(16 random bytes),
// a dot, and base64url of the first 16 bytes of HMAC-SHA256 over the random
// part, so any instance that shares the secret can tell an id it (or a peer)
// issued from a forged one. Session ids and user ids look alike but are
// tagged under different domains, so neither passes for the other. The
// session ids the channel issues are bound to their user (IssueSession):
// the user id is part of the tagged text, so such an id verifies only
// together with that user. A Signer is safe for concurrent use.
type Signer struct {
	secret []byte
}

// NewSigner returns a Signer for secret. It panics when the secret is shorter
// than [MinSecretLen] bytes: that is a configuration error to catch at start-up.
func NewSigner(secret []byte) *Signer {
	if len(secret) < MinSecretLen {
		panic("channels: session signing secret must be at least 16 bytes")
	}
	return &Signer{secret: append([]byte(nil), secret...)}
}

// Issue returns a new signed session id bound to no user. The channel
// issues bound ids (IssueSession); this one verifies with Verify only.
func (s *Signer) Issue() string { return s.issue(sessionDomain) }

// Verify reports whether id is a session id issued by a Signer with the
// same secret.
func (s *Signer) Verify(id string) bool { return s.verify(sessionDomain, id) }

// IssueSession returns a new signed session id bound to user: it
// verifies (VerifySession) for that user only, so that the id alone is
// not enough to resume the session.
func (s *Signer) IssueSession(user string) string { return s.issue(boundFor(user)) }

// VerifySession reports whether id is a session id a Signer with the same
// secret issued for user with IssueSession.
func (s *Signer) VerifySession(id, user string) bool { return s.verify(boundFor(user), id) }

// boundFor is the tag domain of the session ids of user: the user id is
// length-prefixed, so that no two users share a domain.
func boundFor(user string) string {
	d := make([]byte, 0, len(boundDomain)+binary.MaxVarintLen64+len(user))
	d = append(d, boundDomain...)
	d = binary.AppendUvarint(d, uint64(len(user)))
	return string(append(d, user...))
}

// IssueUser returns a new signed anonymous user id.
func (s *Signer) IssueUser() string { return s.issue(userDomain) }

// VerifyUser reports whether id is an anonymous user id issued by a Signer
// with the same secret.
func (s *Signer) VerifyUser(id string) bool { return s.verify(userDomain, id) }

func (s *Signer) issue(domain string) string {
	var raw [sessionRandBytes]byte
	// crypto/rand.Read never returns an error (Go 1.24+); it crashes the
	// program instead if the system source fails.
	_, _ = rand.Read(raw[:])
	id := make([]byte, 0, sessionIDLen)
	id = b64.AppendEncode(id, raw[:])
	tag := s.tag(domain, id)
	id = append(id, '.')
	id = b64.AppendEncode(id, tag[:sessionMACBytes])
	return string(id)
}

func (s *Signer) verify(domain, id string) bool {
	if len(id) != sessionIDLen {
		return false
	}
	randPart, macPart, ok := strings.Cut(id, ".")
	if !ok || len(randPart) != b64.EncodedLen(sessionRandBytes) {
		return false
	}
	raw, err := b64.DecodeString(randPart)
	if err != nil || len(raw) != sessionRandBytes {
		return false
	}
	got, err := b64.DecodeString(macPart)
	if err != nil || len(got) != sessionMACBytes {
		return false
	}
	// Re-encode so that only the canonical spelling of the random part is
	// accepted (base64 decoders tolerate some non-zero trailing bits).
	if b64.EncodeToString(raw) != randPart || b64.EncodeToString(got) != macPart {
		return false
	}
	want := s.tag(domain, []byte(randPart))
	return hmac.Equal(got, want[:sessionMACBytes])
}

func (s *Signer) tag(domain string, randPart []byte) []byte {
	m := hmac.New(sha256.New, s.secret)
	m.Write([]byte(domain))
	m.Write(randPart)
	return m.Sum(nil)
}

// logID shortens a session id for logs: the id itself is a credential
// (whoever holds it may attach to the conversation), so logs carry only a
// short hash that still correlates lines of one session.
func logID(id string) string {
	h := sha256.Sum256([]byte(id))
	return hex.EncodeToString(h[:6])
}
