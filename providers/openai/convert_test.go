package openai

import (
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/aiex-dev/aiex/providers"
	"github.com/aiex-dev/aiex/providers/httpapi"
)

// asJSON marshals v and decodes it again as generic JSON, for comparing
// requests by what they send.
func asJSON(t *testing.T, v any) any {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("marshal: %v", err)
	}
	var out any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatalf("unmarshal %s: %v", b, err)
	}
	return out
}

func TestToChatRequest(t *testing.T) {
	zero := 0.0
	user := []providers.Message{{Role: providers.RoleUser, Content: "hi"}}
	msgs := []any{map[string]any{"role": "user", "content": "hi"}}
	usage := map[string]any{"include_usage": true}
	// Every request streams and asks for the usage.
	stream := map[string]any{"stream": true, "stream_options": usage}
	with := func(fields ...any) map[string]any {
		m := map[string]any{}
		for k, v := range stream {
			m[k] = v
		}
		for i := 0; i < len(fields); i += 2 {
			m[fields[i].(string)] = fields[i+1]
		}
		return m
	}
	tests := []struct {
		name          string
		req           providers.Request
		maxCompletion bool
		want          map[string]any
	}{
		{
			name: "defaults leave options unset",
			req:  providers.Request{Model: "m", Messages: user},
			want: with("model", "m", "messages", msgs),
		},
		{
			name: "zero temperature is sent",
			req:  providers.Request{Model: "m", Messages: user, Temperature: &zero},
			want: with("model", "m", "messages", msgs, "temperature", 0.0),
		},
		{
			name: "max tokens for OpenAI", maxCompletion: true,
			req:  providers.Request{Model: "m", Messages: user, MaxTokens: 10},
			want: with("model", "m", "messages", msgs, "max_completion_tokens", 10.0),
		},
		{
			name: "max tokens for compatible servers",
			req:  providers.Request{Model: "m", Messages: user, MaxTokens: 10},
			want: with("model", "m", "messages", msgs, "max_tokens", 10.0),
		},
		{
			name: "roles",
			req: providers.Request{Model: "m", Messages: []providers.Message{
				{Role: providers.RoleSystem, Content: "s"}, {Role: providers.RoleUser, Content: "u"}, {Role: providers.RoleAssistant, Content: "a"}}},
			want: with("model", "m", "messages", []any{
				map[string]any{"role": "system", "content": "s"},
				map[string]any{"role": "user", "content": "u"},
				map[string]any{"role": "assistant", "content": "a"},
			}),
		},
		{
			name: "tools",
			req: providers.Request{Model: "m", Messages: user, Tools: []providers.Tool{
				{Name: "f", Description: "does f", Parameters: json.RawMessage(`{"type":"object","properties":{"x":{"type":"integer"}}}`)},
				{Name: "g"},
				{Name: "h", Parameters: json.RawMessage(" null ")},
			}},
			want: with("model", "m", "messages", msgs, "tools", []any{
				map[string]any{"type": "function", "function": map[string]any{"name": "f", "description": "does f",
					"parameters": map[string]any{"type": "object", "properties": map[string]any{"x": map[string]any{"type": "integer"}}}}},
				map[string]any{"type": "function", "function": map[string]any{"name": "g"}},
				map[string]any{"type": "function", "function": map[string]any{"name": "h"}},
			}),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := toChatRequest(tt.req, tt.maxCompletion)
			if err != nil {
				t.Fatalf("toChatRequest: %v", err)
			}
			if diff := cmp.Diff(any(tt.want), asJSON(t, got)); diff != "" {
				t.Errorf("request (-want +got):\n%s", diff)
			}
		})
	}
}

// chunkOf decodes a chat.completion.chunk as Chat does.
func chunkOf(t *testing.T, s string) *chatChunk {
	t.Helper()
	c, err := decodeChunk([]byte(s))
	if err != nil {
		t.Fatalf("chunk %s: %v", s, err)
	}
	return c
}

