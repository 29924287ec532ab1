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

// Ollama is a fake Ollama server. It serves GET / (and HEAD), /api/version,
// /api/tags, POST /api/show and POST /api/chat (streamed as
// application/x-ndjson, or one JSON object when the request says
// "stream": false). Other paths answer 404 "404 page not found", as Ollama
// does. It is safe for concurrent use.
type Ollama struct {
	srv    *httptest.Server
	script script
	quit   chan struct{} // closed when the test ends, to free paused streams

	pausedOnce sync.Once
	paused     chan struct{}

	mu       sync.Mutex
	requests []api.ChatRequest
}

// NewOllama starts a fake Ollama scripted by opts. It stops when t ends.
func NewOllama(t testing.TB, opts ...Option) *Ollama {
	t.Helper()
	o := &Ollama{
		script: defaultScript(),
		quit:   make(chan struct{}),
		paused: make(chan struct{}),
	}
	for _, opt := range opts {
		opt(&o.script)
	}
	if !o.script.modelsSet {
		o.script.models = []Model{{Name: DefaultModel + ":latest", ContextLength: 2048}}
	}
	o.script.models = normalizeModels(o.script.models)

	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", o.handleRoot)
	mux.HandleFunc("GET /api/version", o.handleVersion)
	mux.HandleFunc("GET /api/tags", o.handleTags)
	mux.HandleFunc("POST /api/show", o.handleShow)
	mux.HandleFunc("POST /api/chat", o.handleChat)
	o.srv = httptest.NewServer(mux)
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

// Paused is closed when a chat stream first reaches the point set by WithPause.
func (o *Ollama) Paused() <-chan struct{} { return o.paused }

func (o *Ollama) record(req api.ChatRequest) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.requests = append(o.requests, req)
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
