// Package authenticator is the trader's side of two-factor: the six-digit
// code an authenticator app shows for a seed (RFC 6238, 30 s, SHA-1), as
// the practice authenticator and the scripted verbs compute it. The
// marketplace verifies codes in package auth.
package authenticator

import (
	"errors"
	"net/url"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
)

// Code returns the current code of a seed: for the practice authenticator
// and for tests.
func Code(seed string, at time.Time) (string, error) {
	return totp.GenerateCodeCustom(seed, at, totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
}

// SeedFromURI extracts the base32 seed of an otpauth URI.
func SeedFromURI(uri string) (string, error) {
	u, err := url.Parse(uri)
	if err != nil {
		return "", err
	}
	s := u.Query().Get("secret")
	if s == "" {
		return "", errors.New("no secret in the otpauth URI")
	}
	return s, nil
}
