package channels

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/botforge/dialogd/nodes"
)

// Identity tokens: what a host site passes as ?identity= to say who its
// visitor is. A token is a compact JWT (RFC 7519) signed with HS256 and the
// bot's identity secret; no other algorithm is accepted.
const (
	// MinIdentitySecretLen is the shortest identity secret New accepts, in
	// bytes (the size of an HS256 key that matches the hash).
	MinIdentitySecretLen = 32
	// MaxIdentityTokenLen is the longest identity token accepted, in bytes.
	MaxIdentityTokenLen = 4096
	// MaxSubjectLen is the longest "sub" claim accepted, in bytes.
	MaxSubjectLen = 255
	// IdentityClockSkew is how far the clocks of the host site and the bot
	// may disagree: a token is accepted until exp plus this, and from nbf
	// minus this.
	IdentityClockSkew = 60 * time.Second
	// DefaultIdentityMaxLifetime is the longest an identity token may
	// live (IdentityVerifier.MaxLifetime when that is zero): exp may be at
	// most this far after iat, and after now. A host site mints a token
	// per page view or sign-in, so a day is ample; a stolen token is then
	// good for a day at most, not for as long as its author wished.
	DefaultIdentityMaxLifetime = 24 * time.Hour
	// VerifiedUserPrefix starts the user id of a verified identity: the
	// user id is this prefix followed by the token's "sub" claim.
	// Anonymous user ids never contain a colon, so the two cannot collide.
	VerifiedUserPrefix = "id:"
)

// CodeBadIdentity is the error code sent when the identity token of a
// connection is refused; the server closes the connection with 1008 after it.
const CodeBadIdentity = "bad_identity"

// Reasons an identity token is refused. Each is wrapped in an
// *IdentityError; test with errors.Is.
var (
	ErrIdentityMalformed   = errors.New("identity token is malformed")
	ErrIdentityAlgorithm   = errors.New("identity token algorithm is not HS256")
	ErrIdentitySignature   = errors.New("identity token signature is invalid")
	ErrIdentityExpired     = errors.New("identity token has expired")
	ErrIdentityNotYetValid = errors.New("identity token is not valid yet")
	ErrIdentityAudience    = errors.New("identity token is for another audience")
	ErrIdentitySubject     = errors.New("identity token has no usable subject")
	ErrIdentityDisabled    = errors.New("identity tokens are not accepted by this bot")
	ErrIdentityLifetime    = errors.New("identity token lives longer than this bot allows")
)

// IdentityError is the error of ParseIdentityToken. Its message is meant
// for the client (it never contains the token or a claim value); Unwrap
// gives one of the ErrIdentity… reasons.
type IdentityError struct {
	Reason error  // one of the ErrIdentity… values
	Detail string // what exactly was wrong, e.g. "exp claim is missing"
}

func (e *IdentityError) Error() string {
	if e.Detail == "" {
		return e.Reason.Error()
	}
	return e.Reason.Error() + ": " + e.Detail
}

func (e *IdentityError) Unwrap() error { return e.Reason }

func identityErr(reason error, detail string) error {
	return &IdentityError{Reason: reason, Detail: detail}
}

// jwtHeader is the JOSE header of an identity token.
type jwtHeader struct {
	Alg  string          `json:"alg"`
	Typ  *string         `json:"typ"`
	Crit json.RawMessage `json:"crit"`
}

// jwtClaims are the claims dialogd reads. exp and nbf stay raw so that a
// quoted number is refused and a huge or fractional one is judged, not
// truncated.
type jwtClaims struct {
	Sub   *string         `json:"sub"`
	Name  *string         `json:"name"`
	Email *string         `json:"email"`
	Phone *string         `json:"phone"`
	Exp   json.RawMessage `json:"exp"`
	Nbf   json.RawMessage `json:"nbf"`
	Iat   json.RawMessage `json:"iat"`
	Aud   json.RawMessage `json:"aud"`

	// Locale is OpenID Connect's claim (e.g. "de-DE"); it fixes the reply
	// language.
	Locale *string `json:"locale"`
}

// IdentityVerifier verifies the identity tokens of one bot.
type IdentityVerifier struct {
	Secret   []byte // the bot's HS256 key; empty refuses every token
	Audience string // checked against aud when both are set (the bot's name)
	// MaxLifetime bounds how long a token may live: exp at most this
	// after iat (when present) and after now. Zero means
	// DefaultIdentityMaxLifetime; it cannot be switched off.
	MaxLifetime time.Duration
}

