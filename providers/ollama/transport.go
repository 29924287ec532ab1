package ollama

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"time"

	"github.com/ollama/ollama/api"

	"github.com/aiex-dev/aiex/providers"
)

// observingClient returns a copy of c (or of the default client) whose
// transport lets Chat see what the api client hides: the api client scans the
// NDJSON body with a bufio.Scanner and never checks Scanner.Err, so a body
// that breaks off mid-stream looks like a clean end; an error answer without
// a body (a proxy's bare 401, 429 or 502) returns no error at all, so its
// status is lost; and response headers such as Retry-After never reach the
// caller.
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

// maxErrorBody bounds how much of an error answer's body the transport
// reads for the observation.
const maxErrorBody = 1 << 20

// observation is what one request's transport saw. It is written by the
// transport and the body, both on the goroutine that called the api client,
// and read by that goroutine after the call returns, so it needs no lock.
type observation struct {
	status     int           // the response's status code; 0 if none came
	statusLine string        // and its text, "401 Unauthorized"
	retryAfter time.Duration // from a Retry-After header
	readErr    error         // first body read error other than io.EOF
	// header and body are those of an error answer (status 400 or
	// more), the body's first maxErrorBody bytes: the api client keeps
	// only the first line of a body that is not JSON, or none of it.
	header http.Header
	body   []byte
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
	obs.status, obs.statusLine = resp.StatusCode, resp.Status
	obs.retryAfter = providers.ParseRetryAfter(resp.Header.Get("Retry-After"), time.Now())
	resp.Body = &observedBody{ReadCloser: resp.Body, obs: obs}
	if resp.StatusCode >= http.StatusBadRequest {
		// An error answer is short: read it here, for note, and let the
		// api client read the copy.
		b, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
		resp.Body.Close()
		obs.header, obs.body = resp.Header, b
		resp.Body = io.NopCloser(bytes.NewReader(b))
	}
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

// note says who sent the observed error answer and why (see
// providers.AnswerNote) when its body is not Ollama's {"error": "…"}: a
// proxy's page, plain text, nothing. It is "" for Ollama's own error, and
// when there was no error answer.
func (o *observation) note() string {
	if o == nil || o.status < http.StatusBadRequest {
		return ""
	}
	var v struct {
		Error *string `json:"error"`
	}
	if json.Unmarshal(o.body, &v) == nil && v.Error != nil {
		return ""
	}
	return providers.AnswerNote(o.header, o.body)
}

// statusError is the error the api client would have returned for the
// observed error status had the answer had a body: api.AuthorizationError
// for 401, api.StatusError otherwise, without a message. It is nil if the
// status was not an error.
func (o *observation) statusError() error {
	switch {
	case o.status < http.StatusBadRequest:
		return nil
	case o.status == http.StatusUnauthorized:
		return api.AuthorizationError{StatusCode: o.status, Status: o.statusLine}
	}
	return api.StatusError{StatusCode: o.status, Status: o.statusLine}
}
