package ctxbuild

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/aiex-dev/aiex/app/search"
)

// downEmbedder is an embedding provider that cannot be reached.
type downEmbedder struct{}

// upEmbedder gives every text the same embedding.
type upEmbedder struct{}

func (upEmbedder) Embed(_ context.Context, _ string, in []string) ([][]float32, error) {
	out := make([][]float32, len(in))
	for i := range out {
		out[i] = []float32{1, 0}
	}
	return out, nil
}

func (downEmbedder) Embed(context.Context, string, []string) ([][]float32, error) {
	return nil, errors.New("unavailable: connection refused")
}

// A context whose hits could not be ranked with embeddings is built all
// the same, and says why it was ranked without them.
func TestContextWithEmbeddingsDown(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	proj, _, err := e.s.FindCodeProject(ctx, e.root)
	if err != nil {
		t.Fatal(err)
	}
	up := search.New(search.Config{Store: e.s, Embedder: upEmbedder{}, EmbedModel: "emb", EmbedKey: "fake/emb"})
	if st, err := up.Embed(ctx, proj, "n1", nil); err != nil || st.Embedded == 0 {
		t.Fatalf("embed: %+v, %v", st, err)
	}
	e.b.cfg.Search = search.New(search.Config{Store: e.s, Embedder: downEmbedder{}, EmbedModel: "emb", EmbedKey: "fake/emb"})
	c := e.build(t, Request{Task: "ask", Question: "how is a cached user looked up", Window: 32000})
	if !strings.Contains(c.EmbedError, "emb") || !strings.Contains(c.EmbedError, "connection refused") {
		t.Errorf("embed error %q; want the model and why", c.EmbedError)
	}
	if len(c.Included) == 0 {
		t.Error("nothing included")
	}
}
