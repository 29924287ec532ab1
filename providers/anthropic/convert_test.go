package anthropic

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
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

// asJSON returns v's JSON as a generic value, for comparing request bodies.
func asJSON(t *testing.T, v any) any {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("marshal %T: %v", v, err)
	}
	var g any
	if err := json.Unmarshal(b, &g); err != nil {
		t.Fatal(err)
	}
	return g
}

func TestToParams(t *testing.T) {
	tests := []struct {
		name string
		req  providers.Request
		want string // the body's JSON
	}{
		{
			name: "user only, default max_tokens",
			req:  providers.Request{Model: "claude-sonnet-4-5", Messages: []providers.Message{{Role: providers.RoleUser, Content: "hi"}}},
			want: `{"model":"claude-sonnet-4-5","max_tokens":32000,"stream":true,"messages":[{"role":"user","content":[{"type":"text","text":"hi"}]}]}`,
		},
		{
			name: "system messages joined, empty ones dropped, temperature not sent",
			req: providers.Request{Model: "m", MaxTokens: 10, Temperature: new(0.3), Messages: []providers.Message{
				{Role: providers.RoleSystem, Content: "one"},
				{Role: providers.RoleUser, Content: ""},
				{Role: providers.RoleUser, Content: "q"},
				{Role: providers.RoleSystem, Content: "two"},
				{Role: providers.RoleAssistant, Content: "a"},
			}},
			want: `{"model":"m","max_tokens":10,"stream":true,"system":[{"type":"text","text":"one\n\ntwo"}],"messages":[
				{"role":"user","content":[{"type":"text","text":"q"}]},
				{"role":"assistant","content":[{"type":"text","text":"a"}]}]}`,
		},
		{
			name: "tools",
			req: providers.Request{Model: "m", MaxTokens: 1, Tools: []providers.Tool{
				{Name: "now"},
				{Name: "get", Description: "Get a page", Parameters: json.RawMessage(
					`{"type":"object","properties":{"url":{"type":"string","format":"uri"}},"required":["url"],"$defs":{"x":{}}}`)},
				{Name: "untyped", Parameters: json.RawMessage(`{"properties":{}}`)},
			}},
			want: `{"model":"m","max_tokens":1,"stream":true,"tools":[
				{"name":"now","input_schema":{"type":"object","properties":{}}},
				{"name":"get","description":"Get a page","input_schema":{"type":"object","properties":{"url":{"type":"string","format":"uri"}},"required":["url"],"$defs":{"x":{}}}},
				{"name":"untyped","input_schema":{"type":"object","properties":{}}}]}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := toParams(tt.req)
			if err != nil {
				t.Fatalf("toParams: %v", err)
			}
			var want any
			if err := json.Unmarshal([]byte(tt.want), &want); err != nil {
				t.Fatal(err)
			}
			got := asJSON(t, p)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("body (-want +got):\n%s", diff)
			}
		})
	}
}

// decodeEvents decodes recorded stream events as Chat does.
func decodeEvents(t *testing.T, events ...string) []streamEvent {
	t.Helper()
	evs := make([]streamEvent, len(events))
	for i, e := range events {
		if err := decodeEvent(e, &evs[i]); err != nil {
			t.Fatalf("event %d: %v", i, err)
		}
	}
	return evs
}

func TestStreamStateReplay(t *testing.T) {
	tests := []struct {
		name        string
		events      []string
		wantChunks  []providers.Chunk
		wantResult  providers.Result
		wantStopped bool
	}{
		{
			// A thinking block and a tool call, as the API streams them
			// with extended thinking; message_delta repeats the input counts
			// as newer API versions do.
			name: "thinking then tool use",
			events: []string{
				`{"type":"message_start","message":{"id":"msg_01","type":"message","role":"assistant","content":[],"model":"claude-opus-4-6","stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":472,"cache_creation_input_tokens":0,"cache_read_input_tokens":2048,"output_tokens":2,"service_tier":"standard"}}}`,
				`{"type":"content_block_start","index":0,"content_block":{"type":"thinking","thinking":"","signature":""}}`,
				`{"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"The user wants the weather."}}`,
				`{"type":"content_block_delta","index":0,"delta":{"type":"signature_delta","signature":"EqQBCgIYAhIM"}}`,
				`{"type":"content_block_stop","index":0}`,
				`{"type":"content_block_start","index":1,"content_block":{"type":"text","text":""}}`,
				`{"type":"content_block_delta","index":1,"delta":{"type":"text_delta","text":"Let me check."}}`,
				`{"type":"content_block_stop","index":1}`,
				`{"type":"content_block_start","index":2,"content_block":{"type":"tool_use","id":"toolu_01T1x1fJ34qAmk2tNTrN7Up6","name":"get_weather","input":{}}}`,
				`{"type":"content_block_delta","index":2,"delta":{"type":"input_json_delta","partial_json":""}}`,
				`{"type":"content_block_delta","index":2,"delta":{"type":"input_json_delta","partial_json":"{\"location\": \"San Fra"}}`,
				`{"type":"content_block_delta","index":2,"delta":{"type":"input_json_delta","partial_json":"ncisco, CA\"}"}}`,
				`{"type":"content_block_stop","index":2}`,
				`{"type":"message_delta","delta":{"stop_reason":"tool_use","stop_sequence":null},"usage":{"input_tokens":472,"cache_creation_input_tokens":0,"cache_read_input_tokens":2048,"output_tokens":89}}`,
				`{"type":"message_stop"}`,
			},
			wantChunks: []providers.Chunk{
				{Text: "Let me check."},
				{ToolCall: &providers.ToolCallDelta{Index: 2, ID: "toolu_01T1x1fJ34qAmk2tNTrN7Up6", Name: "get_weather"}},
				{ToolCall: &providers.ToolCallDelta{Index: 2, Arguments: `{"location": "San Fra`}},
				{ToolCall: &providers.ToolCallDelta{Index: 2, Arguments: `ncisco, CA"}`}},
			},
			wantResult: providers.Result{Model: "claude-opus-4-6", StopReason: "tool_use",
				Usage: providers.Usage{PromptTokens: 2520, CompletionTokens: 89, CacheReadTokens: 2048}},
			wantStopped: true,
		},
		{
			// The classic message_delta carries output_tokens only; the
			// input counts of message_start stand.
			name: "usage split over start and delta",
			events: []string{
				`{"type":"message_start","message":{"model":"claude-sonnet-4-5","usage":{"input_tokens":25,"cache_creation_input_tokens":1000,"cache_read_input_tokens":0,"output_tokens":1}}}`,
				`{"type":"content_block_start","index":0,"content_block":{"type":"text","text":"Hi"}}`,
				`{"type":"content_block_delta","index":0,"delta":{"type":"citations_delta","citation":{"type":"char_location","cited_text":"x"}}}`,
				`{"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":15}}`,
			},
			wantChunks: []providers.Chunk{{Text: "Hi"}},
			wantResult: providers.Result{Model: "claude-sonnet-4-5", StopReason: "end_turn",
				Usage: providers.Usage{PromptTokens: 1025, CompletionTokens: 15, CacheWriteTokens: 1000}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := streamState{res: providers.Result{Model: "asked"}}
			var got []providers.Chunk
			for _, ev := range decodeEvents(t, tt.events...) {
				if c, ok := st.apply(&ev); ok {
					got = append(got, c)
				}
			}
			if diff := cmp.Diff(tt.wantChunks, got); diff != "" {
				t.Errorf("chunks (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantResult, st.res); diff != "" {
				t.Errorf("result (-want +got):\n%s", diff)
			}
			if st.stopped != tt.wantStopped {
				t.Errorf("stopped = %v", st.stopped)
			}
		})
	}
}

