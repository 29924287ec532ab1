package openai

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"

	sse "github.com/tmaxmax/go-sse"

	"github.com/aiex-dev/aiex/providers"
	"github.com/aiex-dev/aiex/providers/httpapi"
)

// Chat streams the answer to req from /chat/completions, calling fn for each
// piece of text and each tool-call fragment in order. It returns fn's error
// unchanged if fn fails, the context's error (wrapped) if ctx ends first, and
// a *providers.Error otherwise. A stream that breaks off, carries a malformed
// chunk or an error event, or ends without a finish_reason or without
// "data: [DONE]" is KindInterrupted; the Result then carries what is known
// (the model, and the usage if it came).
func (p *Provider) Chat(ctx context.Context, req providers.Request, fn func(providers.Chunk) error) (providers.Result, error) {
	res := providers.Result{Model: req.Model}
	if p.refuse {
		return res, providers.NoKeyError(p.name, p.noKey)
	}
	body, err := toChatRequest(req, p.kind == KindOpenAI)
	if err != nil {
		return res, &providers.Error{Provider: p.name, Kind: providers.KindBadRequest, Message: err.Error(), Err: err}
	}
	resp, err := p.api.Do(ctx, http.MethodPost, "chat/completions", "text/event-stream", body)
	if err != nil {
		if ctx.Err() != nil {
			return res, fmt.Errorf("openai: chat %s: %w", req.Model, ctx.Err())
		}
		return res, p.providerError(ctx, req.Model, err)
	}
	defer resp.Body.Close()
	if mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type")); mt == "application/json" || mt == "text/html" {
		// Not a stream: an error in a 200, a server that ignored "stream",
		// or a web page (a base URL that points at a web app or a login
		// page).
		b, _ := io.ReadAll(io.LimitReader(resp.Body, httpapi.MaxErrorBody))
		return res, p.scrub(badAnswer(p.name, p.server, p.endpoint, resp.StatusCode, "a stream", b))
	}

	var (
		chunks    int
		done      bool             // "data: [DONE]" came
		streamErr error            // what ended the stream early
		started   = map[int]bool{} // tool calls whose first fragment was sent
		calls     toolCallIndexes
		out       []providers.Chunk
		data      []byte
	)
	for ev, err := range httpapi.Events(resp.Body) {
		if err != nil {
			// An event cut short by a clean end of the body is dropped
			// (the stream lacks its end, reported below); anything else
			// broke the stream.
			if !errors.Is(err, sse.ErrUnexpectedEOF) {
				streamErr = err
			}
			break
		}
		if ev.Data == "" {
			continue // no data lines: nothing to read
		}
		if strings.HasPrefix(ev.Data, "[DONE]") {
			done = true
			break
		}
		if ev.Type == "error" {
			// "event: error", or llama.cpp's "error:" line: whatever the
			// data's shape, it is not a chunk.
			streamErr = &StreamError{Data: strings.TrimSpace(ev.Data)}
			break
		}
		// The data with the line end its last data line had, which JSON's
		// errors then point at as it came.
		data = append(append(data[:0], ev.Data...), '\n')
		c, err := decodeChunk(data)
		if err != nil {
			streamErr = err
			break
		}
		if c.Model != "" {
			res.Model = c.Model
		}
		if c.Usage != nil {
			res.Usage = toUsage(*c.Usage)
		}
		if len(c.Choices) > 0 && c.Choices[0].FinishReason != "" {
			res.StopReason = c.Choices[0].FinishReason
		}
		calls.renumber(c)
		out = appendChunks(out[:0], c, started)
		for _, ch := range out {
			chunks++
			if err := fn(ch); err != nil {
				return res, err
			}
		}
	}
	switch {
	case ctx.Err() != nil:
		// Checked before streamErr: a cancelled body read looks like a
		// broken stream.
		return res, fmt.Errorf("openai: chat %s: %w", req.Model, ctx.Err())
	case streamErr != nil:
		return res, p.scrub(mapStreamError(p.name, p.server, p.endpoint, chunks, streamErr))
	case !done || res.StopReason == "":
		return res, p.scrub(interrupted(p.name, p.server, p.endpoint, chunks, done))
	}
	return res, nil
}

// decodeChunk decodes an event's data: a chunk, or a *StreamError if the
// data is a JSON object with an "error" key. A value of the wrong type in
// a field is left out, not an error: servers differ in the types of fields
// they add, and the chunk's text should still come through. Data that is
// not JSON, or not an object, is a *json.SyntaxError or
// *json.UnmarshalTypeError.
func decodeChunk(data []byte) (*chatChunk, error) {
	var c chatChunk
	if err := json.Unmarshal(data, &c); err != nil {
		var typ *json.UnmarshalTypeError
		if !errors.As(err, &typ) || typ.Field == "" {
			return nil, err
		}
	}
	if c.Error != nil {
		return nil, &StreamError{Data: string(bytes.TrimSpace(data))}
	}
	return &c, nil
}

