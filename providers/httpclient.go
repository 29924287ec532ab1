package providers

import (
	"context"
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

// ListTimeout bounds a model listing made as a courtesy — the models named
// in a "model not found" error. A listing is cheap: a server that has not
// answered it by then is wedged, and waiting longer would hold the error
// it was to complete (and the request behind it) for the request's whole
// deadline.
const ListTimeout = 5 * time.Second

// ListContext bounds a courtesy listing made under ctx: ListTimeout, and
// never more than half of what is left of ctx's deadline, so that the
// error it completes still reaches the caller in time.
func ListContext(ctx context.Context) (context.Context, context.CancelFunc) {
	d := ListTimeout
	if dl, ok := ctx.Deadline(); ok {
		d = min(d, max(time.Until(dl)/2, time.Millisecond))
	}
	return context.WithTimeout(ctx, d)
}