func TestKindFor(t *testing.T) {
	tests := []struct {
		status int
		typ    string
		msg    string
		want   providers.ErrorKind
	}{
		{401, "authentication_error", "invalid x-api-key", providers.KindAuth},
		{403, "permission_error", "", providers.KindAuth},
		{402, "billing_error", "", providers.KindAuth},
		{429, "rate_limit_error", "", providers.KindRateLimited},
		{529, "overloaded_error", "Overloaded", providers.KindOverloaded},
		{200, "overloaded_error", "Overloaded", providers.KindOverloaded},
		{400, "invalid_request_error", "max_tokens: Field required", providers.KindBadRequest},
		{400, "invalid_request_error", "prompt is too long: 210000 tokens > 200000 maximum", providers.KindContextTooLong},
		{400, "invalid_request_error", "input length and `max_tokens` exceed context limit: 197202 + 8192 > 200000, decrease input length or `max_tokens` and try again", providers.KindContextTooLong},
		{413, "request_too_large", "Request exceeds the maximum allowed number of bytes.", providers.KindBadRequest},
		{404, "not_found_error", "model: x", providers.KindNotFound},
		{500, "api_error", "", providers.KindUnavailable},
		{504, "timeout_error", "", providers.KindUnavailable},
		// No or an unknown type: the status decides.
		{401, "", "", providers.KindAuth},
		{404, "", "", providers.KindNotFound},
		{429, "", "", providers.KindRateLimited},
		{529, "", "", providers.KindOverloaded},
		{503, "", "", providers.KindUnavailable},
		{409, "conflict_error", "", providers.KindUnavailable},
		{408, "invalid_request_error", "", providers.KindUnavailable},
		{408, "", "", providers.KindUnavailable},
		{400, "", "Prompt is too long", providers.KindContextTooLong},
		{200, "brand_new_error", "", providers.KindInterrupted},
	}
	for _, tt := range tests {
		if got := kindFor(tt.status, tt.typ, tt.msg); got != tt.want {
			t.Errorf("kindFor(%d, %q, %q) = %s, want %s", tt.status, tt.typ, tt.msg, got, tt.want)
		}
	}
}

