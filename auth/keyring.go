package auth

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
)

// ErrUndecryptable is wrapped by the error returned for a stored value that
// none of the keyring's keys opens: it was written under a key that is no
// longer configured, for another slot, or it was altered.
var ErrUndecryptable = errors.New("auth: stored value cannot be decrypted")

// MinSecretLen is the shortest secret DeriveKey accepts.
const MinSecretLen = 16

// sealVersion is the first byte of every sealed value.
const sealVersion = 1

// Key is one AES-256-GCM key of a [Keyring] with its id. The id is derived
// from the secret, so the same secret always yields the same id and a
// rotated keyring recognises values sealed under an old key.
type Key struct {
	id   string // 8 hex characters
	aead cipher.AEAD
}

// ID returns the key's id, which is written in clear into every value the
// key seals. It reveals nothing about the key.
func (k Key) ID() string { return k.id }

// DeriveKey derives a key from a secret such as the value of
// BOT_SECRET_KEY, with HKDF-SHA256. The secret must be at least
// [MinSecretLen] bytes long.
func DeriveKey(secret []byte) (Key, error) {
	if len(secret) < MinSecretLen {
		return Key{}, fmt.Errorf("auth: secret key is %d bytes long; at least %d are needed", len(secret), MinSecretLen)
	}
	raw, err := hkdf.Key(sha256.New, secret, nil, "dialogd auth token vault v1", 32)
	if err != nil {
		return Key{}, fmt.Errorf("auth: derive key: %w", err)
	}
	idRaw, err := hkdf.Key(sha256.New, secret, nil, "dialogd auth token vault key id v1", 4)
	if err != nil {
		return Key{}, fmt.Errorf("auth: derive key id: %w", err)
	}
	block, err := aes.NewCipher(raw)
	if err != nil {
		return Key{}, fmt.Errorf("auth: derive key: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return Key{}, fmt.Errorf("auth: derive key: %w", err)
	}
	return Key{id: hex.EncodeToString(idRaw), aead: aead}, nil
}

// Keyring seals values with its current key and opens values sealed with
// the current key or any of the old ones. To rotate, make the new secret
// current and keep the previous one among the old keys until every stored
// token has been rewritten (tokens are rewritten, under the current key,
// whenever they are refreshed or read with an old key).
type Keyring struct {
	current Key
	byID    map[string]Key
}

// NewKeyring returns a keyring that seals with current and also opens
// values sealed with old.
func NewKeyring(current Key, old ...Key) (*Keyring, error) {
	if current.aead == nil {
		return nil, errors.New("auth: keyring needs a current key (use DeriveKey)")
	}
	kr := &Keyring{current: current, byID: map[string]Key{current.id: current}}
	for _, k := range old {
		if k.aead == nil {
			return nil, errors.New("auth: keyring: an old key is empty (use DeriveKey)")
		}
		if _, dup := kr.byID[k.id]; !dup {
			kr.byID[k.id] = k
		}
	}
	return kr, nil
}

// KeyringFromSecrets derives the keys with DeriveKey and builds a keyring:
// the first secret is current, the others are old.
func KeyringFromSecrets(current []byte, old ...[]byte) (*Keyring, error) {
	cur, err := DeriveKey(current)
	if err != nil {
		return nil, err
	}
	olds := make([]Key, 0, len(old))
	for i, s := range old {
		k, err := DeriveKey(s)
		if err != nil {
			return nil, fmt.Errorf("old key %d: %w", i+1, err)
		}
		olds = append(olds, k)
	}
	return NewKeyring(cur, olds...)
}

// seal encrypts plain, binding it to aad (the store key, so a value copied
// to another slot does not open). The layout is: version byte, key id
// length, key id, GCM nonce, ciphertext with tag.
func (kr *Keyring) seal(plain, aad []byte) ([]byte, error) {
	k := kr.current
	ns := k.aead.NonceSize()
	out := make([]byte, 0, 2+len(k.id)+ns+len(plain)+k.aead.Overhead())
	out = append(out, sealVersion, byte(len(k.id)))
	out = append(out, k.id...)
	nonce := make([]byte, ns)
	if _, err := rand.Read(nonce); err != nil {
		return nil, fmt.Errorf("auth: seal: %w", err)
	}
	out = append(out, nonce...)
	return k.aead.Seal(out, nonce, plain, aad), nil
}

// open decrypts a value made by seal. It reports whether the value was
// sealed with an old key (so the caller may rewrite it).
func (kr *Keyring) open(sealed, aad []byte) (plain []byte, old bool, err error) {
	if len(sealed) < 2 || sealed[0] != sealVersion {
		return nil, false, fmt.Errorf("%w: unknown format", ErrUndecryptable)
	}
	n := int(sealed[1])
	if len(sealed) < 2+n {
		return nil, false, fmt.Errorf("%w: truncated", ErrUndecryptable)
	}
	id := string(sealed[2 : 2+n])
	k, ok := kr.byID[id]
	if !ok {
		return nil, false, fmt.Errorf("%w: key %q is not in the keyring", ErrUndecryptable, id)
	}
	rest := sealed[2+n:]
	ns := k.aead.NonceSize()
	if len(rest) < ns+k.aead.Overhead() {
		return nil, false, fmt.Errorf("%w: truncated", ErrUndecryptable)
	}
	plain, err = k.aead.Open(nil, rest[:ns], rest[ns:], aad)
	if err != nil {
		return nil, false, fmt.Errorf("%w: authentication failed", ErrUndecryptable)
	}
	return plain, id != kr.current.id, nil
}
