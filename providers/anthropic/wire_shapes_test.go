package anthropic

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/aiex-dev/aiex/providers"
	"github.com/aiex-dev/aiex/providers/providertest"
)

// sseEvent is one server-sent event as Anthropic writes it.
func sseEvent(typ, data string) string { return "event: " + typ + "\ndata: " + data + "\n\n" }

// rawServer starts a server that answers every request with status, header
// and body as given, and a Provider for it. A declared length over
// len(body) (contentLength) makes the answer break off where body ends.
func rawServer(t *testing.T, status int, header http.Header, body string, contentLength int) (*httptest.Server, *Provider) {
	t.Helper()
	srv := providertest.NewRaw(t, status, header, body, contentLength)
	return srv, newProvider(t, srv.URL)
}

var sseHeader = http.Header{"Content-Type": {"text/event-stream; charset=utf-8"}, "Request-Id": {"req_011CSHoEeqs5C35K2UUqR7Fy"}}

// messageStart opens a stream, with the cache counts the API reports.
var messageStart = sseEvent("message_start", `{"type":"message_start","message":{"id":"msg_01","type":"message","role":"assistant","model":"claude-sonnet-4-5-20250929","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":12,"cache_creation_input_tokens":100,"cache_read_input_tokens":2000,"cache_creation":{"ephemeral_5m_input_tokens":100,"ephemeral_1h_input_tokens":0},"output_tokens":1,"service_tier":"standard"}}}`)

// TestChatThinkingAndToolUse replays an answer with extended thinking (a
// thinking block with its signature, a redacted one), text and a tool call:
// the thinking is not shown, and the tool call keeps its block's index.
func TestChatThinkingAndToolUse(t *testing.T) {
	body := messageStart +
		sseEvent("content_block_start", `{"type":"content_block_start","index":0,"content_block":{"type":"thinking","thinking":"","signature":""}}`) +
		sseEvent("ping", `{"type": "ping"}`) +
		sseEvent("content_block_delta", `{"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"The user wants the weather."}}`) +
		sseEvent("content_block_delta", `{"type":"content_block_delta","index":0,"delta":{"type":"signature_delta","signature":"EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds"}}`) +
		sseEvent("content_block_stop", `{"type":"content_block_stop","index":0}`) +
		sseEvent("content_block_start", `{"type":"content_block_start","index":1,"content_block":{"type":"redacted_thinking","data":"EmwKAhgBEgy3va3pzix/LafPsn4aDFIT2Xlxh0L5L8rLVyIwxtE3rAFBa8cr3qpP"}}`) +
		sseEvent("content_block_stop", `{"type":"content_block_stop","index":1}`) +
		sseEvent("content_block_start", `{"type":"content_block_start","index":2,"content_block":{"type":"text","text":"","citations":null}}`) +
		sseEvent("content_block_delta", `{"type":"content_block_delta","index":2,"delta":{"type":"text_delta","text":"Let me check."}}`) +
		sseEvent("content_block_stop", `{"type":"content_block_stop","index":2}`) +
		sseEvent("content_block_start", `{"type":"content_block_start","index":3,"content_block":{"type":"tool_use","id":"toolu_01","name":"get_weather","input":{}}}`) +
		sseEvent("content_block_delta", `{"type":"content_block_delta","index":3,"delta":{"type":"input_json_delta","partial_json":""}}`) +
		sseEvent("content_block_delta", `{"type":"content_block_delta","index":3,"delta":{"type":"input_json_delta","partial_json":"{\"city\": "}}`) +
		sseEvent("content_block_delta", `{"type":"content_block_delta","index":3,"delta":{"type":"input_json_delta","partial_json":"\"Paris\"}"}}`) +
		sseEvent("content_block_stop", `{"type":"content_block_stop","index":3}`) +
		sseEvent("message_delta", `{"type":"message_delta","delta":{"stop_reason":"tool_use","stop_sequence":null,"container":null},"usage":{"input_tokens":12,"cache_creation_input_tokens":100,"cache_read_input_tokens":2000,"output_tokens":89,"server_tool_use":null}}`) +
		sseEvent("message_stop", `{"type":"message_stop"}`)
	_, p := rawServer(t, 200, sseHeader, strings.ReplaceAll(body, "\n", "\r\n"), 0)
	got, res, err := chat(t.Context(), p, userRequest(testModel))
	if err != nil {
		t.Fatal(err)
	}
	want := []providers.Chunk{
		{Text: "Let me check."},
		{ToolCall: &providers.ToolCallDelta{Index: 3, ID: "toolu_01", Name: "get_weather"}},
		{ToolCall: &providers.ToolCallDelta{Index: 3, Arguments: `{"city": `}},
		{ToolCall: &providers.ToolCallDelta{Index: 3, Arguments: `"Paris"}`}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("chunks (-want +got):\n%s", diff)
	}
	wantRes := providers.Result{Model: "claude-sonnet-4-5-20250929", StopReason: "tool_use",
		Usage: providers.Usage{PromptTokens: 2112, CompletionTokens: 89, CacheReadTokens: 2000, CacheWriteTokens: 100}}
	if diff := cmp.Diff(wantRes, res); diff != "" {
		t.Errorf("result (-want +got):\n%s", diff)
	}
}

// TestChatStopReasons checks that every stop reason ends an answer whole,
// and is reported as it came.
func TestChatStopReasons(t *testing.T) {
	for _, reason := range []string{"end_turn", "max_tokens", "stop_sequence", "tool_use", "pause_turn", "refusal", "model_context_window_exceeded"} {
		t.Run(reason, func(t *testing.T) {
			_, p := rawServer(t, 200, sseHeader, messageStart+
				sseEvent("message_delta", `{"type":"message_delta","delta":{"stop_reason":"`+reason+`","stop_sequence":null},"usage":{"output_tokens":3}}`)+
				sseEvent("message_stop", `{"type":"message_stop"}`), 0)
			_, res, err := chat(t.Context(), p, userRequest(testModel))
			if err != nil || res.StopReason != reason {
				t.Errorf("Chat = %+v, %v; want stop reason %q", res, err, reason)
			}
		})
	}
}

// TestChatStreamEnds checks streams that end without message_stop: cut
// short cleanly (inside an event, or between events) or broken.
func TestChatStreamEnds(t *testing.T) {
	text := sseEvent("content_block_start", `{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}`) +
		sseEvent("content_block_delta", `{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"hi"}}`)
	cut := `event: content_block_delta` + "\n" + `data: {"type":"content_block_delta","index":0,"delta":{"type":"text_de`
	tests := []struct {
		name          string
		body          string
		contentLength int
		wantMessage   string // after "the answer from Anthropic at URL "
		wantErr       bool
	}{
		{"closed inside an event", messageStart + text + cut, 0, "ended after 1 chunks without message_stop", false},
		{"closed between events", messageStart + text, 0, "ended after 1 chunks without message_stop", false},
		{"broken inside an event", messageStart + text + cut, 1 << 16, "broke off after 1 chunks: unexpected EOF", true},
		{"broken between events", messageStart + text, 1 << 16, "broke off after 1 chunks: unexpected EOF", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, p := rawServer(t, 200, sseHeader, tt.body, tt.contentLength)
			got, _, err := chat(t.Context(), p, userRequest(testModel))
			pe := asProviderError(t, err)
			want := "the answer from Anthropic at " + srv.URL + " " + tt.wantMessage
			if pe.Kind != providers.KindInterrupted || pe.Message != want || (pe.Err != nil) != tt.wantErr {
				t.Errorf("got %s %q (Err %v), want %s %q (an underlying error: %v)", pe.Kind, pe.Message, pe.Err, providers.KindInterrupted, want, tt.wantErr)
			}
			if diff := cmp.Diff([]string{"hi"}, texts(got)); diff != "" {
				t.Errorf("chunks (-want +got):\n%s", diff)
			}
		})
	}
}

