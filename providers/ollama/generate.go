package ollama

import (
	"context"
	"time"

	"github.com/ollama/ollama/api"

	"github.com/aiex-dev/aiex/providers"
)

// Generate streams a completion of prompt from /api/generate, calling fn for
// each piece of text in order, for uses such as code completion where the
// model continues a text rather than answers a conversation. Errors are as
// for Chat.
//
// With no system prompt the prompt goes to the model as it is (Ollama's raw
// mode, no chat template). A system prompt needs the model's template, which
// raw mode refuses, so with one the prompt is the user's turn of a templated
// exchange and the model answers it.
func (p *Provider) Generate(ctx context.Context, model, prompt, system string, fn func(providers.Chunk) error) (providers.Result, error) {
	res := providers.Result{Model: model}
	gr := toGenerateRequest(model, prompt, system, p.keepAlive)
	err := p.runStream(ctx, "generate", model, fn, func(ctx context.Context, s *stream) error {
		return p.client.Generate(ctx, gr, func(r api.GenerateResponse) error {
			if r.Model != "" {
				res.Model = r.Model
			}
			if r.Response != "" {
				if err := s.emit(providers.Chunk{Text: r.Response}); err != nil {
					return err
				}
			}
			if r.Done {
				s.done = true
				res = toResult(r.Model, r.DoneReason, r.Metrics, res.Model)
			}
			return nil
		})
	})
	return res, err
}

// toGenerateRequest converts a completion request to Ollama's, always
// streaming, raw unless there is a system prompt. keepAlive, if not nil, is
// sent as keep_alive.
func toGenerateRequest(model, prompt, system string, keepAlive *time.Duration) *api.GenerateRequest {
	stream := true
	gr := &api.GenerateRequest{
		Model:  model,
		Prompt: prompt,
		System: system,
		Raw:    system == "",
		Stream: &stream,
	}
	if keepAlive != nil {
		gr.KeepAlive = &api.Duration{Duration: *keepAlive}
	}
	return gr
}
