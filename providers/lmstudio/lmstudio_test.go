package lmstudio

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"go.uber.org/goleak"

	"github.com/aiex-dev/aiex/providers"
	"github.com/aiex-dev/aiex/providers/providertest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// startFake starts a fake LM Studio scripted by opts and a Provider for it.
func startFake(t *testing.T, opts ...providertest.Option) (*providertest.LMStudio, *Provider) {
	t.Helper()
	l := providertest.NewLMStudio(t, opts...)
	p, err := New(Config{BaseURL: l.URL()})
	if err != nil {
		t.Fatal(err)
	}
	return l, p
}

// asProviderError returns err as a *providers.Error or fails the test.
func asProviderError(t *testing.T, err error) *providers.Error {
	t.Helper()
	pe, ok := err.(*providers.Error)
	if !ok {
		t.Fatalf("err = %#v (%v), want *providers.Error", err, err)
	}
	return pe
}

func TestNew(t *testing.T) {
	tests := []struct {
		name         string
		cfg          Config
		wantName     string
		wantEndpoint string
		wantErr      string
	}{
		{name: "zero value", wantName: "lmstudio", wantEndpoint: "http://localhost:1234"},
		{name: "named", cfg: Config{Name: "studio", BaseURL: "http://192.168.1.20:1234/"}, wantName: "studio", wantEndpoint: "http://192.168.1.20:1234"},
		{name: "v1 ignored", cfg: Config{BaseURL: "http://127.0.0.1:1234/v1"}, wantName: "lmstudio", wantEndpoint: "http://127.0.0.1:1234"},
		{name: "credentials hidden", cfg: Config{BaseURL: "https://u:secret@studio.example.test"}, wantName: "lmstudio", wantEndpoint: "https://studio.example.test"},
		{name: "no scheme", cfg: Config{BaseURL: "localhost:1234"}, wantErr: `invalid BaseURL "localhost:1234": want http://`},
		{name: "no host", cfg: Config{BaseURL: "http://"}, wantErr: `invalid BaseURL "http://": no host`},
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
			if diff := cmp.Diff([3]string{tt.wantName, "lmstudio", tt.wantEndpoint}, got); diff != "" {
				t.Errorf("Name, Kind, Endpoint (-want +got):\n%s", diff)
			}
		})
	}
}

// TestModels checks the listing, and that each chat model's window is the
// one a prompt to it must fit (what a node publishes for its peers): a
// loaded model's from its instance, another's as LM Studio would load it,
// and on a server without the v1 list, the maximum bounded by that. An
// embedding model keeps its maximum.
func TestModels(t *testing.T) {
	models := providertest.WithLMStudioModels(
		providertest.LMStudioModel{ID: "qwen/qwen3-4b", Loaded: true, MaxContextLength: 40960, LoadedContextLength: 16384},
		providertest.LMStudioModel{ID: "meta-llama-3.1-8b-instruct", MaxContextLength: 131072},
		providertest.LMStudioModel{ID: "smol", MaxContextLength: 2048},
		providertest.LMStudioModel{ID: "text-embedding-nomic-embed-text-v1.5", Type: "embeddings", MaxContextLength: 8192},
	)
	for _, tt := range []struct {
		name   string
		opts   []providertest.Option
		loaded int
	}{
		{"v1", []providertest.Option{models}, 16384},
		{"v0 only", []providertest.Option{models, providertest.WithoutNativeAPIv1(http.StatusOK)}, 4096},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, p := startFake(t, tt.opts...)
			got, err := p.Models(t.Context())
			if err != nil {
				t.Fatalf("Models: %v", err)
			}
			want := []providers.Model{
				{Name: "qwen/qwen3-4b", ContextWindow: tt.loaded, Local: true, Loaded: true},
				{Name: "meta-llama-3.1-8b-instruct", ContextWindow: 4096, Local: true},
				{Name: "smol", ContextWindow: 2048, Local: true},
				{Name: "text-embedding-nomic-embed-text-v1.5", ContextWindow: 8192, Local: true, NoChat: true},
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("Models (-want +got):\n%s", diff)
			}
			for _, m := range got[:3] {
				if w, err := p.PromptWindow(t.Context(), m.Name); err != nil || w != m.ContextWindow {
					t.Errorf("PromptWindow(%s) = %d, %v; Models says %d", m.Name, w, err, m.ContextWindow)
				}
			}
		})
	}
}

func TestModelsWithoutNativeAPI(t *testing.T) {
	for _, status := range []int{200, 404} {
		t.Run(map[int]string{200: "old LM Studio", 404: "404"}[status], func(t *testing.T) {
			l, p := startFake(t, providertest.WithoutNativeAPI(status), providertest.WithLMStudioModels(
				providertest.LMStudioModel{ID: "a", Loaded: true, MaxContextLength: 4096},
				providertest.LMStudioModel{ID: "b"},
			))
			got, err := p.Models(t.Context())
			if err != nil {
				t.Fatalf("Models: %v", err)
			}
			// /v1/models says neither state nor context.
			want := []providers.Model{{Name: "a", Local: true}, {Name: "b", Local: true}}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("Models (-want +got):\n%s", diff)
			}
			var paths []string
			for _, r := range l.Requests() {
				paths = append(paths, r.Path)
			}
			if diff := cmp.Diff([]string{"/api/v0/models", "/v1/models"}, paths); diff != "" {
				t.Errorf("requests (-want +got):\n%s", diff)
			}

			cw, err := p.ContextWindow(t.Context(), "a")
			if err != nil || cw != 0 {
				t.Errorf("ContextWindow = %d, %v; want 0 (unknown)", cw, err)
			}
		})
	}
}

