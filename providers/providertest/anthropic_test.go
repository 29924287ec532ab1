package providertest

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// anthEvent is one server-sent event as a client reads it.
type anthEvent struct {
	Name string
	Data string
}

// anthJSON decodes the event's data, failing the test if it is not JSON.
func (e anthEvent) anthJSON(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(e.Data), &m); err != nil {
		t.Fatalf("%s event data %q is not JSON: %v", e.Name, e.Data, err)
	}
	return m
}

// anthReadEvents reads events until the body ends and returns the read
// error other than io.EOF. An event not ended by a blank line is dropped,
// as SSE clients do.
func anthReadEvents(r io.Reader) ([]anthEvent, error) {
	var (
		events []anthEvent
		cur    anthEvent
	)
	br := bufio.NewReader(r)
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			if errors.Is(err, io.EOF) {
				err = nil
			}
			return events, err
		}
		line = strings.TrimSuffix(line, "\n")
		switch {
		case line == "":
			if cur != (anthEvent{}) {
				events = append(events, cur)
			}
			cur = anthEvent{}
		case strings.HasPrefix(line, "event: "):
			cur.Name = strings.TrimPrefix(line, "event: ")
		case strings.HasPrefix(line, "data: "):
			cur.Data = strings.TrimPrefix(line, "data: ")
		}
	}
}

func anthNames(events []anthEvent) []string {
	var names []string
	for _, e := range events {
		names = append(names, e.Name)
	}
	return names
}

// anthDo sends a request with a key and the API version aiex sends unless the
// headers say otherwise; the body is closed when the test ends.
func anthDo(t *testing.T, ctx context.Context, method, url, body string, header map[string]string) (*http.Response, error) {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("x-api-key", "sk-test")
	req.Header.Set("anthropic-version", "2026-10-21")
	req.Header.Set("Content-Type", "application/json")
	for k, v := range header {
		if v == "" {
			req.Header.Del(k)
		} else {
			req.Header.Set(k, v)
		}
	}
	resp, err := http.DefaultClient.Do(req)
	if err == nil {
		t.Cleanup(func() { resp.Body.Close() })
	}
	return resp, err
}

// anthPost posts body to /v1/messages and fails the test if that fails.
func anthPost(t *testing.T, a *Anthropic, body string) *http.Response {
	t.Helper()
	resp, err := anthDo(t, t.Context(), "POST", a.URL()+"/v1/messages", body, nil)
	if err != nil {
		t.Fatalf("POST /v1/messages: %v", err)
	}
	return resp
}

const anthStreamBody = `{"model":"` + AnthropicDefaultModel + `","max_tokens":64,"stream":true,"system":"be brief","messages":[{"role":"user","content":"hi there"}]}`

func TestAnthropicStreamWireFormat(t *testing.T) {
	a := NewAnthropic(t, WithReply("Hel", "lo"), WithUsage(25, 2), WithAnthropicCacheTokens(100, 7))
	resp := anthPost(t, a, anthStreamBody)
	if got := resp.Header.Get("Content-Type"); got != "text/event-stream; charset=utf-8" {
		t.Errorf("Content-Type = %q", got)
	}
	if !strings.HasPrefix(resp.Header.Get("request-id"), "req_") {
		t.Errorf("request-id = %q", resp.Header.Get("request-id"))
	}
	events, err := anthReadEvents(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"message_start", "content_block_start", "ping", "content_block_delta", "content_block_delta",
		"content_block_stop", "message_delta", "message_stop"}
	if diff := cmp.Diff(want, anthNames(events)); diff != "" {
		t.Fatalf("events (-want +got):\n%s", diff)
	}
	for _, e := range events {
		if e.Name == "ping" {
			continue
		}
		if got := e.anthJSON(t)["type"]; got != e.Name {
			t.Errorf("event %s has data type %v", e.Name, got)
		}
	}
	msg := events[0].anthJSON(t)["message"].(map[string]any)
	if !strings.HasPrefix(msg["id"].(string), "msg_") || msg["model"] != AnthropicDefaultModel || msg["role"] != "assistant" || msg["stop_reason"] != nil {
		t.Errorf("message_start message = %v", msg)
	}
	wantUsage := map[string]any{"input_tokens": 25.0, "cache_read_input_tokens": 100.0, "cache_creation_input_tokens": 7.0,
		"output_tokens": 1.0, "service_tier": "standard"}
	if diff := cmp.Diff(wantUsage, msg["usage"]); diff != "" {
		t.Errorf("message_start usage (-want +got):\n%s", diff)
	}
	wantDelta := map[string]any{"type": "content_block_delta", "index": 0.0, "delta": map[string]any{"type": "text_delta", "text": "Hel"}}
	if diff := cmp.Diff(wantDelta, events[3].anthJSON(t)); diff != "" {
		t.Errorf("first delta (-want +got):\n%s", diff)
	}
	wantMsgDelta := map[string]any{"type": "message_delta", "delta": map[string]any{"stop_reason": "end_turn", "stop_sequence": nil},
		"usage": map[string]any{"output_tokens": 2.0}}
	if diff := cmp.Diff(wantMsgDelta, events[6].anthJSON(t)); diff != "" {
		t.Errorf("message_delta (-want +got):\n%s", diff)
	}
}

