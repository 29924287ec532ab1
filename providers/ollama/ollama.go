// Package ollama implements providers.Provider and providers.Embedder for an
// Ollama server, local or remote, through Ollama's own Go client
// (github.com/ollama/ollama/api). Besides chat (/api/chat, with tools),
// models (/api/tags, marked loaded from /api/ps) and embeddings
// (/api/embed), it offers Generate, a streamed raw completion
// (/api/generate), and ContextWindow.
//
// The api client does the HTTP and NDJSON work; this package converts between
// the shared providers types and Ollama's with pure functions (toChatRequest,
// toTools, toChunks, toGenerateRequest, toResult, toModels, mapError) and
// turns every failure into a *providers.Error a user can read. Two things the
// api client does not report are a stream that breaks off (it ignores its
// scanner's error) and an error status whose answer has no body (it returns
// nil), so New wraps the HTTP transport to watch the response's status,
// headers and body: runStream classifies such an answer by its status, and
// treats a stream without its final "done" object as KindInterrupted.
package ollama

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/ollama/ollama/api"

	"github.com/aiex-dev/aiex/providers"
)

// kind is the provider kind this package implements.
const kind = "ollama"

// Config configures a Provider. The zero value talks to the Ollama that
// OLLAMA_HOST names, or to http://127.0.0.1:11434.
type Config struct {
	// Name is the configured provider name used in errors and status
	// output; empty means "ollama".
	Name string
	// BaseURL is the server's address, e.g. "http://127.0.0.1:11434"; a
	// trailing "/v1" or "/api" is ignored. Empty follows Ollama's own
	// OLLAMA_HOST convention.
	BaseURL string
	// HTTPClient sends the requests; nil means a client with a dial timeout
	// and no overall timeout, since answers stream for as long as they take.
	// The client passed in is not modified.
	HTTPClient *http.Client
	// KeepAlive, if set, asks the server to keep the model loaded this long
	// after each request (negative: forever; zero: unload at once).
	KeepAlive *time.Duration
}

// Provider talks to one Ollama server. It is safe for concurrent use and does
// not change after New.
type Provider struct {
	name      string
	endpoint  string // base URL without credentials, for messages
	keepAlive *time.Duration
	client    *api.Client
	// secrets takes the base URL's credentials out of errors.
	secrets *providers.Redactor
}

var (
	_ providers.Provider = (*Provider)(nil)
	_ providers.Embedder = (*Provider)(nil)
)

// New returns a Provider for cfg. It does not contact the server.
func New(cfg Config) (*Provider, error) {
	var base *url.URL
	if cfg.BaseURL == "" {
		u, err := envHost()
		if err != nil {
			return nil, err
		}
		base = trimAPIPath(u)
	} else {
		u, err := parseBaseURL(cfg.BaseURL)
		if err != nil {
			return nil, err
		}
		base = u
	}
	name := cfg.Name
	if name == "" {
		name = kind
	}
	var keepAlive *time.Duration
	if cfg.KeepAlive != nil {
		d := *cfg.KeepAlive
		keepAlive = &d
	}
	return &Provider{
		name:      name,
		endpoint:  providers.RedactURL(base),
		keepAlive: keepAlive,
		// base may carry credentials; only the client sees them.
		client:  api.NewClient(base, observingClient(cfg.HTTPClient)),
		secrets: providers.NewRedactor(providers.URLSecrets(base)...),
	}, nil
}

// parseBaseURL checks that s is an absolute http(s) URL with a host. Its
// errors show s without user name or password.
func parseBaseURL(s string) (*url.URL, error) {
	shown := providers.RedactURLString(s)
	u, err := url.Parse(strings.TrimSpace(s))
	switch {
	case err != nil && shown != s:
		// url.Error quotes s, password and all.
		return nil, fmt.Errorf("ollama: invalid BaseURL %s: not a URL", shown)
	case err != nil:
		return nil, fmt.Errorf("ollama: invalid BaseURL %q: %w", s, err)
	case u.Scheme != "http" && u.Scheme != "https":
		return nil, fmt.Errorf("ollama: invalid BaseURL %q: want http:// or https:// followed by host and port, e.g. http://127.0.0.1:11434", shown)
	case u.Host == "":
		return nil, fmt.Errorf("ollama: invalid BaseURL %q: no host", shown)
	}
	return trimAPIPath(u), nil
}