func TestModelsErrors(t *testing.T) {
	t.Run("unreachable", func(t *testing.T) {
		url := providertest.Unreachable(t)
		p, err := New(Config{BaseURL: url})
		if err != nil {
			t.Fatal(err)
		}
		_, err = p.Models(t.Context())
		pe := asProviderError(t, err)
		if want := "cannot reach LM Studio at " + url + ": connection refused"; pe.Kind != providers.KindUnavailable || pe.Message != want {
			t.Errorf("err = %s %q, want unavailable %q", pe.Kind, pe.Message, want)
		}
	})
	t.Run("authentication required", func(t *testing.T) {
		l, p := startFake(t, providertest.WithOpenAIKey("lm-token"))
		_, err := p.Models(t.Context())
		if pe := asProviderError(t, err); pe.Kind != providers.KindAuth || pe.StatusCode != 401 {
			t.Errorf("without key: %+v", pe)
		}
		withKey, err := New(Config{BaseURL: l.URL(), APIKey: "lm-token"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := withKey.Models(t.Context()); err != nil {
			t.Errorf("with key: %v", err)
		}
	})
	t.Run("cancelled", func(t *testing.T) {
		_, p := startFake(t)
		ctx, cancel := contextCancelled(t)
		defer cancel()
		_, err := p.Models(ctx)
		if providers.KindOf(err) != "" || err == nil || !strings.Contains(err.Error(), "context canceled") {
			t.Errorf("err = %v, want a plain context error", err)
		}
	})
}

func TestContextWindow(t *testing.T) {
	_, p := startFake(t, providertest.WithLMStudioModels(
		providertest.LMStudioModel{ID: "qwen/qwen3-4b", MaxContextLength: 40960},
		providertest.LMStudioModel{ID: "llama", Loaded: true, MaxContextLength: 8192},
	))
	for model, want := range map[string]int{"qwen/qwen3-4b": 40960, "llama": 8192} {
		got, err := p.ContextWindow(t.Context(), model)
		if err != nil || got != want {
			t.Errorf("ContextWindow(%q) = %d, %v; want %d", model, got, err, want)
		}
	}
	_, err := p.ContextWindow(t.Context(), "nope")
	pe := asProviderError(t, err)
	want := providers.Error{Provider: "lmstudio", Kind: providers.KindNotFound, StatusCode: 404,
		Message: `model "nope" not found; available: llama, qwen/qwen3-4b`, Models: []string{"llama", "qwen/qwen3-4b"}}
	if diff := cmp.Diff(want, *pe); diff != "" {
		t.Errorf("error (-want +got):\n%s", diff)
	}
}

func TestChat(t *testing.T) {
	l, p := startFake(t, providertest.WithReply("Hi", " there"), providertest.WithUsage(5, 2))
	var text []string
	res, err := p.Chat(t.Context(), providers.Request{
		Model:     providertest.DefaultLMStudioModel,
		Messages:  []providers.Message{{Role: providers.RoleUser, Content: "hello"}},
		MaxTokens: 32,
	}, func(c providers.Chunk) error {
		text = append(text, c.Text)
		return nil
	})
	if err != nil {
		t.Fatalf("Chat: %v", err)
	}
	if diff := cmp.Diff([]string{"Hi", " there"}, text); diff != "" {
		t.Errorf("chunks (-want +got):\n%s", diff)
	}
	wantRes := providers.Result{Model: providertest.DefaultLMStudioModel, Usage: providers.Usage{PromptTokens: 5, CompletionTokens: 2}, StopReason: "stop"}
	if diff := cmp.Diff(wantRes, res); diff != "" {
		t.Errorf("result (-want +got):\n%s", diff)
	}
	reqs := l.Requests()
	if len(reqs) != 1 || reqs[0].Path != "/v1/chat/completions" || reqs[0].Chat == nil ||
		reqs[0].Chat.MaxTokens == nil || *reqs[0].Chat.MaxTokens != 32 || reqs[0].APIKey != "" {
		t.Errorf("requests = %+v", reqs)
	}
}

func TestChatUnknownModel(t *testing.T) {
	_, p := startFake(t)
	_, err := p.Chat(t.Context(), providers.Request{Model: "gpt-4o",
		Messages: []providers.Message{{Role: providers.RoleUser, Content: "hello"}}}, func(providers.Chunk) error { return nil })
	pe := asProviderError(t, err)
	want := providers.Error{Provider: "lmstudio", Kind: providers.KindNotFound, StatusCode: 400,
		Message: `Invalid model identifier "gpt-4o". Please specify a valid downloaded model (e.g., qwen2.5-7b-instruct, text-embedding-nomic-embed-text-v1.5).`,
		Models:  []string{providertest.DefaultLMStudioModel, providertest.DefaultLMStudioEmbeddingModel}}
	got := providers.Error{Provider: pe.Provider, Kind: pe.Kind, StatusCode: pe.StatusCode, Message: pe.Message, Models: pe.Models}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("error (-want +got):\n%s", diff)
	}
}

func TestEmbed(t *testing.T) {
	_, p := startFake(t, providertest.WithOpenAIEmbeddingDims(768))
	vecs, err := p.Embed(t.Context(), providertest.DefaultLMStudioEmbeddingModel, []string{"a", "b"})
	if err != nil {
		t.Fatalf("Embed: %v", err)
	}
	if len(vecs) != 2 || len(vecs[0]) != 768 {
		t.Errorf("got %d vectors of %d dims, want 2 of 768", len(vecs), len(vecs[0]))
	}
}

// contextCancelled returns a context that is already cancelled.
func contextCancelled(t *testing.T) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	return ctx, cancel
}
