package anthropic

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

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

// rateLimitHeader is the header of a 200 as Anthropic sends it: the
// stream's, and the state of each rate limit when the request was
// admitted, with reset times measured from now.
func rateLimitHeader(now time.Time) http.Header {
	h := sseHeader.Clone()
	at := func(d time.Duration) string { return now.Add(d).UTC().Format(time.RFC3339) }
	for _, l := range []struct {
		name, limit, remaining string
		reset                  time.Duration
	}{
		{"requests", "4000", "3999", 2 * time.Second},
		{"input-tokens", "400000", "391000", 9 * time.Second},
		{"output-tokens", "80000", "80000", time.Second},
		{"tokens", "480000", "471000", 9 * time.Second},
	} {
		h.Set("anthropic-ratelimit-"+l.name+"-limit", l.limit)
		h.Set("anthropic-ratelimit-"+l.name+"-remaining", l.remaining)
		h.Set("anthropic-ratelimit-"+l.name+"-reset", at(l.reset))
	}
	return h
}

// TestChatOverloadedMidStream checks Anthropic's overloaded_error event
// after the answer has begun. The 200's rate-limit headers do not make it
// wait: they describe the limits when the request was admitted.
func TestChatOverloadedMidStream(t *testing.T) {
	_, p := rawServer(t, 200, rateLimitHeader(time.Now().Add(time.Minute)), messageStart+
		sseEvent("content_block_start", `{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}`)+
		sseEvent("content_block_delta", `{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"hi"}}`)+
		sseEvent("error", `{"type":"error","error":{"details":null,"type":"overloaded_error","message":"Overloaded"},"request_id":"req_011CSHoEeqs5C35K2UUqR7Fy"}`), 0)
	got, _, err := chat(t.Context(), p, userRequest(testModel))
	pe := asProviderError(t, err)
	if pe.Kind != providers.KindOverloaded || pe.StatusCode != 0 || pe.Message != "Overloaded" || RequestID(err) != "req_011CSHoEeqs5C35K2UUqR7Fy" {
		t.Errorf("got %s %d %q (request-id %q), want overloaded 0 %q with the request-id", pe.Kind, pe.StatusCode, pe.Message, RequestID(err), "Overloaded")
	}
	if pe.RetryAfter != 0 {
		t.Errorf("RetryAfter = %v, want 0: the 200's headers say nothing of the error", pe.RetryAfter)
	}
	if len(got) != 1 {
		t.Errorf("chunks = %+v, want the text before the error", got)
	}
}

// TestChatRateLimitResetsOnlyForRateLimits checks which error answers wait
// for the rate limits' reset times: a 429 does, an overloaded 529 that
// carries the same headers with no limit exhausted does not, and a
// retry-after header counts for both.
func TestChatRateLimitResetsOnlyForRateLimits(t *testing.T) {
	exhausted := func(h http.Header) http.Header {
		h.Set("anthropic-ratelimit-requests-remaining", "0")
		return h
	}
	withRetryAfter := func(h http.Header) http.Header {
		h.Set("retry-after", "4")
		return h
	}
	tests := []struct {
		name     string
		status   int
		header   http.Header
		body     string
		min, max time.Duration
	}{
		{"429 waits for the exhausted limit", 429, exhausted(rateLimitHeader(time.Now().Add(time.Minute))),
			`{"type":"error","error":{"type":"rate_limit_error","message":"Number of request tokens has exceeded your per-minute rate limit"},"request_id":"req_011CSHoEeqs5C35K2UUqR7Fy"}`,
			time.Minute, time.Minute + 2*time.Second},
		{"529 does not", 529, rateLimitHeader(time.Now().Add(time.Minute)),
			`{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"},"request_id":"req_011CSHoEeqs5C35K2UUqR7Fy"}`,
			0, 0},
		{"529 with retry-after", 529, withRetryAfter(rateLimitHeader(time.Now().Add(time.Minute))),
			`{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"},"request_id":"req_011CSHoEeqs5C35K2UUqR7Fy"}`,
			4 * time.Second, 4 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.header.Set("Content-Type", "application/json")
			_, p := rawServer(t, tt.status, tt.header, tt.body, 0)
			_, _, err := chat(t.Context(), p, userRequest(testModel))
			pe := asProviderError(t, err)
			if pe.RetryAfter < tt.min || pe.RetryAfter > tt.max {
				t.Errorf("RetryAfter = %v, want %v to %v", pe.RetryAfter, tt.min, tt.max)
			}
		})
	}
}

// TestChatErrorAnswersOfProxies checks the error answers of proxies and
// gateways in front of the API, which are not Anthropic's error object:
// the message names the status, the base URL, who answered and why.
func TestChatErrorAnswersOfProxies(t *testing.T) {
	for _, a := range providertest.ProxyAnswers {
		t.Run(a.Name, func(t *testing.T) {
			url := providertest.NewProxy(t, a)
			p := newProvider(t, url)
			_, _, err := chat(t.Context(), p, userRequest(testModel))
			pe := asProviderError(t, err)
			want := statusText(a.Status) + " from " + url + " (" + a.Note + ")"
			if pe.StatusCode != a.Status || pe.Message != want {
				t.Errorf("got %d %q, want %d %q", pe.StatusCode, pe.Message, a.Status, want)
			}
			var ae *APIError
			if !errors.As(err, &ae) || ae.Note != a.Note || ae.Type != "" {
				t.Errorf("APIError = %+v, want the note %q", ae, a.Note)
			}
		})
	}
	// Anthropic's own error object keeps its message.
	_, p := rawServer(t, 529, http.Header{"Content-Type": {"application/json"}, "Server": {"cloudflare"}},
		`{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"},"request_id":"req_011CSHoEeqs5C35K2UUqR7Fy"}`, 0)
	_, _, err := chat(t.Context(), p, userRequest(testModel))
	if pe := asProviderError(t, err); pe.Message != "Overloaded" || pe.Kind != providers.KindOverloaded {
		t.Errorf("got %s %q, want overloaded %q", pe.Kind, pe.Message, "Overloaded")
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
