package openai

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/aiex-dev/aiex/providers"
	"github.com/aiex-dev/aiex/providers/providertest"
)

// rawServer starts a server that answers every request with status,
// contentType and body as given, and a Provider of kind openai-compatible
// for it that sends key. A declared length over len(body) (contentLength)
// makes the answer break off where body ends.
func rawServer(t *testing.T, status int, header http.Header, body string, contentLength int) (*httptest.Server, *Provider) {
	t.Helper()
	srv := providertest.NewRaw(t, status, header, body, contentLength)
	return srv, newProvider(t, Config{Kind: KindCompatible, BaseURL: srv.URL, APIKey: testKey})
}

// sseHeader is the header of a stream.
var sseHeader = http.Header{"Content-Type": {"text/event-stream; charset=utf-8"}}

// TestChatStreamsOfRealServers replays streams in the shapes servers send,
// with what each of them adds to OpenAI's chunks.
func TestChatStreamsOfRealServers(t *testing.T) {
	tc := func(i int, id, name, args string) providers.ToolCallDelta {
		return providers.ToolCallDelta{Index: i, ID: id, Name: name, Arguments: args}
	}
	tests := []struct {
		name      string
		body      string
		wantText  []string
		wantCalls []providers.ToolCallDelta
		wantRes   providers.Result
	}{
		{
			name: "OpenAI: role chunk with null content, obfuscation, usage null until its own chunk, [DONE] without a space",
			body: `data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"gpt-4o-2024-08-06","service_tier":"default","system_fingerprint":"fp_1","choices":[{"index":0,"delta":{"role":"assistant","content":null,"refusal":null},"logprobs":null,"finish_reason":null}],"usage":null,"obfuscation":"Wq3"}` + "\n\n" +
				": keep-alive\n\n" +
				`data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"gpt-4o-2024-08-06","choices":[{"index":0,"delta":{"content":"Hi"},"logprobs":null,"finish_reason":null}],"usage":null,"obfuscation":"x"}` + "\n\n" +
				`data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"gpt-4o-2024-08-06","choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":"content_filter"}],"usage":null}` + "\n\n" +
				`data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"gpt-4o-2024-08-06","choices":[],"usage":{"prompt_tokens":10,"completion_tokens":2,"total_tokens":12,"prompt_tokens_details":{"cached_tokens":4,"audio_tokens":0},"completion_tokens_details":{"reasoning_tokens":0,"audio_tokens":0,"accepted_prediction_tokens":0,"rejected_prediction_tokens":0}},"obfuscation":"pQ"}` + "\n\n" +
				"data:[DONE]\n\n",
			wantText: []string{"Hi"},
			wantRes:  providers.Result{Model: "gpt-4o-2024-08-06", StopReason: "content_filter", Usage: providers.Usage{PromptTokens: 10, CompletionTokens: 2, CacheReadTokens: 4}},
		},
		{
			name: "OpenAI: parallel tool calls, fragments interleaved",
			body: `data: {"choices":[{"index":0,"delta":{"role":"assistant","content":null,"tool_calls":[{"index":0,"id":"call_a","type":"function","function":{"name":"f","arguments":""}}]},"finish_reason":null}],"usage":null}` + "\n\n" +
				`data: {"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\"a\""}}]},"finish_reason":null}],"usage":null}` + "\n\n" +
				`data: {"choices":[{"index":0,"delta":{"tool_calls":[{"index":1,"id":"call_b","type":"function","function":{"name":"g","arguments":""}}]},"finish_reason":null}],"usage":null}` + "\n\n" +
				`data: {"choices":[{"index":0,"delta":{"tool_calls":[{"index":1,"function":{"arguments":"{}"}}]},"finish_reason":null}],"usage":null}` + "\n\n" +
				`data: {"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":":1}"}}]},"finish_reason":null}],"usage":null}` + "\n\n" +
				`data: {"choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}],"usage":null}` + "\n\n" +
				`data: {"choices":[],"usage":{"prompt_tokens":5,"completion_tokens":7,"total_tokens":12}}` + "\n\n" +
				"data: [DONE]\n\n",
			wantCalls: []providers.ToolCallDelta{tc(0, "call_a", "f", ""), tc(0, "", "", `{"a"`), tc(1, "call_b", "g", ""), tc(1, "", "", "{}"), tc(0, "", "", ":1}")},
			wantRes:   providers.Result{Model: "m", StopReason: "tool_calls", Usage: providers.Usage{PromptTokens: 5, CompletionTokens: 7}},
		},
		{
			name: "Azure: a first chunk without choices or model, for the prompt filter",
			body: `data: {"choices":[],"created":0,"id":"","model":"","object":"","prompt_filter_results":[{"prompt_index":0,"content_filter_results":{"hate":{"filtered":false,"severity":"safe"}}}]}` + "\n\n" +
				`data: {"choices":[{"content_filter_results":{},"delta":{"content":"Hi","role":"assistant"},"finish_reason":null,"index":0}],"created":1,"id":"c","model":"gpt-4o-2024-11-20","object":"chat.completion.chunk"}` + "\n\n" +
				`data: {"choices":[{"content_filter_results":{},"delta":{},"finish_reason":"length","index":0}],"created":1,"id":"c","model":"gpt-4o-2024-11-20","object":"chat.completion.chunk","usage":null}` + "\n\n" +
				"data: [DONE]\n\n",
			wantText: []string{"Hi"},
			wantRes:  providers.Result{Model: "gpt-4o-2024-11-20", StopReason: "length"},
		},
		{
			name: "llama.cpp: finish reason and usage in one chunk, CRLF",
			body: strings.ReplaceAll(`data: {"choices":[{"finish_reason":null,"index":0,"delta":{"role":"assistant","content":null}}],"created":1,"id":"c","model":"qwen","system_fingerprint":"b1","object":"chat.completion.chunk"}`+"\n\n"+
				`data: {"choices":[{"finish_reason":null,"index":0,"delta":{"content":"Hi"}}],"created":1,"id":"c","model":"qwen","object":"chat.completion.chunk"}`+"\n\n"+
				`data: {"choices":[{"finish_reason":"stop","index":0,"delta":{}}],"created":1,"id":"c","model":"qwen","object":"chat.completion.chunk","usage":{"completion_tokens":1,"prompt_tokens":9,"total_tokens":10},"timings":{"prompt_n":9}}`+"\n\n"+
				"data: [DONE]\n\n", "\n", "\r\n"),
			wantText: []string{"Hi"},
			wantRes:  providers.Result{Model: "qwen", StopReason: "stop", Usage: providers.Usage{PromptTokens: 9, CompletionTokens: 1}},
		},
		{
			// Gemini's OpenAI-compatible API sends each parallel call
			// whole, all at index 0: they are separate calls.
			name: "Gemini: parallel calls at one index",
			body: `data: {"choices":[{"delta":{"role":"assistant","tool_calls":[{"function":{"arguments":"{\"city\":\"Paris\"}","name":"weather"},"id":"function-call-1","index":0,"type":"function"}]},"index":0}],"model":"gemini-2.5-flash","object":"chat.completion.chunk"}` + "\n\n" +
				`data: {"choices":[{"delta":{"role":"assistant","tool_calls":[{"function":{"arguments":"{\"city\":\"Rome\"}","name":"weather"},"id":"function-call-2","index":0,"type":"function"}]},"index":0}],"model":"gemini-2.5-flash","object":"chat.completion.chunk"}` + "\n\n" +
				`data: {"choices":[{"delta":{"role":"assistant","tool_calls":[{"function":{"arguments":"{}","name":"time"},"id":"function-call-3","index":0,"type":"function"}]},"finish_reason":"stop","index":0}],"model":"gemini-2.5-flash","object":"chat.completion.chunk","usage":{"completion_tokens":30,"prompt_tokens":20,"total_tokens":50}}` + "\n\n" +
				"data: [DONE]\n\n",
			wantCalls: []providers.ToolCallDelta{
				tc(0, "function-call-1", "weather", `{"city":"Paris"}`),
				tc(1, "function-call-2", "weather", `{"city":"Rome"}`),
				tc(2, "function-call-3", "time", "{}"),
			},
			wantRes: providers.Result{Model: "gemini-2.5-flash", StopReason: "stop", Usage: providers.Usage{PromptTokens: 20, CompletionTokens: 30}},
		},
		{
			name: "calls without an index, arguments continued without an ID",
			body: `data: {"choices":[{"index":0,"delta":{"tool_calls":[{"id":"a","type":"function","function":{"name":"f","arguments":"{\"x\":"}}]}}]}` + "\n\n" +
				`data: {"choices":[{"index":0,"delta":{"tool_calls":[{"function":{"arguments":"1}"}}]}}]}` + "\n\n" +
				`data: {"choices":[{"index":0,"delta":{"tool_calls":[{"id":"b","type":"function","function":{"name":"g","arguments":"{"}}]}}]}` + "\n\n" +
				`data: {"choices":[{"index":0,"delta":{"tool_calls":[{"function":{"arguments":"}"}}]},"finish_reason":"tool_calls"}]}` + "\n\n" +
				"data: [DONE]\n\n",
			wantCalls: []providers.ToolCallDelta{tc(0, "a", "f", `{"x":`), tc(0, "", "", "1}"), tc(1, "b", "g", "{"), tc(1, "", "", "}")},
			wantRes:   providers.Result{Model: "m", StopReason: "tool_calls"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, p := rawServer(t, 200, sseHeader, tt.body, 0)
			text, calls, res, err := chat(t.Context(), p, userRequest("m"))
			if err != nil {
				t.Fatalf("Chat: %v", err)
			}
			if diff := cmp.Diff(tt.wantText, text); diff != "" {
				t.Errorf("text (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantCalls, calls); diff != "" {
				t.Errorf("tool calls (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantRes, res); diff != "" {
				t.Errorf("result (-want +got):\n%s", diff)
			}
		})
	}
}

// TestChatStreamFailuresOfRealServers checks how streams that began with
// 200 end badly: the server's message must reach the user, classified.
func TestChatStreamFailuresOfRealServers(t *testing.T) {
	const hi = `data: {"choices":[{"index":0,"delta":{"content":"hi"},"finish_reason":null}]}` + "\n\n"
	tests := []struct {
		name          string
		body          string
		contentLength int // > 0: the connection breaks after body
		wantKind      providers.ErrorKind
		wantMessage   string // ENDPOINT stands for the server's URL
		wantErr       bool   // an underlying error
	}{
		{
			// llama.cpp until late 2025: a field SSE does not define.
			name:        "llama.cpp error line, then [DONE]",
			body:        "error: {\"code\":400,\"message\":\"the request exceeds the available context size. try increasing the context size or enable context shift\",\"type\":\"invalid_request_error\"}\n\ndata: [DONE]\n\n",
			wantKind:    providers.KindContextTooLong,
			wantMessage: "the server at ENDPOINT stopped the answer after 0 chunks: the request exceeds the available context size. try increasing the context size or enable context shift",
			wantErr:     true,
		},
		{
			name:        "llama.cpp error line after text",
			body:        hi + "error: {\"code\":500,\"message\":\"failed to decode the batch\",\"type\":\"server_error\"}\n\n",
			wantKind:    providers.KindInterrupted,
			wantMessage: "the server at ENDPOINT stopped the answer after 1 chunks: failed to decode the batch",
			wantErr:     true,
		},
		{
			name:        "event: error with an object without error",
			body:        hi + "event: error\ndata: {\"message\":\"upstream overloaded\",\"type\":\"overloaded\"}\n\n",
			wantKind:    providers.KindInterrupted,
			wantMessage: "the server at ENDPOINT stopped the answer after 1 chunks: upstream overloaded",
			wantErr:     true,
		},
		{
			name:        "event: error with text",
			body:        hi + "event: error\ndata: upstream went away\n\n",
			wantKind:    providers.KindInterrupted,
			wantMessage: "the server at ENDPOINT stopped the answer after 1 chunks: upstream went away",
			wantErr:     true,
		},
		{
			name:        "OpenAI error chunk",
			body:        hi + `data: {"error":{"message":"The server had an error while processing your request.","type":"server_error","param":null,"code":null}}` + "\n\n",
			wantKind:    providers.KindInterrupted,
			wantMessage: "the server at ENDPOINT stopped the answer after 1 chunks: The server had an error while processing your request.",
			wantErr:     true,
		},
		{
			name:          "connection lost inside an event",
			body:          hi + `data: {"choices":[{"index":0,"delta":{"content":"mo`,
			contentLength: 4096,
			wantKind:      providers.KindInterrupted,
			wantMessage:   "the answer from the server at ENDPOINT broke off after 1 chunks: unexpected EOF",
			wantErr:       true,
		},
		{
			name:          "connection lost between events",
			body:          hi,
			contentLength: 4096,
			wantKind:      providers.KindInterrupted,
			wantMessage:   "the answer from the server at ENDPOINT broke off after 1 chunks: unexpected EOF",
			wantErr:       true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, p := rawServer(t, 200, sseHeader, tt.body, tt.contentLength)
			_, _, _, err := chat(t.Context(), p, userRequest("m"))
			pe := asProviderError(t, err)
			want := strings.ReplaceAll(tt.wantMessage, "ENDPOINT", srv.URL)
			if pe.Kind != tt.wantKind || pe.Message != want || (pe.Err != nil) != tt.wantErr {
				t.Errorf("got %s %q (Err %v), want %s %q (an underlying error: %v)", pe.Kind, pe.Message, pe.Err, tt.wantKind, want, tt.wantErr)
			}
		})
	}
}

// TestChatAnswersThatAreNotStreams checks 200 answers to a streamed request
// that are not a stream.
func TestChatAnswersThatAreNotStreams(t *testing.T) {
	tests := []struct {
		name, contentType, body string
		wantMessage             string
	}{
		{"a web page", "text/html; charset=utf-8", "<!doctype html><html><body><div id=root></div></body></html>",
			"the server at ENDPOINT did not answer with a stream; is the base URL right?"},
		{"an error in JSON", "application/json", `{"error":{"message":"stream is not supported","type":"invalid_request_error"}}`,
			"the server at ENDPOINT answered with an error instead of a stream: stream is not supported"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, p := rawServer(t, 200, http.Header{"Content-Type": {tt.contentType}}, tt.body, 0)
			_, _, _, err := chat(t.Context(), p, userRequest("m"))
			pe := asProviderError(t, err)
			want := strings.ReplaceAll(tt.wantMessage, "ENDPOINT", srv.URL)
			if pe.Kind != providers.KindBadRequest || pe.Message != want {
				t.Errorf("got %s %q, want %s %q", pe.Kind, pe.Message, providers.KindBadRequest, want)
			}
		})
	}
}