// toChatRequest converts a request to the body of a streamed chat
// completion, asking for the usage at the end of the stream.
// maxCompletion sends MaxTokens as max_completion_tokens, the field
// OpenAI's current models accept (its o-series and later reject
// max_tokens); compatible servers get max_tokens, the one they all know.
func toChatRequest(req providers.Request, maxCompletion bool) (*chatRequest, error) {
	r := &chatRequest{
		Model:         req.Model,
		Messages:      make([]chatMessage, 0, len(req.Messages)),
		Stream:        true,
		StreamOptions: streamOptions{IncludeUsage: true},
		Temperature:   req.Temperature,
	}
	for i, m := range req.Messages {
		switch m.Role {
		case providers.RoleSystem, providers.RoleUser, providers.RoleAssistant:
			r.Messages = append(r.Messages, chatMessage{Role: string(m.Role), Content: m.Content})
		default:
			return nil, fmt.Errorf("message %d has unknown role %q", i, m.Role)
		}
	}
	for _, t := range req.Tools {
		fn := toolFunction{Name: t.Name, Description: t.Description}
		if params := bytes.TrimSpace(t.Parameters); len(params) > 0 && string(params) != "null" {
			if !json.Valid(params) || params[0] != '{' {
				var obj map[string]any
				err := json.Unmarshal(params, &obj) // says why
				return nil, fmt.Errorf("tool %q: parameters are not a JSON object: %w", t.Name, err)
			}
			fn.Parameters = json.RawMessage(params)
		}
		r.Tools = append(r.Tools, chatTool{Type: "function", Function: fn})
	}
	if req.MaxTokens > 0 {
		if maxCompletion {
			r.MaxCompletionTokens = req.MaxTokens
		} else {
			r.MaxTokens = req.MaxTokens
		}
	}
	return r, nil
}

// appendChunks appends the Chunks in c's first choice to dst: its text (and
// refusal, which is text the user should see), then its tool-call
// fragments. started records the tool calls, by index, whose first fragment
// was sent: only that one carries the ID and Name, also from servers that
// repeat them on every fragment.
func appendChunks(dst []providers.Chunk, c *chatChunk, started map[int]bool) []providers.Chunk {
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
		delta := &providers.ToolCallDelta{Index: tc.Index, Arguments: tc.Function.Arguments}
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

// toolCallIndexes gives each tool call of a stream an index of its own.
// Servers number the calls of an answer with "index", but not all of them
// tell parallel calls apart that way: Gemini's OpenAI-compatible API sends
// every call whole, each with its own ID, and all at index 0 (or with no
// index). A fragment that carries an ID other than that of the call at its
// index starts a new call, which takes the next free index; a fragment
// without an ID continues the latest call at its index. A server that
// numbers its calls keeps its numbers. The zero value is ready to use.
type toolCallIndexes struct {
	ids    map[int]string // by the index given to a call: its ID
	latest map[int]int    // by the server's index: the index given to the latest call there
	next   int            // one past the highest index given
}

// renumber sets the Index of the tool-call fragments in c's first choice
// to the index of the call each belongs to.
func (t *toolCallIndexes) renumber(c *chatChunk) {
	if len(c.Choices) == 0 || len(c.Choices[0].Delta.ToolCalls) == 0 {
		return
	}
	if t.ids == nil {
		t.ids, t.latest = map[int]string{}, map[int]int{}
	}
	for i := range c.Choices[0].Delta.ToolCalls {
		tc := &c.Choices[0].Delta.ToolCalls[i]
		idx, ok := t.latest[tc.Index]
		if ok && (tc.ID == "" || t.ids[idx] == "" || t.ids[idx] == tc.ID) {
			if t.ids[idx] == "" {
				t.ids[idx] = tc.ID
			}
			tc.Index = idx
			continue
		}
		idx = tc.Index
		if _, taken := t.ids[idx]; taken {
			idx = t.next
		}
		t.ids[idx], t.latest[tc.Index] = tc.ID, idx
		t.next = max(t.next, idx+1)
		tc.Index = idx
	}
}

// toUsage converts the usage of the stream's last chunk.
func toUsage(u usage) providers.Usage {
	return providers.Usage{
		PromptTokens:     u.PromptTokens,
		CompletionTokens: u.CompletionTokens,
		CacheReadTokens:  u.PromptTokensDetails.CachedTokens,
		CacheWriteTokens: u.PromptTokensDetails.CacheWriteTokens,
	}
}
