package anthropic

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/anthropics/anthropic-sdk-go/v2"
	"github.com/anthropics/anthropic-sdk-go/v2/option"

	"github.com/aiex-dev/aiex/providers"
)

// Chat streams the answer to req from the Messages API, calling fn for each
// piece of text and each tool-call fragment in order.
//
// It returns fn's error unchanged if fn fails, the context's error (wrapped)
// if ctx ends first, and a *providers.Error otherwise. An "error" event in the
// middle of a stream (Anthropic sends overloaded_error that way) is mapped by
// its type like an HTTP error, KindOverloaded for overloaded_error, but with
// StatusCode 0: the response had begun with 200, and fn may already have
// been called, which a caller that retries must check. A stream that ends
// without message_stop, breaks off or carries an event that is not JSON is
// KindInterrupted. The Result then carries what is known so far.
func (p *Provider) Chat(ctx context.Context, req providers.Request, fn func(providers.Chunk) error) (providers.Result, error) {
	st := streamState{res: providers.Result{Model: req.Model}}
	params, err := toParams(req)
	if err != nil {
		return st.res, &providers.Error{Provider: p.name, Kind: providers.KindBadRequest, Message: err.Error(), Err: err}
	}
	var resp *http.Response
	stream := p.client.Messages.NewStreaming(ctx, params, option.WithResponseInto(&resp))
	defer stream.Close()
	chunks := 0
	for stream.Next() {
		c, ok := st.apply(stream.Current())
		if !ok {
			continue
		}
		chunks++
		if err := fn(c); err != nil {
			return st.res, err
		}
	}
	err = stream.Err()
	switch {
	case st.stopped:
		// Whatever happened after message_stop does not matter.
		return st.res, nil
	case ctx.Err() != nil:
		// Checked before err: a cancelled body read is just a read error.
		return st.res, fmt.Errorf("anthropic: chat %s: %w", req.Model, ctx.Err())
	}
	var ae *anthropic.Error
	switch {
	case errors.As(err, &ae):
		return st.res, p.apiError(ctx, ae)
	case err == nil || resp != nil && resp.StatusCode < 300:
		// The answer had begun: this is the stream breaking off.
		return st.res, p.scrub(interrupted(p.name, p.endpoint, chunks, err))
	}
	return st.res, p.scrub(mapError(p.name, p.endpoint, err, time.Now()))
}

// apiError maps an API error, scrubbed of the key, and for a missing model
// lists the models the API does serve.
func (p *Provider) apiError(ctx context.Context, ae *anthropic.Error) *providers.Error {
	pe := fromAPIError(p.name, ae, time.Now())
	switch pe.Kind {
	case providers.KindAuth:
		if p.noKey && !outOfCredit(ae.StatusCode, string(ae.Type()), ae.Message) {
			pe.Message += fmt.Sprintf(" (no API key configured: set %s or the provider's key)", envAPIKey)
		}
	case providers.KindNotFound:
		// The list is a courtesy; its failure leaves the server's message.
		if ms, err := p.Models(ctx); err == nil {
			for _, m := range ms {
				pe.Models = append(pe.Models, m.Name)
			}
		}
	}
	return p.scrub(pe)
}

// toParams converts a request to the SDK's. System messages are joined (with
// a blank line) into the system prompt; messages without content are left
// out, since the API rejects empty text blocks. MaxTokens, which the API
// requires, defaults to defaultMaxTokens(req.Model). Temperature is not sent
// (see the package comment).
func toParams(req providers.Request) (anthropic.MessageNewParams, error) {
	p := anthropic.MessageNewParams{
		Model:     anthropic.Model(req.Model),
		MaxTokens: int64(req.MaxTokens),
	}
	if p.MaxTokens <= 0 {
		p.MaxTokens = int64(defaultMaxTokens(req.Model))
	}
	var system []string
	for i, m := range req.Messages {
		if m.Content == "" {
			continue
		}
		switch m.Role {
		case providers.RoleSystem:
			system = append(system, m.Content)
		case providers.RoleUser:
			p.Messages = append(p.Messages, anthropic.NewUserMessage(anthropic.NewTextBlock(m.Content)))
		case providers.RoleAssistant:
			p.Messages = append(p.Messages, anthropic.NewAssistantMessage(anthropic.NewTextBlock(m.Content)))
		default:
			return p, fmt.Errorf("message %d has role %q; want system, user or assistant", i, m.Role)
		}
	}
	if len(system) > 0 {
		p.System = []anthropic.TextBlockParam{{Text: strings.Join(system, "\n\n")}}
	}
	for _, t := range req.Tools {
		schema, err := toInputSchema(t.Parameters)
		if err != nil {
			return p, fmt.Errorf("tool %q: %w", t.Name, err)
		}
		tp := &anthropic.ToolParam{Name: t.Name, InputSchema: schema}
		if t.Description != "" {
			tp.Description = anthropic.String(t.Description)
		}
		p.Tools = append(p.Tools, anthropic.ToolUnionParam{OfTool: tp})
	}
	return p, nil
}