// trimAPIPath drops from u's path a trailing slash and a trailing "/v1"
// or "/api": the client adds /api/… to every request itself, and an
// address copied from a tool that uses Ollama's OpenAI-compatible API
// ends in /v1, which would send requests to /v1/api/chat. A path before
// them (a reverse proxy's prefix) stays.
func trimAPIPath(u *url.URL) *url.URL {
	c := *u
	c.Path = strings.TrimRight(c.Path, "/")
	for _, suffix := range []string{"/v1", "/api"} {
		if p, ok := strings.CutSuffix(c.Path, suffix); ok {
			c.Path = p
			break
		}
	}
	c.RawPath = ""
	return &c
}

// Name returns the configured provider name.
func (p *Provider) Name() string { return p.name }

// Secrets is the Redactor of the credentials the provider sends, which
// the coordinator takes out of what it stores (coord.SecretHolder).
func (p *Provider) Secrets() *providers.Redactor { return p.secrets }

// Kind returns "ollama".
func (p *Provider) Kind() string { return kind }

// Endpoint returns the server's base URL without credentials.
func (p *Provider) Endpoint() string { return p.endpoint }

// providerError maps err, scrubs the base URL's credentials from it, and
// for a missing model lists what the server does have so the message can
// say what to use instead. obs, if not nil, is what the transport saw of
// the request (see withNote).
func (p *Provider) providerError(ctx context.Context, model string, err error, obs *observation) *providers.Error {
	pe := p.withNote(mapError(p.name, p.endpoint, err), obs)
	if pe.Kind != providers.KindNotFound {
		return p.scrub(pe)
	}
	lr, lerr := p.client.List(ctx)
	if lerr != nil {
		// Keep the server's own message; the list is a courtesy.
		return p.scrub(pe)
	}
	for _, m := range toModels(lr) {
		pe.Models = append(pe.Models, m.Name)
	}
	if listed(pe.Models, model) {
		// The server lists the model and refused it all the same (still
		// being pulled, or its files damaged): "not found; available:
		// …, ghost" would gainsay itself. Its own words say why.
		pe.Message = fmt.Sprintf("Ollama lists model %q but refused it (%s); it may still be downloading or be damaged: pull it again with `ollama pull %s`",
			model, pe.Message, strings.TrimSuffix(model, ":latest"))
		return p.scrub(pe)
	}
	pe.Message = notFoundMessage(model, pe.Models)
	return p.scrub(pe)
}

// withNote returns pe, mapped from an error answer whose body obs saw,
// with a message that says who sent the answer and why when its body is
// not Ollama's {"error": "…"} (a proxy's page, whose first line the api
// client would have made the message, or nothing): the status, the
// endpoint and obs's note.
func (p *Provider) withNote(pe *providers.Error, obs *observation) *providers.Error {
	if pe.StatusCode == 0 || obs == nil || obs.status != pe.StatusCode {
		return pe
	}
	if note := obs.note(); note != "" {
		pe.Message = providers.ErrorAnswerMessage(statusText(obs.status, obs.statusLine), p.endpoint, note)
		if obs.status == http.StatusPaymentRequired {
			pe.Message = providers.WithBillingAdvice(pe.Message)
		}
	}
	return pe
}

// scrub takes the base URL's credentials out of pe, which is about to
// leave the provider, wherever the server (or a proxy in front of it)
// quoted them back, as a password or as the Basic Authorization header
// net/http sent (see providers.Redactor). The api client's errors in Err
// are replaced by copies without them.
func (p *Provider) scrub(pe *providers.Error) *providers.Error {
	switch e := pe.Err.(type) {
	case api.StatusError:
		e.Status, e.ErrorMessage = p.secrets.Redact(e.Status), p.secrets.Redact(e.ErrorMessage)
		pe.Err = e
	case api.AuthorizationError:
		e.Status, e.SigninURL = p.secrets.Redact(e.Status), p.secrets.Redact(e.SigninURL)
		pe.Err = e
	}
	return p.secrets.RedactProviderError(pe)
}
