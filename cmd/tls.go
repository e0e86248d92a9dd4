package cmd

import (
	"net/http"
	"time"

	"p2pdesk/client"
)

// tlsOptions: what the client trusts beyond the system's roots (tls.ca,
// tls.pin; --tls-ca, --tls-pin).
func (a *app) tlsOptions() client.TLSOptions {
	return client.TLSOptions{CAFile: a.cfg.TLS.CA, Pin: a.cfg.TLS.Pin}
}

// railHTTP is the Alipay client's HTTP client under those options (nil:
// its default). A bad CA file or pin shows when the marketplace client is
// made, which every caller does first.
func (a *app) railHTTP() *http.Client {
	hc, err := client.HTTPClient(a.tlsOptions())
	if err != nil || hc == nil {
		return nil
	}
	hc.Timeout = 15 * time.Second
	return hc
}