func TestAnthropicToolUseStream(t *testing.T) {
	a := NewAnthropic(t, WithReply("Let me look."), WithAnthropicToolUse(
		AnthropicToolUse{Name: "get_weather", Input: []string{`{"city":`, ` "Paris"}`}},
		AnthropicToolUse{ID: "toolu_2", Name: "noop"},
	))
	events, err := anthReadEvents(anthPost(t, a, anthStreamBody).Body)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"message_start",
		"content_block_start", "ping", "content_block_delta", "content_block_stop",
		"content_block_start", "content_block_delta", "content_block_delta", "content_block_stop",
		"content_block_start", "content_block_stop",
		"message_delta", "message_stop"}
	if diff := cmp.Diff(want, anthNames(events)); diff != "" {
		t.Fatalf("events (-want +got):\n%s", diff)
	}
	start := events[5].anthJSON(t)
	block := start["content_block"].(map[string]any)
	if start["index"] != 1.0 || block["type"] != "tool_use" || block["name"] != "get_weather" ||
		!strings.HasPrefix(block["id"].(string), "toolu_") || len(block["input"].(map[string]any)) != 0 {
		t.Errorf("tool block start = %v", start)
	}
	delta := events[7].anthJSON(t)["delta"].(map[string]any)
	if diff := cmp.Diff(map[string]any{"type": "input_json_delta", "partial_json": ` "Paris"}`}, delta); diff != "" {
		t.Errorf("tool delta (-want +got):\n%s", diff)
	}
	if id := events[9].anthJSON(t)["content_block"].(map[string]any)["id"]; id != "toolu_2" {
		t.Errorf("second tool id = %v", id)
	}
	if r := events[11].anthJSON(t)["delta"].(map[string]any)["stop_reason"]; r != "tool_use" {
		t.Errorf("stop_reason = %v, want tool_use", r)
	}
}

func TestAnthropicNotStreaming(t *testing.T) {
	a := NewAnthropic(t, WithReply("a", "b"), WithUsage(3, 2),
		WithAnthropicToolUse(AnthropicToolUse{ID: "toolu_1", Name: "f", Input: []string{`{"x"`, `:1}`}}))
	resp := anthPost(t, a, `{"model":"`+AnthropicDefaultModel+`","max_tokens":5,"messages":[{"role":"user","content":"hi"}]}`)
	var got map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&got); err != nil {
		t.Fatal(err)
	}
	delete(got, "id")
	want := map[string]any{
		"type": "message", "role": "assistant", "model": AnthropicDefaultModel,
		"content": []any{
			map[string]any{"type": "text", "text": "ab"},
			map[string]any{"type": "tool_use", "id": "toolu_1", "name": "f", "input": map[string]any{"x": 1.0}},
		},
		"stop_reason": "tool_use", "stop_sequence": nil,
		"usage": map[string]any{"input_tokens": 3.0, "output_tokens": 2.0, "cache_read_input_tokens": 0.0,
			"cache_creation_input_tokens": 0.0, "service_tier": "standard"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("message (-want +got):\n%s", diff)
	}
}