// ParseIdentityToken verifies an identity token and returns the identity it
// carries, with UserID = VerifiedUserPrefix + sub and Verified set. It is
// IdentityVerifier{Secret: secret, Audience: audience}.Verify(token, now):
// tokens may live DefaultIdentityMaxLifetime at most.
//
// The token must be a compact JWT whose header names alg "HS256" (typ, if
// present, "JWT"; no crit), signed with secret. Its claims must hold a
// non-empty string "sub" of at most MaxSubjectLen bytes without control
// characters, and a numeric "exp" not more than IdentityClockSkew before
// now, and not more than the maximum lifetime (plus IdentityClockSkew)
// after now. "nbf", if present, must not be more than IdentityClockSkew
// after now. "iat", if present, must be numeric, not more than
// IdentityClockSkew after now, and at most the maximum lifetime before exp.
// "name", "email" and "phone" are optional strings. When audience is
// not empty and the token has an "aud" claim (a string or an array of
// strings), it must contain audience; without audience, "aud" is not
// checked. Every failure is an *IdentityError.
func ParseIdentityToken(token string, secret []byte, audience string, now time.Time) (nodes.Identity, error) {
	return IdentityVerifier{Secret: secret, Audience: audience}.Verify(token, now)
}

// Verify checks token as ParseIdentityToken describes, with v's maximum
// lifetime, and returns the identity it carries.
func (v IdentityVerifier) Verify(token string, now time.Time) (nodes.Identity, error) {
	if len(v.Secret) == 0 {
		return nodes.Identity{}, identityErr(ErrIdentityDisabled, "")
	}
	c, err := verifiedClaims(token, v.Secret)
	if err != nil {
		return nodes.Identity{}, err
	}
	maxLife := v.MaxLifetime
	if maxLife <= 0 {
		maxLife = DefaultIdentityMaxLifetime
	}
	if err := c.checkTime(now, maxLife); err != nil {
		return nodes.Identity{}, err
	}
	if err := c.checkAudience(v.Audience); err != nil {
		return nodes.Identity{}, err
	}
	if c.Sub == nil || *c.Sub == "" {
		return nodes.Identity{}, identityErr(ErrIdentitySubject, "sub claim is missing or empty")
	}
	if err := checkSubject(*c.Sub); err != nil {
		return nodes.Identity{}, err
	}
	return c.identity(), nil
}

// verifiedClaims splits the token, checks its header and signature, and
// only then decodes its claims.
func verifiedClaims(token string, secret []byte) (*jwtClaims, error) {
	if len(token) > MaxIdentityTokenLen {
		return nil, identityErr(ErrIdentityMalformed, "token is too long")
	}
	headPart, rest, ok := strings.Cut(token, ".")
	if !ok {
		return nil, identityErr(ErrIdentityMalformed, "token is not three dot-separated parts")
	}
	bodyPart, sigPart, ok := strings.Cut(rest, ".")
	if !ok || strings.Contains(sigPart, ".") {
		return nil, identityErr(ErrIdentityMalformed, "token is not three dot-separated parts")
	}
	if err := checkHeader(headPart); err != nil {
		return nil, err
	}
	sig, err := decodeSegment(sigPart)
	if err != nil {
		return nil, identityErr(ErrIdentityMalformed, "signature is not base64url")
	}
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(token[:len(headPart)+1+len(bodyPart)]))
	if !hmac.Equal(sig, m.Sum(nil)) {
		return nil, identityErr(ErrIdentitySignature, "")
	}
	bodyJSON, err := decodeSegment(bodyPart)
	if err != nil {
		return nil, identityErr(ErrIdentityMalformed, "claims are not base64url")
	}
	var c jwtClaims
	if err := strictJSON(bodyJSON, &c); err != nil {
		return nil, identityErr(ErrIdentityMalformed, "claims are not a JSON object with the expected types")
	}
	return &c, nil
}

// checkHeader accepts the JOSE header of an HS256 JWT. The algorithm is
// fixed by us, never chosen by the token: anything but HS256 ("none",
// "HS512", "RS256", …) is refused before any other check.
func checkHeader(part string) error {
	headJSON, err := decodeSegment(part)
	if err != nil {
		return identityErr(ErrIdentityMalformed, "header is not base64url")
	}
	var head jwtHeader
	if err := strictJSON(headJSON, &head); err != nil {
		return identityErr(ErrIdentityMalformed, "header is not a JSON object")
	}
	if head.Alg != "HS256" {
		return identityErr(ErrIdentityAlgorithm, "")
	}
	if head.Typ != nil && !strings.EqualFold(*head.Typ, "JWT") {
		return identityErr(ErrIdentityMalformed, "typ is not JWT")
	}
	if head.Crit != nil {
		return identityErr(ErrIdentityMalformed, "crit header extensions are not supported")
	}
	return nil
}

