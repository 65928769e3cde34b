package sfsim

import (
	"bytes"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// errInvalidAssertion is returned for an assertion that is not a well-formed
// RS256 JWT or whose signature does not verify.
var errInvalidAssertion = errors.New("sfsim: invalid assertion")

// jwtAssertion holds the claims of a JWT bearer assertion that the token
// endpoint checks, plus what is needed to verify its signature later (the
// issuer must be known before the certificate can be chosen).
type jwtAssertion struct {
	Issuer   string
	Subject  string // sub, or prn when present (prn wins, as on Salesforce)
	Audience []string
	Expiry   time.Time
	HasExp   bool

	signingInput []byte
	signature    []byte
}

// parseJWTAssertion decodes a compact JWS. It checks the structure and the
// algorithm but not the signature; see verify.
func parseJWTAssertion(s string) (*jwtAssertion, error) {
	parts := strings.Split(s, ".")
	if len(parts) != 3 {
		return nil, fmt.Errorf("%w: %d segments, want 3", errInvalidAssertion, len(parts))
	}
	header, err := decodeSegment(parts[0])
	if err != nil {
		return nil, fmt.Errorf("%w: header: %w", errInvalidAssertion, err)
	}
	var h struct {
		Alg string `json:"alg"`
	}
	if err := json.Unmarshal(header, &h); err != nil {
		return nil, fmt.Errorf("%w: header: %w", errInvalidAssertion, err)
	}
	if h.Alg != "RS256" {
		return nil, fmt.Errorf("%w: alg %q, want RS256", errInvalidAssertion, h.Alg)
	}
	payload, err := decodeSegment(parts[1])
	if err != nil {
		return nil, fmt.Errorf("%w: payload: %w", errInvalidAssertion, err)
	}
	sig, err := decodeSegment(parts[2])
	if err != nil {
		return nil, fmt.Errorf("%w: signature: %w", errInvalidAssertion, err)
	}
	var c struct {
		Iss any `json:"iss"`
		Sub any `json:"sub"`
		Prn any `json:"prn"`
		Aud any `json:"aud"`
		Exp any `json:"exp"`
	}
	dec := json.NewDecoder(bytes.NewReader(payload))
	dec.UseNumber()
	if err := dec.Decode(&c); err != nil {
		return nil, fmt.Errorf("%w: claims: %w", errInvalidAssertion, err)
	}
	a := &jwtAssertion{
		Issuer:       claimString(c.Iss),
		Subject:      claimString(c.Sub),
		signingInput: []byte(parts[0] + "." + parts[1]),
		signature:    sig,
	}
	if prn := claimString(c.Prn); prn != "" {
		a.Subject = prn
	}
	switch aud := c.Aud.(type) {
	case string:
		a.Audience = []string{aud}
	case []any:
		for _, v := range aud {
			if s, ok := v.(string); ok {
				a.Audience = append(a.Audience, s)
			}
		}
	}
	if c.Exp != nil {
		secs, err := claimSeconds(c.Exp)
		if err != nil {
			return nil, fmt.Errorf("%w: exp: %w", errInvalidAssertion, err)
		}
		a.Expiry, a.HasExp = time.Unix(secs, 0), true
	}
	return a, nil
}

// verify checks the RS256 signature against the public key in certPEM, which
// holds an X.509 certificate or a PKIX public key.
func (a *jwtAssertion) verify(certPEM string) error {
	key, err := rsaPublicKey(certPEM)
	if err != nil {
		return fmt.Errorf("%w: %w", errInvalidAssertion, err)
	}
	sum := sha256.Sum256(a.signingInput)
	if err := rsa.VerifyPKCS1v15(key, crypto.SHA256, sum[:], a.signature); err != nil {
		return fmt.Errorf("%w: %w", errInvalidAssertion, err)
	}
	return nil
}

// rsaPublicKey extracts the RSA public key from the first usable PEM block.
func rsaPublicKey(certPEM string) (*rsa.PublicKey, error) {
	rest := []byte(certPEM)
	for {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			return nil, errors.New("no certificate or public key in PEM")
		}
		var pub any
		switch block.Type {
		case "CERTIFICATE":
			cert, err := x509.ParseCertificate(block.Bytes)
			if err != nil {
				return nil, fmt.Errorf("parse certificate: %w", err)
			}
			pub = cert.PublicKey
		case "PUBLIC KEY":
			k, err := x509.ParsePKIXPublicKey(block.Bytes)
			if err != nil {
				return nil, fmt.Errorf("parse public key: %w", err)
			}
			pub = k
		default:
			continue
		}
		key, ok := pub.(*rsa.PublicKey)
		if !ok {
			return nil, fmt.Errorf("public key is %T, want RSA", pub)
		}
		return key, nil
	}
}

// decodeSegment decodes base64url with or without padding.
func decodeSegment(s string) ([]byte, error) {
	return base64.RawURLEncoding.DecodeString(strings.TrimRight(s, "="))
}

func claimString(v any) string {
	s, _ := v.(string)
	return s
}

// claimSeconds accepts a JSON number or a numeric string, as Salesforce's own
// examples and go-salesforce send exp as a string.
func claimSeconds(v any) (int64, error) {
	var s string
	switch v := v.(type) {
	case json.Number:
		s = v.String()
	case string:
		s = strings.TrimSpace(v)
	default:
		return 0, fmt.Errorf("type %T, want number", v)
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return n, nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, fmt.Errorf("not a number: %q", s)
	}
	return int64(f), nil
}
