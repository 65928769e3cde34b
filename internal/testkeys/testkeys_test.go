package testkeys_test

import (
	"crypto/x509"
	"encoding/pem"
	"testing"

	"github.com/botforge/dialogd/internal/testkeys"
)

func TestKeysAndCertificate(t *testing.T) {
	key, certPEM := testkeys.RSA(t)
	block, _ := pem.Decode([]byte(certPEM))
	if block == nil || block.Type != "CERTIFICATE" {
		t.Fatalf("certificate PEM %q has no CERTIFICATE block", certPEM)
	}
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		t.Fatalf("parse certificate: %v", err)
	}
	if !key.PublicKey.Equal(cert.PublicKey) {
		t.Error("certificate does not name the test key")
	}
	if other := testkeys.Other(t); other.PublicKey.Equal(cert.PublicKey) || other.Equal(key) {
		t.Error("Other returned the trusted key; want a different one")
	}
	if again, _ := testkeys.RSA(t); again != key {
		t.Error("RSA made a second key; want the same key for the whole binary")
	}
	kb, _ := pem.Decode([]byte(testkeys.PrivatePEM(key)))
	if kb == nil || kb.Type != "RSA PRIVATE KEY" {
		t.Fatalf("PrivatePEM has no RSA PRIVATE KEY block")
	}
	parsed, err := x509.ParsePKCS1PrivateKey(kb.Bytes)
	if err != nil || !parsed.Equal(key) {
		t.Errorf("PrivatePEM does not round-trip the key (err %v)", err)
	}
}
