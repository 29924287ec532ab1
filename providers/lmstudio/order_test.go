package lmstudio

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/aiex-dev/aiex/providers"
	"github.com/aiex-dev/aiex/providers/providertest"
)

// TestModelsChatModelsFirst checks the order of the model list, whose first
// model is the one a request that names none is sent to: LM Studio lists
// its bundled embedding model first, which cannot chat ("Model is not
// llm"), and a model that is not loaded would be loaded for the request
// (minutes, gigabytes) while another is ready. Loaded chat models come
// first, then the other chat models, embedding models last, each group in
// the server's order.
func TestModelsChatModelsFirst(t *testing.T) {
	_, p := startFake(t, providertest.WithLMStudioModels(
		providertest.LMStudioModel{ID: "text-embedding-nomic-embed-text-v1.5", Type: "embeddings", Loaded: true, MaxContextLength: 2048},
		providertest.LMStudioModel{ID: "qwen2-vl-7b-instruct", Type: "vlm", MaxContextLength: 32768},
		providertest.LMStudioModel{ID: "meta-llama-3.1-8b-instruct", MaxContextLength: 131072},
		providertest.LMStudioModel{ID: "qwen/qwen3-4b", Loaded: true, MaxContextLength: 40960},
		providertest.LMStudioModel{ID: "text-embedding-bge-m3", Type: "embeddings", MaxContextLength: 8192},
	))
	got, err := p.Models(t.Context())
	if err != nil {
		t.Fatalf("Models: %v", err)
	}
	want := []providers.Model{
		{Name: "qwen/qwen3-4b", ContextWindow: 4096, Local: true, Loaded: true},
		{Name: "qwen2-vl-7b-instruct", ContextWindow: 4096, Local: true},
		{Name: "meta-llama-3.1-8b-instruct", ContextWindow: 4096, Local: true},
		{Name: "text-embedding-nomic-embed-text-v1.5", ContextWindow: 2048, Local: true, Loaded: true, NoChat: true},
		{Name: "text-embedding-bge-m3", ContextWindow: 8192, Local: true, NoChat: true},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Models (-want +got):\n%s", diff)
	}
	// The first model answers a chat; the server's first does not.
	_, err = p.Chat(t.Context(), providers.Request{Model: got[0].Name, Messages: []providers.Message{{Role: providers.RoleUser, Content: "hi"}}},
		func(providers.Chunk) error { return nil })
	if err != nil {
		t.Errorf("Chat with %s: %v", got[0].Name, err)
	}
}

// TestChatWithEmbeddingModel checks LM Studio's answer to a chat with an
// embedding model: not_found, with its own message.
func TestChatWithEmbeddingModel(t *testing.T) {
	_, p := startFake(t)
	_, err := p.Chat(t.Context(), providers.Request{Model: providertest.DefaultLMStudioEmbeddingModel,
		Messages: []providers.Message{{Role: providers.RoleUser, Content: "hi"}}}, func(providers.Chunk) error { return nil })
	want := `Failed to load model "` + providertest.DefaultLMStudioEmbeddingModel + `". Error: Model is not llm.`
	if pe, ok := err.(*providers.Error); !ok || pe.Kind != providers.KindNotFound || pe.Message != want {
		t.Errorf("err = %v, want not_found %q", err, want)
	}
}
