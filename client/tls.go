package client

import (
	"crypto/sha256"
	"crypto/subtle"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strings"
)

// TLSOptions say which server certificates a client trusts beyond the
// system's roots.
type TLSOptions struct {
	// CAFile is a PEM file of the certificate authorities (or the
	// self-signed certificate) the server's certificate must chain to.
	CAFile string
	// Pin is the SHA-256 fingerprint of the server's own certificate, in
	// hex (colons and a "sha256:" prefix allowed). With a pin, the
	// certificate must be that one; it need not chain to any CA, and with
	// CAFile too it must do both.
	Pin string
}

// IsZero says whether nothing beyond the system's roots is trusted.
func (o TLSOptions) IsZero() bool { return o.CAFile == "" && o.Pin == "" }

// ErrPinMismatch: the server's certificate is not the pinned one.
var ErrPinMismatch = errors.New("the server's certificate does not match the pinned SHA-256 fingerprint (--tls-pin)")

// Fingerprint is the SHA-256 fingerprint of a DER certificate, in the
// form Pin takes.
func Fingerprint(der []byte) string {
	sum := sha256.Sum256(der)
	return hex.EncodeToString(sum[:])
}

func parsePin(p string) ([]byte, error) {
	p = strings.TrimPrefix(strings.ToLower(strings.TrimSpace(p)), "sha256:")
	p = strings.ReplaceAll(p, ":", "")
	b, err := hex.DecodeString(p)
	if err != nil || len(b) != sha256.Size {
		return nil, fmt.Errorf("--tls-pin: %q is not a SHA-256 fingerprint (64 hex digits)", p)
	}
	return b, nil
}

// TLSConfig builds the client's TLS configuration from o.
func TLSConfig(o TLSOptions) (*tls.Config, error) {
	cfg := &tls.Config{MinVersion: tls.VersionTLS12}
	if o.CAFile != "" {
		pem, err := os.ReadFile(o.CAFile)
		if err != nil {
			return nil, fmt.Errorf("--tls-ca: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("--tls-ca: %s holds no PEM certificate", o.CAFile)
		}
		cfg.RootCAs = pool
	}
	if o.Pin != "" {
		want, err := parsePin(o.Pin)
		if err != nil {
			return nil, err
		}
		// The pin is the trust: the chain is checked only if a CA is
		// given too (VerifyConnection runs after that check).
		cfg.InsecureSkipVerify = o.CAFile == ""
		cfg.VerifyConnection = func(cs tls.ConnectionState) error {
			if len(cs.PeerCertificates) == 0 {
				return ErrPinMismatch
			}
			got := sha256.Sum256(cs.PeerCertificates[0].Raw)
			if subtle.ConstantTimeCompare(got[:], want) != 1 {
				return fmt.Errorf("%w: it is %s", ErrPinMismatch, hex.EncodeToString(got[:]))
			}
			return nil
		}
	}
	return cfg, nil
}

// HTTPClient is an HTTP client trusting what o says, for the marketplace
// and the Alipay rail alike; nil where o adds nothing.
func HTTPClient(o TLSOptions) (*http.Client, error) {
	if o.IsZero() {
		return nil, nil
	}
	cfg, err := TLSConfig(o)
	if err != nil {
		return nil, err
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 64
	tr.TLSClientConfig = cfg
	return &http.Client{Transport: tr}, nil
}

// trustError says, where err is the server's certificate not being
// trusted, what to do about it; it returns err itself otherwise.
func trustError(err error) error {
	if err == nil || !untrusted(err) {
		return err
	}
	return &TrustError{Err: err}
}

// TrustError: the server's certificate was refused. It is not retried.
type TrustError struct{ Err error }

func (e *TrustError) Error() string {
	if errors.Is(e.Err, ErrPinMismatch) {
		return "TLS: " + e.Err.Error() + ": this is not the server you pinned"
	}
	return "TLS: the server's certificate is not trusted (" + e.Err.Error() + "): give the CA that signed it with --tls-ca FILE " +
		"(tls.ca in the configuration), or pin its SHA-256 fingerprint with --tls-pin"
}

func (e *TrustError) Unwrap() error { return e.Err }

func untrusted(err error) bool {
	var ua x509.UnknownAuthorityError
	var he x509.HostnameError
	var ci x509.CertificateInvalidError
	var cv *tls.CertificateVerificationError
	return errors.As(err, &ua) || errors.As(err, &he) || errors.As(err, &ci) || errors.As(err, &cv) || errors.Is(err, ErrPinMismatch)
}
