package anthropic

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
	"time"

	gosse "github.com/tmaxmax/go-sse"

	"github.com/aiex-dev/aiex/providers"
	"github.com/aiex-dev/aiex/providers/httpapi"
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
// KindInterrupted. A 200 answer that is JSON or a web page instead of a
// stream is mapped as an error event if it holds Anthropic's error object,
// else it is KindBadRequest. The Result then carries what is known so far.
func (p *Provider) Chat(ctx context.Context, req providers.Request, fn func(providers.Chunk) error) (providers.Result, error) {
	st := streamState{res: providers.Result{Model: req.Model}}
	if p.refuse {
		return st.res, providers.NoKeyError(p.name, p.noKey)
	}
	body, err := toParams(req)
	if err != nil {
		return st.res, &providers.Error{Provider: p.name, Kind: providers.KindBadRequest, Message: err.Error(), Err: err}
	}
	resp, err := p.client.Do(ctx, http.MethodPost, pathMessages, "text/event-stream", body)
	if err != nil {
		var se *httpapi.StatusError
		switch {
		case ctx.Err() != nil:
			return st.res, fmt.Errorf("anthropic: chat %s: %w", req.Model, ctx.Err())
		case errors.As(err, &se):
			return st.res, p.apiError(ctx, statusAPIError(se))
		}
		return st.res, p.scrub(mapError(p.name, p.endpoint, err, time.Now()))
	}
	defer resp.Body.Close()
	if mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type")); mt == "application/json" || mt == "text/html" {
		// Not a stream: an error in a 200, a proxy that ignored "stream",
		// or a web page where the API should be.
		b, _ := io.ReadAll(io.LimitReader(resp.Body, httpapi.MaxErrorBody))
		return st.res, p.notAStream(ctx, resp, b)
	}
	var (
		chunks int
		ev     streamEvent
	)
read:
	for sse, rerr := range httpapi.Events(resp.Body) {
		switch {
		case errors.Is(rerr, gosse.ErrUnexpectedEOF):
			// A clean end inside a line: the event is lost, and the
			// stream lacks its end, which is said below.
			break read
		case rerr != nil:
			err = rerr
			break read
		case sse.Type == "", sse.Type == "ping", strings.TrimSpace(sse.Data) == "":
			continue
		case sse.Type == "error":
			err = eventAPIError(resp, sse.Data)
			break read
		}
		ev = streamEvent{}
		if err = decodeEvent(sse.Data, &ev); err != nil {
			break read
		}
		c, ok := st.apply(&ev)
		if st.stopped {
			// Nothing after message_stop matters, and a proxy may hold
			// the connection open after it.
			break read
		}
		if !ok {
			continue
		}
		chunks++
		if err := fn(c); err != nil {
			return st.res, err
		}
	}
	switch {
	case st.stopped:
		// Whatever happened after message_stop does not matter.
		return st.res, nil
	case ctx.Err() != nil:
		// Checked before err: a cancelled body read is just a read error.
		return st.res, fmt.Errorf("anthropic: chat %s: %w", req.Model, ctx.Err())
	}
	var ae *APIError
	switch {
	case errors.As(err, &ae):
		return st.res, p.apiError(ctx, ae)
	case err == nil || resp.StatusCode < 300:
		// The answer had begun: this is the stream breaking off.
		return st.res, p.scrub(interrupted(p.name, p.endpoint, chunks, err))
	}
	return st.res, p.scrub(mapError(p.name, p.endpoint, err, time.Now()))
}

// notAStream describes a successful answer to a streamed request that is
// not a stream but body: Anthropic's error object, mapped like an error
// event, or anything else, which retrying does not change.
func (p *Provider) notAStream(ctx context.Context, resp *http.Response, body []byte) *providers.Error {
	if ae := newAPIError(resp.StatusCode, resp.Header, body); ae.Type != "" || ae.Message != "" {
		return p.apiError(ctx, ae)
	}
	return p.scrub(&providers.Error{Provider: p.name, Kind: providers.KindBadRequest,
		Message: fmt.Sprintf("Anthropic at %s did not answer with a stream; is the base URL right?", p.endpoint)})
}

// decodeEvent decodes the data of a server-sent event into ev; see
// tolerated for what it forgives.
func decodeEvent(data string, ev *streamEvent) error {
	return tolerated(json.Unmarshal([]byte(data), ev))
}

// apiError maps an API error, scrubbed of the key, and for a missing model
// lists the models the API does serve.
func (p *Provider) apiError(ctx context.Context, ae *APIError) *providers.Error {
	pe := fromAPIError(p.name, p.endpoint, ae, time.Now())
	switch pe.Kind {
	case providers.KindAuth:
		p.adviseKey(pe, ae)
	case providers.KindNotFound:
		// The list is a courtesy, bounded so that a server hanging on it
		// does not hold the error; its failure leaves the server's message.
		lctx, cancel := providers.ListContext(ctx)
		defer cancel()
		if ms, err := p.Models(lctx); err == nil {
			for _, m := range ms {
				pe.Models = append(pe.Models, m.Name)
			}
		}
	}
	return p.scrub(pe)
}

