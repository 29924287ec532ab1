package ollama

import (
	"context"
	"time"

	"github.com/ollama/ollama/api"

	"github.com/aiex-dev/aiex/providers"
)

// Chat streams the answer to req from /api/chat, calling fn for each piece
// of text and each tool call in order. It returns fn's error unchanged if fn
// fails, the context's error (wrapped) if ctx ends first, and a
// *providers.Error otherwise; a stream that ends without Ollama's final
// "done" object is KindInterrupted, and the Result then carries what is known
// (the model). A tool whose Parameters are not a JSON Schema object is
// KindBadRequest, found before anything is sent.
//
// Ollama sends each tool call whole, not in fragments, so each becomes one
// Chunk whose ToolCallDelta has the ID, the Name and all the Arguments.
func (p *Provider) Chat(ctx context.Context, req providers.Request, fn func(providers.Chunk) error) (providers.Result, error) {
	res := providers.Result{Model: req.Model}
	cr, err := toChatRequest(req, p.keepAlive)
	if err != nil {
		return res, &providers.Error{Provider: p.name, Kind: providers.KindBadRequest, Message: err.Error(), Err: err}
	}
	calls := 0 // tool calls so far, to number the next
	err = p.runStream(ctx, "chat", req.Model, fn, func(ctx context.Context, s *stream) error {
		return p.client.Chat(ctx, cr, func(r api.ChatResponse) error {
			if r.Model != "" {
				res.Model = r.Model
			}
			for _, c := range toChunks(r.Message, calls) {
				if err := s.emit(c); err != nil {
					return err
				}
			}
			calls += len(r.Message.ToolCalls)
			if r.Done {
				s.done = true
				res = toResult(r.Model, r.DoneReason, r.Metrics, res.Model)
			}
			return nil
		})
	})
	return res, err
}

// toChatRequest converts a request to Ollama's, always streaming.
// keepAlive, if not nil, is sent as keep_alive. It fails only when a tool's
// parameters are not a JSON Schema object.
//
// Assistant messages carry text only: providers.Message has no field for the
// tool calls an earlier answer made, nor a role for their results.
func toChatRequest(req providers.Request, keepAlive *time.Duration) (*api.ChatRequest, error) {
	tools, err := toTools(req.Tools)
	if err != nil {
		return nil, err
	}
	stream := true
	cr := &api.ChatRequest{
		Model:    req.Model,
		Messages: make([]api.Message, len(req.Messages)),
		Tools:    tools,
		Stream:   &stream,
	}
	for i, m := range req.Messages {
		cr.Messages[i] = api.Message{Role: string(m.Role), Content: m.Content}
	}
	if req.Temperature != nil || req.MaxTokens > 0 || req.Window > 0 {
		cr.Options = map[string]any{}
		if req.Temperature != nil {
			cr.Options["temperature"] = *req.Temperature
		}
		if req.MaxTokens > 0 {
			cr.Options["num_predict"] = req.MaxTokens
		}
		if req.Window > 0 {
			// The window the prompt was fitted to: without it the server
			// runs the model with its default window and cuts the prompt
			// to it silently, though another client loaded the model with
			// the larger one the window was read from (/api/ps).
			cr.Options["num_ctx"] = req.Window
		}
	}
	if keepAlive != nil {
		cr.KeepAlive = &api.Duration{Duration: *keepAlive}
	}
	return cr, nil
}

// toResult converts the final ("done") response's fields. asked is used when
// the response does not name the model.
func toResult(model, doneReason string, m api.Metrics, asked string) providers.Result {
	if model == "" {
		model = asked
	}
	return providers.Result{
		Model: model,
		Usage: providers.Usage{
			PromptTokens:     m.PromptEvalCount,
			CompletionTokens: m.EvalCount,
		},
		StopReason: doneReason,
	}
}
