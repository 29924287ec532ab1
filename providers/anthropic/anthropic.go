// Package anthropic implements providers.Provider for Anthropic's Messages
// API: POST /v1/messages, streamed as server-sent events, and the model list
// of GET /v1/models.
//
// It speaks the API's wire format itself, through providers/httpapi: the
// few wire types it uses are in wire.go, and pure functions convert between
// them and the shared providers types (toParams, streamState.apply,
// toModel, mapError). Every failure becomes a *providers.Error a user can
// read; an error the API answered with is an *APIError in its chain.
//
// Nothing happens behind the caller's back: no retries (the coordinator
// retries), and nothing from the environment but the two variables this
// package reads (ANTHROPIC_API_KEY and ANTHROPIC_BASE_URL). The key is sent
// in the x-api-key header.
//
// Requests carry anthropic-version 2026-10-21, which removed the sampling
// parameters: the API answers 400 to any request that carries temperature,
// so Request.Temperature is not sent.
package anthropic

import (
	"cmp"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/aiex-dev/aiex/providers"
	"github.com/aiex-dev/aiex/providers/httpapi"
)

// kind is the provider kind this package implements.
const kind = "anthropic"

// defaultBaseURL is Anthropic's API, used when neither Config.BaseURL nor
// ANTHROPIC_BASE_URL names another.
const defaultBaseURL = "https://api.anthropic.com"

// officialHost is defaultBaseURL's host.
const officialHost = "api.anthropic.com"

// The environment variables New reads, as Anthropic's SDKs name them.
const (
	envAPIKey  = "ANTHROPIC_API_KEY"
	envBaseURL = "ANTHROPIC_BASE_URL"
)

// Config configures a Provider. The zero value talks to Anthropic's API with
// the key in ANTHROPIC_API_KEY.
type Config struct {
	// Name is the configured provider name used in errors and status
	// output; empty means "anthropic".
	Name string
	// BaseURL is the API's address, e.g. a proxy's "http://127.0.0.1:8080";
	// a trailing "/v1" is ignored. Empty means $ANTHROPIC_BASE_URL, else
	// https://api.anthropic.com.
	BaseURL string
	// APIKey authenticates the requests (sent as x-api-key). Empty means
	// $ANTHROPIC_API_KEY; with neither, requests to Anthropic's own API
	// fail at once (KindAuth) without being sent, and requests to another
	// base URL (a gateway that adds the key) go without one. The key never
	// appears in errors, not even where the server quotes it back (see
	// providers.Redactor), nor in Endpoint.
	APIKey string
	// KeyAdvice says how to supply a key, in the errors of requests made
	// without one ("set ANTHROPIC_API_KEY or run aiex keys set claude");
	// empty means "set ANTHROPIC_API_KEY".
	KeyAdvice string
	// HTTPClient sends the requests; nil means a client with connect and
	// response-header timeouts and no overall timeout, since answers stream
	// for as long as they take. The client is not modified.
	HTTPClient *http.Client
}

// Provider talks to Anthropic's API. It is safe for concurrent use and does
// not change after New.
type Provider struct {
	name     string
	endpoint string // base URL without credentials, for messages
	// noKey, when no API key was configured, is how to supply one, said
	// on auth errors; refuse says that requests fail without being sent
	// (Anthropic's own API answers every one of them with 401).
	noKey string
	// keyAdvice is how to supply a key, said when the API refuses the one
	// sent (401).
	keyAdvice string
	refuse    bool
	client    *httpapi.Client
	// secrets takes the key and the base URL's credentials out of errors.
	secrets *providers.Redactor
}

var _ providers.Provider = (*Provider)(nil)

// New returns a Provider for cfg. It does not contact the API.
func New(cfg Config) (*Provider, error) {
	base := cfg.BaseURL
	if base == "" {
		base = os.Getenv(envBaseURL)
	}
	if base == "" {
		base = defaultBaseURL
	}
	u, err := parseBaseURL(base)
	if err != nil {
		return nil, err
	}
	key := cfg.APIKey
	if key == "" {
		key = os.Getenv(envAPIKey)
	}
	hc := cfg.HTTPClient
	if hc == nil {
		hc = providers.NewHTTPClient(headerTimeout)
	}
	name := cfg.Name
	if name == "" {
		name = kind
	}
	h := http.Header{"Anthropic-Version": {apiVersion}}
	if key != "" {
		h.Set("X-Api-Key", key)
	}
	p := &Provider{
		name:     name,
		endpoint: redact(u),
		client:   &httpapi.Client{HTTP: hc, Base: u, Header: h},
		secrets:  providers.NewRedactor(append(providers.URLSecrets(u), key)...),
	}
	p.keyAdvice = cmp.Or(cfg.KeyAdvice, "set "+envAPIKey)
	if key == "" {
		p.noKey = p.keyAdvice
		p.refuse = u.Hostname() == officialHost
	}
	return p, nil
}

// parseBaseURL checks that s is an absolute http(s) URL with a host, and
// drops a trailing slash and a trailing "/v1": the paths requested begin
// with the version, and base URLs written for other tools often carry it
// ("https://proxy.example/v1"), which would send requests to /v1/v1/….
// The user information stays: net/http sends it as Basic authentication.
// Errors name the URL without its credentials.
func parseBaseURL(s string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSpace(s))
	if err != nil {
		// url.Error quotes s, which may hold a password; say less.
		return nil, errors.New("anthropic: invalid BaseURL: not a URL")
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("anthropic: invalid BaseURL %q: want http:// or https:// followed by a host, e.g. %s", redact(u), defaultBaseURL)
	}
	if u.Host == "" {
		return nil, fmt.Errorf("anthropic: invalid BaseURL %q: no host", redact(u))
	}
	u.Path = strings.TrimSuffix(strings.TrimRight(u.Path, "/"), "/v1")
	u.RawPath = ""
	return u, nil
}

// redact returns u as a string without user information, query or trailing slash.
func redact(u *url.URL) string {
	c := *u
	c.RawQuery, c.Fragment = "", ""
	return strings.TrimSuffix(providers.RedactURL(&c), "/")
}

// Name returns the configured provider name.
func (p *Provider) Name() string { return p.name }

// Secrets is the Redactor of the credentials the provider sends, which
// the coordinator takes out of what it stores (coord.SecretHolder).
func (p *Provider) Secrets() *providers.Redactor { return p.secrets }

// Kind returns "anthropic".
func (p *Provider) Kind() string { return kind }

// Endpoint returns the API's base URL without credentials.
func (p *Provider) Endpoint() string { return p.endpoint }

// RequestID returns the request-id Anthropic gave the failed request whose
// *APIError is in err's chain, or "" if there is none. Anthropic's support
// asks for it.
func RequestID(err error) string {
	var ae *APIError
	if errors.As(err, &ae) {
		return ae.RequestID
	}
	return ""
}

// headerTimeout bounds the default HTTP client's wait for the response
// headers, which a streaming answer sends once the request is accepted,
// before the model has written anything.
const headerTimeout = 5 * time.Minute
