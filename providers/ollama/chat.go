package ollama

import (
	"context"
	"fmt"
	"time"

	"github.com/ollama/ollama/api"

	"github.com/aiex-dev/aiex/providers"
)

// Chat streams the answer to req from /api/chat, calling fn for each piece
// of text in order. It returns fn's error unchanged if fn fails, the context's
// error (wrapped) if ctx ends first, and a *providers.Error otherwise; a stream
// that ends without Ollama's final "done" object is KindInterrupted, and the
// Result then carries what is known (the model).
func (p *Provider) Chat(ctx context.Context, req providers.Request, fn func(providers.Chunk) error) (providers.Result, error) {
	res := providers.Result{Model: req.Model}
	var (
		done   bool
		chunks int
		fnErr  error
	)
	octx, obs := observe(ctx)
	err := p.client.Chat(octx, toChatRequest(req, p.keepAlive), func(r api.ChatResponse) error {
		if r.Model != "" {
			res.Model = r.Model
		}
		if c, ok := toChunk(r); ok {
			chunks++
			if err := fn(c); err != nil {
				fnErr = err
				return err
			}
		}
		if r.Done {
			done = true
			res = toResult(r, res.Model)
		}
		return nil
	})
	switch {
	case fnErr != nil:
		return res, fnErr
	case err == nil && done:
		return res, nil
	case ctx.Err() != nil:
		// Checked before err: a cancelled body read looks to the api
		// client like the end of the stream.
		return res, fmt.Errorf("ollama: chat %s: %w", req.Model, ctx.Err())
	case err != nil:
		pe := p.providerError(ctx, req.Model, err)
		pe.RetryAfter = obs.retryAfter
		return res, pe
	}
	return res, interrupted(p.name, p.endpoint, chunks, obs.readErr)
}

// interrupted describes a stream that ended without its final object, having
// delivered chunks pieces; readErr is why the body broke off, or nil when it
// ended cleanly (which a healthy server never does).
func interrupted(provider, endpoint string, chunks int, readErr error) *providers.Error {
	pe := &providers.Error{Provider: provider, Kind: providers.KindInterrupted, Err: readErr}
	if readErr != nil {
		pe.Message = fmt.Sprintf("the answer from Ollama at %s broke off after %d chunks: %s", endpoint, chunks, describeNetError(readErr))
	} else {
		pe.Message = fmt.Sprintf("the answer from Ollama at %s ended after %d chunks without its final response", endpoint, chunks)
	}
	return pe
}

// toChatRequest converts a request to Ollama's, always streaming.
// keepAlive, if not nil, is sent as keep_alive.
func toChatRequest(req providers.Request, keepAlive *time.Duration) *api.ChatRequest {
	stream := true
	cr := &api.ChatRequest{
		Model:    req.Model,
		Messages: make([]api.Message, len(req.Messages)),
		Stream:   &stream,
	}
	for i, m := range req.Messages {
		cr.Messages[i] = api.Message{Role: string(m.Role), Content: m.Content}
	}
	if req.Temperature != nil || req.MaxTokens > 0 {
		cr.Options = map[string]any{}
		if req.Temperature != nil {
			cr.Options["temperature"] = *req.Temperature
		}
		if req.MaxTokens > 0 {
			cr.Options["num_predict"] = req.MaxTokens
		}
	}
	if keepAlive != nil {
		cr.KeepAlive = &api.Duration{Duration: *keepAlive}
	}
	return cr
}

// toChunk returns the text of one streamed response; ok is false when it has
// none (the final object, thinking or tool-call pieces).
func toChunk(r api.ChatResponse) (c providers.Chunk, ok bool) {
	if r.Message.Content == "" {
		return providers.Chunk{}, false
	}
	return providers.Chunk{Text: r.Message.Content}, true
}

// toResult converts the final ("done") response. model is used when the
// response does not name one.
func toResult(r api.ChatResponse, model string) providers.Result {
	if r.Model != "" {
		model = r.Model
	}
	return providers.Result{
		Model: model,
		Usage: providers.Usage{
			PromptTokens:     r.PromptEvalCount,
			CompletionTokens: r.EvalCount,
		},
		StopReason: r.DoneReason,
	}
}
