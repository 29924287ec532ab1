package openai

import (
	"slices"
	"testing"

	"github.com/aiex-dev/aiex/providers"
	"github.com/aiex-dev/aiex/providers/providertest"
)

// TestEmbedIsEmbedUsage: Embed answers as EmbedUsage does, without the
// count: the same vectors in the same order, no request for no input, the
// same error kind for a model the server does not know, for a refused key
// and for a server without a key to give.
func TestEmbedIsEmbedUsage(t *testing.T) {
	fake := providertest.NewOpenAI(t, providertest.WithModels(providertest.Model{Name: "text-embedding-3-small"}),
		providertest.WithOpenAIKey("k"))
	for _, key := range []string{"k", "wrong"} {
		p, err := New(Config{Name: "oa", BaseURL: fake.URL(), APIKey: key})
		if err != nil {
			t.Fatal(err)
		}
		for _, tt := range []struct {
			model string
			input []string
		}{
			{"text-embedding-3-small", []string{"one two three", "four", "five six"}},
			{"text-embedding-3-small", nil},
			{"no-such-model", []string{"x"}},
		} {
			want, _, werr := p.EmbedUsage(t.Context(), tt.model, tt.input)
			got, err := p.Embed(t.Context(), tt.model, tt.input)
			if (err == nil) != (werr == nil) || providers.KindOf(err) != providers.KindOf(werr) {
				t.Errorf("key %s, %s: Embed error %v; EmbedUsage's %v", key, tt.model, err, werr)
			}
			if !slices.EqualFunc(got, want, slices.Equal) {
				t.Errorf("key %s, %s: Embed %d vectors differ from EmbedUsage's %d", key, tt.model, len(got), len(want))
			}
		}
	}
	p, err := New(Config{Name: "oa", APIKey: ""}) // the vendor's API without a key: refused before sending
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Embed(t.Context(), "text-embedding-3-small", []string{"x"}); providers.KindOf(err) != providers.KindAuth {
		t.Errorf("Embed without a key: %v; want an auth error", err)
	}
}
