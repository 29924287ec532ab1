package providertest

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ollama/ollama/api"
)

// DefaultModel is the model a fake Ollama has unless WithModels says
// otherwise; it lists as "tiny:latest" with a 2,048-token context.
const DefaultModel = "tiny"

// OllamaVersion is the server version the fake Ollama reports; its wire
// format follows that release's server/routes.go and api/types.go.
const OllamaVersion = "0.17.4"

// DefaultOllamaEmbeddingDims is the length of the vectors a fake Ollama's
// /api/embed returns unless WithOllamaEmbeddingDims says otherwise: that of
// the real tiny model scripts/ollama-dev serves.
const DefaultOllamaEmbeddingDims = 64

// Ollama is a fake Ollama server. It serves GET / (and HEAD), /api/version,
// /api/tags, /api/ps, POST /api/show, POST /api/chat and POST /api/generate
// (streamed as application/x-ndjson, or one JSON object when the request
// says "stream": false) and POST /api/embed. Other paths answer 404 "404
// page not found", as Ollama does. It is safe for concurrent use.
//
// Chat and generate stream the WithReply pieces (chat in message.content,
// generate in response), chat then the WithOllamaToolCalls calls; the
// failure options (WithStatus, WithBrokenStream, WithTruncatedStream,
// WithStreamError, WithPause) apply to both, counting tool calls as chunks.
// WithStatus also fails /api/embed. A model is loaded, and /api/ps lists it,
// from the first chat, generate or embed request that names it (or from the
// start, per WithOllamaLoaded) until a request with keep_alive 0.
type Ollama struct {
	srv    *httptest.Server
	script script
	ext    *ollamaScript
	calls  []api.ToolCall // ext.toolCalls in Ollama's shape
	quit   chan struct{}  // closed when the test ends, to free paused streams

	pausedOnce sync.Once
	paused     chan struct{}

	mu        sync.Mutex
	requests  []api.ChatRequest
	generates []api.GenerateRequest
	embeds    []api.EmbedRequest
	loaded    map[string]time.Time // model name as listed → when it unloads
}

// OllamaToolCall is a tool call a fake Ollama's chat returns, after the
// reply's text, in message.tool_calls of a chunk of its own with empty
// content, as Ollama's tool parser sends each call it completes.
type OllamaToolCall struct {
	// ID is sent as "id"; "" sends none (the field is optional in the API).
	// Ollama 0.17 sends "call_" and eight lowercase letters or digits.
	ID   string
	Name string
	// Arguments is the arguments object as JSON text; "" sends {}. Its key
	// order is kept, as Ollama keeps it.
	Arguments string
}

// ollamaKey is the script.ext key of the Ollama-only settings.
type ollamaKey struct{}

// ollamaScript holds the settings only the fake Ollama understands.
type ollamaScript struct {
	toolCalls     []OllamaToolCall
	embeddingDims int
	loaded        []string
	psStatus      int
	psMsg         string
}

// ollamaExt returns the Ollama settings of s, creating them with defaults.
func ollamaExt(s *script) *ollamaScript {
	if s.ext == nil {
		s.ext = map[any]any{}
	}
	o, ok := s.ext[ollamaKey{}].(*ollamaScript)
	if !ok {
		o = &ollamaScript{embeddingDims: DefaultOllamaEmbeddingDims}
		s.ext[ollamaKey{}] = o
	}
	return o
}

// WithOllamaToolCalls makes a fake Ollama's chat return the calls after the
// text, one chunk each, numbered in function.index from 0. The stop reason
// stays "stop", as Ollama reports it after tool calls.
func WithOllamaToolCalls(calls ...OllamaToolCall) Option {
	return func(s *script) { ollamaExt(s).toolCalls = slices.Clone(calls) }
}

// WithOllamaEmbeddingDims sets the length of the vectors /api/embed returns
// (DefaultOllamaEmbeddingDims by default).
func WithOllamaEmbeddingDims(n int) Option {
	return func(s *script) { ollamaExt(s).embeddingDims = n }
}

// WithOllamaLoaded makes the named models loaded from the start, so that
// /api/ps lists them before any request. Each must be one of the server's
// models (a name without a tag means ":latest").
func WithOllamaLoaded(names ...string) Option {
	return func(s *script) { ollamaExt(s).loaded = slices.Clone(names) }
}

// WithOllamaPSStatus makes /api/ps fail with an HTTP status and message, in
// Ollama's error body.
func WithOllamaPSStatus(code int, message string) Option {
	return func(s *script) {
		o := ollamaExt(s)
		o.psStatus, o.psMsg = code, message
	}
}

