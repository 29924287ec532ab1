package lmstudio

import (
	"context"

	"github.com/aiex-dev/aiex/providers"
)

// EmbedUsage is Embed, also returning the tokens the server counted;
// see openai.Provider.EmbedUsage.
func (p *Provider) EmbedUsage(ctx context.Context, model string, input []string) ([][]float32, providers.Usage, error) {
	vecs, u, err := p.api.EmbedUsage(ctx, model, input)
	return vecs, u, p.advise(err)
}
