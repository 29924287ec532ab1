// Package openai implements providers.Provider and providers.Embedder for
// OpenAI's API (kind "openai") and for the many servers that copy it (kind
// "openai-compatible": llama.cpp, vLLM, LM Studio, Ollama's /v1, proxies),
// through the official SDK, github.com/openai/openai-go/v3.
//
// The SDK sends the requests and decodes the SSE stream and the JSON; this
// package converts between the shared providers types and the SDK's with
// pure functions (toChatParams, appendChunks, toUsage, toModels,
// toEmbeddings, mapError, mapStreamError) and turns every failure into a
// *providers.Error a user can read. Three things the SDK does not do are
// done here:
//
//   - It reports a stream that ends without "data: [DONE]" (a clean close
//     mid-answer, or an event cut short) as a normal end. Chat reads the
//     stream through a decoder that notes the [DONE] event, and treats a
//     stream without it, or without a finish_reason, as KindInterrupted.
//   - It cannot parse error bodies whose "error" is a string
//     ({"error": "No models loaded."}, as LM Studio and others send) and
//     then returns a bare JSON error without the HTTP status. A middleware
//     rewrites such bodies into OpenAI's shape first.
//   - It retries twice by default and reads OPENAI_* variables when built
//     with NewClient. This package turns retries off (the caller's
//     coordinator retries) and builds the SDK's services directly, so only
//     the two variables documented on Config are read, and a key meant for
//     OpenAI never reaches another server.
package openai

import (
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"

	sdk "github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"

	"github.com/aiex-dev/aiex/providers"
)

// The provider kinds this package implements.
const (
	KindOpenAI     = "openai"
	KindCompatible = "openai-compatible"
)

// DefaultBaseURL is OpenAI's API, the SDK's default base URL.
const DefaultBaseURL = "https://api.openai.com/v1"

// Config configures a Provider. Its zero value talks to OpenAI with the key
// in OPENAI_API_KEY.
type Config struct {
	// Name is the configured provider name used in errors and status
	// output; empty means the kind.
	Name string
	// Kind is KindOpenAI (the default) or KindCompatible.
	Kind string
	// BaseURL is the API's base URL including its version path, e.g.
	// "http://127.0.0.1:8080/v1". For KindOpenAI, empty means OPENAI_BASE_URL
	// if set, else DefaultBaseURL; KindCompatible requires it.
	BaseURL string
	// APIKey is sent as a bearer token. For KindOpenAI, empty means
	// OPENAI_API_KEY, and one of them is required. For KindCompatible it is
	// optional (many local servers need none); empty sends no
	// Authorization header.
	APIKey string
	// HTTPClient sends the requests; nil means a client with a dial timeout
	// and no overall timeout, since answers stream for as long as they take.
	// The client passed in is not modified.
	HTTPClient *http.Client
}

// Provider talks to one OpenAI-style API. It is safe for concurrent use and
// does not change after New.
type Provider struct {
	name     string
	kind     string
	endpoint string // base URL without credentials, for messages
	server   string // how messages name the server: "OpenAI", "the server"
	local    bool   // models run on this machine or network (KindCompatible on a private host)
	// secrets takes the key and the base URL's credentials out of errors.
	secrets *providers.Redactor

	chat       sdk.ChatCompletionService
	models     sdk.ModelService
	embeddings sdk.EmbeddingService
}

var (
	_ providers.Provider = (*Provider)(nil)
	_ providers.Embedder = (*Provider)(nil)
)

// New returns a Provider for cfg. It does not contact the server.
func New(cfg Config) (*Provider, error) {
	kind := cfg.Kind
	if kind == "" {
		kind = KindOpenAI
	}
	base, key := cfg.BaseURL, cfg.APIKey
	switch kind {
	case KindOpenAI:
		if base == "" {
			base = os.Getenv("OPENAI_BASE_URL")
		}
		if base == "" {
			base = DefaultBaseURL
		}
		if key == "" {
			key = os.Getenv("OPENAI_API_KEY")
		}
		if key == "" {
			return nil, fmt.Errorf("openai: no API key: set APIKey or OPENAI_API_KEY")
		}
	case KindCompatible:
		if base == "" {
			return nil, fmt.Errorf("openai: kind %s needs BaseURL, the server's API address, e.g. http://127.0.0.1:8080/v1", KindCompatible)
		}
	default:
		return nil, fmt.Errorf("openai: unknown kind %q: want %q or %q", kind, KindOpenAI, KindCompatible)
	}
	u, err := parseBaseURL(base)
	if err != nil {
		return nil, err
	}
	name := cfg.Name
	if name == "" {
		name = kind
	}
	hc := cfg.HTTPClient
	if hc == nil {
		hc = providers.NewHTTPClient(0)
	}
	opts := []option.RequestOption{
		option.WithBaseURL(u.String()),
		option.WithHTTPClient(hc),
		option.WithMaxRetries(0),
		option.WithMiddleware(normalizeErrorBody),
	}
	if key != "" {
		opts = append(opts, option.WithAPIKey(key))
	}
	p := &Provider{
		name:       name,
		kind:       kind,
		endpoint:   providers.RedactURL(u),
		server:     "OpenAI",
		secrets:    providers.NewRedactor(append(providers.URLSecrets(u), key)...),
		chat:       sdk.NewChatCompletionService(opts...),
		models:     sdk.NewModelService(opts...),
		embeddings: sdk.NewEmbeddingService(opts...),
	}
	if kind == KindCompatible {
		p.server = "the server"
		p.local = isLocalHost(u.Hostname())
	}
	return p, nil
}

// parseBaseURL checks that s is an absolute http(s) URL with a host, and
// drops a trailing slash. Its errors show s without user name or password.
func parseBaseURL(s string) (*url.URL, error) {
	shown := providers.RedactURLString(s)
	u, err := url.Parse(strings.TrimSpace(s))
	switch {
	case err != nil && shown != s:
		// url.Error quotes s, password and all.
		return nil, fmt.Errorf("openai: invalid BaseURL %s: not a URL", shown)
	case err != nil:
		return nil, fmt.Errorf("openai: invalid BaseURL %q: %w", s, err)
	case u.Scheme != "http" && u.Scheme != "https":
		return nil, fmt.Errorf("openai: invalid BaseURL %q: want http:// or https:// followed by host, port and path, e.g. http://127.0.0.1:8080/v1", shown)
	case u.Host == "":
		return nil, fmt.Errorf("openai: invalid BaseURL %q: no host", shown)
	}
	u.Path = strings.TrimRight(u.Path, "/")
	u.RawPath = ""
	return u, nil
}

// isLocalHost reports whether host (a name or IP, no port) is this machine
// or a private network: loopback, RFC 1918 / RFC 4193, link-local, or a
// "localhost" name. Names are not resolved.
func isLocalHost(host string) bool {
	h := strings.ToLower(strings.TrimSuffix(host, "."))
	if h == "localhost" || strings.HasSuffix(h, ".localhost") {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && (ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsUnspecified())
}

// Name returns the configured provider name.
func (p *Provider) Name() string { return p.name }

// Kind returns KindOpenAI or KindCompatible.
func (p *Provider) Kind() string { return p.kind }

// Endpoint returns the API's base URL without credentials.
func (p *Provider) Endpoint() string { return p.endpoint }
