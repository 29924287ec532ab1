// Package openai implements providers.Provider and providers.Embedder for
// OpenAI's API (kind "openai") and for the many servers that copy it (kind
// "openai-compatible": llama.cpp, vLLM, LM Studio, Ollama's /v1, proxies).
//
// It speaks the wire format of the three endpoints it calls itself
// (/chat/completions streamed as server-sent events, /models, /embeddings;
// the JSON shapes are in wire.go) through providers/httpapi, and converts
// between them and the shared providers types with pure functions
// (toChatRequest, appendChunks, toUsage, toModels, toEmbeddings, mapError,
// mapStreamError). Every failure becomes a *providers.Error a user can
// read:
//
//   - A stream that ends without "data: [DONE]" (a clean close
//     mid-answer, or an event cut short), or without a finish_reason, is
//     KindInterrupted, as is one that breaks off, carries a malformed
//     chunk, or carries an error event instead of a chunk.
//   - Error answers are read in OpenAI's shape ({"error": {"message", …}})
//     and in the shapes other servers use: {"error": "text"} (LM Studio,
//     Ollama), {"message": …, "type": …} (vLLM). Any other answer (a
//     proxy's web page, plain text, nothing) is told by its status, the
//     base URL and a few words on who sent it and why, e.g. "502 Bad
//     Gateway from https://gw.example/v1 (nginx: 502 Bad Gateway)".
//   - The API key and the base URL's credentials are taken out of every
//     error, also where a server quotes them back (see APIError).
//
// Nothing here retries (the caller's coordinator does), and only the two
// environment variables documented on Config are read, so a key meant for
// OpenAI never reaches another server.
package openai

import (
	"cmp"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strings"

	"github.com/aiex-dev/aiex/providers"
	"github.com/aiex-dev/aiex/providers/httpapi"
)

// The provider kinds this package implements.
const (
	KindOpenAI     = "openai"
	KindCompatible = "openai-compatible"
)

// DefaultBaseURL is OpenAI's API.
const DefaultBaseURL = "https://api.openai.com/v1"

// officialHost is DefaultBaseURL's host, which answers every request
// without a key with 401.
const officialHost = "api.openai.com"

// userAgent names the client in requests.
const userAgent = "aiex"

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
	// OPENAI_API_KEY; with neither, requests to OpenAI's own API fail at
	// once (KindAuth) without being sent, and requests to another base URL
	// (a gateway that adds the key) go without one. For KindCompatible it
	// is optional (many local servers need none); empty sends no
	// Authorization header.
	APIKey string
	// KeyAdvice says how to supply a key, in the errors of requests made
	// without one ("set OPENAI_API_KEY or run aiex keys set work"); empty
	// means "set OPENAI_API_KEY".
	KeyAdvice string
	// Local, for KindCompatible, says whether the server's models are
	// local (providers.Model.Local) whatever its address; nil decides by
	// the address (providers.IsLocalHost). A gateway on loopback that
	// forwards to a paid API is not local.
	Local *bool
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
	// api sends the requests, with the key if there is one.
	api *httpapi.Client
	// noKey, for KindOpenAI without a key, is how to supply one; refuse
	// says that requests fail without being sent (OpenAI's own API).
	noKey string
	// keyAdvice is how to supply a key, said when the server refuses the
	// one sent (401).
	keyAdvice string
	refuse    bool
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
	// The base URL keeps its user name and password, which net/http
	// sends as Basic authentication when there is no key.
	header := http.Header{"User-Agent": {userAgent}}
	if key != "" {
		header.Set("Authorization", "Bearer "+key)
	}
	p := &Provider{
		name:     name,
		kind:     kind,
		endpoint: providers.RedactURL(u),
		server:   "OpenAI",
		secrets:  providers.NewRedactor(append(providers.URLSecrets(u), key)...),
		api:      &httpapi.Client{HTTP: hc, Base: u, Header: header},
	}
	if kind == KindCompatible {
		p.server = "the server"
		p.local = providers.IsLocalHost(u.Hostname())
		if cfg.Local != nil {
			p.local = *cfg.Local
		}
	}
	if p.keyAdvice = cfg.KeyAdvice; kind == KindOpenAI {
		p.keyAdvice = cmp.Or(cfg.KeyAdvice, "set OPENAI_API_KEY")
	}
	if kind == KindOpenAI && key == "" {
		p.noKey = cmp.Or(cfg.KeyAdvice, "set OPENAI_API_KEY")
		p.refuse = u.Hostname() == officialHost
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

// Name returns the configured provider name.
func (p *Provider) Name() string { return p.name }

// Secrets is the Redactor of the credentials the provider sends, which
// the coordinator takes out of what it stores (coord.SecretHolder).
func (p *Provider) Secrets() *providers.Redactor { return p.secrets }

// Kind returns KindOpenAI or KindCompatible.
func (p *Provider) Kind() string { return p.kind }

// Endpoint returns the API's base URL without credentials.
func (p *Provider) Endpoint() string { return p.endpoint }
