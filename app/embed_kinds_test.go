package app_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aiex-dev/aiex/app"
)

// TestEmbedProviderOfNoEmbeddingKind: an [index] embed naming a provider
// that computes no embeddings is refused with every kind that does.
func TestEmbedProviderOfNoEmbeddingKind(t *testing.T) {
	a, err := app.New(context.Background(), app.Config{DataDir: t.TempDir(), Getenv: func(string) string { return "" },
		File: app.File{
			Providers: map[string]app.ProviderConfig{"claude": {Kind: "anthropic", BaseURL: "http://127.0.0.1:1"}},
			Index:     app.IndexConfig{Embed: "claude/voyage-3"},
		}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close(context.Background()) })
	_, err = a.Searcher(context.Background())
	if err == nil {
		t.Fatal("Searcher with an anthropic embedding provider: no error")
	}
	for _, kind := range []string{"ollama", "openai", "openai-compatible", "lmstudio"} {
		if !strings.Contains(err.Error(), kind) {
			t.Errorf("error %q does not name kind %s, which computes embeddings", err, kind)
		}
	}
}
