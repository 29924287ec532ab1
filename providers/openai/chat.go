package openai

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"

	sdk "github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
	"github.com/openai/openai-go/v3/packages/param"
	"github.com/openai/openai-go/v3/packages/ssestream"
	"github.com/openai/openai-go/v3/shared"

	"github.com/aiex-dev/aiex/providers"
)

// Chat streams the answer to req from /chat/completions, calling fn for each
// piece of text and each tool-call fragment in order. It returns fn's error
// unchanged if fn fails, the context's error (wrapped) if ctx ends first, and
// a *providers.Error otherwise. A stream that breaks off, carries a malformed
// chunk, or ends without a finish_reason or without "data: [DONE]" is
// KindInterrupted; the Result then carries what is known (the model, and the
// usage if it came).
func (p *Provider) Chat(ctx context.Context, req providers.Request, fn func(providers.Chunk) error) (providers.Result, error) {
	res := providers.Result{Model: req.Model}
	params, err := toChatParams(req, p.kind == KindOpenAI)
	if err != nil {
		return res, &providers.Error{Provider: p.name, Kind: providers.KindBadRequest, Message: err.Error(), Err: err}
	}
	// This is what the SDK's NewStreaming does, except that the stream is
	// read through doneDecoder, which notes the [DONE] event.
	var raw *http.Response
	_, err = p.chat.New(ctx, params, option.WithJSONSet("stream", true), option.WithResponseBodyInto(&raw))
	if err != nil {
		if ctx.Err() != nil {
			return res, fmt.Errorf("openai: chat %s: %w", req.Model, ctx.Err())
		}
		return res, p.providerError(ctx, req.Model, err)
	}
	if mt, _, _ := mime.ParseMediaType(raw.Header.Get("Content-Type")); mt == "application/json" {
		// Not a stream: an error in a 200, or a server that ignored "stream".
		body, _ := io.ReadAll(io.LimitReader(raw.Body, maxErrorBody))
		raw.Body.Close()
		return res, p.scrub(badAnswer(p.name, p.server, p.endpoint, raw.StatusCode, "a stream", body))
	}
	dec := &doneDecoder{Decoder: ssestream.NewDecoder(raw)}
	stream := ssestream.NewStream[sdk.ChatCompletionChunk](dec, nil)
	defer stream.Close()

	var (
		chunks  int
		started = map[int64]bool{} // tool calls whose first fragment was sent
		buf     []providers.Chunk
	)
	for stream.Next() {
		c := stream.Current()
		if c.Model != "" {
			res.Model = c.Model
		}
		if c.JSON.Usage.Valid() {
			res.Usage = toUsage(c.Usage)
		}
		if len(c.Choices) > 0 && c.Choices[0].FinishReason != "" {
			res.StopReason = c.Choices[0].FinishReason
		}
		buf = appendChunks(buf[:0], c, started)
		for _, ch := range buf {
			chunks++
			if err := fn(ch); err != nil {
				return res, err
			}
		}
	}
	err = stream.Err()
	switch {
	case ctx.Err() != nil:
		// Checked before err: a cancelled body read looks like a broken stream.
		return res, fmt.Errorf("openai: chat %s: %w", req.Model, ctx.Err())
	case err != nil:
		return res, p.scrub(mapStreamError(p.name, p.server, p.endpoint, chunks, err))
	case !dec.done || res.StopReason == "":
		return res, p.scrub(interrupted(p.name, p.server, p.endpoint, chunks, dec.done))
	}
	return res, nil
}

// doneDecoder is the SDK's SSE decoder, noting whether the stream's
// terminating "[DONE]" event came (the SDK's Stream ends silently both on it
// and on a body that simply stops).
type doneDecoder struct {
	ssestream.Decoder
	done bool
}

func (d *doneDecoder) Next() bool {
	if !d.Decoder.Next() {
		return false
	}
	// The same test the SDK's Stream applies.
	if bytes.HasPrefix(d.Event().Data, []byte("[DONE]")) {
		d.done = true
	}
	return true
}