// TestChatErrorAnswersOfRealServers checks error answers (status 400 or
// more) as servers other than OpenAI write them.
func TestChatErrorAnswersOfRealServers(t *testing.T) {
	tests := []struct {
		name        string
		status      int
		header      http.Header
		body        string
		wantKind    providers.ErrorKind
		wantMessage string
		wantRetry   time.Duration
	}{
		{"llama.cpp prompt over the context size", 400, http.Header{"Content-Type": {"application/json; charset=utf-8"}},
			`{"error":{"code":400,"message":"request (9412 tokens) exceeds the available context size (8192 tokens), try increasing it","type":"exceed_context_size_error","n_prompt_tokens":9412,"n_ctx":8192}}`,
			providers.KindContextTooLong, "request (9412 tokens) exceeds the available context size (8192 tokens), try increasing it", 0},
		{"Azure rate limit", 429, http.Header{"Content-Type": {"application/json"}, "Retry-After": {"6"}, "Retry-After-Ms": {"5400"}},
			`{"error":{"code":"429","message":"Requests to the ChatCompletions_Create Operation have exceeded the token rate limit. Please retry after 6 seconds."}}`,
			providers.KindRateLimited, "Requests to the ChatCompletions_Create Operation have exceeded the token rate limit. Please retry after 6 seconds.", 5400 * time.Millisecond},
		{"empty 503", 503, nil, "", providers.KindOverloaded, "503 Service Unavailable from ENDPOINT (empty body)", 0},
		{"proxy's HTML 502", 502, http.Header{"Content-Type": {"text/html"}}, "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>nginx</body></html>\r\n",
			providers.KindUnavailable, "502 Bad Gateway from ENDPOINT (502 Bad Gateway)", 0},
		{"gateway's 429 page", 429, http.Header{"Server": {"nginx"}, "Content-Type": {"text/html"}, "Retry-After": {"12"}},
			"<html>\r\n<head><title>429 Too Many Requests</title></head>\r\n<body>\r\n<center><h1>429 Too Many Requests</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n",
			providers.KindRateLimited, "429 Too Many Requests from ENDPOINT (nginx: 429 Too Many Requests)", 12 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, p := rawServer(t, tt.status, tt.header, tt.body, 0)
			_, _, _, err := chat(t.Context(), p, userRequest("m"))
			pe := asProviderError(t, err)
			want := strings.ReplaceAll(tt.wantMessage, "ENDPOINT", srv.URL)
			if pe.Kind != tt.wantKind || pe.StatusCode != tt.status || pe.Message != want || pe.RetryAfter != tt.wantRetry {
				t.Errorf("got %s %d %q (retry after %v), want %s %d %q (retry after %v)",
					pe.Kind, pe.StatusCode, pe.Message, pe.RetryAfter, tt.wantKind, tt.status, want, tt.wantRetry)
			}
		})
	}
}