func TestDecodeChunk(t *testing.T) {
	tests := []struct {
		name      string
		data      string
		wantText  string
		wantError string // "stream", "syntax", "type" or "" for a chunk
	}{
		{"chunk", `{"id":"c","object":"chat.completion.chunk","model":"m","choices":[{"index":0,"delta":{"content":"hi"},"finish_reason":null}],"usage":null}`, "hi", ""},
		{"error object", `{"error":{"message":"The server had an error","type":"server_error"}}`, "", "stream"},
		{"error string", `{"error":"model runner crashed"}`, "", "stream"},
		{"null error is still one", `{"error":null}`, "", "stream"},
		{"error beside a chunk's fields", `{"id":"c","choices":[],"error":{"message":"m"}}`, "", "stream"},
		{"field of another type", `{"id":7,"choices":[{"index":"0","delta":{"content":"hi"}}],"usage":{"prompt_tokens":"x"}}`, "hi", ""},
		{"not JSON", "{\"choices\":[{\"delta\":{\"content\":\"\n", "", "syntax"},
		{"not an object", `["hi"]`, "", "type"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := decodeChunk([]byte(tt.data))
			var (
				se     *StreamError
				syntax *json.SyntaxError
				typ    *json.UnmarshalTypeError
				got    string
			)
			switch {
			case err == nil:
			case errors.As(err, &se):
				got = "stream"
				if se.Data != tt.data {
					t.Errorf("StreamError.Data = %s, want the event's data", se.Data)
				}
			case errors.As(err, &syntax):
				got = "syntax"
			case errors.As(err, &typ):
				got = "type"
			default:
				got = err.Error()
			}
			if got != tt.wantError {
				t.Fatalf("err = %v, want %q", err, tt.wantError)
			}
			if err != nil {
				return
			}
			if len(c.Choices) != 1 || c.Choices[0].Delta.Content != tt.wantText {
				t.Errorf("chunk = %+v, want the text %q", c, tt.wantText)
			}
		})
	}
}

func TestAppendChunks(t *testing.T) {
	tc := func(i int, id, name, args string) providers.Chunk {
		return providers.Chunk{ToolCall: &providers.ToolCallDelta{Index: i, ID: id, Name: name, Arguments: args}}
	}
	tests := []struct {
		name   string
		chunks []string
		want   []providers.Chunk
	}{
		{
			name:   "text",
			chunks: []string{`{"choices":[{"index":0,"delta":{"role":"assistant","content":""}}]}`, `{"choices":[{"index":0,"delta":{"content":"hi"}}]}`},
			want:   []providers.Chunk{{Text: "hi"}},
		},
		{
			name:   "refusal is text",
			chunks: []string{`{"choices":[{"index":0,"delta":{"refusal":"I can't help with that."}}]}`},
			want:   []providers.Chunk{{Text: "I can't help with that."}},
		},
		{
			name:   "usage chunk has no choices",
			chunks: []string{`{"choices":[],"usage":{"prompt_tokens":1,"completion_tokens":1,"total_tokens":2}}`},
		},
		{
			name: "OpenAI fragments",
			chunks: []string{
				`{"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"call_1","type":"function","function":{"name":"f","arguments":""}}]}}]}`,
				`{"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\"a\""}}]}}]}`,
				`{"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":":1}"}}]}}]}`,
			},
			want: []providers.Chunk{tc(0, "call_1", "f", ""), tc(0, "", "", `{"a"`), tc(0, "", "", ":1}")},
		},
		{
			name: "server repeating id and name",
			chunks: []string{
				`{"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"call_1","type":"function","function":{"name":"f","arguments":"{"}}]}}]}`,
				`{"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"call_1","type":"function","function":{"name":"f","arguments":"}"}}]}}]}`,
				`{"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"call_1","type":"function","function":{"name":"f"}}]}}]}`,
			},
			want: []providers.Chunk{tc(0, "call_1", "f", "{"), tc(0, "", "", "}")},
		},
		{
			name: "whole calls in one chunk (Ollama)",
			chunks: []string{
				`{"choices":[{"index":0,"delta":{"role":"assistant","content":"","tool_calls":[{"id":"call_a","index":0,"type":"function","function":{"name":"f","arguments":"{}"}},{"id":"call_b","index":1,"type":"function","function":{"name":"g","arguments":"{\"x\":1}"}}]}}]}`,
			},
			want: []providers.Chunk{tc(0, "call_a", "f", "{}"), tc(1, "call_b", "g", `{"x":1}`)},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			started := map[int]bool{}
			var got []providers.Chunk
			for _, s := range tt.chunks {
				got = appendChunks(got, chunkOf(t, s), started)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("chunks (-want +got):\n%s", diff)
			}
		})
	}
}

