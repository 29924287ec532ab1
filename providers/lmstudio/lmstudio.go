// Package lmstudio implements providers.Provider and providers.Embedder for
// LM Studio's local server.
//
// LM Studio serves an OpenAI-compatible API under /v1 and its native REST
// API under /api/v0 (LM Studio 0.3.6 and later; deprecated in 0.4 but
// still served) and /api/v1 (0.4 and later). Chat and embeddings go
// through /v1 with an openai.Provider of kind "openai-compatible"; the
// model list comes from /api/v0/models, which says which models are loaded
// and their maximum context length. The window a prompt must fit comes from
// /api/v1/models, which says the context length each loaded model runs
// with (by default far less than its maximum; see PromptWindow). A server
// without the native API (older LM Studio answers unknown paths with 200
// and {"error": "Unexpected endpoint or method. …"}; a proxy may answer
// 404) gets its model list from /v1/models instead.
package lmstudio

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/aiex-dev/aiex/providers"
	"github.com/aiex-dev/aiex/providers/openai"
)

// Kind is the provider kind this package implements.
const Kind = "lmstudio"

// DefaultBaseURL is where LM Studio's server listens unless told otherwise.
// LM Studio documents no environment variable for it.
const DefaultBaseURL = "http://localhost:1234"

// Config configures a Provider. The zero value talks to LM Studio on this
// machine at its default port.
type Config struct {
	// Name is the configured provider name used in errors and status
	// output; empty means "lmstudio".
	Name string
	// BaseURL is the server's root, e.g. "http://192.168.1.20:1234"; empty
	// means DefaultBaseURL. A trailing "/v1" is ignored.
	BaseURL string
	// APIKey is sent as a bearer token. LM Studio needs one only when
	// "Require authentication" is on in its server settings (0.4 and later).
	// It never appears in errors, not even where the server quotes it back
	// (see providers.Redactor).
	APIKey string
	// KeyAdvice says how to give the provider a key ("run aiex keys set
	// lms"), said after the server's message when it refuses a request for
	// its key (HTTP 401, 403): to give one when none was sent, another
	// when it was refused. Empty: the server's message alone.
	KeyAdvice string
	// HTTPClient sends the requests; nil means a client with a dial timeout
	// and no overall timeout. The client passed in is not modified.
	HTTPClient *http.Client
}

// Provider talks to one LM Studio server. It is safe for concurrent use and
// does not change after New.
type Provider struct {
	name     string
	endpoint string   // root URL without credentials, for messages
	base     *url.URL // root URL, with credentials if given
	apiKey   string
	// keyAdvice is Config.KeyAdvice (adviseKey).
	keyAdvice string
	hc        *http.Client
	api       *openai.Provider // the /v1 API, which scrubs its own errors
	// secrets takes the key and the base URL's credentials out of the
	// native API's errors.
	secrets *providers.Redactor
}

var (
	_ providers.Provider = (*Provider)(nil)
	_ providers.Embedder = (*Provider)(nil)
)

// New returns a Provider for cfg. It does not contact the server.
func New(cfg Config) (*Provider, error) {
	raw := cfg.BaseURL
	if raw == "" {
		raw = DefaultBaseURL
	}
	// Errors show the URL without user name or password.
	shown := providers.RedactURLString(raw)
	u, err := url.Parse(strings.TrimSpace(raw))
	switch {
	case err != nil && shown != raw:
		// url.Error quotes raw, password and all.
		return nil, fmt.Errorf("lmstudio: invalid BaseURL %s: not a URL", shown)
	case err != nil:
		return nil, fmt.Errorf("lmstudio: invalid BaseURL %q: %w", raw, err)
	case u.Scheme != "http" && u.Scheme != "https":
		return nil, fmt.Errorf("lmstudio: invalid BaseURL %q: want http:// or https:// followed by host and port, e.g. %s", shown, DefaultBaseURL)
	case u.Host == "":
		return nil, fmt.Errorf("lmstudio: invalid BaseURL %q: no host", shown)
	}
	u.Path = strings.TrimSuffix(strings.TrimRight(u.Path, "/"), "/v1")
	u.RawPath = ""
	name := cfg.Name
	if name == "" {
		name = Kind
	}
	hc := cfg.HTTPClient
	if hc == nil {
		hc = providers.NewHTTPClient(0)
	}
	api, err := openai.New(openai.Config{
		Name:       name,
		Kind:       openai.KindCompatible,
		BaseURL:    u.JoinPath("v1").String(),
		APIKey:     cfg.APIKey,
		HTTPClient: hc,
	})
	if err != nil {
		return nil, fmt.Errorf("lmstudio: %w", err)
	}
	return &Provider{
		name: name, endpoint: providers.RedactURL(u), base: u, apiKey: cfg.APIKey, keyAdvice: cfg.KeyAdvice, hc: hc, api: api,
		secrets: providers.NewRedactor(append(providers.URLSecrets(u), cfg.APIKey)...),
	}, nil
}

// Name returns the configured provider name.
func (p *Provider) Name() string { return p.name }

// Secrets is the Redactor of the credentials the provider sends, which
// the coordinator takes out of what it stores (coord.SecretHolder).
func (p *Provider) Secrets() *providers.Redactor { return p.secrets }

// Kind returns "lmstudio".
func (p *Provider) Kind() string { return Kind }

// Endpoint returns the server's root URL without credentials.
func (p *Provider) Endpoint() string { return p.endpoint }

// Chat streams the answer to req through the OpenAI-compatible API; see
// openai.Provider.Chat.
func (p *Provider) Chat(ctx context.Context, req providers.Request, fn func(providers.Chunk) error) (providers.Result, error) {
	res, err := p.api.Chat(ctx, req, fn)
	return res, p.advise(err)
}

// Embed returns one vector per input through the OpenAI-compatible API.
func (p *Provider) Embed(ctx context.Context, model string, input []string) ([][]float32, error) {
	vecs, err := p.api.Embed(ctx, model, input)
	return vecs, p.advise(err)
}