// TestChatOverloadedMidStream checks Anthropic's overloaded_error event
// after the answer has begun.
func TestChatOverloadedMidStream(t *testing.T) {
	_, p := rawServer(t, 200, sseHeader, messageStart+
		sseEvent("content_block_start", `{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}`)+
		sseEvent("content_block_delta", `{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"hi"}}`)+
		sseEvent("error", `{"type":"error","error":{"details":null,"type":"overloaded_error","message":"Overloaded"},"request_id":"req_011CSHoEeqs5C35K2UUqR7Fy"}`), 0)
	got, _, err := chat(t.Context(), p, userRequest(testModel))
	pe := asProviderError(t, err)
	if pe.Kind != providers.KindOverloaded || pe.StatusCode != 0 || pe.Message != "Overloaded" || RequestID(err) != "req_011CSHoEeqs5C35K2UUqR7Fy" {
		t.Errorf("got %s %d %q (request-id %q), want overloaded 0 %q with the request-id", pe.Kind, pe.StatusCode, pe.Message, RequestID(err), "Overloaded")
	}
	if len(got) != 1 {
		t.Errorf("chunks = %+v, want the text before the error", got)
	}
}

// TestChatAnswersThatAreNotStreams checks 200 answers to a streamed request
// that are not a stream: a gateway's error in JSON, a full message from a
// proxy that ignored "stream", a web page.
func TestChatAnswersThatAreNotStreams(t *testing.T) {
	tests := []struct {
		name, contentType, body string
		wantKind                providers.ErrorKind
		wantMessage             string // ENDPOINT stands for the server's URL
	}{
		{"error object", "application/json", `{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}`,
			providers.KindOverloaded, "Overloaded"},
		{"error object echoing the key", "application/json", `{"type":"error","error":{"type":"authentication_error","message":"invalid x-api-key ` + testKey + `"}}`,
			providers.KindAuth, "invalid x-api-key [redacted]"},
		{"a whole message", "application/json", `{"id":"msg_01","type":"message","role":"assistant","model":"m","content":[{"type":"text","text":"hi"}],"stop_reason":"end_turn","usage":{"input_tokens":1,"output_tokens":1}}`,
			providers.KindBadRequest, "Anthropic at ENDPOINT did not answer with a stream; is the base URL right?"},
		{"a web page", "text/html; charset=utf-8", "<!doctype html><title>Sign in</title>",
			providers.KindBadRequest, "Anthropic at ENDPOINT did not answer with a stream; is the base URL right?"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, p := rawServer(t, 200, http.Header{"Content-Type": {tt.contentType}}, tt.body, 0)
			_, _, err := chat(t.Context(), p, userRequest(testModel))
			pe := asProviderError(t, err)
			providertest.CheckNoSecrets(t, err, testKey)
			want := strings.ReplaceAll(tt.wantMessage, "ENDPOINT", srv.URL)
			if pe.Kind != tt.wantKind || pe.Message != want || pe.StatusCode != 0 {
				t.Errorf("got %s %d %q, want %s 0 %q", pe.Kind, pe.StatusCode, pe.Message, tt.wantKind, want)
			}
			var ae *APIError
			if errors.As(err, &ae) && strings.Contains(ae.Message, testKey) {
				t.Errorf("the APIError shows the key: %q", ae.Message)
			}
		})
	}
}