func TestToUsage(t *testing.T) {
	c := chunkOf(t, `{"choices":[],"usage":{"prompt_tokens":2006,"completion_tokens":300,"total_tokens":2306,
		"prompt_tokens_details":{"cached_tokens":1920,"cache_write_tokens":64,"audio_tokens":0},
		"completion_tokens_details":{"reasoning_tokens":128}}}`)
	want := providers.Usage{PromptTokens: 2006, CompletionTokens: 300, CacheReadTokens: 1920, CacheWriteTokens: 64}
	if diff := cmp.Diff(want, toUsage(*c.Usage)); diff != "" {
		t.Errorf("usage (-want +got):\n%s", diff)
	}
}

// statusError builds the error a request fails with for an error answer
// in OpenAI's shape.
func statusError(status int, code, msg string, header http.Header) *httpapi.StatusError {
	e := map[string]any{"message": msg, "type": "invalid_request_error", "param": nil, "code": nil}
	if code != "" {
		e["code"] = code
	}
	body, err := json.Marshal(map[string]any{"error": e})
	if err != nil {
		panic(err)
	}
	if header == nil {
		header = http.Header{}
	}
	header.Set("Content-Type", "application/json")
	return &httpapi.StatusError{StatusCode: status, Header: header, Body: body}
}