// toParams converts a request to the body of POST /v1/messages, streamed.
// System messages are joined (with a blank line) into the system prompt;
// messages without content are left out, since the API rejects empty text
// blocks. MaxTokens, which the API requires, defaults to
// defaultMaxTokens(req.Model). Temperature is not sent (see the package
// comment).
func toParams(req providers.Request) (messagesRequest, error) {
	p := messagesRequest{Model: req.Model, MaxTokens: req.MaxTokens, Stream: true}
	if p.MaxTokens <= 0 {
		p.MaxTokens = defaultMaxTokens(req.Model)
	}
	var system []string
	for i, m := range req.Messages {
		if m.Content == "" {
			continue
		}
		switch m.Role {
		case providers.RoleSystem:
			system = append(system, m.Content)
		case providers.RoleUser, providers.RoleAssistant:
			p.Messages = append(p.Messages, message{Role: string(m.Role), Content: []textBlock{newTextBlock(m.Content)}})
		default:
			return p, fmt.Errorf("message %d has role %q; want system, user or assistant", i, m.Role)
		}
	}
	if len(system) > 0 {
		p.System = []textBlock{newTextBlock(strings.Join(system, "\n\n"))}
	}
	for _, t := range req.Tools {
		schema, err := toInputSchema(t.Parameters)
		if err != nil {
			return p, fmt.Errorf("tool %q: %w", t.Name, err)
		}
		p.Tools = append(p.Tools, tool{Name: t.Name, Description: t.Description, InputSchema: schema})
	}
	return p, nil
}

// toInputSchema converts a tool's JSON Schema to an input_schema, which is
// always of type object and always has properties: an empty schema takes no
// arguments, {"type":"object","properties":{}}. required must be a list of
// names; every other keyword goes through unchanged.
func toInputSchema(raw json.RawMessage) (map[string]json.RawMessage, error) {
	s := map[string]json.RawMessage{"type": json.RawMessage(`"object"`), "properties": json.RawMessage("{}")}
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
		case "required":
			var names []string
			if err := json.Unmarshal(v, &names); err != nil {
				return s, fmt.Errorf("parameters schema: required: %w", err)
			}
			if names != nil {
				s[k] = v
			}
		default:
			s[k] = v
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
func (s *streamState) apply(ev *streamEvent) (providers.Chunk, bool) {
	switch ev.Type {
	case "message_start":
		if ev.Message.Model != "" {
			s.res.Model = ev.Message.Model
		}
		u := ev.Message.Usage
		s.input, s.cacheRead, s.cacheWrite, s.output = count(u.InputTokens), count(u.CacheReadInputTokens), count(u.CacheCreationInputTokens), count(u.OutputTokens)
		s.setUsage()
	case "content_block_start":
		b := ev.ContentBlock
		switch {
		case b.Type == "tool_use":
			return providers.Chunk{ToolCall: &providers.ToolCallDelta{Index: ev.Index, ID: b.ID, Name: b.Name}}, true
		case b.Type == "text" && b.Text != "":
			return providers.Chunk{Text: b.Text}, true
		}
	case "content_block_delta":
		d := ev.Delta
		switch {
		case d.Type == "text_delta" && d.Text != "":
			return providers.Chunk{Text: d.Text}, true
		case d.Type == "input_json_delta" && d.PartialJSON != "":
			return providers.Chunk{ToolCall: &providers.ToolCallDelta{Index: ev.Index, Arguments: d.PartialJSON}}, true
		}
	case "message_delta":
		if ev.Delta.StopReason != "" {
			s.res.StopReason = ev.Delta.StopReason
		}
		u := ev.Usage
		for _, c := range [...]struct{ dst, src *int64 }{
			{&s.input, u.InputTokens}, {&s.cacheRead, u.CacheReadInputTokens},
			{&s.cacheWrite, u.CacheCreationInputTokens}, {&s.output, u.OutputTokens},
		} {
			if c.src != nil {
				*c.dst = *c.src
			}
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

// count is a token count an event may leave out, as 0 when it does.
func count(n *int64) int64 {
	if n == nil {
		return 0
	}
	return *n
}

// adviseKey adds to pe, an auth error the API answered with ae, what to
// change: the key to configure when none was, another one when it was
// refused. An account out of credit needs no other key.
func (p *Provider) adviseKey(pe *providers.Error, ae *APIError) {
	switch {
	case pe.Kind != providers.KindAuth || outOfCredit(ae.StatusCode, ae.Type, ae.Message):
	case p.noKey != "":
		pe.Message += " (no API key configured: " + p.noKey + ")"
	case ae.StatusCode == http.StatusUnauthorized:
		pe.Message += " (the API key was refused; to give another: " + p.keyAdvice + ")"
	}
}
