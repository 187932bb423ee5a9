// Package secretbox encrypts the secrets SIGeSS keeps in PostgreSQL — operators'
// TOTP secrets, an ente's OIDC client secret — with one key of the deployment
// (security.secret_key), so that a copy of the database or of a backup does not
// give them away.
//
// A sealed value is text, "enc:v1:" followed by the base64url of nonce and
// AES-256-GCM ciphertext, and lives in the same columns as plain values did.
// Opening a value without the prefix returns it as it is: values written before
// a key was configured keep working, and enabling the key needs no migration
// (they are sealed when next written).
package secretbox

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"github.com/sigess/sigess/internal/derrors"
)

// KeySize is the length of a key in bytes (AES-256).
const KeySize = 32

// prefix marks a sealed value and the format it is in.
const prefix = "enc:v1:"

// Box seals and opens secrets with one key. A nil *Box is valid and means that
// no key is configured: Seal leaves values plain.
type Box struct {
	aead cipher.AEAD
}

// New returns a Box for key, which must be KeySize bytes.
func New(key []byte) (*Box, error) {
	if len(key) != KeySize {
		return nil, fmt.Errorf("secretbox.New: key is %d bytes; want %d", len(key), KeySize)
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("secretbox.New: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("secretbox.New: %w", err)
	}
	return &Box{aead: aead}, nil
}

// IsSealed reports whether s is a sealed value.
func IsSealed(s string) bool { return strings.HasPrefix(s, prefix) }

// Seal encrypts plain with a fresh random nonce, so sealing the same value twice
// gives different text. A nil Box returns plain unchanged.
func (b *Box) Seal(plain string) string {
	if b == nil {
		return plain
	}
	nonce := make([]byte, b.aead.NonceSize())
	rand.Read(nonce) //nolint:errcheck // crypto/rand.Read never fails
	sealed := b.aead.Seal(nonce, nonce, []byte(plain), nil)
	return prefix + base64.RawURLEncoding.EncodeToString(sealed)
}

// Open returns the plain text of s. A value that is not sealed is returned as
// it is. A sealed value that was tampered with, or sealed with another key, is
// derrors.ErrInvalid; a nil Box cannot open sealed values at all.
func (b *Box) Open(s string) (string, error) {
	if !IsSealed(s) {
		return s, nil
	}
	if b == nil {
		return "", errors.New("secretbox.Open: value is encrypted but no key is configured (security.secret_key)")
	}
	raw, err := base64.RawURLEncoding.DecodeString(strings.TrimPrefix(s, prefix))
	if err != nil || len(raw) < b.aead.NonceSize() {
		return "", fmt.Errorf("secretbox.Open: %w: malformed sealed value", derrors.ErrInvalid)
	}
	n := b.aead.NonceSize()
	plain, err := b.aead.Open(nil, raw[:n], raw[n:], nil)
	if err != nil {
		return "", fmt.Errorf("secretbox.Open: %w: sealed value altered or sealed with another key", derrors.ErrInvalid)
	}
	return string(plain), nil
}
