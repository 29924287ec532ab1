// Package httpapi sends the requests of the cloud providers' JSON-over-HTTP
// APIs (OpenAI's and Anthropic's) and reads their answers: a JSON body, an
// error answer, or a stream of server-sent events (parsed by
// github.com/tmaxmax/go-sse).
//
// The provider adapters define the few wire types they use themselves.
// They used the providers' official SDKs before, which generate code for
// every endpoint of their APIs (7–10 MB of Go source each) where aiex calls
// three or four: together they were 43 of the binary's 97 MB, and a third
// of the memory its start-up touched. What the SDKs did besides the
// wire format (retries, reading the environment) aiex had turned off.
//
// Nothing here retries, reads the environment or logs: the coordinator
// decides about retries and fail-over, and the adapters about what an
// error says.
package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"net/http"
	"net/url"
	"strings"

	sse "github.com/tmaxmax/go-sse"
)

// MaxErrorBody bounds how much of an error answer is read.
const MaxErrorBody = 1 << 20

// MaxEvent bounds one server-sent event. A chunk of a streamed answer is a
// few hundred bytes; a tool call's arguments may come in one piece.
const MaxEvent = 4 << 20

// Client sends requests to one API. It is safe for concurrent use as long
// as its fields are not changed.
type Client struct {
	// HTTP sends the requests.
	HTTP *http.Client
	// Base is the API's base URL; request paths are joined to it.
	Base *url.URL
	// Header is sent with every request (credentials, API versions).
	Header http.Header
}

// StatusError is an answer with a status of 400 or more.
type StatusError struct {
	StatusCode int
	Header     http.Header
	// Body holds the answer's first MaxErrorBody bytes.
	Body []byte
}

// Error returns the status and the body's first line.
func (e *StatusError) Error() string {
	line, _, _ := strings.Cut(strings.TrimSpace(string(e.Body)), "\n")
	if line == "" {
		return fmt.Sprintf("HTTP status %d", e.StatusCode)
	}
	return fmt.Sprintf("HTTP status %d: %s", e.StatusCode, line)
}

// Do sends a request for path (joined to Base; a query after "?" is added
// to Base's own) with body encoded as JSON, or no body if body is nil. accept is the
// media type asked for ("application/json", "text/event-stream").
//
// Redirects are followed within the base URL's host only: another host is
// not sent Header's credentials.
//
// A 2xx or 3xx answer is returned for the caller to read and close. An
// answer of 400 or more is a *StatusError, its body read and closed.
// Failing to send or to get an answer is the *url.Error of net/http.
func (c *Client) Do(ctx context.Context, method, path, accept string, body any) (*http.Response, error) {
	u := *c.Base
	p, query, _ := strings.Cut(path, "?")
	u.Path = strings.TrimRight(u.Path, "/") + "/" + strings.TrimLeft(p, "/")
	u.RawPath = ""
	switch {
	case u.RawQuery == "":
		u.RawQuery = query
	case query != "":
		// A base URL's own parameters (a gateway's api-version) come first.
		u.RawQuery += "&" + query
	}
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return nil, fmt.Errorf("encode the request: %w", err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), rd)
	if err != nil {
		return nil, err
	}
	for k, vs := range c.Header {
		req.Header[k] = vs
	}
	req.Header.Set("Accept", accept)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.client().Do(req)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode < 400 {
		return resp, nil
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, MaxErrorBody))
	if err != nil && len(b) == 0 {
		return nil, &url.Error{Op: method, URL: redacted(&u), Err: err}
	}
	return nil, &StatusError{StatusCode: resp.StatusCode, Header: resp.Header, Body: b}
}

// client is c.HTTP refusing redirects to another host. net/http sends a
// request's headers on to wherever a redirect points, leaving out only its
// own Authorization and cookies on the way to another domain: Header's
// credentials (an x-api-key) would go to that host.
func (c *Client) client() *http.Client {
	hc := *c.HTTP
	check := hc.CheckRedirect
	hc.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if !strings.EqualFold(req.URL.Hostname(), via[0].URL.Hostname()) {
			return fmt.Errorf("redirected to another host, %s, which the credentials are not sent to", req.URL.Hostname())
		}
		if check != nil {
			return check(req, via)
		}
		if len(via) >= 10 {
			return errors.New("stopped after 10 redirects")
		}
		return nil
	}
	return &hc
}

// JSON sends a request as Do does and decodes the answer's JSON body into
// out. The response is returned closed, for its status and headers. A body
// that is not JSON of out's shape is a *DecodeError.
func (c *Client) JSON(ctx context.Context, method, path string, body, out any) (*http.Response, error) {
	resp, err := c.Do(ctx, method, path, "application/json", body)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return resp, err
	}
	if err := json.Unmarshal(b, out); err != nil {
		return resp, &DecodeError{Body: b, Err: err}
	}
	return resp, nil
}

// DecodeError is a successful answer whose body could not be decoded.
type DecodeError struct {
	// Body is the answer's body.
	Body []byte
	Err  error
}

func (e *DecodeError) Error() string { return "malformed answer: " + e.Err.Error() }
func (e *DecodeError) Unwrap() error { return e.Err }

// Events yields the server-sent events read from r, in order, until r ends
// (with no error) or fails (with its error, or the parser's for an event
// over MaxEvent). A stream that ends cleanly inside a line ends with
// sse.ErrUnexpectedEOF, one that fails there with r's error; one whose last
// event has whole lines but not the blank line after them yields that
// event, then ends.
//
// A line "error: …", which llama.cpp's server writes for a failure after
// its answer has begun, is read as an event of type "error" with the rest
// of the line as its data; the SSE format has no such field, and would
// drop the line.
func Events(r io.Reader) iter.Seq2[sse.Event, error] {
	return func(yield func(sse.Event, error) bool) {
		er := newErrorFieldReader(r)
		for ev, err := range sse.Read(er, &sse.ReadConfig{MaxEventSize: MaxEvent}) {
			if errors.Is(err, sse.ErrUnexpectedEOF) && er.err != nil && !errors.Is(er.err, io.EOF) {
				// The parser says only that the input ended inside a
				// line, also when reading it failed.
				err = er.err
			}
			if !yield(ev, err) {
				return
			}
		}
	}
}

// redacted is u as a string without its password.
func redacted(u *url.URL) string { return u.Redacted() }