func TestAnthropicErrors(t *testing.T) {
	const model = `"model":"` + AnthropicDefaultModel + `"`
	const ok = `{` + model + `,"max_tokens":5,"messages":[{"role":"user","content":"hi"}]}`
	tests := []struct {
		name     string
		opts     []Option
		path     string
		body     string
		header   map[string]string
		wantCode int
		wantType string
		wantMsg  string
	}{
		{"no key", nil, "/v1/messages", ok, map[string]string{"x-api-key": ""}, 401, "authentication_error", "x-api-key header is required"},
		{"wrong key", []Option{WithAnthropicKey("sk-right")}, "/v1/messages", ok, nil, 401, "authentication_error", "invalid x-api-key"},
		{"no version", nil, "/v1/messages", ok, map[string]string{"anthropic-version": ""}, 400, "invalid_request_error", "anthropic-version: header is required"},
		{"bad version", nil, "/v1/messages", ok, map[string]string{"anthropic-version": "2020-01-01"}, 400, "invalid_request_error", `anthropic-version: "2020-01-01" is not a valid version`},
		{"temperature removed", nil, "/v1/messages", `{` + model + `,"max_tokens":5,"temperature":1,"messages":[]}`, nil, 400, "invalid_request_error", "temperature: Extra inputs are not permitted"},
		{"unknown field", nil, "/v1/messages", `{` + model + `,"max_tokens":5,"messages":[],"bogus":1}`, nil, 400, "invalid_request_error", "bogus: Extra inputs are not permitted"},
		{"no max_tokens", nil, "/v1/messages", `{` + model + `,"messages":[]}`, nil, 400, "invalid_request_error", "max_tokens: Field required"},
		{"not JSON", nil, "/v1/messages", `{`, nil, 400, "invalid_request_error", "There was an error parsing the body of your request"},
		{"unknown model", nil, "/v1/messages", `{"model":"claude-nope","max_tokens":5,"messages":[]}`, nil, 404, "not_found_error", "model: claude-nope"},
		{"rate limited", []Option{WithStatus(429, "Number of request tokens has exceeded your per-minute rate limit")}, "/v1/messages", ok, nil,
			429, "rate_limit_error", "Number of request tokens has exceeded your per-minute rate limit"},
		{"overloaded", []Option{WithStatus(529, "Overloaded")}, "/v1/messages", ok, nil, 529, "overloaded_error", "Overloaded"},
		{"api error", []Option{WithStatus(500, "Internal server error")}, "/v1/messages", ok, nil, 500, "api_error", "Internal server error"},
		{"forbidden", []Option{WithStatus(403, "no access")}, "/v1/messages", ok, nil, 403, "permission_error", "no access"},
		{"typed", []Option{WithStatus(400, "prompt is too long: 210000 tokens > 200000 maximum"), WithAnthropicErrorType("invalid_request_error")},
			"/v1/messages", ok, nil, 400, "invalid_request_error", "prompt is too long: 210000 tokens > 200000 maximum"},
		{"unknown path", nil, "/v1/nothing", `{}`, nil, 404, "not_found_error", "Not Found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := NewAnthropic(t, tt.opts...)
			resp, err := anthDo(t, t.Context(), "POST", a.URL()+tt.path, tt.body, tt.header)
			if err != nil {
				t.Fatal(err)
			}
			var got struct {
				Type  string `json:"type"`
				Error struct {
					Type    string `json:"type"`
					Message string `json:"message"`
				} `json:"error"`
				RequestID string `json:"request_id"`
			}
			if err := json.NewDecoder(resp.Body).Decode(&got); err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != tt.wantCode || got.Type != "error" || got.Error.Type != tt.wantType || got.Error.Message != tt.wantMsg {
				t.Errorf("got %d %+v, want %d %s %q", resp.StatusCode, got, tt.wantCode, tt.wantType, tt.wantMsg)
			}
			if id := resp.Header.Get("request-id"); id == "" || got.RequestID != id {
				t.Errorf("request-id header %q, body request_id %q", id, got.RequestID)
			}
		})
	}
}