// toInputSchema converts a tool's JSON Schema to the SDK's input_schema,
// which is always of type object: properties and required go to their
// fields, every other keyword through unchanged. An empty schema takes no
// arguments: {"type":"object","properties":{}}, since the SDK would leave out
// an input_schema without properties, which the API requires.
func toInputSchema(raw json.RawMessage) (anthropic.ToolInputSchemaParam, error) {
	s := anthropic.ToolInputSchemaParam{Properties: json.RawMessage("{}")}
	if len(raw) == 0 || string(raw) == "null" {
		return s, nil
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil {
		return s, fmt.Errorf("parameters are not a JSON Schema object: %w", err)
	}
	if t, ok := fields["type"]; ok && string(t) != `"object"` {
		return s, fmt.Errorf("parameters schema has type %s; Anthropic takes only \"object\"", t)
	}
	for k, v := range fields {
		switch k {
		case "type":
		case "properties":
			s.Properties = v
		case "required":
			if err := json.Unmarshal(v, &s.Required); err != nil {
				return s, fmt.Errorf("parameters schema: required: %w", err)
			}
		default:
			if s.ExtraFields == nil {
				s.ExtraFields = map[string]any{}
			}
			s.ExtraFields[k] = v
		}
	}
	return s, nil
}

// streamState folds the events of one stream into chunks and a Result.
type streamState struct {
	res     providers.Result
	stopped bool // message_stop arrived

	// Token counts as last reported; message_start has them all,
	// message_delta the final output count (and, in newer API versions,
	// the input counts again).
	input, cacheRead, cacheWrite, output int64
}

// apply takes one event and returns the chunk it carries, if any: text, or
// the start (ID and name) or an arguments fragment of a tool call, indexed
// by the content block it is in. Thinking, signatures, citations and ping
// carry none.
func (s *streamState) apply(ev anthropic.MessageStreamEventUnion) (providers.Chunk, bool) {
	switch ev.Type {
	case "message_start":
		if ev.Message.Model != "" {
			s.res.Model = string(ev.Message.Model)
		}
		u := ev.Message.Usage
		s.input, s.cacheRead, s.cacheWrite, s.output = u.InputTokens, u.CacheReadInputTokens, u.CacheCreationInputTokens, u.OutputTokens
		s.setUsage()
	case "content_block_start":
		b := ev.ContentBlock
		switch {
		case b.Type == "tool_use":
			return providers.Chunk{ToolCall: &providers.ToolCallDelta{Index: int(ev.Index), ID: b.ID, Name: b.Name}}, true
		case b.Type == "text" && b.Text != "":
			return providers.Chunk{Text: b.Text}, true
		}
	case "content_block_delta":
		d := ev.Delta
		switch {
		case d.Type == "text_delta" && d.Text != "":
			return providers.Chunk{Text: d.Text}, true
		case d.Type == "input_json_delta" && d.PartialJSON != "":
			return providers.Chunk{ToolCall: &providers.ToolCallDelta{Index: int(ev.Index), Arguments: d.PartialJSON}}, true
		}
	case "message_delta":
		if ev.Delta.StopReason != "" {
			s.res.StopReason = string(ev.Delta.StopReason)
		}
		u := ev.Usage
		if u.JSON.InputTokens.Valid() {
			s.input = u.InputTokens
		}
		if u.JSON.CacheReadInputTokens.Valid() {
			s.cacheRead = u.CacheReadInputTokens
		}
		if u.JSON.CacheCreationInputTokens.Valid() {
			s.cacheWrite = u.CacheCreationInputTokens
		}
		if u.JSON.OutputTokens.Valid() {
			s.output = u.OutputTokens
		}
		s.setUsage()
	case "message_stop":
		s.stopped = true
	}
	return providers.Chunk{}, false
}

// setUsage converts the counts: Anthropic's input_tokens leaves out the
// cached tokens, the shared PromptTokens counts all input.
func (s *streamState) setUsage() {
	s.res.Usage = providers.Usage{
		PromptTokens:     int(s.input + s.cacheRead + s.cacheWrite),
		CompletionTokens: int(s.output),
		CacheReadTokens:  int(s.cacheRead),
		CacheWriteTokens: int(s.cacheWrite),
	}
}
