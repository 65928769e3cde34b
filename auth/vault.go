package auth

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"time"

	"golang.org/x/oauth2"
)

// tokenRecord is what the vault keeps of a token, sealed.
type tokenRecord struct {
	AccessToken  string `json:"at"`
	RefreshToken string `json:"rt,omitempty"`
	TokenType    string `json:"tt,omitempty"`
	InstanceURL  string `json:"iu,omitempty"`
	IdentityURL  string `json:"id,omitempty"`
	Scope        string `json:"sc,omitempty"`
	Expiry       int64  `json:"ex,omitempty"` // Unix seconds; 0 when the provider gave none
	Obtained     int64  `json:"ob"`           // Unix milliseconds
}

// recordFromToken keeps what a token response carried; a refresh response
// without refresh_token keeps prev's. A response whose instance_url is not
// a plain https base URL is refused (see checkInstanceURL).
func recordFromToken(tok *oauth2.Token, prev *tokenRecord, now time.Time) (*tokenRecord, error) {
	r := &tokenRecord{AccessToken: tok.AccessToken, RefreshToken: tok.RefreshToken, TokenType: tok.TokenType, Obtained: now.UnixMilli()}
	if s, ok := tok.Extra("instance_url").(string); ok {
		if err := checkInstanceURL(s); err != nil {
			return nil, err
		}
		r.InstanceURL = s
	}
	if s, ok := tok.Extra("id").(string); ok {
		r.IdentityURL = s
	}
	if s, ok := tok.Extra("scope").(string); ok {
		r.Scope = s
	}
	if !tok.Expiry.IsZero() {
		r.Expiry = tok.Expiry.Unix()
	}
	if prev != nil {
		if r.RefreshToken == "" {
			r.RefreshToken = prev.RefreshToken
		}
		if r.InstanceURL == "" {
			r.InstanceURL = prev.InstanceURL
		}
		if r.IdentityURL == "" {
			r.IdentityURL = prev.IdentityURL
		}
	}
	return r, nil
}

// expired reports whether the provider's expiry (if any) has passed, with
// a margin so a token is not used in its last seconds.
func (r *tokenRecord) expired(now time.Time) bool {
	return r.Expiry != 0 && now.Add(30*time.Second).Unix() >= r.Expiry
}

// esc makes a name safe as one colon-separated key part (no ':', '{', '}').
func esc(s string) string { return url.QueryEscape(s) }

// hashPart is a short, stable digest of a value that should not appear in
// clear in store keys (user ids, nonces).
func hashPart(s string) string {
	sum := sha256.Sum256([]byte(s))
	return base64.RawURLEncoding.EncodeToString(sum[:18])
}

// botUser stands for the bot itself in the keys of pre_authorized tokens;
// a hashed user id never equals it.
const botUser = "@bot"

func userPart(user string) string {
	if user == botUser {
		return botUser
	}
	return "u" + hashPart(user)
}

func tokenKey(bot, profile, user string) string {
	return "auth:tok:" + esc(bot) + ":" + esc(profile) + ":" + userPart(user)
}

func stateKey(bot, nonce string) string { return "auth:state:" + esc(bot) + ":" + hashPart(nonce) }

func statusKey(bot, profile string) string { return "auth:status:" + esc(bot) + ":" + esc(profile) }

// leaseID returns a store lease id; ids over the store's limit are hashed.
func leaseID(kind string, parts ...string) string {
	id := kind
	for _, p := range parts {
		id += ":" + p
	}
	if len(id) > 200 {
		id = kind + ":h" + hashPart(id)
	}
	return id
}

func refreshLeaseID(bot, profile, user string) string {
	return leaseID("authrefresh", esc(bot), userPart(user), esc(profile))
}

func stateLeaseID(bot, nonce string) string { return leaseID("authstate", esc(bot), hashPart(nonce)) }

// loadSealed reads and opens the value at key; nil, nil when absent. A value
// sealed under an old key is rewritten under the current one.
func (m *Manager) loadSealed(ctx context.Context, key string, v any, ttl time.Duration) (bool, error) {
	b, err := m.store.Get(ctx, key)
	if err != nil {
		return false, fmt.Errorf("read %s: %w", key, err)
	}
	if b == nil {
		return false, nil
	}
	plain, old, err := m.keys.open(b, []byte(key))
	if err != nil {
		return false, err
	}
	if err := json.Unmarshal(plain, v); err != nil {
		return false, fmt.Errorf("%w: bad record", ErrUndecryptable)
	}
	if old {
		if err := m.storeSealed(ctx, key, v, ttl); err != nil {
			m.log.Warn("auth: could not re-seal a value under the current key", "key", key, "err", err)
		}
	}
	return true, nil
}

func (m *Manager) storeSealed(ctx context.Context, key string, v any, ttl time.Duration) error {
	plain, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode %s: %w", key, err)
	}
	sealed, err := m.keys.seal(plain, []byte(key))
	if err != nil {
		return err
	}
	if err := m.store.Set(ctx, key, sealed, ttl); err != nil {
		return fmt.Errorf("write %s: %w", key, err)
	}
	return nil
}

// loadToken returns the stored token, nil when there is none or it cannot
// be opened (which is logged: the user or admin simply connects again).
func (m *Manager) loadToken(ctx context.Context, profile, user string) (*tokenRecord, error) {
	key := tokenKey(m.bot, profile, user)
	var r tokenRecord
	ok, err := m.loadSealed(ctx, key, &r, m.tokenTTL(user))
	if errors.Is(err, ErrUndecryptable) {
		m.log.Warn("auth: stored token cannot be decrypted; it is ignored", "bot", m.bot, "profile", profile, "err", err)
		return nil, nil
	}
	if err != nil || !ok || r.AccessToken == "" {
		return nil, err
	}
	return &r, nil
}

func (m *Manager) saveToken(ctx context.Context, profile, user string, r *tokenRecord) error {
	return m.storeSealed(ctx, tokenKey(m.bot, profile, user), r, m.tokenTTL(user))
}

func (m *Manager) deleteToken(ctx context.Context, profile, user string) error {
	return m.store.Delete(ctx, tokenKey(m.bot, profile, user))
}

func (m *Manager) tokenTTL(user string) time.Duration {
	if user == botUser {
		return 0
	}
	return m.opts.UserTokenTTL
}