func TestRetryAfter(t *testing.T) {
	now := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
	at := func(d time.Duration) string { return now.Add(d).Format(time.RFC3339) }
	tests := []struct {
		name   string
		header map[string]string
		want   time.Duration
	}{
		{"nothing", nil, 0},
		{"seconds", map[string]string{"retry-after": "12"}, 12 * time.Second},
		{"fractional seconds", map[string]string{"retry-after": "1.5"}, 1500 * time.Millisecond},
		{"http date", map[string]string{"retry-after": now.Add(40 * time.Second).Format(http.TimeFormat)}, 40 * time.Second},
		{"retry-after wins", map[string]string{"retry-after": "3", "anthropic-ratelimit-requests-reset": at(time.Minute)}, 3 * time.Second},
		{"exhausted limit", map[string]string{
			"anthropic-ratelimit-requests-reset": at(5 * time.Second), "anthropic-ratelimit-requests-remaining": "10",
			"anthropic-ratelimit-tokens-reset": at(20 * time.Second), "anthropic-ratelimit-tokens-remaining": "0",
		}, 20 * time.Second},
		{"latest exhausted", map[string]string{
			"anthropic-ratelimit-input-tokens-reset": at(8 * time.Second), "anthropic-ratelimit-input-tokens-remaining": "0",
			"anthropic-ratelimit-output-tokens-reset": at(30 * time.Second), "anthropic-ratelimit-output-tokens-remaining": "0",
		}, 30 * time.Second},
		{"earliest when none says exhausted", map[string]string{
			"anthropic-ratelimit-requests-reset": at(9 * time.Second),
			"anthropic-ratelimit-tokens-reset":   at(4 * time.Second),
		}, 4 * time.Second},
		{"in the past", map[string]string{"anthropic-ratelimit-requests-reset": at(-time.Minute)}, 0},
		{"garbage", map[string]string{"retry-after": "soon", "anthropic-ratelimit-requests-reset": "later"}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := http.Header{}
			for k, v := range tt.header {
				h.Set(k, v)
			}
			if got := retryAfter(h, now); got != tt.want {
				t.Errorf("retryAfter = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestLimits(t *testing.T) {
	tests := []struct {
		model               string
		wantContext, wantMT int
	}{
		{"claude-opus-4-1-20250805", 200_000, 32_000},
		{"claude-opus-4-5-20251101", 200_000, 32_000},
		{"claude-opus-4-6", 1_000_000, 32_000},
		{"claude-sonnet-4-5-20250929", 200_000, 32_000},
		{"claude-3-7-sonnet-latest", 200_000, 32_000},
		{"claude-3-5-haiku-20241022", 200_000, 8_192},
		{"claude-3-haiku-20240307", 200_000, 4_096},
		{"claude-opus-5-5", 1_000_000, 32_000},
		{"claude-mythos-5", 0, 8_192},
		{"gpt-4o", 0, 8_192},
	}
	for _, tt := range tests {
		if got := knownLimits(tt.model).context; got != tt.wantContext {
			t.Errorf("knownLimits(%q).context = %d, want %d", tt.model, got, tt.wantContext)
		}
		if got := defaultMaxTokens(tt.model); got != tt.wantMT {
			t.Errorf("defaultMaxTokens(%q) = %d, want %d", tt.model, got, tt.wantMT)
		}
	}
}

func TestToModel(t *testing.T) {
	var listed, bare modelInfo
	if err := json.Unmarshal([]byte(`{"type":"model","id":"claude-x-1","display_name":"Claude X 1","created_at":"2026-01-02T00:00:00Z","max_input_tokens":500000,"max_tokens":64000}`), &listed); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(`{"type":"model","id":"claude-sonnet-4-20250514","created_at":"2025-05-14T00:00:00Z"}`), &bare); err != nil {
		t.Fatal(err)
	}
	got := []providers.Model{toModel(listed), toModel(bare)}
	want := []providers.Model{
		{Name: "claude-x-1", ContextWindow: 500_000, ModifiedAt: time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC)},
		{Name: "claude-sonnet-4-20250514", ContextWindow: 200_000, ModifiedAt: time.Date(2025, 5, 14, 0, 0, 0, 0, time.UTC)},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("models (-want +got):\n%s", diff)
	}
}

func TestMapError(t *testing.T) {
	const endpoint = "https://api.example"
	urlErr := func(err error) error { return &url.Error{Op: "Post", URL: endpoint + "/v1/messages", Err: err} }
	tests := []struct {
		name    string
		err     error
		wantMsg string
	}{
		{"refused", urlErr(&net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}),
			"cannot reach Anthropic at https://api.example: connection refused"},
		{"dns", urlErr(&net.OpError{Op: "dial", Net: "tcp", Err: &net.DNSError{Err: "no such host", Name: "api.example", IsNotFound: true}}),
			`cannot reach Anthropic at https://api.example: cannot resolve host "api.example"`},
		{"timeout", urlErr(&net.OpError{Op: "dial", Net: "tcp", Err: context.DeadlineExceeded}),
			"cannot reach Anthropic at https://api.example: timed out"},
		{"tls", urlErr(errors.New("tls: failed to verify certificate: x509: certificate signed by unknown authority")),
			"cannot reach Anthropic at https://api.example: tls: failed to verify certificate: x509: certificate signed by unknown authority"},
		{"bad body", fmt.Errorf("error parsing response json: %w", io.ErrUnexpectedEOF),
			"unreadable answer from Anthropic at https://api.example: error parsing response json: unexpected EOF"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pe := mapError("anthropic", endpoint, tt.err, time.Now())
			if pe.Kind != providers.KindUnavailable || pe.Message != tt.wantMsg || pe.Err != tt.err {
				t.Errorf("got %s %q (Err %v), want unavailable %q", pe.Kind, pe.Message, pe.Err, tt.wantMsg)
			}
		})
	}

	// A 2xx body that does not decode: the error, but not the body, stays.
	jerr := json.Unmarshal([]byte("{"), new(modelPage))
	pe := mapError("anthropic", endpoint, &httpapi.DecodeError{Body: []byte("{secret"), Err: jerr}, time.Now())
	var de *httpapi.DecodeError
	if pe.Kind != providers.KindUnavailable || pe.Message != "unreadable answer from Anthropic at https://api.example: "+jerr.Error() ||
		!errors.As(pe, &de) || de.Err != jerr || de.Body != nil {
		t.Errorf("decode error: got %s %q (Err %#v)", pe.Kind, pe.Message, pe.Err)
	}
}

