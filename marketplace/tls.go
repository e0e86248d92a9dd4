package marketplace

import (
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"

	"p2pdesk/client"
)

// serverTLS loads the certificate and key of n, or returns nil when the
// marketplace is to serve plain HTTP.
func serverTLS(n Net) (*tls.Config, error) {
	if n.TLSCert == "" && n.TLSKey == "" {
		return nil, nil
	}
	if n.TLSCert == "" || n.TLSKey == "" {
		return nil, errors.New("TLS needs both a certificate (--tls-cert) and its key (--tls-key)")
	}
	cert, err := tls.LoadX509KeyPair(n.TLSCert, n.TLSKey)
	if err != nil {
		return nil, fmt.Errorf("TLS certificate %s / key %s: %w", n.TLSCert, n.TLSKey, err)
	}
	if cert.Leaf == nil && len(cert.Certificate) > 0 {
		cert.Leaf, _ = x509.ParseCertificate(cert.Certificate[0])
	}
	// HTTP/1.1 only: the event stream's deadlines are per connection.
	return &tls.Config{MinVersion: tls.VersionTLS12, Certificates: []tls.Certificate{cert}, NextProtos: []string{"http/1.1"}}, nil
}

// Fingerprint is the SHA-256 fingerprint of the certificate the
// marketplace serves (what a client pins with --tls-pin), or "" without
// TLS.
func (m *Marketplace) Fingerprint() string {
	if m.tls == nil || len(m.tls.Certificates) == 0 || len(m.tls.Certificates[0].Certificate) == 0 {
		return ""
	}
	sum := sha256.Sum256(m.tls.Certificates[0].Certificate[0])
	return fmt.Sprintf("%x", sum)
}

// HTTPClient is an HTTP client for callers in this process (the
// simulated people, the operator's own tools): over TLS it trusts exactly
// the marketplace's own certificate; without TLS it is nil, so callers
// keep their defaults.
func (m *Marketplace) HTTPClient() *http.Client {
	if m.tls == nil {
		return nil
	}
	hc, err := client.HTTPClient(client.TLSOptions{Pin: m.Fingerprint()})
	if err != nil {
		return nil
	}
	return hc
}

// Exposed says whether an address to listen on reaches beyond this
// machine: anything but a loopback address or "localhost". A marketplace
// listening there needs TLS: signatures stop tampering, not reading.
func Exposed(listen string) bool {
	host, _, err := net.SplitHostPort(listen)
	if err != nil {
		host = listen
	}
	if strings.EqualFold(host, "localhost") {
		return false
	}
	ip := net.ParseIP(strings.Trim(host, "[]"))
	return ip == nil || !ip.IsLoopback()
}
