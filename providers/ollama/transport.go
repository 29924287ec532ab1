package ollama

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/aiex-dev/aiex/providers"
)

// observingClient returns a copy of c (or of the default client) whose
// transport lets Chat see what the api client hides: the api client scans the
// NDJSON body with a bufio.Scanner and never checks Scanner.Err, so a body
// that breaks off mid-stream looks like a clean end, and response headers
// such as Retry-After never reach the caller.
func observingClient(c *http.Client) *http.Client {
	if c == nil {
		c = providers.NewHTTPClient(0)
	}
	cc := *c
	base := cc.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	cc.Transport = observingTransport{base: base}
	return &cc
}

// observation is what one request's transport saw. It is written by the
// transport and the body, both on the goroutine that called the api client,
// and read by that goroutine after the call returns, so it needs no lock.
type observation struct {
	retryAfter time.Duration // from a Retry-After header
	readErr    error         // first body read error other than io.EOF
}

type observationKey struct{}

// observe returns a context under which the observing transport records
// into the returned observation.
func observe(ctx context.Context) (context.Context, *observation) {
	obs := new(observation)
	return context.WithValue(ctx, observationKey{}, obs), obs
}

// observingTransport wraps the response body of requests whose context
// carries an observation.
type observingTransport struct {
	base http.RoundTripper
}

func (t observingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.base.RoundTrip(req)
	obs, _ := req.Context().Value(observationKey{}).(*observation)
	if err != nil || obs == nil {
		return resp, err
	}
	obs.retryAfter = parseRetryAfter(resp.Header.Get("Retry-After"), time.Now())
	resp.Body = &observedBody{ReadCloser: resp.Body, obs: obs}
	return resp, nil
}

// CloseIdleConnections lets http.Client.CloseIdleConnections reach the
// wrapped transport.
func (t observingTransport) CloseIdleConnections() {
	if c, ok := t.base.(interface{ CloseIdleConnections() }); ok {
		c.CloseIdleConnections()
	}
}

// observedBody records the first read error of a response body.
type observedBody struct {
	io.ReadCloser
	obs *observation
}

func (b *observedBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err != nil && !errors.Is(err, io.EOF) && b.obs.readErr == nil {
		b.obs.readErr = err
	}
	return n, err
}

// parseRetryAfter reads a Retry-After value in seconds or as an HTTP date.
func parseRetryAfter(v string, now time.Time) time.Duration {
	if v == "" {
		return 0
	}
	if s, err := strconv.Atoi(v); err == nil && s > 0 {
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}