// NewOllama starts a fake Ollama scripted by opts. It stops when t ends.
func NewOllama(t testing.TB, opts ...Option) *Ollama {
	t.Helper()
	o := &Ollama{
		script: defaultScript(),
		quit:   make(chan struct{}),
		paused: make(chan struct{}),
		loaded: map[string]time.Time{},
	}
	for _, opt := range opts {
		opt(&o.script)
	}
	if !o.script.modelsSet {
		o.script.models = []Model{{Name: DefaultModel + ":latest", ContextLength: 2048}}
	}
	o.script.models = normalizeModels(o.script.models)
	o.ext = ollamaExt(&o.script)
	calls, err := toOllamaToolCalls(o.ext.toolCalls)
	if err != nil {
		t.Fatalf("providertest: WithOllamaToolCalls: %v", err)
	}
	o.calls = calls
	for _, name := range o.ext.loaded {
		m, ok := o.lookup(name)
		if !ok {
			t.Fatalf("providertest: WithOllamaLoaded(%q): the fake has no such model", name)
		}
		o.loaded[m.Name] = time.Now().Add(defaultKeepAlive)
	}

	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", o.handleRoot)
	mux.HandleFunc("GET /api/version", o.handleVersion)
	mux.HandleFunc("GET /api/tags", o.handleTags)
	mux.HandleFunc("GET /api/ps", o.handlePS)
	mux.HandleFunc("POST /api/show", o.handleShow)
	mux.HandleFunc("POST /api/chat", o.handleChat)
	mux.HandleFunc("POST /api/generate", o.handleGenerate)
	mux.HandleFunc("POST /api/embed", o.handleEmbed)
	var h http.Handler = mux
	if code := o.script.echoStatus; code != 0 {
		// As a proxy in front of Ollama that checks credentials would.
		h = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			writeError(w, code, echoCredentials(w, r))
		})
	}
	o.srv = httptest.NewServer(h)
	t.Cleanup(func() {
		// Free paused handlers first: Close waits for every handler.
		close(o.quit)
		o.srv.Close()
	})
	return o
}

// URL is the server's base URL, e.g. "http://127.0.0.1:40123".
func (o *Ollama) URL() string { return o.srv.URL }

// Requests returns the chat requests received so far, in order.
func (o *Ollama) Requests() []api.ChatRequest {
	o.mu.Lock()
	defer o.mu.Unlock()
	return slices.Clone(o.requests)
}

// GenerateRequests returns the generate requests received so far, in order.
func (o *Ollama) GenerateRequests() []api.GenerateRequest {
	o.mu.Lock()
	defer o.mu.Unlock()
	return slices.Clone(o.generates)
}

// EmbedRequests returns the embed requests received so far, in order.
func (o *Ollama) EmbedRequests() []api.EmbedRequest {
	o.mu.Lock()
	defer o.mu.Unlock()
	return slices.Clone(o.embeds)
}

// Paused is closed when a chat or generate stream first reaches the point
// set by WithPause.
func (o *Ollama) Paused() <-chan struct{} { return o.paused }

// record appends req to the requests of its kind.
func (o *Ollama) record(req any) {
	o.mu.Lock()
	defer o.mu.Unlock()
	switch r := req.(type) {
	case api.ChatRequest:
		o.requests = append(o.requests, r)
	case api.GenerateRequest:
		o.generates = append(o.generates, r)
	case api.EmbedRequest:
		o.embeds = append(o.embeds, r)
	}
}

// defaultKeepAlive is how long Ollama keeps a model loaded after a request
// that does not say (OLLAMA_KEEP_ALIVE's default).
const defaultKeepAlive = 5 * time.Minute

// load marks m loaded after a request with keepAlive, or unloads it if
// keepAlive is 0, as Ollama's scheduler does. (api.Duration decodes a
// negative keep_alive, "forever", as the longest duration there is.)
func (o *Ollama) load(m Model, keepAlive *api.Duration) {
	o.mu.Lock()
	defer o.mu.Unlock()
	d := defaultKeepAlive
	if keepAlive != nil {
		d = keepAlive.Duration
	}
	if d <= 0 {
		delete(o.loaded, m.Name)
		return
	}
	o.loaded[m.Name] = time.Now().Add(d)
}

// normalizeModels fills defaults and sorts newest first, as /api/tags does.
func normalizeModels(ms []Model) []Model {
	base := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	out := make([]Model, len(ms))
	for i, m := range ms {
		if m.ModifiedAt.IsZero() {
			m.ModifiedAt = base.Add(-time.Duration(i) * time.Hour)
		}
		if m.Size == 0 {
			m.Size = 1 << 20
		}
		if m.Family == "" {
			m.Family = "llama"
		}
		out[i] = m
	}
	slices.SortStableFunc(out, func(a, b Model) int { return b.ModifiedAt.Compare(a.ModifiedAt) })
	return out
}

// lookup finds a model by name, ignoring case and a missing ":latest" tag.
func (o *Ollama) lookup(name string) (Model, bool) {
	want := withTag(name)
	for _, m := range o.script.models {
		if strings.EqualFold(withTag(m.Name), want) {
			return m, true
		}
	}
	return Model{}, false
}

func withTag(name string) string {
	if i := strings.LastIndexByte(name, ':'); i < 0 || strings.Contains(name[i:], "/") {
		return name + ":latest"
	}
	return name
}
