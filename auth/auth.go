// Package auth keeps API credentials and two-factor state for the
// marketplace server: it issues keys, checks signed requests in the style
// of OKX API v5, and checks one-time codes (RFC 6238). Secrets at rest are
// never plain: passphrases are hashed, HMAC secrets and TOTP seeds are
// sealed with the server key.
package auth

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"time"
)

// Credential is one API key of a user, as stored.
type Credential struct {
	APIKey         string
	UserID         int64
	PassphraseHash []byte
	SecretEnc      []byte
	Label          string
	CreatedAt      time.Time
	Revoked        bool
}

// TOTPState is a user's two-factor state, as stored.
type TOTPState struct {
	UserID          int64
	SeedEnc         []byte
	Enabled         bool
	LastStep        int64 // the last time step accepted: each code works once
	AntiPhishingEnc []byte
}

// Store is what auth needs from the database.
type Store interface {
	AuthUpdate(ctx context.Context, fn func(Tx) error) error
	AuthView(ctx context.Context, fn func(ReadTx) error) error
}

// ReadTx reads credentials and two-factor state.
type ReadTx interface {
	Credential(apiKey string) (Credential, error) // ErrNotFound
	CredentialsOf(user int64) ([]Credential, error)
	TOTP(user int64) (TOTPState, error) // ErrNotFound
	TOTPFailures(user int64, since time.Time) (int, error)
}

// Tx writes them.
type Tx interface {
	ReadTx
	InsertCredential(c Credential) error
	RevokeCredentials(user int64) error
	RevokeCredential(apiKey string) error
	// SeeSignature records a request signature with its timestamp; false
	// if it was recorded already (a replay).
	SeeSignature(sign string, at time.Time) (bool, error)
	// ForgetSignatures drops signatures older than before.
	ForgetSignatures(before time.Time) error
	PutTOTP(s TOTPState) error
	AddTOTPFailure(user int64, at time.Time) error
	ClearTOTPFailures(user int64) error
}

// ErrNotFound is returned by a store for a missing row.
var ErrNotFound = errors.New("auth: not found")

// KeySize is the length of a server key.
const KeySize = 32

// ServerKey seals secrets at rest (AES-256-GCM) and keys the passphrase
// hash.
type ServerKey struct {
	aead cipher.AEAD
	mac  []byte
}

// NewServerKey builds a ServerKey from 32 bytes of key material.
func NewServerKey(k []byte) (*ServerKey, error) {
	if len(k) != KeySize {
		return nil, fmt.Errorf("auth: a server key is %d bytes, got %d", KeySize, len(k))
	}
	block, err := aes.NewCipher(k)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	h := hmac.New(sha256.New, k)
	h.Write([]byte("p2pdesk passphrase hash key"))
	return &ServerKey{aead: aead, mac: h.Sum(nil)}, nil
}

// GenerateKey returns fresh key material.
func GenerateKey() []byte {
	k := make([]byte, KeySize)
	if _, err := rand.Read(k); err != nil {
		panic(err)
	}
	return k
}

// Seal encrypts plain; label binds the ciphertext to its use, so a sealed
// TOTP seed cannot be passed off as an API secret.
func (k *ServerKey) Seal(plain []byte, label string) []byte {
	nonce := make([]byte, k.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		panic(err)
	}
	return k.aead.Seal(nonce, nonce, plain, []byte(label))
}

// Open decrypts what Seal sealed.
func (k *ServerKey) Open(sealed []byte, label string) ([]byte, error) {
	n := k.aead.NonceSize()
	if len(sealed) < n {
		return nil, errors.New("auth: sealed value too short")
	}
	out, err := k.aead.Open(nil, sealed[:n], sealed[n:], []byte(label))
	if err != nil {
		return nil, errors.New("auth: cannot open a sealed secret: wrong server key or damaged data")
	}
	return out, nil
}

// HashPassphrase is a keyed hash. Passphrases are random strings this
// server issues (128 bits), so a keyed SHA-256 is enough and keeps every
// request cheap; a stolen database without the server key reveals nothing.
func (k *ServerKey) HashPassphrase(p string) []byte {
	h := hmac.New(sha256.New, k.mac)
	h.Write([]byte(p))
	return h.Sum(nil)
}

// Check returns a value that identifies the key without revealing it, kept
// with the database so a wrong key is caught at start with a clear message.
func (k *ServerKey) Check() string {
	h := hmac.New(sha256.New, k.mac)
	h.Write([]byte("p2pdesk key check"))
	return base64.RawStdEncoding.EncodeToString(h.Sum(nil))[:16]
}

func randomString(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}