func TestAnthropicAcceptsOlderVersionAndBearer(t *testing.T) {
	a := NewAnthropic(t, WithAnthropicKey("sk-right"))
	body := `{"model":"` + AnthropicDefaultModel + `","max_tokens":5,"temperature":0.5,"messages":[{"role":"user","content":"hi"}]}`
	resp, err := anthDo(t, t.Context(), "POST", a.URL()+"/v1/messages", body,
		map[string]string{"anthropic-version": "2023-06-01", "x-api-key": "", "Authorization": "Bearer sk-right"})
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 200 {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("got %d %s, want 200", resp.StatusCode, b)
	}
	reqs := a.Requests()
	if len(reqs) != 1 || reqs[0].Temperature == nil || *reqs[0].Temperature != 0.5 || reqs[0].Header.Get("Authorization") != "Bearer sk-right" {
		t.Errorf("recorded %+v", reqs)
	}
}

func TestAnthropicRateLimitHeaders(t *testing.T) {
	tests := []struct {
		name           string
		opts           []Option
		wantRetryAfter string
		wantReset      time.Duration
	}{
		{"retry-after", []Option{WithRetryAfter(7)}, "7", 7 * time.Second},
		{"reset only", []Option{WithAnthropicRateLimitReset(90 * time.Second)}, "", 90 * time.Second},
		{"default", nil, "", time.Minute},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := NewAnthropic(t, append([]Option{WithStatus(429, "slow down")}, tt.opts...)...)
			before := time.Now().Truncate(time.Second)
			resp := anthPost(t, a, `{}`)
			h := resp.Header
			if h.Get("retry-after") != tt.wantRetryAfter || h.Get("anthropic-ratelimit-requests-limit") != "50" ||
				h.Get("anthropic-ratelimit-requests-remaining") != "0" {
				t.Errorf("headers = %v", h)
			}
			reset, err := time.Parse(time.RFC3339, h.Get("anthropic-ratelimit-requests-reset"))
			if err != nil {
				t.Fatal(err)
			}
			if d := reset.Sub(before); d < tt.wantReset || d > tt.wantReset+time.Minute {
				t.Errorf("reset is %v from the request, want about %v", d, tt.wantReset)
			}
		})
	}
}

func TestAnthropicStreamFaults(t *testing.T) {
	tests := []struct {
		name       string
		opt        Option
		wantDeltas int
		wantBroken bool   // a broken body, not a clean end
		wantLast   string // the last event's name
	}{
		{"broken", WithBrokenStream(2), 2, true, "content_block_delta"},
		{"broken at start", WithBrokenStream(0), 0, true, "ping"},
		{"truncated", WithTruncatedStream(1), 1, false, "content_block_delta"},
		{"truncated past end", WithTruncatedStream(10), 3, false, "content_block_delta"},
		{"stream error", WithStreamError(2, "Overloaded"), 2, false, "error"},
		{"malformed", WithAnthropicMalformedEvent(1), 4, false, "message_stop"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := NewAnthropic(t, WithReply("a", "b", "c"), tt.opt)
			events, err := anthReadEvents(anthPost(t, a, anthStreamBody).Body)
			if tt.wantBroken {
				if !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, syscall.ECONNRESET) {
					t.Errorf("read error = %v, want unexpected EOF or reset", err)
				}
			} else if err != nil {
				t.Errorf("read error = %v, want a clean end", err)
			}
			deltas := 0
			for _, e := range events {
				if e.Name == "content_block_delta" {
					deltas++
				}
				if e.Name == "message_stop" && tt.wantLast != "message_stop" {
					t.Errorf("got message_stop")
				}
			}
			if deltas != tt.wantDeltas || len(events) == 0 || events[len(events)-1].Name != tt.wantLast {
				t.Errorf("got %d deltas, events %v; want %d deltas, last %s", deltas, anthNames(events), tt.wantDeltas, tt.wantLast)
			}
			switch tt.name {
			case "stream error":
				want := map[string]any{"type": "error", "error": map[string]any{"type": "overloaded_error", "message": "Overloaded"},
					"request_id": events[len(events)-1].anthJSON(t)["request_id"]}
				if diff := cmp.Diff(want, events[len(events)-1].anthJSON(t)); diff != "" {
					t.Errorf("error event (-want +got):\n%s", diff)
				}
			case "malformed":
				if bad := events[4]; json.Valid([]byte(bad.Data)) || !strings.HasPrefix(bad.Data, `{"type":"content_block_delta"`) {
					t.Errorf("event after one chunk = %+v, want cut-short JSON", bad)
				}
			}
		})
	}
}

