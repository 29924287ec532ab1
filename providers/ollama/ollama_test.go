package ollama

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/ollama/ollama/api"

	"github.com/aiex-dev/aiex/providers"
	"github.com/aiex-dev/aiex/providers/providertest"
)

func TestNew(t *testing.T) {
	t.Setenv("OLLAMA_HOST", "") // the zero Config must not depend on the caller's shell
	tests := []struct {
		name         string
		cfg          Config
		wantName     string
		wantEndpoint string
		wantErr      string // substring; "" means no error
	}{
		{name: "zero value", cfg: Config{}, wantName: "ollama", wantEndpoint: "http://127.0.0.1:11434"},
		{name: "named", cfg: Config{Name: "gpu-box", BaseURL: "http://10.0.0.7:11434"}, wantName: "gpu-box", wantEndpoint: "http://10.0.0.7:11434"},
		{name: "path kept", cfg: Config{BaseURL: "https://example.test/ollama"}, wantName: "ollama", wantEndpoint: "https://example.test/ollama"},
		{name: "credentials hidden", cfg: Config{BaseURL: "https://user:secret@example.test"}, wantName: "ollama", wantEndpoint: "https://example.test"},
		{name: "no scheme", cfg: Config{BaseURL: "localhost:11434"}, wantErr: `invalid BaseURL "localhost:11434": want http:// or https://`},
		{name: "other scheme", cfg: Config{BaseURL: "ftp://host"}, wantErr: `invalid BaseURL "ftp://host"`},
		{name: "no host", cfg: Config{BaseURL: "http://"}, wantErr: `invalid BaseURL "http://": no host`},
		{name: "unparsable", cfg: Config{BaseURL: "http://[::1"}, wantErr: `invalid BaseURL "http://[::1"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := New(tt.cfg)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("New: err = %v, want it to contain %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("New: %v", err)
			}
			got := [3]string{p.Name(), p.Kind(), p.Endpoint()}
			if diff := cmp.Diff([3]string{tt.wantName, "ollama", tt.wantEndpoint}, got); diff != "" {
				t.Errorf("Name, Kind, Endpoint (-want +got):\n%s", diff)
			}
		})
	}
}

func TestNewFollowsOllamaHost(t *testing.T) {
	o := providertest.NewOllama(t)
	hostport := strings.TrimPrefix(o.URL(), "http://")
	tests := []struct{ name, env string }{
		{"host and port", hostport},
		{"with scheme", "http://" + hostport},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("OLLAMA_HOST", tt.env)
			p, err := New(Config{})
			if err != nil {
				t.Fatal(err)
			}
			if p.Endpoint() != o.URL() {
				t.Errorf("Endpoint = %q, want %q", p.Endpoint(), o.URL())
			}
			if _, err := p.Models(t.Context()); err != nil {
				t.Errorf("Models: %v", err)
			}
		})
	}
}

func TestModels(t *testing.T) {
	newer := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	older := newer.Add(-48 * time.Hour)
	_, p := startFake(t, providertest.WithModels(
		providertest.Model{Name: "llama3:8b", ModifiedAt: older},
		providertest.Model{Name: "tiny:latest", ModifiedAt: newer},
		// Embedding models: by family, by name.
		providertest.Model{Name: "all-minilm:latest", Family: "bert", ModifiedAt: older.Add(-time.Hour)},
		providertest.Model{Name: "mxbai-embed-large:latest", ModifiedAt: older.Add(-2 * time.Hour)},
	), providertest.WithOllamaLoaded("llama3:8b"))
	got, err := p.Models(t.Context())
	if err != nil {
		t.Fatalf("Models: %v", err)
	}
	want := []providers.Model{
		{Name: "tiny:latest", Local: true, ModifiedAt: newer},
		{Name: "llama3:8b", ContextWindow: 4096, Local: true, ModifiedAt: older, Loaded: true},
		{Name: "all-minilm:latest", Local: true, ModifiedAt: older.Add(-time.Hour), NoChat: true},
		{Name: "mxbai-embed-large:latest", Local: true, ModifiedAt: older.Add(-2 * time.Hour), NoChat: true},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Models (-want +got):\n%s", diff)
	}
	// A loaded model's window is the one a prompt to it must fit: a node
	// publishes it for its peers, which size their prompts by it.
	if w, err := p.PromptWindow(t.Context(), "llama3:8b"); err != nil || w != got[1].ContextWindow {
		t.Errorf("PromptWindow = %d, %v; Models says %d", w, err, got[1].ContextWindow)
	}
}

func TestModelsLoaded(t *testing.T) {
	models := providertest.WithModels(providertest.Model{Name: "tiny:latest"}, providertest.Model{Name: "qwen3:0.6b"})
	keep0, keepForever := time.Duration(0), -time.Second
	tests := []struct {
		name string
		opts []providertest.Option
		keep *time.Duration // Config.KeepAlive for the requests
		// before runs requests before Models.
		before func(t *testing.T, p *Provider)
		want   map[string]bool // the Loaded of each model
	}{
		{
			name: "none loaded",
			want: map[string]bool{"tiny:latest": false, "qwen3:0.6b": false},
		},
		{
			name: "loaded from the start",
			opts: []providertest.Option{providertest.WithOllamaLoaded("tiny", "qwen3:0.6b")},
			want: map[string]bool{"tiny:latest": true, "qwen3:0.6b": true},
		},
		{
			name: "loaded by a chat",
			before: func(t *testing.T, p *Provider) {
				if _, _, err := chat(t.Context(), p, userRequest("qwen3:0.6b")); err != nil {
					t.Fatal(err)
				}
			},
			want: map[string]bool{"tiny:latest": false, "qwen3:0.6b": true},
		},
		{
			name: "loaded by a completion",
			keep: &keepForever,
			before: func(t *testing.T, p *Provider) {
				if _, _, err := generate(t.Context(), p, "tiny", "x", ""); err != nil {
					t.Fatal(err)
				}
			},
			want: map[string]bool{"tiny:latest": true, "qwen3:0.6b": false},
		},
		{
			name: "loaded by embeddings",
			before: func(t *testing.T, p *Provider) {
				if _, err := p.Embed(t.Context(), "tiny", []string{"x"}); err != nil {
					t.Fatal(err)
				}
			},
			want: map[string]bool{"tiny:latest": true, "qwen3:0.6b": false},
		},
		{
			name: "unloaded by keep_alive 0",
			opts: []providertest.Option{providertest.WithOllamaLoaded("tiny")},
			keep: &keep0,
			before: func(t *testing.T, p *Provider) {
				if _, _, err := chat(t.Context(), p, userRequest("tiny")); err != nil {
					t.Fatal(err)
				}
			},
			want: map[string]bool{"tiny:latest": false, "qwen3:0.6b": false},
		},
		{
			name: "/api/ps missing",
			opts: []providertest.Option{providertest.WithOllamaLoaded("tiny"), providertest.WithOllamaPSStatus(404, "404 page not found")},
			want: map[string]bool{"tiny:latest": false, "qwen3:0.6b": false},
		},
		{
			name: "/api/ps failing",
			opts: []providertest.Option{providertest.WithOllamaLoaded("tiny"), providertest.WithOllamaPSStatus(500, "boom")},
			want: map[string]bool{"tiny:latest": false, "qwen3:0.6b": false},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := providertest.NewOllama(t, append([]providertest.Option{models}, tt.opts...)...)
			p, err := New(Config{BaseURL: o.URL(), KeepAlive: tt.keep})
			if err != nil {
				t.Fatal(err)
			}
			if tt.before != nil {
				tt.before(t, p)
			}
			ms, err := p.Models(t.Context())
			if err != nil {
				t.Fatalf("Models: %v", err)
			}
			got := map[string]bool{}
			for _, m := range ms {
				got[m.Name] = m.Loaded
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Loaded (-want +got):\n%s", diff)
			}
		})
	}
}

func TestMarkLoaded(t *testing.T) {
	ms := func() []providers.Model {
		return []providers.Model{{Name: "tiny:latest"}, {Name: "Llama3:8B"}, {Name: "qwen3:0.6b"}}
	}
	tests := []struct {
		name    string
		running *api.ProcessResponse
		want    []bool
		windows []int // the ContextWindow of each model; nil is all 0
	}{
		{"no answer", nil, []bool{false, false, false}, nil},
		{"none running", &api.ProcessResponse{}, []bool{false, false, false}, nil},
		{"by name, ignoring case", &api.ProcessResponse{Models: []api.ProcessModelResponse{{Name: "llama3:8b", Model: "llama3:8b"}}}, []bool{false, true, false}, nil},
		{"by model when the name is missing", &api.ProcessResponse{Models: []api.ProcessModelResponse{{Model: "tiny:latest"}}}, []bool{true, false, false}, nil},
		{"empty names match nothing", &api.ProcessResponse{Models: []api.ProcessModelResponse{{}}}, []bool{false, false, false}, nil},
		{"the window a loaded model runs with", &api.ProcessResponse{Models: []api.ProcessModelResponse{{Name: "qwen3:0.6b", ContextLength: 8192}, {Name: "tiny:latest"}}},
			[]bool{true, false, true}, []int{0, 0, 8192}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []bool
			windows := make([]int, 3)
			for i, m := range markLoaded(ms(), tt.running) {
				got = append(got, m.Loaded)
				windows[i] = m.ContextWindow
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Loaded (-want +got):\n%s", diff)
			}
			if tt.windows == nil {
				tt.windows = make([]int, 3)
			}
			if diff := cmp.Diff(tt.windows, windows); diff != "" {
				t.Errorf("ContextWindow (-want +got):\n%s", diff)
			}
		})
	}
}

func TestModelsUnreachable(t *testing.T) {
	p := newProvider(t, providertest.Unreachable(t))
	_, err := p.Models(t.Context())
	if k := providers.KindOf(err); k != providers.KindUnavailable {
		t.Errorf("KindOf(%v) = %q, want %q", err, k, providers.KindUnavailable)
	}
}

func TestContextWindow(t *testing.T) {
	_, p := startFake(t, providertest.WithModels(
		providertest.Model{Name: "trained:latest", ContextLength: 2048},
		providertest.Model{Name: "smaller:latest", ContextLength: 8192, NumCtx: 4096},
		providertest.Model{Name: "capped:latest", ContextLength: 2048, NumCtx: 8192},
		providertest.Model{Name: "qwen:latest", Family: "qwen2", ContextLength: 32768},
		providertest.Model{Name: "numctx-only:latest", NumCtx: 1024},
		providertest.Model{Name: "unknown:latest"},
	))
	tests := []struct {
		model string
		want  int
	}{
		{"trained", 2048},
		{"smaller", 4096},
		{"capped", 2048},
		{"qwen", 32768},
		{"numctx-only", 1024},
		{"unknown:latest", 0},
	}
	for _, tt := range tests {
		t.Run(tt.model, func(t *testing.T) {
			got, err := p.ContextWindow(t.Context(), tt.model)
			if err != nil || got != tt.want {
				t.Errorf("ContextWindow(%q) = %d, %v; want %d", tt.model, got, err, tt.want)
			}
		})
	}
	t.Run("missing model", func(t *testing.T) {
		_, err := p.ContextWindow(t.Context(), "nope")
		pe := asProviderError(t, err)
		if pe.Kind != providers.KindNotFound || len(pe.Models) != 6 || !strings.HasPrefix(pe.Message, `model "nope" not found; available: trained, smaller`) {
			t.Errorf("err = %+v", pe)
		}
	})
}

// countingTransport counts the requests it carries.
type countingTransport struct {
	n    atomic.Int32
	base http.RoundTripper
}

func (c *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	c.n.Add(1)
	return c.base.RoundTrip(r)
}

func TestNewUsesHTTPClient(t *testing.T) {
	o := providertest.NewOllama(t)
	ct := &countingTransport{base: http.DefaultTransport}
	hc := &http.Client{Transport: ct}
	p, err := New(Config{BaseURL: o.URL(), HTTPClient: hc})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := chat(t.Context(), p, userRequest("tiny")); err != nil {
		t.Fatalf("Chat: %v", err)
	}
	if _, err := p.Models(t.Context()); err != nil {
		t.Fatalf("Models: %v", err)
	}
	// The chat, then /api/tags and /api/ps for the models.
	if got := ct.n.Load(); got != 3 {
		t.Errorf("the given client carried %d requests, want 3", got)
	}
	if hc.Transport != ct {
		t.Error("New changed the caller's http.Client")
	}
}

// gateTransport holds /api/tags requests until an /api/ps request has
// started.
type gateTransport struct {
	psStarted chan struct{}
	once      sync.Once
	base      http.RoundTripper
}

func (g *gateTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	switch r.URL.Path {
	case "/api/ps":
		g.once.Do(func() { close(g.psStarted) })
	case "/api/tags":
		select {
		case <-g.psStarted:
		case <-r.Context().Done():
			return nil, r.Context().Err()
		}
	}
	return g.base.RoundTrip(r)
}

func TestModelsAsksConcurrently(t *testing.T) {
	o := providertest.NewOllama(t, providertest.WithOllamaLoaded("tiny"))
	hc := &http.Client{Transport: &gateTransport{psStarted: make(chan struct{}), base: http.DefaultTransport}}
	p, err := New(Config{BaseURL: o.URL(), HTTPClient: hc})
	if err != nil {
		t.Fatal(err)
	}
	// Asked one after the other, /api/tags would wait for good; the
	// deadline turns that into a failure.
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	ms, err := p.Models(ctx)
	if err != nil {
		t.Fatalf("Models: %v (were /api/tags and /api/ps asked at once?)", err)
	}
	if len(ms) != 1 || !ms[0].Loaded {
		t.Errorf("Models = %+v, want tiny loaded", ms)
	}
}
