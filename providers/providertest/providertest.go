// Package providertest provides fake LLM servers for tests. Each fake speaks
// its vendor's real wire format (status codes, error bodies, streaming
// framing) so a provider package is tested against what the real server
// sends, not against what its author expected. A fake is scripted per test
// with Options: the models it has, the reply it streams, the token counts it
// reports, and how it fails.
//
// The fakes run on httptest servers that close when the test ends. They
// never sleep: a test that must act mid-stream uses WithPause.
package providertest

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Model is a model a fake server has.
type Model struct {
	// Name as the server lists it, e.g. "tiny:latest". A name without a tag
	// also answers to the ":latest" tag, as in Ollama.
	Name string
	// ModifiedAt is when the model changed; zero gives a fixed time that
	// keeps models in the order given.
	ModifiedAt time.Time
	// Size in bytes; zero gives 1 MiB.
	Size int64
	// Family is the model architecture; "" means "llama".
	Family string
	// ContextLength is the trained context window; 0 leaves it unreported.
	ContextLength int
	// NumCtx is the context window the model is configured to run with
	// (Ollama's num_ctx parameter); 0 leaves it unset.
	NumCtx int
}

// Option scripts a fake server.
type Option func(*script)

// script is what a fake does; it does not change after the fake starts.
type script struct {
	models    []Model
	modelsSet bool
	tokens    []string
	prompt    int // reported prompt tokens; <0: derive from the request
	eval      int // reported completion tokens; <0: len(tokens)
	stop      string

	failStatus int // answer every chat with this status, if not 0
	failMsg    string
	retryAfter int // seconds, sent with failStatus

	echoStatus int // refuse every request with this status, quoting its credentials, if not 0

	// After n chunks (-1: never), do one of these.
	breakAfter    int // close the connection abruptly
	truncateAfter int // end the body cleanly, without the final object
	errorAfter    int // send an {"error": …} line and end
	errorMsg      string
	pauseAfter    int // wait for release (or for the client to go away)
	release       <-chan struct{}

	listLatency time.Duration // before answering a model listing

	noUsage bool // send no token counts in a chat's answer

	// ext holds settings that only some fakes understand, each under a key
	// type owned by the file that defines them (see openai.go).
	ext map[any]any
}

func defaultScript() script {
	return script{
		tokens:        []string{"Hello", ",", " world", "!"},
		prompt:        -1,
		eval:          -1,
		stop:          "stop",
		breakAfter:    -1,
		truncateAfter: -1,
		errorAfter:    -1,
		pauseAfter:    -1,
	}
}

// WithModels sets the models the server has, replacing the default (one
// model, DefaultModel). WithModels() with no models gives an empty server.
func WithModels(ms ...Model) Option {
	return func(s *script) {
		s.models = append([]Model(nil), ms...)
		s.modelsSet = true
	}
}

// WithReply sets the pieces of text a chat streams, one chunk each.
func WithReply(tokens ...string) Option {
	return func(s *script) { s.tokens = append([]string(nil), tokens...) }
}

// WithUsage sets the prompt and completion token counts the server reports.
// By default the prompt count is the number of words in the request's
// messages and the completion count is the number of reply chunks.
func WithUsage(prompt, completion int) Option {
	return func(s *script) { s.prompt, s.eval = prompt, completion }
}

// WithStopReason sets why the server says the answer ended ("stop" by default).
func WithStopReason(reason string) Option {
	return func(s *script) { s.stop = reason }
}

// WithStatus makes every chat request fail with an HTTP status and message,
// in the vendor's error body.
func WithStatus(code int, message string) Option {
	return func(s *script) { s.failStatus, s.failMsg = code, message }
}

// WithRetryAfter adds a Retry-After header (in seconds) to WithStatus failures.
func WithRetryAfter(seconds int) Option {
	return func(s *script) { s.retryAfter = seconds }
}

// WithCredentialEcho makes a fake refuse every request, on every path, with
// status code (401 or 403, as a gateway refusing credentials would) in its
// vendor's error body, the message quoting the credentials the request
// carried: the x-api-key header, the Authorization header, and the user
// name and password of Basic authentication decoded. A WWW-Authenticate
// header quotes them too. Some gateways and proxies do echo what they
// received; the providers must not pass it on.
func WithCredentialEcho(code int) Option {
	return func(s *script) { s.echoStatus = code }
}

