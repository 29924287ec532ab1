package app

import (
	"slices"
	"testing"

	"github.com/aiex-dev/aiex/providers"
)

// TestEmbedKindsMatchProviders checks the kinds the config accepts for
// [index] embed against the providers the code builds: a kind is listed
// exactly when its provider computes embeddings.
func TestEmbedKindsMatchProviders(t *testing.T) {
	for _, kind := range providerKinds {
		pc := ProviderConfig{Kind: kind, BaseURL: baseURLExamples[kind]}
		p, err := newProvider("p", kind, pc, "sk-test", keyNone)
		if err != nil {
			t.Fatalf("newProvider(%s): %v", kind, err)
		}
		_, embeds := p.(providers.Embedder)
		if listed := slices.Contains(embedKinds, kind); listed != embeds {
			t.Errorf("kind %s: in embedKinds = %v, but its provider implements providers.Embedder = %v", kind, listed, embeds)
		}
	}
}
