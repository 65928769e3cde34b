package channels

import (
	"strings"
	"testing"
)

func TestSignerIssueVerify(t *testing.T) {
	s := NewSigner(testSecret)
	seen := map[string]bool{}
	for range 100 {
		id := s.Issue()
		if len(id) != sessionIDLen {
			t.Fatalf("Issue() = %q of length %d; want %d", id, len(id), sessionIDLen)
		}
		if !s.Verify(id) {
			t.Fatalf("Verify(Issue() = %q) = false", id)
		}
		if seen[id] {
			t.Fatalf("Issue() repeated %q", id)
		}
		seen[id] = true
	}
	// Another instance with the same secret accepts the id.
	id := s.Issue()
	if !NewSigner(append([]byte(nil), testSecret...)).Verify(id) {
		t.Errorf("a second Signer with the same secret rejected %q", id)
	}
	if NewSigner([]byte("a-completely-different-secret")).Verify(id) {
		t.Errorf("a Signer with another secret accepted %q", id)
	}
}

func TestSignerRejectsEveryOneCharChange(t *testing.T) {
	s := NewSigner(testSecret)
	id := s.Issue()
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_."
	for i := range len(id) {
		for _, r := range alphabet {
			if byte(r) == id[i] {
				continue
			}
			changed := id[:i] + string(r) + id[i+1:]
			if s.Verify(changed) {
				t.Fatalf("Verify(%q) = true after changing byte %d of %q", changed, i, id)
			}
		}
	}
}

func TestSignerRejectsMalformed(t *testing.T) {
	s := NewSigner(testSecret)
	id := s.Issue()
	randPart, tag, _ := strings.Cut(id, ".")
	tests := []string{
		"", ".", id + "=", " " + id, id[:len(id)-1],
		randPart + tag + "A",            // right length, no dot
		tag + "." + randPart,            // parts swapped
		strings.ToUpper(id),             // case changes the bytes
		randPart + "." + tag[:21] + "B", // non-canonical trailing bits
		strings.Repeat("A", sessionIDLen),
	}
	for _, bad := range tests {
		if s.Verify(bad) {
			t.Errorf("Verify(%q) = true; want false", bad)
		}
	}
}

func TestNewSignerShortSecretPanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("NewSigner(15 bytes) did not panic")
		}
	}()
	NewSigner(make([]byte, MinSecretLen-1))
}

func BenchmarkSignerVerify(b *testing.B) {
	s := NewSigner(testSecret)
	id := s.Issue()
	for b.Loop() {
		if !s.Verify(id) {
			b.Fatal("Verify = false")
		}
	}
}

// TestSignerDomains checks that the two kinds of id cannot stand in for
// each other although both are signed with the same secret.
func TestSignerDomains(t *testing.T) {
	s := NewSigner(testSecret)
	for range 50 {
		sid, uid := s.Issue(), s.IssueUser()
		if !s.VerifyUser(uid) {
			t.Fatalf("VerifyUser(IssueUser() = %q) = false", uid)
		}
		if len(uid) != sessionIDLen {
			t.Fatalf("IssueUser() = %q of length %d; want %d", uid, len(uid), sessionIDLen)
		}
		if s.VerifyUser(sid) {
			t.Fatalf("VerifyUser(session id %q) = true; want false", sid)
		}
		if s.Verify(uid) {
			t.Fatalf("Verify(user id %q) = true; want false", uid)
		}
	}
	if NewSigner([]byte("a-completely-different-secret")).VerifyUser(s.IssueUser()) {
		t.Error("a Signer with another secret accepted a user id")
	}
}
