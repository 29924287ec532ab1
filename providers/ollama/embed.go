package ollama

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/ollama/ollama/api"

	"github.com/aiex-dev/aiex/providers"
)

// Embed returns one vector per input, in order, from /api/embed; nil for no
// input, without asking the server. Ollama normalises each vector to unit
// length and truncates inputs longer than the model's context. It returns
// the context's error (wrapped) if ctx ends first and a *providers.Error
// otherwise, mapped as Chat's are (a missing model lists the installed ones).
func (p *Provider) Embed(ctx context.Context, model string, input []string) ([][]float32, error) {
	vecs, _, err := p.EmbedUsage(ctx, model, input)
	return vecs, err
}

// EmbedUsage is Embed, also returning the tokens Ollama counted for the
// inputs (prompt_eval_count; 0 when it sent none). Ollama's models are
// free, but the coordinator's rate limits count tokens.
func (p *Provider) EmbedUsage(ctx context.Context, model string, input []string) ([][]float32, providers.Usage, error) {
	if len(input) == 0 {
		return nil, providers.Usage{}, nil
	}
	octx, obs := observe(ctx)
	resp, err := p.client.Embed(octx, toEmbedRequest(model, input, p.keepAlive))
	var (
		syntaxErr *json.SyntaxError
		typeErr   *json.UnmarshalTypeError
	)
	switch {
	case err == nil:
	case ctx.Err() != nil:
		return nil, providers.Usage{}, fmt.Errorf("ollama: embed %s: %w", model, ctx.Err())
	case obs.readErr != nil:
		return nil, providers.Usage{}, p.scrub(&providers.Error{Provider: p.name, Kind: providers.KindInterrupted, Err: err,
			Message: fmt.Sprintf("the embeddings from Ollama at %s broke off: %s", p.endpoint, providers.DescribeNetError(obs.readErr))})
	case errors.As(err, &syntaxErr), errors.As(err, &typeErr):
		return nil, providers.Usage{}, p.unexpectedAnswer(err)
	default:
		pe := p.providerError(ctx, model, err, obs)
		pe.RetryAfter = obs.retryAfter
		return nil, providers.Usage{}, pe
	}
	if len(resp.Embeddings) != len(input) {
		return nil, providers.Usage{}, p.unexpectedAnswer(fmt.Errorf("got %d embeddings for %d inputs", len(resp.Embeddings), len(input)))
	}
	return resp.Embeddings, providers.Usage{PromptTokens: resp.PromptEvalCount}, nil
}

// unexpectedAnswer is the error for a response that is not what Ollama sends.
func (p *Provider) unexpectedAnswer(err error) *providers.Error {
	return p.scrub(&providers.Error{Provider: p.name, Kind: providers.KindUnavailable, Err: err,
		Message: fmt.Sprintf("unexpected answer from Ollama at %s: %v", p.endpoint, err)})
}

// toEmbedRequest converts an embedding request to Ollama's. keepAlive, if
// not nil, is sent as keep_alive.
func toEmbedRequest(model string, input []string, keepAlive *time.Duration) *api.EmbedRequest {
	er := &api.EmbedRequest{Model: model, Input: input}
	if keepAlive != nil {
		er.KeepAlive = &api.Duration{Duration: *keepAlive}
	}
	return er
}
