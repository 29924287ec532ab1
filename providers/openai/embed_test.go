package openai

import (
	"testing"

	"github.com/aiex-dev/aiex/providers/providertest"
)

// TestEmbedUsage: EmbedUsage returns the vectors and the tokens the server
// counted (usage.prompt_tokens), by which the coordinator prices an
// embedding request.
func TestEmbedUsage(t *testing.T) {
	fake := providertest.NewOpenAI(t, providertest.WithModels(providertest.Model{Name: "text-embedding-3-small"}))
	p, err := New(Config{Name: "oa", BaseURL: fake.URL(), APIKey: "k"})
	if err != nil {
		t.Fatal(err)
	}
	vecs, u, err := p.EmbedUsage(t.Context(), "text-embedding-3-small", []string{"one two three", "four"})
	if err != nil || len(vecs) != 2 || len(vecs[0]) == 0 {
		t.Fatalf("EmbedUsage: %d vectors, %v", len(vecs), err)
	}
	if u.PromptTokens != 4 { // the fake counts a token a word
		t.Errorf("prompt tokens %d; want 4", u.PromptTokens)
	}
	if _, _, err := p.EmbedUsage(t.Context(), "no-such-model", []string{"x"}); err == nil {
		t.Error("an unknown model embedded")
	}
}