// TestChatErrorAnswersOfProxies checks the error answers of proxies and
// gateways in front of the API: the message names the status, the base
// URL, who answered and why, on one line, and the answer is kept in the
// chain as an *APIError with that note. JSON errors are not affected (see
// TestChatErrorAnswersOfRealServers).
func TestChatErrorAnswersOfProxies(t *testing.T) {
	for _, a := range providertest.ProxyAnswers {
		t.Run(a.Name, func(t *testing.T) {
			url := providertest.NewProxy(t, a) + "/v1"
			p := newProvider(t, Config{BaseURL: url, APIKey: testKey})
			_, _, _, err := chat(t.Context(), p, userRequest("m"))
			pe := asProviderError(t, err)
			want := statusText(a.Status) + " from " + url + " (" + a.Note + ")"
			if pe.StatusCode != a.Status || pe.Message != want {
				t.Errorf("got %d %q, want %d %q", pe.StatusCode, pe.Message, a.Status, want)
			}
			if line := "openai: " + pe.Message; strings.ContainsAny(line, "\r\n\x1b\x07") {
				t.Errorf("the user's line is not one clean line: %q", line)
			}
			var ae *APIError
			if !errors.As(err, &ae) || ae.Note != a.Note || ae.Message != "" {
				t.Errorf("APIError = %+v, want the note %q and no message", ae, a.Note)
			}
		})
	}
	// As the user reads it.
	a := providertest.ProxyAnswers[0]
	url := providertest.NewProxy(t, a) + "/v1"
	p := newProvider(t, Config{BaseURL: url, APIKey: testKey})
	_, _, _, err := chat(t.Context(), p, userRequest("m"))
	if got, want := fmt.Sprintf("%s: %s", p.Name(), asProviderError(t, err).Message), "openai: 502 Bad Gateway from "+url+" (nginx: 502 Bad Gateway)"; got != want {
		t.Errorf("the user's line = %q, want %q", got, want)
	}
}

