package ollama

import (
	"context"
	"strings"

	"github.com/ollama/ollama/api"
)

// DefaultServerContext is the context window Ollama gives a model that
// sets no num_ctx, on a machine without a large GPU: the server picks 4k,
// 32k or 256k tokens by VRAM (OLLAMA_CONTEXT_LENGTH overrides it, and the
// API does not say which it chose until the model is loaded).
const DefaultServerContext = 4096

// PromptWindow returns the context window a prompt to model must fit: the
// window the loaded model runs with (/api/ps), else its num_ctx parameter,
// else the smaller of its trained length and DefaultServerContext. It
// errs small where the server does not say, since a prompt over the
// window is cut by the server without a word.
func (p *Provider) PromptWindow(ctx context.Context, model string) (int, error) {
	if ps, err := p.client.ListRunning(ctx); err == nil {
		for _, r := range ps.Models {
			if (strings.EqualFold(r.Name, model) || strings.EqualFold(r.Model, model)) && r.ContextLength > 0 {
				return r.ContextLength, nil
			}
		}
	}
	sctx, obs := observe(ctx)
	resp, err := p.client.Show(sctx, &api.ShowRequest{Model: model})
	if err != nil {
		if ctx.Err() != nil {
			return 0, ctx.Err()
		}
		return 0, p.providerError(ctx, model, err, obs)
	}
	if n := numCtxParam(resp.Parameters); n > 0 {
		return n, nil
	}
	trained := trainedContext(resp.ModelInfo)
	if trained > 0 && trained < DefaultServerContext {
		return trained, nil
	}
	return DefaultServerContext, nil
}
