package mailauth

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"time"
)

// Certificate is an application's certificate and private key, with which
// it proves who it is instead of a secret: Microsoft Entra's certificate
// credentials. Each token request carries a fresh signed assertion (a JWT,
// RFC 7523 section 2.2) naming the certificate by its SHA-1 thumbprint.
type Certificate struct {
	cert *x509.Certificate
	key  *rsa.PrivateKey
}

// LoadCertificate reads a PEM file holding the certificate and its RSA
// private key.
func LoadCertificate(path string) (*Certificate, error) {
	pem, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	pair, err := tls.X509KeyPair(pem, pem)
	if err != nil {
		return nil, fmt.Errorf("%s holds no certificate with its private key: %w", path, err)
	}
	key, ok := pair.PrivateKey.(*rsa.PrivateKey)
	if !ok {
		return nil, errors.New(path + ": the private key must be RSA")
	}
	cert, err := x509.ParseCertificate(pair.Certificate[0])
	if err != nil {
		return nil, err
	}
	return &Certificate{cert: cert, key: key}, nil
}

// Thumbprint is the certificate's SHA-1 fingerprint, as the provider shows
// it, so operators can match it with the one they uploaded.
func (c *Certificate) Thumbprint() string {
	sum := sha1.Sum(c.cert.Raw)
	return hex.EncodeToString(sum[:])
}

// assertion signs a client assertion for one token request.
func (c *Certificate) assertion(clientID, audience string, now time.Time) (string, error) {
	sum := sha1.Sum(c.cert.Raw)
	header, _ := json.Marshal(map[string]string{"alg": "RS256", "typ": "JWT", "x5t": base64.RawURLEncoding.EncodeToString(sum[:])})
	jti := make([]byte, 16)
	rand.Read(jti)
	claims, _ := json.Marshal(map[string]any{"aud": audience, "iss": clientID, "sub": clientID,
		"jti": hex.EncodeToString(jti), "nbf": now.Unix(), "iat": now.Unix(), "exp": now.Add(5 * time.Minute).Unix()})
	signing := base64.RawURLEncoding.EncodeToString(header) + "." + base64.RawURLEncoding.EncodeToString(claims)
	digest := sha256.Sum256([]byte(signing))
	sig, err := rsa.SignPKCS1v15(rand.Reader, c.key, crypto.SHA256, digest[:])
	if err != nil {
		return "", err
	}
	return signing + "." + base64.RawURLEncoding.EncodeToString(sig), nil
}