// checkTime checks exp (required), nbf and iat (optional) against now,
// each with IdentityClockSkew of tolerance, and the token's lifetime
// against maxLife.
func (c *jwtClaims) checkTime(now time.Time, maxLife time.Duration) error {
	if c.Exp == nil {
		return identityErr(ErrIdentityMalformed, "exp claim is missing")
	}
	exp, err := numericDate(c.Exp)
	if err != nil {
		return identityErr(ErrIdentityMalformed, "exp claim is not a number of seconds")
	}
	if !now.Before(exp.Add(IdentityClockSkew)) {
		return identityErr(ErrIdentityExpired, "")
	}
	// Whether or not the token says when it was issued, it may not be
	// valid for longer than the maximum from now on.
	if exp.Sub(now) > maxLife+IdentityClockSkew {
		return identityErr(ErrIdentityLifetime, "exp is more than "+maxLife.String()+" away")
	}
	if err := c.checkIssued(now, exp, maxLife); err != nil {
		return err
	}
	if c.Nbf == nil {
		return nil
	}
	nbf, err := numericDate(c.Nbf)
	if err != nil {
		return identityErr(ErrIdentityMalformed, "nbf claim is not a number of seconds")
	}
	if now.Add(IdentityClockSkew).Before(nbf) {
		return identityErr(ErrIdentityNotYetValid, "")
	}
	return nil
}

// checkIssued checks iat, when present: not in the future (beyond the
// skew) and at most maxLife before exp.
func (c *jwtClaims) checkIssued(now, exp time.Time, maxLife time.Duration) error {
	if c.Iat == nil {
		return nil
	}
	iat, err := numericDate(c.Iat)
	if err != nil {
		return identityErr(ErrIdentityMalformed, "iat claim is not a number of seconds")
	}
	if now.Add(IdentityClockSkew).Before(iat) {
		return identityErr(ErrIdentityNotYetValid, "iat is in the future")
	}
	if exp.Sub(iat) > maxLife {
		return identityErr(ErrIdentityLifetime, "exp is more than "+maxLife.String()+" after iat")
	}
	return nil
}

// checkAudience checks aud when both the bot and the token name one.
func (c *jwtClaims) checkAudience(audience string) error {
	if audience == "" || c.Aud == nil {
		return nil
	}
	ok, err := audienceHas(c.Aud, audience)
	if err != nil {
		return identityErr(ErrIdentityMalformed, "aud claim is neither a string nor an array of strings")
	}
	if !ok {
		return identityErr(ErrIdentityAudience, "")
	}
	return nil
}

// identity is the verified identity the claims name; Sub is checked.
func (c *jwtClaims) identity() nodes.Identity {
	id := nodes.Identity{
		UserID:   VerifiedUserPrefix + *c.Sub,
		Subject:  *c.Sub,
		Verified: true,
	}
	for _, f := range []struct {
		dst *string
		src *string
	}{{&id.Name, c.Name}, {&id.Email, c.Email}, {&id.Phone, c.Phone}} {
		if f.src != nil {
			*f.dst = *f.src
		}
	}
	if c.Locale != nil {
		id.Lang = langTag(*c.Locale)
	}
	return id
}

// decodeSegment decodes one unpadded base64url part of a JWT and accepts
// only its canonical spelling.
func decodeSegment(s string) ([]byte, error) {
	b, err := b64.DecodeString(s)
	if err != nil {
		return nil, err
	}
	if b64.EncodedLen(len(b)) != len(s) || b64.EncodeToString(b) != s {
		return nil, errors.New("non-canonical base64url")
	}
	return b, nil
}

// strictJSON decodes one JSON object into v; nothing may follow it.
func strictJSON(data []byte, v any) error {
	if !utf8.Valid(data) {
		return errors.New("not UTF-8")
	}
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return errors.New("not an object")
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return errors.New("data after the object")
	}
	return nil
}

// numericDate converts a JWT NumericDate (seconds since the epoch, maybe
// fractional) to a time. Values outside ±2^53 or not finite are refused.
func numericDate(raw json.RawMessage) (time.Time, error) {
	if len(raw) == 0 || (raw[0] != '-' && (raw[0] < '0' || raw[0] > '9')) {
		return time.Time{}, errors.New("not a JSON number")
	}
	f, err := strconv.ParseFloat(string(raw), 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || math.Abs(f) > 1<<53 {
		return time.Time{}, errors.New("bad numeric date")
	}
	sec, frac := math.Modf(f)
	return time.Unix(int64(sec), int64(frac*1e9)), nil
}

// audienceHas reports whether the aud claim (a string or an array of
// strings) contains want.
func audienceHas(raw json.RawMessage, want string) (bool, error) {
	var one string
	if err := json.Unmarshal(raw, &one); err == nil {
		return one == want, nil
	}
	var many []string
	if err := json.Unmarshal(raw, &many); err != nil {
		return false, err
	}
	for _, a := range many {
		if a == want {
			return true, nil
		}
	}
	return false, nil
}

// checkSubject refuses subjects that would be awkward or unsafe as part of
// storage keys and log fields.
func checkSubject(sub string) error {
	if len(sub) > MaxSubjectLen {
		return identityErr(ErrIdentitySubject, "sub claim is longer than 255 bytes")
	}
	for _, r := range sub {
		if unicode.IsControl(r) || r == utf8.RuneError {
			return identityErr(ErrIdentitySubject, "sub claim contains control characters")
		}
	}
	return nil
}
