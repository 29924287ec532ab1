package ollama

import (
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

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
	))
	got, err := p.Models(t.Context())
	if err != nil {
		t.Fatalf("Models: %v", err)
	}
	want := []providers.Model{
		{Name: "tiny:latest", Local: true, ModifiedAt: newer},
		{Name: "llama3:8b", Local: true, ModifiedAt: older},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Models (-want +got):\n%s", diff)
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
	if got := ct.n.Load(); got != 2 {
		t.Errorf("the given client carried %d requests, want 2", got)
	}
	if hc.Transport != ct {
		t.Error("New changed the caller's http.Client")
	}
}