// echoCredentials sets the WWW-Authenticate header of a WithCredentialEcho
// answer and returns its message.
func echoCredentials(w http.ResponseWriter, r *http.Request) string {
	var seen []string
	if k := r.Header.Get("x-api-key"); k != "" {
		seen = append(seen, "x-api-key "+k)
	}
	if a := r.Header.Get("Authorization"); a != "" {
		seen = append(seen, "Authorization "+a)
	}
	if user, pass, ok := r.BasicAuth(); ok {
		seen = append(seen, fmt.Sprintf("user %s password %s", user, pass))
	}
	msg := "Invalid credentials: none given"
	if len(seen) > 0 {
		msg = "Incorrect API key provided: " + strings.Join(seen, "; ")
	}
	w.Header().Set("WWW-Authenticate", fmt.Sprintf("Bearer realm=\"api\", error=\"invalid_token\", error_description=%q", msg))
	return msg
}

// WithBrokenStream makes a chat stream break after n chunks: the server
// closes the connection abruptly, so the client sees an unexpected EOF or a
// reset, not a clean end.
func WithBrokenStream(n int) Option {
	return func(s *script) { s.breakAfter = n }
}

// WithTruncatedStream makes a chat stream end cleanly after n chunks but
// without the final object that says the answer is complete.
func WithTruncatedStream(n int) Option {
	return func(s *script) { s.truncateAfter = n }
}

// WithStreamError makes the server send an error in the stream after n
// chunks and end it, as a server does when generation fails after the answer
// has started (the HTTP status is then already 200).
func WithStreamError(n int, message string) Option {
	return func(s *script) { s.errorAfter, s.errorMsg = n, message }
}

// WithPause makes each chat stream stop after n chunks (flushed to the
// client) until release is closed or the client goes away. Paused reports
// when a stream first reaches that point.
func WithPause(n int, release <-chan struct{}) Option {
	return func(s *script) { s.pauseAfter, s.release = n, release }
}

// WithListLatency makes the model listing (GET /v1/models) of a fake
// OpenAI, LM Studio or Anthropic wait d before it answers, or until the
// client goes away: a server that takes chats but hangs on its list.
func WithListLatency(d time.Duration) Option {
	return func(s *script) { s.listLatency = d }
}

// WithoutUsage makes a fake OpenAI or LM Studio send no usage: no usage
// chunk in a stream even when the request asks for one (stream_options),
// as many OpenAI-compatible gateways and proxies do, and none in a
// completion.
func WithoutUsage() Option {
	return func(s *script) { s.noUsage = true }
}

// Unreachable returns a loopback http URL where nothing listens: it binds a
// port and closes it again.
func Unreachable(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("providertest: listen: %v", err)
	}
	addr := ln.Addr().String()
	if err := ln.Close(); err != nil {
		t.Fatalf("providertest: close listener: %v", err)
	}
	return "http://" + addr
}

// NewRaw starts a server that answers every request with status, header
// and body as given, for the shapes of answers no fake has (a proxy's page,
// a server's quirks). A declared length over len(body) (contentLength > 0)
// makes the answer break off where body ends. The server closes when the
// test ends.
func NewRaw(t testing.TB, status int, header http.Header, body string, contentLength int) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for k, vs := range header {
			w.Header()[k] = vs
		}
		if contentLength > 0 {
			w.Header().Set("Content-Length", strconv.Itoa(contentLength))
		}
		w.WriteHeader(status)
		io.WriteString(w, body)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// NoRequests returns an HTTP client that fails t if a request is sent
// through it: for calls that must be answered without the network.
func NoRequests(t testing.TB) *http.Client {
	return &http.Client{Transport: refusing{t}}
}

type refusing struct{ t testing.TB }

func (r refusing) RoundTrip(req *http.Request) (*http.Response, error) {
	r.t.Errorf("providertest: a request was sent to %s", req.URL)
	return nil, errors.New("providertest: no requests allowed")
}
