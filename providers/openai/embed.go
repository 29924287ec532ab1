package openai

import (
	"context"
	"fmt"
	"net/http"

	"github.com/aiex-dev/aiex/providers"
)

// embeddingsUsageAnswer is the answer of POST /embeddings with what the
// server counted: OpenAI bills an embedding request by usage.prompt_tokens.
// Some compatible servers send no usage; Usage is nil then.
type embeddingsUsageAnswer struct {
	embeddingsAnswer
	Usage *struct {
		PromptTokens int `json:"prompt_tokens"`
	} `json:"usage"`
}

// EmbedUsage is Embed, also returning the tokens the server counted for
// the inputs (Usage.PromptTokens; 0 when it sent no count). The
// coordinator prices and rate-limits embedding requests by them.
func (p *Provider) EmbedUsage(ctx context.Context, model string, input []string) ([][]float32, providers.Usage, error) {
	if len(input) == 0 {
		return nil, providers.Usage{}, nil
	}
	if p.refuse {
		return nil, providers.Usage{}, providers.NoKeyError(p.name, p.noKey)
	}
	var ans embeddingsUsageAnswer
	_, err := p.api.JSON(ctx, http.MethodPost, "embeddings", embeddingsRequest{Model: model, Input: input, EncodingFormat: "float"}, &ans)
	if err != nil {
		if ctx.Err() != nil {
			return nil, providers.Usage{}, fmt.Errorf("openai: embed with %s: %w", model, ctx.Err())
		}
		return nil, providers.Usage{}, p.providerError(ctx, model, err)
	}
	var u providers.Usage
	if ans.Usage != nil {
		u.PromptTokens = ans.Usage.PromptTokens
	}
	vecs, err := toEmbeddings(ans.Data, len(input))
	if err != nil {
		// The server answered, and may have billed the inputs: what it
		// counted is returned with the error.
		return nil, u, p.scrub(&providers.Error{Provider: p.name, Kind: providers.KindUnavailable, Err: err,
			Message: fmt.Sprintf("unexpected answer from %s at %s: %v", p.server, p.endpoint, err)})
	}
	return vecs, u, nil
}