func TestMapStatusError(t *testing.T) {
	now := time.Now()
	tests := []struct {
		name     string
		err      *httpapi.StatusError
		wantKind providers.ErrorKind
		wantMsg  string
		want     APIError
	}{
		{
			name: "error object",
			err: &httpapi.StatusError{StatusCode: 529, Header: http.Header{"Request-Id": {"req_1"}, "Retry-After": {"7"}},
				Body: []byte(`{"type":"error","error":{"type":"overloaded_error","message":" Overloaded "},"request_id":"req_body"}`)},
			wantKind: providers.KindOverloaded, wantMsg: "Overloaded",
			want: APIError{StatusCode: 529, Type: "overloaded_error", Message: " Overloaded ", RequestID: "req_1"},
		},
		{
			name:     "request ID only in the body",
			err:      &httpapi.StatusError{StatusCode: 429, Body: []byte(`{"type":"error","error":{"type":"rate_limit_error","message":"slow down"},"request_id":"req_body"}`)},
			wantKind: providers.KindRateLimited, wantMsg: "slow down",
			want: APIError{StatusCode: 429, Type: "rate_limit_error", Message: "slow down", RequestID: "req_body"},
		},
		{
			name:     "a proxy's page",
			err:      &httpapi.StatusError{StatusCode: 502, Body: []byte("<html><body>Bad gateway</body></html>")},
			wantKind: providers.KindUnavailable, wantMsg: "502 Bad Gateway from https://api.example (Bad gateway)",
			want: APIError{StatusCode: 502, Note: "Bad gateway"},
		},
		{
			name:     "fields of other types",
			err:      &httpapi.StatusError{StatusCode: 400, Body: []byte(`{"type":"error","error":{"type":"invalid_request_error","message":42}}`)},
			wantKind: providers.KindBadRequest, wantMsg: "400 Bad Request",
			want: APIError{StatusCode: 400, Type: "invalid_request_error"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pe := mapError("anthropic", "https://api.example", tt.err, now)
			var ae *APIError
			if !errors.As(pe, &ae) {
				t.Fatalf("no *APIError in %#v", pe)
			}
			if pe.Kind != tt.wantKind || pe.StatusCode != tt.err.StatusCode || pe.Message != tt.wantMsg {
				t.Errorf("got %s %d %q, want %s %d %q", pe.Kind, pe.StatusCode, pe.Message, tt.wantKind, tt.err.StatusCode, tt.wantMsg)
			}
			tt.want.Header = tt.err.Header
			if diff := cmp.Diff(&tt.want, ae); diff != "" {
				t.Errorf("APIError (-want +got):\n%s", diff)
			}
			if RequestID(pe) != tt.want.RequestID {
				t.Errorf("RequestID = %q, want %q", RequestID(pe), tt.want.RequestID)
			}
		})
	}
	if pe := mapError("anthropic", "", tests[0].err, now); pe.RetryAfter != 7*time.Second {
		t.Errorf("RetryAfter = %v, want 7s", pe.RetryAfter)
	}
}