// toChatParams converts a request to the SDK's, asking for the usage at the
// end of the stream. maxCompletion sends MaxTokens as max_completion_tokens,
// the field OpenAI's current models accept (its o-series and later reject
// max_tokens); compatible servers get max_tokens, the one they all know.
func toChatParams(req providers.Request, maxCompletion bool) (sdk.ChatCompletionNewParams, error) {
	p := sdk.ChatCompletionNewParams{
		Model:         req.Model,
		Messages:      make([]sdk.ChatCompletionMessageParamUnion, 0, len(req.Messages)),
		StreamOptions: sdk.ChatCompletionStreamOptionsParam{IncludeUsage: param.NewOpt(true)},
	}
	for i, m := range req.Messages {
		switch m.Role {
		case providers.RoleSystem:
			p.Messages = append(p.Messages, sdk.SystemMessage(m.Content))
		case providers.RoleUser:
			p.Messages = append(p.Messages, sdk.UserMessage(m.Content))
		case providers.RoleAssistant:
			p.Messages = append(p.Messages, sdk.AssistantMessage(m.Content))
		default:
			return p, fmt.Errorf("message %d has unknown role %q", i, m.Role)
		}
	}
	for _, t := range req.Tools {
		fd := shared.FunctionDefinitionParam{Name: t.Name}
		if t.Description != "" {
			fd.Description = param.NewOpt(t.Description)
		}
		if len(bytes.TrimSpace(t.Parameters)) > 0 {
			if err := json.Unmarshal(t.Parameters, &fd.Parameters); err != nil {
				return p, fmt.Errorf("tool %q: parameters are not a JSON object: %w", t.Name, err)
			}
		}
		p.Tools = append(p.Tools, sdk.ChatCompletionFunctionTool(fd))
	}
	if req.Temperature != nil {
		p.Temperature = param.NewOpt(*req.Temperature)
	}
	if req.MaxTokens > 0 {
		if maxCompletion {
			p.MaxCompletionTokens = param.NewOpt(int64(req.MaxTokens))
		} else {
			p.MaxTokens = param.NewOpt(int64(req.MaxTokens))
		}
	}
	return p, nil
}

// appendChunks appends the Chunks in c's first choice to dst: its text (and
// refusal, which is text the user should see), then its tool-call
// fragments. started records the tool calls, by index, whose first fragment
// was sent: only that one carries the ID and Name, also from servers that
// repeat them on every fragment.
func appendChunks(dst []providers.Chunk, c sdk.ChatCompletionChunk, started map[int64]bool) []providers.Chunk {
	if len(c.Choices) == 0 {
		return dst
	}
	d := c.Choices[0].Delta
	if d.Content != "" {
		dst = append(dst, providers.Chunk{Text: d.Content})
	}
	if d.Refusal != "" {
		dst = append(dst, providers.Chunk{Text: d.Refusal})
	}
	for _, tc := range d.ToolCalls {
		delta := &providers.ToolCallDelta{Index: int(tc.Index), Arguments: tc.Function.Arguments}
		if !started[tc.Index] {
			started[tc.Index] = true
			delta.ID, delta.Name = tc.ID, tc.Function.Name
		} else if tc.Function.Arguments == "" {
			continue // a repeat of the header with nothing new
		}
		dst = append(dst, providers.Chunk{ToolCall: delta})
	}
	return dst
}

// toUsage converts the usage of the stream's last chunk.
func toUsage(u sdk.CompletionUsage) providers.Usage {
	return providers.Usage{
		PromptTokens:     int(u.PromptTokens),
		CompletionTokens: int(u.CompletionTokens),
		CacheReadTokens:  int(u.PromptTokensDetails.CachedTokens),
		CacheWriteTokens: int(u.PromptTokensDetails.CacheWriteTokens),
	}
}
