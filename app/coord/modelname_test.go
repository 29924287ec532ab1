package coord_test

import (
	"testing"

	"github.com/aiex-dev/aiex/app/coord"
	"github.com/aiex-dev/aiex/providers/ollama"
	pt "github.com/aiex-dev/aiex/providers/providertest"
)

// TestOllamaModelOneName: an Ollama model is recorded under the one name
// the server lists ("tiny:latest"), however it was chosen — the
// provider's configured default ("tiny"), a request naming it with or
// without its tag, or no name at all — so that usage and history show one
// model, not two.
func TestOllamaModelOneName(t *testing.T) {
	fake := pt.NewOllama(t, pt.WithModels(pt.Model{Name: "tiny:latest"}), pt.WithReply("ok")) // listed as Ollama lists it
	p, err := ollama.New(ollama.Config{Name: "ollama", BaseURL: fake.URL()})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ name, configured, asked string }{
		{"configured", "tiny", ""},
		{"configured with tag", "tiny:latest", ""},
		{"asked", "", "tiny"},
		{"asked with tag", "", "tiny:latest"},
		{"listed first", "", ""},
		{"asked over configured", "other", "tiny"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, coord.Config{Targets: []coord.Target{{Provider: p, Local: true, Model: tc.configured}}})
			_, in, err := e.chat(t, coord.Request{Model: tc.asked})
			if err != nil {
				t.Fatal(err)
			}
			if in.Model != "tiny:latest" {
				t.Errorf("recorded model %q; want tiny:latest", in.Model)
			}
			if _, model, err := e.c.Plan(t.Context(), coord.Request{Model: tc.asked}); err != nil || model != "tiny:latest" {
				t.Errorf("Plan: %q, %v; want tiny:latest", model, err)
			}
		})
	}
}

// TestOllamaEmbedModelOneName: an embedding model of Ollama is recorded
// under the name the server lists, as a chat model is, however the config
// names it: usage shows one row for it.
func TestOllamaEmbedModelOneName(t *testing.T) {
	fake := pt.NewOllama(t, pt.WithModels(pt.Model{Name: "nomic-embed-text:latest"}))
	p, err := ollama.New(ollama.Config{Name: "ollama", BaseURL: fake.URL()})
	if err != nil {
		t.Fatal(err)
	}
	e := newEnv(t, coord.Config{Targets: []coord.Target{{Provider: p, Local: true}}})
	for _, asked := range []string{"nomic-embed-text", "nomic-embed-text:latest"} {
		if _, err := e.c.Embedder("ollama").Embed(t.Context(), asked, []string{"a text"}); err != nil {
			t.Fatalf("embed with %s: %v", asked, err)
		}
	}
	if row, ok := embedUsage(t, e.store, "ollama", "nomic-embed-text:latest"); !ok || row.Requests != 2 {
		t.Fatalf("usage %+v (found %v); want both requests under nomic-embed-text:latest", row, ok)
	}
}