// Anthropic's x-should-retry header overrides what the error type says of
// sending the request again; an error event in a 200 stream has no header
// of its own.
func TestShouldRetryHeader(t *testing.T) {
	now := time.Now()
	body := []byte(`{"type":"error","error":{"type":"api_error","message":"Internal server error"}}`)
	pe := fromAPIError("anthropic", "https://api.example", statusAPIError(&httpapi.StatusError{StatusCode: 500, Header: http.Header{"X-Should-Retry": {"false"}}, Body: body}), now)
	if pe.Kind != providers.KindUnavailable || !pe.NoRetry {
		t.Errorf("500 with x-should-retry false: %s, NoRetry %v; want unavailable, not retried", pe.Kind, pe.NoRetry)
	}
	pe = fromAPIError("anthropic", "https://api.example", statusAPIError(&httpapi.StatusError{StatusCode: 500, Header: http.Header{}, Body: body}), now)
	if pe.NoRetry {
		t.Error("500 without the header: NoRetry set")
	}
	ev := &APIError{StatusCode: 200, Type: "overloaded_error", Message: "Overloaded", Header: http.Header{"X-Should-Retry": {"false"}}}
	if pe := fromAPIError("anthropic", "https://api.example", ev, now); pe.NoRetry || pe.Kind != providers.KindOverloaded {
		t.Errorf("error event: %s, NoRetry %v; want overloaded, retried", pe.Kind, pe.NoRetry)
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