func TestMapError(t *testing.T) {
	now := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	const ep = "http://host/v1"
	tests := []struct {
		name      string
		err       error
		wantKind  providers.ErrorKind
		wantCode  int
		wantMsg   string
		wantRetry time.Duration
	}{
		{"unauthorized", statusError(401, "invalid_api_key", "Incorrect API key provided", nil), providers.KindAuth, 401, "Incorrect API key provided", 0},
		{"forbidden", statusError(403, "", "no access", nil), providers.KindAuth, 403, "no access", 0},
		{"quota", statusError(429, "insufficient_quota", "You exceeded your current quota", nil), providers.KindAuth, 429, "You exceeded your current quota (the account is out of credit: add credit or check its billing settings)", 0},
		{"payment required", statusError(402, "", "Insufficient credits", nil), providers.KindAuth, 402, "Insufficient credits (the account is out of credit: add credit or check its billing settings)", 0},
		{"rate limited", statusError(429, "rate_limit_exceeded", "slow", http.Header{"Retry-After": {"3"}}), providers.KindRateLimited, 429, "slow", 3 * time.Second},
		{"rate limited date", statusError(429, "", "slow", http.Header{"Retry-After": {now.Add(time.Minute).Format(http.TimeFormat)}}), providers.KindRateLimited, 429, "slow", time.Minute},
		{"bad request", statusError(400, "", "bad", nil), providers.KindBadRequest, 400, "bad", 0},
		{"context code", statusError(400, "context_length_exceeded", "too long", nil), providers.KindContextTooLong, 400, "too long", 0},
		{"context message", statusError(400, "", "the input length exceeds the context length", nil), providers.KindContextTooLong, 400, "the input length exceeds the context length", 0},
		{"not found", statusError(404, "", "model 'x' not found", nil), providers.KindNotFound, 404, "model 'x' not found", 0},
		{"not found by code", statusError(400, "model_not_found", `Invalid model identifier "x".`, nil), providers.KindNotFound, 400, `Invalid model identifier "x".`, 0},
		{"timeout status", statusError(408, "", "", nil), providers.KindUnavailable, 408, "408 Request Timeout", 0},
		{"conflict", statusError(409, "", "", nil), providers.KindUnavailable, 409, "409 Conflict", 0},
		{"server error", statusError(500, "", "", nil), providers.KindUnavailable, 500, "500 Internal Server Error", 0},
		{"overloaded", statusError(503, "", "busy", http.Header{"Retry-After-Ms": {"250"}}), providers.KindOverloaded, 503, "busy", 250 * time.Millisecond},
		{"odd status", statusError(599, "", "", nil), providers.KindUnavailable, 599, "HTTP status 599", 0},
		{"refused", &url.Error{Op: "Post", URL: ep, Err: &net.OpError{Op: "dial", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}},
			providers.KindUnavailable, 0, "cannot reach OpenAI at http://host/v1: connection refused", 0},
		{"dns", &url.Error{Op: "Post", URL: ep, Err: &net.OpError{Op: "dial", Err: &net.DNSError{Name: "host", Err: "no such host", IsNotFound: true}}},
			providers.KindUnavailable, 0, `cannot reach OpenAI at http://host/v1: cannot resolve host "host"`, 0},
		{"timeout", &url.Error{Op: "Post", URL: ep, Err: &net.DNSError{Name: "host", IsTimeout: true}},
			providers.KindUnavailable, 0, `cannot reach OpenAI at http://host/v1: cannot resolve host "host"`, 0},
		{"eof", &url.Error{Op: "Post", URL: ep, Err: io.EOF}, providers.KindUnavailable, 0, "cannot reach OpenAI at http://host/v1: EOF", 0},
		{"undecodable answer", &httpapi.DecodeError{Body: []byte(`{"data":`), Err: io.ErrUnexpectedEOF}, providers.KindUnavailable, 0,
			"unexpected answer from OpenAI at http://host/v1: malformed answer: unexpected EOF", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pe := mapError("p", "OpenAI", ep, tt.err, now)
			got := [3]any{pe.Kind, pe.StatusCode, pe.Message}
			if diff := cmp.Diff([3]any{tt.wantKind, tt.wantCode, tt.wantMsg}, got); diff != "" {
				t.Errorf("kind, status, message (-want +got):\n%s", diff)
			}
			if pe.RetryAfter != tt.wantRetry || pe.Provider != "p" || pe.Err == nil {
				t.Errorf("RetryAfter %v Provider %q Err %v", pe.RetryAfter, pe.Provider, pe.Err)
			}
			var se *httpapi.StatusError
			if !errors.As(tt.err, &se) {
				return
			}
			// An error answer is in the chain as an *APIError, with what
			// the server said, and not as the answer itself.
			var ae *APIError
			if !errors.As(pe, &ae) || errors.As(pe, &se) {
				t.Fatalf("Err = %#v, want an *APIError in place of the *httpapi.StatusError", pe.Err)
			}
			if ae.StatusCode != tt.wantCode || ae.Header.Get("Content-Type") != "application/json" {
				t.Errorf("APIError = %+v", ae)
			}
		})
	}
}

