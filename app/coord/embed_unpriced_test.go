package coord_test

import (
	"context"
	"testing"

	"github.com/aiex-dev/aiex/app/coord"
	"github.com/aiex-dev/aiex/providers/ollama"
	pt "github.com/aiex-dev/aiex/providers/providertest"
)

// TestEmbedUnpricedIsCostUnknown: an embedding request to a cloud model no
// price is known for is recorded as of unknown cost, as a chat's is, so
// that usage counts it among the requests its cost leaves out (+?) rather
// than as free; one to a local model is recorded as free.
func TestEmbedUnpricedIsCostUnknown(t *testing.T) {
	ctx := context.Background()
	const unpriced = "acme-embed-1" // in no price table
	fake := pt.NewOpenAI(t, pt.WithModels(pt.Model{Name: "gpt-4o-mini"}, pt.Model{Name: unpriced}))
	local := pt.NewOllama(t, pt.WithModels(pt.Model{Name: "nomic-embed-text"}))
	lp, err := ollama.New(ollama.Config{Name: "local", BaseURL: local.URL()})
	if err != nil {
		t.Fatal(err)
	}
	e := newEnv(t, coord.Config{Targets: []coord.Target{openAITarget(t, fake.URL()), {Provider: lp, Local: true}}})
	if _, err := e.c.Embedder("cloud").Embed(ctx, unpriced, []string{"func main() {}"}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.c.Embedder("local").Embed(ctx, "nomic-embed-text", []string{"func main() {}"}); err != nil {
		t.Fatal(err)
	}
	if row, ok := embedUsage(t, e.store, "cloud", unpriced); !ok || row.PromptTokens == 0 || row.CostUSD != 0 ||
		row.Unpriced != 1 || row.Uncharged != 0 {
		t.Errorf("cloud usage %+v (found %v); want its tokens, 1 request of unknown cost, none uncharged", row, ok)
	}
	if row, ok := embedUsage(t, e.store, "local", "nomic-embed-text:latest"); !ok || row.PromptTokens == 0 ||
		row.Unpriced != 0 || row.Uncharged != 0 {
		t.Errorf("local usage %+v (found %v); want its tokens, recorded as free", row, ok)
	}
}