func TestAnthropicResetAfterEvents(t *testing.T) {
	for _, n := range []int{0, 1, 3} {
		t.Run(strconv.Itoa(n), func(t *testing.T) {
			a := NewAnthropic(t, WithReply("a", "b", "c"), WithAnthropicResetAfterEvents(n))
			events, err := anthReadEvents(anthPost(t, a, anthStreamBody).Body)
			if !errors.Is(err, syscall.ECONNRESET) && !errors.Is(err, io.ErrUnexpectedEOF) {
				t.Errorf("read error = %v, want a reset", err)
			}
			// Data in flight when the RST arrives may be lost.
			if len(events) > n {
				t.Errorf("got %d events %v, want at most %d", len(events), anthNames(events), n)
			}
		})
	}
}

func TestAnthropicPause(t *testing.T) {
	release := make(chan struct{})
	a := NewAnthropic(t, WithReply("a", "b", "c"), WithPause(1, release))
	br := bufio.NewReader(anthPost(t, a, anthStreamBody).Body)
	<-a.Paused()
	close(release)
	events, err := anthReadEvents(br)
	if err != nil || len(events) != 9 {
		t.Fatalf("got %v, %v; want 9 events", anthNames(events), err)
	}
}

func TestAnthropicWaitsEndWithClient(t *testing.T) {
	tests := []struct {
		name        string
		opt         Option
		wantHeaders bool
	}{
		{"latency", WithAnthropicLatency(time.Hour), false},
		{"first token", WithAnthropicFirstTokenDelay(time.Hour), true},
		{"pause never released", WithPause(0, nil), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// The fake would wait an hour; the handler must end when the
			// client gives up, or the server's Close at cleanup would hang.
			a := NewAnthropic(t, tt.opt)
			if !tt.wantHeaders {
				ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
				defer cancel()
				if _, err := anthDo(t, ctx, "POST", a.URL()+"/v1/messages", anthStreamBody, nil); !errors.Is(err, context.DeadlineExceeded) {
					t.Errorf("err = %v, want deadline exceeded", err)
				}
				return
			}
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			resp, err := anthDo(t, ctx, "POST", a.URL()+"/v1/messages", anthStreamBody, nil)
			if err != nil {
				t.Fatal(err)
			}
			br := bufio.NewReader(resp.Body)
			if _, err := br.ReadString('\n'); err != nil { // message_start is on its way
				t.Fatal(err)
			}
			cancel()
			if _, err := anthReadEvents(br); !errors.Is(err, context.Canceled) {
				t.Errorf("err = %v, want context.Canceled", err)
			}
		})
	}
}

