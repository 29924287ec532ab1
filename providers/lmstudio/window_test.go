package lmstudio

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/aiex-dev/aiex/providers"
	"github.com/aiex-dev/aiex/providers/providertest"
)

// windowModels are the models of the PromptWindow tests.
var windowModels = providertest.WithLMStudioModels(
	providertest.LMStudioModel{ID: "qwen/qwen3-4b", Loaded: true, MaxContextLength: 131072, LoadedContextLength: 8192},
	providertest.LMStudioModel{ID: "twice", Loaded: true, MaxContextLength: 131072, LoadedContextLength: 16384, MoreInstances: []int{32768}},
	providertest.LMStudioModel{ID: "default-load", Loaded: true, MaxContextLength: 32768},
	providertest.LMStudioModel{ID: "meta-llama-3.1-8b-instruct", MaxContextLength: 131072},
	providertest.LMStudioModel{ID: "tiny", MaxContextLength: 2048},
	providertest.LMStudioModel{ID: "text-embedding-nomic-embed-text-v1.5", Type: "embeddings", MaxContextLength: 2048},
)

func TestPromptWindow(t *testing.T) {
	l, p := startFake(t, windowModels)
	tests := []struct {
		model string
		want  int
	}{
		{"qwen/qwen3-4b", 8192},              // loaded with 8192 of 131072
		{"twice", 16384},                     // the smaller of its two instances
		{"twice:2", 32768},                   // that instance
		{"default-load", DefaultLoadContext}, // loaded with LM Studio's default
		{"meta-llama-3.1-8b-instruct", DefaultLoadContext},
		{"tiny", 2048},
		{"text-embedding-nomic-embed-text-v1.5", 2048},
	}
	for _, tt := range tests {
		before := len(l.Requests())
		got, err := p.PromptWindow(t.Context(), tt.model)
		if err != nil || got != tt.want {
			t.Errorf("PromptWindow(%q) = %d, %v; want %d", tt.model, got, err, tt.want)
		}
		var paths []string
		for _, r := range l.Requests()[before:] {
			paths = append(paths, r.Method+" "+r.Path)
		}
		if diff := cmp.Diff([]string{"GET /api/v1/models"}, paths); diff != "" {
			t.Errorf("PromptWindow(%q) requests (-want +got):\n%s", tt.model, diff)
		}
	}
}

// TestPromptWindowNotFound: a model the server does not have is the error
// ContextWindow gives, on a server with and without the v1 API.
func TestPromptWindowNotFound(t *testing.T) {
	for name, opts := range map[string][]providertest.Option{
		"v1":      {windowModels},
		"v0 only": {windowModels, providertest.WithoutNativeAPIv1(200)},
	} {
		t.Run(name, func(t *testing.T) {
			_, p := startFake(t, opts...)
			_, err := p.PromptWindow(t.Context(), "nope")
			pe := asProviderError(t, err)
			names := []string{"qwen/qwen3-4b", "twice", "default-load", "meta-llama-3.1-8b-instruct", "tiny",
				"text-embedding-nomic-embed-text-v1.5"}
			want := providers.Error{Provider: "lmstudio", Kind: providers.KindNotFound, StatusCode: 404,
				Message: `model "nope" not found; available: ` + strings.Join(names, ", "), Models: names}
			if diff := cmp.Diff(want, *pe); diff != "" {
				t.Errorf("error (-want +got):\n%s", diff)
			}
			_, cwErr := p.ContextWindow(t.Context(), "nope")
			if diff := cmp.Diff(asProviderError(t, cwErr), pe); diff != "" {
				t.Errorf("PromptWindow's error differs from ContextWindow's (-ContextWindow +PromptWindow):\n%s", diff)
			}
		})
	}
}

// TestPromptWindowV0Only: LM Studio 0.3.x does not say what a loaded model
// runs with, so its maximum is capped at the default load context.
func TestPromptWindowV0Only(t *testing.T) {
	for _, status := range []int{200, 404} {
		t.Run(map[int]string{200: "LM Studio 0.3", 404: "404"}[status], func(t *testing.T) {
			_, p := startFake(t, windowModels, providertest.WithoutNativeAPIv1(status))
			for model, want := range map[string]int{
				"qwen/qwen3-4b":              DefaultLoadContext,
				"meta-llama-3.1-8b-instruct": DefaultLoadContext,
				"tiny":                       2048,
			} {
				got, err := p.PromptWindow(t.Context(), model)
				if err != nil || got != want {
					t.Errorf("PromptWindow(%q) = %d, %v; want %d", model, got, err, want)
				}
			}
		})
	}
}

// TestPromptWindowWithoutNativeAPI: a server that says nothing of context
// lengths leaves the window to the caller.
func TestPromptWindowWithoutNativeAPI(t *testing.T) {
	for _, status := range []int{200, 404} {
		t.Run(map[int]string{200: "old LM Studio", 404: "404"}[status], func(t *testing.T) {
			_, p := startFake(t, windowModels, providertest.WithoutNativeAPI(status))
			got, err := p.PromptWindow(t.Context(), "qwen/qwen3-4b")
			if err != nil || got != 0 {
				t.Errorf("PromptWindow = %d, %v; want 0, nil", got, err)
			}
			_, err = p.PromptWindow(t.Context(), "nope")
			if pe := asProviderError(t, err); pe.Kind != providers.KindNotFound {
				t.Errorf("unknown model: %+v, want KindNotFound", pe)
			}
		})
	}
}

func TestPromptWindowErrors(t *testing.T) {
	t.Run("authentication required", func(t *testing.T) {
		l, p := startFake(t, windowModels, providertest.WithOpenAIKey("lm-token"))
		_, err := p.PromptWindow(t.Context(), "qwen/qwen3-4b")
		if pe := asProviderError(t, err); pe.Kind != providers.KindAuth || pe.StatusCode != 401 {
			t.Errorf("without key: %+v", pe)
		}
		withKey, err := New(Config{BaseURL: l.URL(), APIKey: "lm-token"})
		if err != nil {
			t.Fatal(err)
		}
		if n, err := withKey.PromptWindow(t.Context(), "qwen/qwen3-4b"); err != nil || n != 8192 {
			t.Errorf("with key: %d, %v; want 8192", n, err)
		}
	})
	t.Run("unreachable", func(t *testing.T) {
		p, err := New(Config{BaseURL: providertest.Unreachable(t)})
		if err != nil {
			t.Fatal(err)
		}
		_, err = p.PromptWindow(t.Context(), "m")
		if pe := asProviderError(t, err); pe.Kind != providers.KindUnavailable {
			t.Errorf("err = %+v, want unavailable", pe)
		}
	})
	t.Run("cancelled", func(t *testing.T) {
		_, p := startFake(t)
		ctx, cancel := contextCancelled(t)
		defer cancel()
		_, err := p.PromptWindow(ctx, providertest.DefaultLMStudioModel)
		if providers.KindOf(err) != "" || err == nil {
			t.Errorf("err = %v, want a plain context error", err)
		}
	})
}
