package providers

import (
	"net"
	"net/http"
	"time"
)

// DialTimeout bounds connecting to a provider's server.
const DialTimeout = 10 * time.Second

// NewHTTPClient is the client a provider package uses when its Config has
// none: a dial timeout but no overall timeout — an answer streams for as
// long as the model writes, and a local server may load a model for minutes
// before the first byte. headerTimeout, if not zero, bounds the wait for
// the response headers (a cloud API that has not answered by then is not
// going to).
func NewHTTPClient(headerTimeout time.Duration) *http.Client {
	d := &net.Dialer{Timeout: DialTimeout, KeepAlive: 30 * time.Second}
	return &http.Client{Transport: &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           d.DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          16,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ResponseHeaderTimeout: headerTimeout,
		ExpectContinueTimeout: time.Second,
	}}
}