func TestAnthropicModelsPaging(t *testing.T) {
	a := NewAnthropic(t, WithModels(
		Model{Name: "claude-opus-4-6", ContextLength: 1_000_000},
		Model{Name: "claude-sonnet-4-5-20250929", ContextLength: 200_000},
		Model{Name: "claude-3-5-haiku-20241022"},
	), WithAnthropicModelsPageSize(2))
	get := func(query string) map[string]any {
		t.Helper()
		resp, err := anthDo(t, t.Context(), "GET", a.URL()+"/v1/models"+query, "", nil)
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]any
		if err := json.NewDecoder(resp.Body).Decode(&m); err != nil {
			t.Fatal(err)
		}
		return m
	}
	ids := func(page map[string]any) []string {
		var ids []string
		for _, m := range page["data"].([]any) {
			ids = append(ids, m.(map[string]any)["id"].(string))
		}
		return ids
	}
	first := get("")
	if diff := cmp.Diff([]string{"claude-opus-4-6", "claude-sonnet-4-5-20250929"}, ids(first)); diff != "" {
		t.Errorf("first page (-want +got):\n%s", diff)
	}
	if first["has_more"] != true || first["first_id"] != "claude-opus-4-6" || first["last_id"] != "claude-sonnet-4-5-20250929" {
		t.Errorf("first page = %v", first)
	}
	opus := first["data"].([]any)[0].(map[string]any)
	wantOpus := map[string]any{"type": "model", "id": "claude-opus-4-6", "display_name": "Claude Opus 4.6",
		"created_at": "2025-01-02T03:04:05Z", "lifecycle": "active", "max_input_tokens": 1e6, "max_tokens": 64000.0}
	if diff := cmp.Diff(wantOpus, opus); diff != "" {
		t.Errorf("model object (-want +got):\n%s", diff)
	}
	second := get("?after_id=claude-sonnet-4-5-20250929")
	if diff := cmp.Diff([]string{"claude-3-5-haiku-20241022"}, ids(second)); diff != "" || second["has_more"] != false {
		t.Errorf("second page %v (-want +got):\n%s", second, diff)
	}
	if _, ok := second["data"].([]any)[0].(map[string]any)["max_input_tokens"]; ok {
		t.Error("a model without ContextLength lists max_input_tokens")
	}
	back := get("?before_id=claude-3-5-haiku-20241022&limit=1")
	if diff := cmp.Diff([]string{"claude-sonnet-4-5-20250929"}, ids(back)); diff != "" || back["has_more"] != true {
		t.Errorf("backwards page %v (-want +got):\n%s", back, diff)
	}
	resp, err := anthDo(t, t.Context(), "GET", a.URL()+"/v1/models", "", map[string]string{"x-api-key": ""})
	if err != nil || resp.StatusCode != 401 {
		t.Errorf("models without a key: %v, %v; want 401", resp.StatusCode, err)
	}
}

func TestAnthropicRecordsRequests(t *testing.T) {
	a := NewAnthropic(t)
	const n = 4
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			resp, err := anthDo(t, t.Context(), "POST", a.URL()+"/v1/messages",
				`{"model":"`+AnthropicDefaultModel+`","max_tokens":9,"stream":true,"system":[{"type":"text","text":"s1"},{"type":"text","text":"s2"}],`+
					`"messages":[{"role":"user","content":[{"type":"text","text":"hi"}]}],"tools":[{"name":"f","input_schema":{"type":"object"}}]}`, nil)
			if err != nil {
				t.Error(err)
				return
			}
			io.Copy(io.Discard, resp.Body)
		})
	}
	wg.Wait()
	reqs := a.Requests()
	if len(reqs) != n {
		t.Fatalf("recorded %d requests, want %d", len(reqs), n)
	}
	r := reqs[0]
	got := []any{r.Model, r.MaxTokens, r.Stream, r.System, r.Messages, r.Tools[0].Name, string(r.Tools[0].InputSchema), r.Header.Get("x-api-key")}
	want := []any{AnthropicDefaultModel, 9, true, "s1\ns2", []AnthropicMessage{{Role: "user", Text: "hi"}}, "f", `{"type":"object"}`, "sk-test"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("recorded (-want +got):\n%s", diff)
	}
}

func TestAnthropicDisplayName(t *testing.T) {
	for id, want := range map[string]string{
		"claude-sonnet-4-5-20250929": "Claude Sonnet 4.5",
		"claude-3-5-haiku-20241022":  "Claude 3.5 Haiku",
		"claude-opus-4-6":            "Claude Opus 4.6",
		"claude-sonnet-5":            "Claude Sonnet 5",
	} {
		if got := anthropicDisplayName(id); got != want {
			t.Errorf("anthropicDisplayName(%q) = %q, want %q", id, got, want)
		}
	}
}