func TestRetryAfter(t *testing.T) {
	now := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	tests := []struct {
		name string
		h    map[string]string
		want time.Duration
	}{
		{"none", nil, 0},
		{"seconds", map[string]string{"retry-after": "20"}, 20 * time.Second},
		{"fractional seconds", map[string]string{"retry-after": "0.5"}, 500 * time.Millisecond},
		{"date", map[string]string{"retry-after": now.Add(90 * time.Second).Format(http.TimeFormat)}, 90 * time.Second},
		{"past date", map[string]string{"retry-after": now.Add(-time.Hour).Format(http.TimeFormat)}, 0},
		{"garbage", map[string]string{"retry-after": "soon"}, 0},
		{"ms wins", map[string]string{"retry-after": "20", "retry-after-ms": "1500"}, 1500 * time.Millisecond},
		{"requests exhausted", map[string]string{"x-ratelimit-remaining-requests": "0", "x-ratelimit-reset-requests": "1s",
			"x-ratelimit-remaining-tokens": "100", "x-ratelimit-reset-tokens": "6m0s"}, time.Second},
		{"tokens exhausted", map[string]string{"x-ratelimit-remaining-requests": "10", "x-ratelimit-reset-requests": "1s",
			"x-ratelimit-remaining-tokens": "0", "x-ratelimit-reset-tokens": "1m30.5s"}, 90*time.Second + 500*time.Millisecond},
		{"unknown which: longer", map[string]string{"x-ratelimit-reset-requests": "20ms", "x-ratelimit-reset-tokens": "2s"}, 2 * time.Second},
		{"retry-after beats resets", map[string]string{"retry-after": "3", "x-ratelimit-remaining-requests": "0", "x-ratelimit-reset-requests": "1m0s"}, 3 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := http.Header{}
			for k, v := range tt.h {
				h.Set(k, v)
			}
			if got := retryAfter(h, now); got != tt.want {
				t.Errorf("retryAfter = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestErrorFields(t *testing.T) {
	tests := []struct {
		name, body string
		want       APIError
		wantOK     bool
	}{
		{"OpenAI shape", `{"error":{"message":"m","type":"t","param":null,"code":"c"}}`,
			APIError{Message: "m", Type: "t", Code: "c"}, true},
		{"param", `{"error":{"message":"m","type":"invalid_request_error","param":"temperature","code":null}}`,
			APIError{Message: "m", Type: "invalid_request_error", Param: "temperature"}, true},
		{"gateway's numeric code", `{"error":{"message":"Insufficient credits","code":402}}`,
			APIError{Message: "Insufficient credits", Code: "402"}, true},
		{"string error", `{"error":"No models loaded."}`, APIError{Message: "No models loaded."}, true},
		{"null error", `{"error":null,"message":"m"}`, APIError{}, true},
		{"flat message", `{"object":"error","message":"m","type":"BadRequestError","code":400}`,
			APIError{Message: "m", Type: "BadRequestError"}, true},
		{"other JSON", `{"detail":"Not Found"}`, APIError{}, false},
		{"plain text", "404 page not found\nmore", APIError{}, false},
		{"html", "<html>Bad Gateway</html>", APIError{}, false},
		{"empty text", "  ", APIError{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := errorFields([]byte(tt.body))
			if diff := cmp.Diff(&tt.want, got); diff != "" {
				t.Errorf("fields (-want +got):\n%s", diff)
			}
			if ok != tt.wantOK {
				t.Errorf("ok = %v, want %v", ok, tt.wantOK)
			}
		})
	}
}

func TestMapStreamError(t *testing.T) {
	const ep = "http://host/v1"
	event := func(data string) error { return &StreamError{Data: data} }
	var syntaxErr error = &json.SyntaxError{}
	if err := json.Unmarshal([]byte(`{"a":`), new(any)); err != nil {
		syntaxErr = err
	}
	tests := []struct {
		name     string
		err      error
		wantKind providers.ErrorKind
		wantMsg  string
	}{
		{"error object", event(`{"error":{"message":"The server had an error","type":"server_error","param":null,"code":null}}`),
			providers.KindInterrupted, "OpenAI at http://host/v1 stopped the answer after 3 chunks: The server had an error"},
		{"error string", event(`{"error":"model runner crashed"}`),
			providers.KindInterrupted, "OpenAI at http://host/v1 stopped the answer after 3 chunks: model runner crashed"},
		{"context code", event(`{"error":{"message":"too long","code":"context_length_exceeded"}}`),
			providers.KindContextTooLong, "OpenAI at http://host/v1 stopped the answer after 3 chunks: too long"},
		{"malformed", syntaxErr, providers.KindInterrupted,
			"the answer from OpenAI at http://host/v1 had a malformed chunk after 3 chunks: unexpected end of JSON input"},
		{"broken", io.ErrUnexpectedEOF, providers.KindInterrupted, "the answer from OpenAI at http://host/v1 broke off after 3 chunks: unexpected EOF"},
		{"reset", &net.OpError{Op: "read", Err: os.NewSyscallError("read", syscall.ECONNRESET)}, providers.KindInterrupted,
			"the answer from OpenAI at http://host/v1 broke off after 3 chunks: connection reset"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pe := mapStreamError("p", "OpenAI", ep, 3, tt.err)
			if pe.Kind != tt.wantKind || pe.Message != tt.wantMsg || !errors.Is(pe, tt.err) {
				t.Errorf("got %s %q (Err %v), want %s %q", pe.Kind, pe.Message, pe.Err, tt.wantKind, tt.wantMsg)
			}
		})
	}
}

func TestKnownContextWindow(t *testing.T) {
	tests := []struct {
		model string
		want  int
	}{
		{"gpt-4o", 128_000},
		{"gpt-4o-2024-08-06", 128_000},
		{"gpt-4o-mini", 128_000},
		{"gpt-4.1", 1_047_576},
		{"gpt-4.1-nano-2025-04-14", 1_047_576},
		{"o3", 200_000},
		{"o3-mini", 200_000},
		{"o4-mini", 200_000},
		{"gpt-5", 400_000},
		{"gpt-5-mini", 400_000},
		{"gpt-5.1", 400_000},
		{"gpt-4", 0},
		{"gpt-4o1", 0},
		{"o1", 0},
		{"text-embedding-3-small", 0},
		{"llama3", 0},
	}
	for _, tt := range tests {
		if got := KnownContextWindow(tt.model); got != tt.want {
			t.Errorf("KnownContextWindow(%q) = %d, want %d", tt.model, got, tt.want)
		}
	}
}

func TestToEmbeddings(t *testing.T) {
	emb := func(i int, v ...float32) embedding { return embedding{Index: i, Embedding: v} }
	tests := []struct {
		name    string
		data    []embedding
		n       int
		want    [][]float32
		wantErr bool
	}{
		{"in order", []embedding{emb(0, 1, 2), emb(1, 3)}, 2, [][]float32{{1, 2}, {3}}, false},
		{"by index", []embedding{emb(1, 3), emb(0, 1, 2)}, 2, [][]float32{{1, 2}, {3}}, false},
		{"indexes all zero", []embedding{emb(0, 1), emb(0, 2)}, 2, [][]float32{{1}, {2}}, false},
		{"index out of range", []embedding{emb(0, 1), emb(5, 2)}, 2, [][]float32{{1}, {2}}, false},
		{"no vector", []embedding{emb(0), emb(1, 2)}, 2, [][]float32{{}, {2}}, false},
		{"too few", []embedding{emb(0, 1)}, 2, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := toEmbeddings(tt.data, tt.n)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, want error %v", err, tt.wantErr)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("vectors (-want +got):\n%s", diff)
			}
		})
	}
}

// OpenAI's x-should-retry header overrides what the status says of sending
// the request again.
func TestMapErrorShouldRetry(t *testing.T) {
	now := time.Now()
	pe := mapError("openai", "OpenAI", "http://host/v1", statusError(500, "", "boom", http.Header{"X-Should-Retry": {"false"}}), now)
	if pe.Kind != providers.KindUnavailable || !pe.NoRetry {
		t.Errorf("500 with x-should-retry false: %s, NoRetry %v; want unavailable, not retried", pe.Kind, pe.NoRetry)
	}
	pe = mapError("openai", "OpenAI", "http://host/v1", statusError(400, "", "try again", http.Header{"X-Should-Retry": {"true"}}), now)
	if pe.Kind != providers.KindUnavailable || pe.NoRetry {
		t.Errorf("400 with x-should-retry true: %s, NoRetry %v; want unavailable, retried", pe.Kind, pe.NoRetry)
	}
	pe = mapError("openai", "OpenAI", "http://host/v1", statusError(500, "", "boom", nil), now)
	if pe.NoRetry {
		t.Error("500 without the header: NoRetry set")
	}
}

// TestRetryAfterDateNeverEarly: an HTTP date names a whole second, the
// server's own time rounded down to it; from a now with a fraction the
// wait is rounded up to whole seconds, so that the retry does not come
// before the time the server meant (it came up to a second early).
func TestRetryAfterDateNeverEarly(t *testing.T) {
	now := time.Date(2025, 1, 2, 3, 4, 5, 700_000_000, time.UTC)
	h := http.Header{"Retry-After": {"Thu, 02 Jan 2025 03:04:08 GMT"}}
	if got := retryAfter(h, now); got != 3*time.Second {
		t.Errorf("retryAfter = %v, want 3s", got)
	}
}
