// Package testkeys gives tests one RSA key pair with a self-signed
// certificate (what a connected app's JWT bearer flow trusts) and a second,
// untrusted key. The keys are made once per test binary: a 2048-bit key
// takes long enough to matter when every test makes its own.
package testkeys

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"sync"
	"testing"
	"time"
)

var (
	once    sync.Once
	key     *rsa.PrivateKey
	other   *rsa.PrivateKey
	certPEM string
	err     error
)

// RSA returns the test key and a PEM certificate for it, valid from 2020
// to 2045.
func RSA(tb testing.TB) (*rsa.PrivateKey, string) {
	tb.Helper()
	once.Do(generate)
	if err != nil {
		tb.Fatal(err)
	}
	return key, certPEM
}

// Other returns a second key that no certificate of RSA's names: a
// stranger's signature.
func Other(tb testing.TB) *rsa.PrivateKey {
	tb.Helper()
	once.Do(generate)
	if err != nil {
		tb.Fatal(err)
	}
	return other
}

// PrivatePEM encodes k as a PKCS #1 "RSA PRIVATE KEY" PEM block.
func PrivatePEM(k *rsa.PrivateKey) string {
	return string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(k)}))
}

func generate() {
	if key, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
		err = fmt.Errorf("testkeys: generate key: %w", err)
		return
	}
	if other, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
		err = fmt.Errorf("testkeys: generate other key: %w", err)
		return
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "dialogd test"},
		NotBefore:    time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC),
		NotAfter:     time.Date(2045, 1, 1, 0, 0, 0, 0, time.UTC),
	}
	der, cerr := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if cerr != nil {
		err = fmt.Errorf("testkeys: self-sign certificate: %w", cerr)
		return
	}
	certPEM = string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
}