// TestErrorPagesHideTheKey checks error pages that quote the request's
// credentials: neither the message nor anything in the chain shows them.
func TestErrorPagesHideTheKey(t *testing.T) {
	for name, body := range map[string]string{
		"in the title":   "<html><head><title>Invalid key " + testKey + "</title></head><body>denied</body></html>",
		"in the text":    "<html><body><h1>401</h1><p>Authorization: Bearer " + testKey + "</p></body></html>",
		"cut in the key": "<html><body><p>" + strings.Repeat("denied ", 27) + testKey + "</p></body></html>",
	} {
		t.Run(name, func(t *testing.T) {
			_, p := rawServer(t, 401, http.Header{"Content-Type": {"text/html"}, "Server": {"gw"}}, body, 0)
			_, _, _, err := chat(t.Context(), p, userRequest("m"))
			pe := asProviderError(t, err)
			providertest.CheckNoSecrets(t, err, testKey)
			if strings.Contains(pe.Message, testKey[:8]) || strings.Contains(pe.Message, testKey[len(testKey)-8:]) {
				t.Errorf("Message shows part of the key: %q", pe.Message)
			}
			if pe.Kind != providers.KindAuth || !strings.HasPrefix(pe.Message, "401 Unauthorized from ") {
				t.Errorf("got %s %q", pe.Kind, pe.Message)
			}
		})
	}
}

// TestStreamErrorsHideEchoedKey checks error events that quote the key the
// request carried: no error may pass it on.
func TestStreamErrorsHideEchoedKey(t *testing.T) {
	for _, body := range []string{
		"error: {\"code\":401,\"message\":\"bad header Authorization: Bearer " + testKey + "\"}\n\n",
		"event: error\ndata: Authorization: Bearer " + testKey + "\n\n",
		`data: {"error":{"message":"key ` + testKey + ` revoked"}}` + "\n\n",
	} {
		t.Run(body[:12], func(t *testing.T) {
			_, p := rawServer(t, 200, sseHeader, body, 0)
			_, _, _, err := chat(t.Context(), p, userRequest("m"))
			pe := asProviderError(t, err)
			providertest.CheckNoSecrets(t, err, testKey)
			if !strings.Contains(pe.Message, "[redacted]") {
				t.Errorf("Message = %q, want the server's message with the key taken out", pe.Message)
			}
			if s := fmt.Sprintf("%#v", pe.Err); strings.Contains(s, testKey) {
				t.Errorf("Err shows the key: %s", s)
			}
		})
	}
}
